"""Importing a file of interventions as a job: the upload is stored on an
``InterventionImport`` and read by a Celery task, which keeps the row-by-row report on
the job (see ``core.imports``)."""

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.imports import (
    MB,
    ProgressCallback,
    RowIssue,
    file_too_large_message,
    job_finish,
    job_progress,
    job_queue_on_commit,
)
from core.services import save_versioned
from interventions.importers import MAX_MB, ImportFileError, import_interventions, read_dataset
from interventions.models import InterventionImport

FILE_SUFFIXES = (".csv", ".xlsx")


@transaction.atomic
def intervention_import_start(*, actor, uploaded_file) -> InterventionImport:
    """Store an uploaded file of interventions and queue its import.

    Refuses at once what can be seen without reading the file: a file that is not CSV or
    Excel, or one that is too large. The rows are checked by the import task against the
    rights of ``actor``, who started it; the report is kept on the returned job.
    """
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("Log in om interventies te importeren."))
    name = Path(uploaded_file.name or "").name
    if not name.lower().endswith(FILE_SUFFIXES):
        raise ValidationError({"file": _("Kies een CSV-bestand of een Excel-bestand (.xlsx).")})
    size = uploaded_file.size or 0
    if size > MAX_MB * MB:
        raise ValidationError(
            {"file": file_too_large_message(size, MAX_MB * MB, _("Splits het in kleinere bestanden."))}
        )
    job = InterventionImport(
        file=uploaded_file,
        original_name=name[:255],
        started_by=actor,
        status=InterventionImport.Status.QUEUED,
    )
    save_versioned(job, actor=actor)
    job_queue_on_commit(job, "interventions.tasks.intervention_import_run")
    return job


def intervention_import_run(*, job_id: int, progress_callback: ProgressCallback = None) -> InterventionImport:
    """Run the import of a queued job with the rights of the person who started it.

    Every row is checked and saved in one transaction; when any row fails nothing is
    saved and the job is ``mislukt`` with the errors per row (the code of an error is its
    column). The counts say how many rows were read, created, updated and unchanged.

    Deliberately not one ``@transaction.atomic`` as a whole: the progress updates must be
    visible while it runs, so only the rows share one transaction.
    """
    job = InterventionImport.objects.select_related("started_by").get(pk=job_id)
    if job.is_finished:
        return job  # a redelivered task: the job has already run
    cb = progress_callback
    job_progress(job, 5, _("bestand lezen"), cb, status=InterventionImport.Status.RUNNING)
    try:
        with job.file.open("rb") as handle:
            data = read_dataset(handle, name=job.original_name)
    except ImportFileError as exc:
        return job_finish(
            job,
            status=InterventionImport.Status.FAILED,
            errors=[RowIssue(None, "", exc.message)],
            callback=cb,
        )
    job_progress(job, 20, _("%(n)s rijen gelezen; controleren en opslaan") % {"n": len(data)}, cb)
    result = import_interventions(actor=job.started_by, data=data)
    return job_finish(
        job,
        status=InterventionImport.Status.DONE if result.ok else InterventionImport.Status.FAILED,
        errors=result.errors,
        counts={
            "rows": result.rows,
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
        },
        callback=cb,
    )
