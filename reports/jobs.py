"""Exports of the year report as jobs: asking for a file, making it, reading it back.

A person asks for the PDF or Excel file of a report; a Celery task (queued after the
commit, run at once where tasks run inline) makes it with that person's rights and keeps
it on a ``YearReportExport``. Asking again gives the kept file as long as the data under
it is unchanged: each job stores the version of the data it was made from
(``data_version``), and a different version makes a new file.
"""

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.imports import IMPORT_SOFT_LIMIT, ProgressCallback, job_fail, job_finish, job_get, job_progress
from core.queueing import queue_on_commit
from core.services import save_versioned
from reports.models import YearReportExport

logger = logging.getLogger(__name__)

EXPORT_NOT_STARTED = gettext_lazy(
    "Het bestand kon niet worden gemaakt omdat de takenwachtrij niet bereikbaar is. Probeer het later opnieuw."
)
EXPORT_TIMED_OUT = gettext_lazy(
    "Het maken van het bestand duurde langer dan %(minutes)s minuten en is afgebroken. "
    "Probeer het later opnieuw of neem contact op met de beheerder."
)
EXPORT_UNEXPECTED = gettext_lazy(
    "Het bestand kon niet worden gemaakt door een onverwachte fout. "
    "Probeer het later opnieuw; blijft het misgaan, neem dan contact op met de beheerder."
)
# A job still queued or running after this long is taken for lost: asking again starts
# a new one instead of waiting for it.
STALE_AFTER = timedelta(seconds=IMPORT_SOFT_LIMIT + 300)


# --- the version of the data under a report ----------------------------------------------


def _latest(queryset, field: str = "updated_at") -> str:
    """How many rows and when the last one changed: a deletion changes the count."""
    stats = queryset.order_by().aggregate(n=Count("pk"), last=Max(field), top=Max("pk"))
    last = stats["last"].isoformat() if stats["last"] else "-"
    return f"{stats['n']}:{stats['top']}:{last}"


def data_version(*, user, area, year: int, compare: int | None) -> str:
    """The version of everything a report of ``area`` for ``year`` is made from: the
    scores' data version, the boundaries of the years it draws, and the count and latest
    change of the teams, urgencies, interventions, progress updates, wijkgesprekken,
    agreements, commitments, monitoring and boden in the area's gemeente (a superset of
    the report's scope), and of the person's memberships (their rights)."""
    from agreements.models import Agreement, Bod, Commitment, MonitoringReport
    from areas.selectors import map_version
    from interventions.models import (
        AreaTeam,
        Intervention,
        ProgressUpdate,
        TeamMember,
        UrgencyAssessment,
        Wijkgesprek,
    )
    from organisations.models import Membership
    from scores.versions import data_version as scores_version

    gm = area.gemeente_code
    years = sorted({area.year, year, *([compare] if compare else [])})
    parts = [
        f"{area.pk}|{year}|{compare}",
        scores_version(),
        ",".join(map_version(y).token for y in years),
        _latest(AreaTeam.objects.filter(area__gemeente_code=gm)),
        _latest(TeamMember.objects.filter(team__area__gemeente_code=gm)),
        _latest(UrgencyAssessment.objects.filter(team__area__gemeente_code=gm)),
        _latest(Intervention.objects.filter(team__area__gemeente_code=gm)),
        _latest(ProgressUpdate.objects.filter(intervention__team__area__gemeente_code=gm), "created_at"),
        _latest(Wijkgesprek.objects.filter(team__area__gemeente_code=gm)),
        _latest(Agreement.objects.filter(gemeente_code=gm)),
        _latest(Commitment.objects.filter(agreement__gemeente_code=gm)),
        _latest(MonitoringReport.objects.filter(commitment__agreement__gemeente_code=gm)),
        _latest(Bod.objects.filter(gemeente_code=gm)),
        _latest(Membership.objects.filter(user_id=user.pk)),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:40]


# --- asking for a file ------------------------------------------------------------------------


def _check_request(*, actor, area, year: int, compare: int | None, fmt: str) -> None:
    from reports.exports import FORMATS
    from reports.selectors import report_years

    errors = {}
    if fmt not in FORMATS:
        errors["format"] = _("Kies PDF of Excel.")
    years = report_years(user=actor, area=area)
    if year not in years:
        errors["year"] = _("Voor dit gebied is er geen jaarbeeld over %(year)s.") % {"year": year}
    # As on the page (``reports.forms.CompareForm``): an earlier year of the list.
    if compare is not None and (compare >= year or compare not in years):
        errors["compare"] = _("Vergelijk met een eerder jaar uit de lijst.")
    if errors:
        raise ValidationError(errors)


