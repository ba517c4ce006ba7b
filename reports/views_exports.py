"""The export files of the year report: asking for one from the report page, the job
page that follows its progress, and the download. Only the person who asked for a file
gets it (anyone else: 404)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exports import CONTENT_TYPES
from core.files import stored_file_response
from reports import jobs, selectors
from reports.exports import FORMATS
from reports.views import compare_from

FORMAT_FIELD = "formaat"


@login_required
@require_POST
def export_request(request, code: str, year: int):
    """Ask for the PDF or Excel file of a report (``formaat``, ``vergelijk``): the kept
    file is downloaded at once when it is still current, else the job page follows the
    new file being made."""
    area = selectors.report_area(user=request.user, code=code, year=year)
    years = selectors.report_years(user=request.user, area=area)
    compare, form = compare_from(request.POST, year=year, years=years)
    fmt = request.POST.get(FORMAT_FIELD, "")
    errors = {name: list(messages) for name, messages in form.errors.items()}
    if fmt not in FORMATS:
        errors[FORMAT_FIELD] = [_("Kies PDF of Excel.")]
    if not errors:
        try:
            job, _new = jobs.export_request(
                actor=request.user, area=area, year=year, compare=compare, fmt=fmt
            )
        except ValidationError as exc:
            errors = exc.message_dict
    if errors:
        context = {"area": area, "year": year, "errors": errors}
        return render(request, "reports/export_error.html", context, status=400)
    if job.has_file:
        return redirect("reports:export-download", pk=job.pk)
    return redirect("reports:export-detail", pk=job.pk)


def _context(request, pk):
    job = jobs.export_get(user=request.user, pk=pk)
    return {
        "job": job,
        "finished": job.is_finished,
        "current": jobs.is_current(job, user=request.user) if job.has_file else True,
        "report_url": reverse("reports:report", kwargs={"code": job.area.code, "year": job.year})
        + (f"?vergelijk={job.compare}" if job.compare else ""),
    }


@login_required
def export_detail(request, pk: int):
    return render(request, "reports/export_detail.html", _context(request, pk))


@login_required
def export_status(request, pk: int):
    """The live part of the job page; htmx asks for it every two seconds until done."""
    return render(request, "reports/_export_status.html", _context(request, pk))


@login_required
def export_download(request, pk: int):
    """The file of a finished export of the person who asked for it."""
    job = jobs.export_get(user=request.user, pk=pk)
    if not job.has_file:
        raise Http404(_("Dit bestand is (nog) niet beschikbaar."))
    return stored_file_response(job.file, filename=job.original_name, content_type=CONTENT_TYPES[job.fmt])
