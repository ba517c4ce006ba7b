"""Reads for indicator imports: the jobs a user may see and the sources they may import
into. Jobs follow their source: a licensed source's imports are seen only by those who
may import into it."""

from core.imports import job_get
from scores.models import ScoreImport, Source


def importable_sources(*, user):
    """The sources ``user`` may import into, by name."""
    return Source.objects.restrict(user, "import").order_by("name")


def score_import_list(*, user):
    """The import jobs ``user`` may see, newest first."""
    return (
        ScoreImport.objects.restrict(user, "view")
        .select_related("source", "started_by")
        .order_by("-created_at", "-pk")
    )


def score_import_get(*, user, pk: int) -> ScoreImport:
    """One job; 404 when it is not visible to ``user``."""
    return job_get(user, ScoreImport.objects.select_related("source", "started_by"), pk=pk)