def export_request(
    *, actor, area, year: int, compare: int | None = None, fmt: str
) -> tuple[YearReportExport, bool]:
    """The file of the year report of ``area`` for ``year`` (compared with ``compare``)
    in ``fmt`` for ``actor``: their kept file when the data under it has not changed
    since (or the job making it), else a new job, queued once this transaction commits.
    Returns the job and whether it is new."""
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied(_("Log in om een jaarbeeld te downloaden."))
    _check_request(actor=actor, area=area, year=year, compare=compare, fmt=fmt)
    version = data_version(user=actor, area=area, year=year, compare=compare)
    kept = (
        export_list(user=actor)
        .filter(area=area, year=year, compare=compare, fmt=fmt, data_version=version)
        .exclude(status=YearReportExport.Status.FAILED)
        .first()
    )
    if kept is not None:
        lost = not kept.is_finished and kept.created_at < timezone.now() - STALE_AFTER
        if kept.has_file or (not kept.is_finished and not lost):
            return kept, False
    from reports.exports import filename

    with transaction.atomic():
        job = YearReportExport(
            area=area,
            year=year,
            compare=compare,
            fmt=fmt,
            original_name=filename(area.code, year, compare, fmt)[:255],
            started_by=actor,
            status=YearReportExport.Status.QUEUED,
            data_version=version,
        )
        save_versioned(job, actor=actor)
        job_id = job.pk
        queue_on_commit(
            "reports.tasks.year_report_export_run",
            job_id,
            what=f"jaarbeeld-export {job_id}",
            on_failure=lambda: job_fail(YearReportExport, job_id=job_id, message=EXPORT_NOT_STARTED),
        )
    # Where tasks run inline and no outer transaction holds the commit back, the file was
    # made as the block above committed.
    job.refresh_from_db()
    return job, True


# --- making the file -------------------------------------------------------------------------


def export_run(*, job_id: int, progress_callback: ProgressCallback = None) -> YearReportExport:
    """Make the file of a queued export with the rights of the person who asked for it,
    keep it on the job and remove the files of their earlier exports of the same report,
    which it replaces."""
    from reports import exports
    from reports.maps import report_maps
    from reports.selectors import year_report

    job = YearReportExport.objects.select_related("area", "started_by").get(pk=job_id)
    if job.is_finished:
        return job
    user = job.started_by
    if user is None or not user.is_active:
        return job_fail(
            YearReportExport,
            job_id=job.pk,
            message=_("De persoon die dit bestand vroeg, heeft geen toegang meer."),
        )
    cb = progress_callback
    with translation.override(settings.LANGUAGE_CODE):
        job_progress(job, 5, _("gegevens lezen"), cb, status=YearReportExport.Status.RUNNING)
        # Read before the report, so a change made while it is written makes the next
        # request write it again.
        version = data_version(user=user, area=job.area, year=job.year, compare=job.compare)
        report = year_report(user=user, area=job.area, year=job.year, compare=job.compare)
        if job.fmt == YearReportExport.Format.PDF:
            job_progress(job, 35, _("kaarten tekenen"), cb)
            maps = report_maps(report, user=user, prefix="pdf-kaart")
            job_progress(job, 55, _("pagina's opmaken"), cb)
            body = exports.pdf_bytes(report, user=user, maps=maps)
        else:
            job_progress(job, 40, _("werkbladen schrijven"), cb)
            body = exports.workbook_bytes(report)
        job_progress(job, 90, _("bestand bewaren"), cb)
        name = exports.filename(job.area.code, job.year, job.compare, job.fmt)
        job.file.save(name, ContentFile(body), save=False)
        job.original_name = name[:255]
        job.size = len(body)
        job.data_version = version
        job.save(update_fields=["file", "original_name", "size", "data_version", "updated_at"])
        job_finish(job, status=YearReportExport.Status.DONE, callback=cb)
    _remove_replaced(job)
    return job


def _remove_replaced(job: YearReportExport) -> None:
    """Delete the files of the person's earlier exports of the same report and format:
    the new file replaces them (their jobs stay, without a file)."""
    older = (
        YearReportExport.objects.filter(
            started_by_id=job.started_by_id,
            area_id=job.area_id,
            year=job.year,
            compare=job.compare,
            fmt=job.fmt,
            created_at__lt=job.created_at,
        )
        .exclude(file="")
        .only("pk", "file")
    )
    for old in older:
        try:
            old.file.delete(save=False)
        except OSError:
            logger.warning("Could not delete the file of year report export %s", old.pk)
        YearReportExport.objects.filter(pk=old.pk).update(file="", size=0)


# --- reading --------------------------------------------------------------------------------


def export_list(*, user):
    """The person's own exports, newest first: only files made for them."""
    return (
        YearReportExport.objects.restrict(user, "view").filter(started_by_id=user.pk).order_by("-created_at")
    )


def export_get(*, user, pk: int) -> YearReportExport:
    """One export of the person (404 for anyone else's, also for a platform admin: the
    file was made with another person's rights)."""
    return job_get(user, YearReportExport.objects.select_related("area", "started_by"), pk=pk)


def is_current(job: YearReportExport, *, user) -> bool:
    """Whether the data under a finished file is unchanged since it was made."""
    return job.data_version == data_version(user=user, area=job.area, year=job.year, compare=job.compare)
