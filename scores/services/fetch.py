"""Fetching the CBS kerncijfers from CBS StatLine into the open CBS source, through the
same import pipeline as an uploaded KWB file: dry run, row report, merge or replace,
all-or-nothing, a job with progress.

A fetch is an indicator import (``ScoreImport``) whose file is fetched first: the job
exists at once (the page polls it), its task fetches the table, stores it as the job's
file and runs ``score_import_run`` on it. When the fetch fails, the job fails with the
reason and nothing is stored.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.fetching import Fetch, clean_gemeente_codes, job_fetch_run
from core.imports import (
    ProgressCallback,
    job_create_pending,
    job_queue_on_commit,
    job_run_now,
)
from core.permissions import is_platform_admin
from scores import statline
from scores.models import ScoreImport, SourceKind
from scores.services import imports
from scores.services.catalogue import catalogue_install

NO_FETCH_RIGHTS = _("Alleen platformbeheerders halen de kerncijfers op bij het CBS.")


def _check_table(year: int, table: str | None) -> str:
    table = (table or "").strip().upper() or statline.table_for(year)
    if not table:
        known = ", ".join(f"{y} ({t})" for y, t in sorted(statline.TABLES.items()))
        raise ValidationError(
            {
                "year": _(
                    "Wijkkoers kent de CBS-tabel van %(year)s nog niet (bekend: %(known)s). Geef de tabel "
                    "op, bijvoorbeeld 85984NED."
                )
                % {"year": year, "known": known}
            }
        )
    if not statline.TABLE_ID.match(table):
        raise ValidationError({"table": _("Een CBS-tabel heet bijvoorbeeld 85984NED.")})
    return table


def _job_name(table: str, gemeenten: list[str]) -> str:
    where = ", ".join(gemeenten) if gemeenten else _("heel Nederland")
    return f"CBS StatLine {table} ({where})"[:255]


def _new_job(*, actor, year, gemeenten, dry_run, mode, table) -> tuple[ScoreImport, str, list[str]]:
    if not is_platform_admin(actor):
        raise PermissionDenied(NO_FETCH_RIGHTS)
    gemeenten = clean_gemeente_codes(gemeenten)
    year = imports._check_year(year, SourceKind.CBS_KWB)
    table = _check_table(year, table)
    source = catalogue_install()[SourceKind.CBS_KWB]
    imports._check_rights(actor, source)
    job = ScoreImport(
        source=source,
        file_format=SourceKind.CBS_KWB,
        original_name=_job_name(table, gemeenten),
        year=year,
        dry_run=dry_run,
        mode=imports._check_mode(mode),
        started_by=actor,
        status=ScoreImport.Status.QUEUED,
    )
    return job_create_pending(job, actor=actor), table, gemeenten


@transaction.atomic
def cbs_fetch_start(
    *,
    actor,
    year: int,
    gemeenten: list[str] | None = None,
    dry_run: bool = False,
    mode: str = ScoreImport.Mode.MERGE,
    table: str | None = None,
) -> ScoreImport:
    """Queue a fetch of a year of kerncijfers (all gemeenten or the given ones) into the
    open CBS source (platform admins). Returns the job to poll."""
    job, table, gemeenten = _new_job(
        actor=actor, year=year, gemeenten=gemeenten, dry_run=dry_run, mode=mode, table=table
    )
    job_queue_on_commit(job, "scores.tasks.cbs_fetch_run", table=table, gemeenten=gemeenten)
    return job


def cbs_fetch_now(
    *,
    actor,
    year: int,
    gemeenten: list[str] | None = None,
    dry_run: bool = False,
    mode: str = ScoreImport.Mode.CHECK,
    table: str | None = None,
    fetch: Fetch | None = None,
    stdout=None,
) -> ScoreImport:
    """Fetch and import at once (management command), without Celery."""
    job, table, gemeenten = _new_job(
        actor=actor, year=year, gemeenten=gemeenten, dry_run=dry_run, mode=mode, table=table
    )
    return job_run_now(
        job,
        lambda progress_callback: cbs_fetch_run(
            job_id=job.pk, table=table, gemeenten=gemeenten, fetch=fetch, progress_callback=progress_callback
        ),
        stdout=stdout,
    )


def cbs_fetch_run(
    *,
    job_id: int,
    table: str,
    gemeenten: list[str] | None = None,
    fetch: Fetch | None = None,
    progress_callback: ProgressCallback = None,
) -> ScoreImport:
    """Fetch the table from StatLine, keep it as the job's file and import it. A failed
    fetch fails the job with its reason; nothing is stored."""
    job = ScoreImport.objects.select_related("source", "started_by").get(pk=job_id)
    where = "-".join(gemeenten) if gemeenten else "NL"
    return job_fetch_run(
        job,
        started=_("kerncijfers ophalen bij %(service)s") % {"service": statline.SERVICE},
        fetch=lambda progress: statline.fetch_kwb(
            year=job.year, gemeenten=gemeenten or [], table=table, fetch=fetch, progress=progress
        ),
        file_of=lambda fetched: (f"cbs-{fetched.table}-{job.year}-{where}.csv", fetched.csv),
        run_import=imports.score_import_run,
        progress_callback=progress_callback,
    )
