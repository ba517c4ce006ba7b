"""Import jobs: a file read row by row into the database, all-or-nothing, with a report.

An upload is stored on a job row (a subclass of ``core.models.ImportJob``) and run by a
Celery task queued after the commit; the page polls the job's status and progress. A
file from disk (a management command, the demo) runs the same job at once. Boundary and
indicator imports share everything here: the row issues of the report, the progress
updates, finishing and failing a job, queueing it and the task's error handling.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.permissions import get_object_for
from core.queueing import IMPORT_NOT_STARTED, queue_on_commit
from core.services import save_versioned

logger = logging.getLogger(__name__)

MB = 1024 * 1024
MAX_REPORTED = 1000  # rows of warnings or errors kept on a job

ProgressCallback = Callable[[int, str], None] | None

TIMED_OUT = gettext_lazy(
    "De import duurde langer dan %(minutes)s minuten en is afgebroken. Er is niets opgeslagen. "
    "Probeer het opnieuw met een kleiner bestand of neem contact op met de beheerder."
)
UNEXPECTED = gettext_lazy(
    "De import is mislukt door een onverwachte fout. Er is niets opgeslagen. "
    "Probeer het later opnieuw; blijft het misgaan, neem dan contact op met de beheerder."
)


@dataclass
class RowIssue:
    """A warning or error about one row of a file (``row`` counts from 1; None: the file
    as a whole)."""

    row: int | None
    code: str
    message: str

    def as_dict(self):
        return {"row": self.row, "code": self.code, "message": str(self.message)}


# --- reading files -------------------------------------------------------------------------


def megabytes(size: int) -> str:
    """A file size in MB the Dutch way: whole from 10 MB, else one decimal with a comma."""
    return f"{size / MB:.0f}" if size >= 10 * MB else f"{size / MB:.1f}".replace(".", ",")


def file_too_large_message(size: int, max_bytes: int, advice: str = "") -> str:
    """The message for a file over the upload limit, with what the user can send instead."""
    text = _("Het bestand is %(size)s MB; de grens is %(limit)s MB.") % {
        "size": megabytes(size),
        "limit": megabytes(max_bytes),
    }
    return f"{text} {advice}" if advice else text


def decode_text(data: bytes, error: type[Exception]) -> str:
    """The text of a file saved as UTF-8 (with or without byte-order mark) or, as Excel on
    Windows saves CSV, Windows-1252; ``error`` (with the message) when it is neither."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise error(_("Het bestand is geen tekstbestand in UTF-8 of Windows-1252."))


def cell_text(value) -> str:
    """A cell of a file as text: empty for nothing (None, NaN), a whole number without
    ``.0`` (spreadsheets store 2024 as 2024.0), surrounding spaces removed."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# --- jobs ------------------------------------------------------------------------------------


def cap_issues(issues) -> list[dict]:
    """The issues as stored on a job: at most ``MAX_REPORTED``, then a line with the rest."""
    issues = list(issues)
    rows = [issue.as_dict() for issue in issues[:MAX_REPORTED]]
    if len(issues) > MAX_REPORTED:
        rows.append(
            {
                "row": None,
                "code": "",
                "message": _("… en nog %(n)s meldingen.") % {"n": len(issues) - MAX_REPORTED},
            }
        )
    return rows


def job_progress(job, percent: int, message, callback: ProgressCallback = None, *, status=None) -> None:
    """Progress the job page can poll: a small update of its own, outside the import's
    transaction, so it is visible while the import runs."""
    values = {"progress": percent, "progress_message": str(message)[:200], "updated_at": timezone.now()}
    if status:
        values["status"] = status
    type(job).objects.filter(pk=job.pk).update(**values)
    if callback:
        callback(percent, str(message))


def job_finish(job, *, status, errors=(), warnings=(), counts=None, callback: ProgressCallback = None):
    """End a job as done or failed with its report; ``counts`` sets the job's counters
    (the others keep their value)."""
    done = status == job.Status.DONE
    job.status = status
    job.progress = 100
    job.progress_message = _("klaar") if done else _("mislukt")
    job.errors = cap_issues(errors)
    job.warnings = cap_issues(warnings)
    counts = counts or {}
    for name, value in counts.items():
        setattr(job, name, value)
    job.finished_at = timezone.now()
    job.save(
        update_fields=[
            "status",
            "progress",
            "progress_message",
            "errors",
            "warnings",
            *counts,
            "finished_at",
            "updated_at",
        ]
    )
    if callback:
        callback(100, _("klaar") if done else _("mislukt: er is niets opgeslagen"))
    return job


def job_fail(model, *, job_id: int, message) -> object | None:
    """Mark a job failed with one message (a task that stopped, a broker outage)."""
    job = model.objects.filter(pk=job_id).first()
    if job is None:
        return None
    return job_finish(job, status=model.Status.FAILED, errors=[RowIssue(None, "", str(message))])


def job_queue_on_commit(job, task_name: str, **task_kwargs) -> None:
    """Queue the job's task (by its dotted path, with the job's id and ``task_kwargs``)
    once the transaction that stored the job has committed. When the broker cannot be
    reached, the job says so instead of staying queued."""
    model, job_id = type(job), job.pk
    queue_on_commit(
        task_name,
        job_id,
        what=f"{model._meta.verbose_name} {job_id}",
        on_failure=lambda: job_fail(model, job_id=job_id, message=IMPORT_NOT_STARTED),
        **task_kwargs,
    )


def existing_file(path) -> Path:
    """``path`` as a Path; a ``ValidationError`` naming it when there is no such file."""
    path = Path(path)
    if not path.is_file():
        raise ValidationError(_("Het bestand %(path)s bestaat niet.") % {"path": path})
    return path


def job_store_file(job, path: Path, *, actor):
    """Save a new job with a copy of a file from disk in its storage, as an upload would
    be, so every import leaves the same record."""
    with path.open("rb") as handle:
        job.file = File(handle, name=path.name)
        job.original_name = path.name[:255]
        save_versioned(job, actor=actor)
    return job


def job_create_pending(job, *, actor):
    """Save a new job whose file its task fetches from the source first (CBS StatLine,
    PDOK), so the page has a job to poll at once; the file follows with
    ``job_attach_file``."""
    job.version = 1
    job.full_clean(exclude=["file"])
    job._history_user = actor
    job.save()
    return job


def job_attach_file(job, name: str, content: bytes):
    """Store what was fetched as the job's file, as an upload would be, so the import
    reads it like any file (by its name, as an upload) and the job keeps a record of
    what was imported."""
    job.file.save(name, ContentFile(content), save=False)
    job.original_name = name[:255]
    type(job).objects.filter(pk=job.pk).update(
        file=job.file.name, original_name=job.original_name, updated_at=timezone.now()
    )
    return job


def job_add_warnings(job, issues) -> None:
    """Put issues found before the import (while fetching) in front of the job's warnings."""
    if not issues:
        return
    job.refresh_from_db(fields=["warnings"])
    job.warnings = cap_issues(issues) + list(job.warnings)
    type(job).objects.filter(pk=job.pk).update(warnings=job.warnings)


