"""Background jobs for scores."""

from celery import shared_task

from core.imports import job_run_task
from scores.models import ScoreImport
from scores.services import compute, imports

RECOMPUTE_SOFT_LIMIT = 15 * 60


@shared_task(
    acks_late=True,
    max_retries=2,
    default_retry_delay=60,
    soft_time_limit=RECOMPUTE_SOFT_LIMIT,
    time_limit=RECOMPUTE_SOFT_LIMIT + 60,
)
def scores_recompute(years: list[int] | None = None, model_ids: list[int] | None = None) -> None:
    """Recompute the scores of the given boundary years (all when empty) after an import
    or a model edit. Safe to run twice: it rebuilds from the stored values."""
    compute.scores_recompute(years=years, model_ids=model_ids)


IMPORT_SOFT_LIMIT = 30 * 60


@shared_task(
    bind=True,
    acks_late=True,
    max_retries=0,
    soft_time_limit=IMPORT_SOFT_LIMIT,
    time_limit=IMPORT_SOFT_LIMIT + 120,
)
def score_import_run(self, job_id: int) -> None:
    """Run a queued indicator import (see ``core.imports.job_run_task``)."""
    job_run_task(
        ScoreImport,
        job_id,
        lambda: imports.score_import_run(job_id=job_id),
        soft_limit=IMPORT_SOFT_LIMIT,
    )