def job_run_now(job, run: Callable[..., object], *, stdout=None):
    """Run a job at once in this process (a file from disk), writing its progress to
    ``stdout``. An unexpected error fails the job and is raised again."""

    def report(percent, message):
        if stdout is not None:
            stdout.write(f"{percent:>3}% {message}")

    try:
        return run(progress_callback=report)
    except Exception:
        job_fail(
            type(job),
            job_id=job.pk,
            message=_("De import is mislukt door een onverwachte fout. Er is niets opgeslagen."),
        )
        raise


IMPORT_SOFT_LIMIT = 30 * 60  # seconds an import task may run before it is stopped


def import_task(func):
    """The Celery task decorator of every import task: no retries (the same file gives
    the same result), acknowledged when done, stopped after ``IMPORT_SOFT_LIMIT``."""
    return shared_task(
        bind=True,
        acks_late=True,
        max_retries=0,
        soft_time_limit=IMPORT_SOFT_LIMIT,
        time_limit=IMPORT_SOFT_LIMIT + 120,
    )(func)


# A running job that has not moved for this long has no task behind it any more: the
# task's hard time limit would have stopped it by then. A worker that was killed (out of
# memory, a restart) mid-import leaves such a job; its transaction was rolled back by the
# database when the connection dropped, so nothing of it is stored.
STALE_AFTER = timedelta(seconds=IMPORT_SOFT_LIMIT + 120 + 60)
INTERRUPTED = gettext_lazy(
    "De import is onderbroken: de verwerking stopte onverwacht. Er is niets opgeslagen. "
    "Start de import opnieuw."
)


def job_models() -> list:
    """Every kind of job in the product (the concrete subclasses of ``ImportJob``)."""
    from django.apps import apps

    from core.models import ImportJob

    return [model for model in apps.get_models() if issubclass(model, ImportJob)]


def _stale(model, *, now=None):
    cutoff = (now or timezone.now()) - STALE_AFTER
    return model.objects.filter(status=model.Status.RUNNING, updated_at__lt=cutoff)


def job_get(user, queryset, *, pk):
    """One job as its page or endpoint shows it: through ``restrict()`` (404 when not
    visible), and failed first when a worker that died left it running. Every job getter
    goes through here, so no kind of job waits for the periodic sweep alone."""
    return job_fail_if_stale(get_object_for(user, queryset, pk=pk))


def job_fail_if_stale(job, *, now=None):
    """The job as its page shows it: one left running by a worker that died is failed
    first, with a message that says so."""
    if job.status == job.Status.RUNNING and _stale(type(job), now=now).filter(pk=job.pk).exists():
        logger.warning("%s %s was left running; marked failed", type(job).__name__, job.pk)
        job_fail(type(job), job_id=job.pk, message=INTERRUPTED)
        job.refresh_from_db()
    return job


def jobs_fail_stale(*, now=None) -> int:
    """Fail every job of every kind that was left running (the periodic sweep); returns
    how many."""
    failed = 0
    for model in job_models():
        for job_id in _stale(model, now=now).values_list("pk", flat=True):
            logger.warning("%s %s was left running; marked failed", model.__name__, job_id)
            job_fail(model, job_id=job_id, message=INTERRUPTED)
            failed += 1
    return failed


def job_run_task(
    model,
    job_id: int,
    run: Callable[[], object],
    *,
    soft_limit: int = IMPORT_SOFT_LIMIT,
    timed_out=TIMED_OUT,
    unexpected=UNEXPECTED,
) -> None:
    """The body of an import task. Problems in the file end up in the job's report; they
    are not retried, since the same file gives the same result. A task that runs out of
    time or stops unexpectedly marks the job failed with a message the job page shows
    (``timed_out`` with ``%(minutes)s``, ``unexpected``: for jobs that are no import)."""
    try:
        run()
    except SoftTimeLimitExceeded:
        logger.warning("%s %s hit its time limit", model.__name__, job_id)
        job_fail(model, job_id=job_id, message=timed_out % {"minutes": soft_limit // 60})
    except Exception:
        logger.exception("%s %s failed", model.__name__, job_id)
        job_fail(model, job_id=job_id, message=unexpected)
