"""The year report page (``/jaarbeeld/<code>/<year>/``), the choice of an area and year,
and the link on the area pages."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from areas.models import Area, AreaKind
from core.cache import code_version
from core.sections import render_section
from reports import selectors
from reports.forms import CompareForm, YearChoiceForm

# The interventions the page lists one by one; the counts per wijk and theme cover all,
# and the list of interventions (paginated, filtered on the area) has the rest.
ITEM_LIMIT = 50

# The templates and code a score model's HTML on the page is drawn with: the HTML kept
# with the model's part (``reports/_scores.html``) is keyed on their source as well, so a
# release that changes them never serves HTML drawn by the old ones.
MODEL_HTML_TEMPLATES = ("reports/_score_model.html", "reports/_section_maps.html")


def model_html_version() -> str:
    """A digest of ``MODEL_HTML_TEMPLATES`` and the tags and drawing code they use."""
    return code_version(
        templates=MODEL_HTML_TEMPLATES,
        modules=(
            "reports.templatetags.report_tables",
            "reports.templatetags.report_maps",
            "reports.maps",
            "core.templatetags.wijkkoers",
        ),
    )


def compare_from(query, *, year: int, years: list[int]) -> tuple[int | None, CompareForm]:
    """The year to compare with from ``?vergelijk=`` (None: the previous measurement) and
    the bound form; an invalid value leaves the form with its error and compares with the
    previous measurement."""
    data = {"vergelijk": query.get("vergelijk", "")}
    form = CompareForm(data, year=year, years=years)
    if form.is_valid():
        return form.cleaned_data["vergelijk"], form
    return None, form


def report_context(*, report, compare: int | None, form: CompareForm | None = None) -> dict:
    """What the report template needs, for the page and the command's HTML file."""
    if form is None:
        form = CompareForm(year=report.year, years=report.years)
    items = report.interventions.items
    return {
        "report": report,
        "area": report.area,
        "area_kind_label": dict(AreaKind.choices).get(report.area.kind, report.area.kind),
        "form": form,
        "compare_choices": form.fields["vergelijk"].choices,
        "compare_value": "" if compare is None else str(compare),
        "items": items[:ITEM_LIMIT],
        "items_more": max(len(items) - ITEM_LIMIT, 0),
        "stand_labels": selectors.stand_labels(),
        "commitment_stands": selectors.commitment_stand_labels(),
        "model_html_version": model_html_version(),
        "model_html_ttl": selectors.PART_TTL,
    }


def _not_found(request, exc: selectors.ReportNotFound):
    return render(request, "reports/not_found.html", {"message": str(exc)}, status=404)


@login_required
def report_page(request, code: str, year: int):
    """The year report of a gemeente, wijk or gebied as the reader may see it."""
    try:
        area = selectors.report_area(user=request.user, code=code, year=year)
    except selectors.ReportNotFound as exc:
        return _not_found(request, exc)
    years = selectors.report_years(user=request.user, area=area)
    compare, form = compare_from(request.GET, year=year, years=years)
    report = selectors.year_report(user=request.user, area=area, year=year, compare=compare, years=years)
    context = report_context(report=report, compare=compare, form=form)
    return render(request, "reports/report.html", context, status=400 if form.errors else 200)


@login_required
def report_choose(request, code: str):
    """The year form of the page sends here; so does a link without a year: on to the
    report of the chosen (or the latest) year."""
    try:
        area = selectors.report_area(user=request.user, code=code, year=_latest_year())
    except selectors.ReportNotFound as exc:
        return _not_found(request, exc)
    years = selectors.report_years(user=request.user, area=area)
    form = YearChoiceForm(request.GET, years=years)
    year = form.cleaned_data["jaar"] if form.is_valid() else (years[0] if years else area.year)
    url = reverse("reports:report", kwargs={"code": area.code, "year": year})
    compare = request.GET.get("vergelijk", "")
    return redirect(f"{url}?{urlencode({'vergelijk': compare})}" if compare else url)


def _latest_year() -> int:
    return timezone.localdate().year


@login_required
def report_index(request):
    """Choose a gemeente for its year report; wijken and gebieden have theirs on their page."""
    code = request.GET.get("code", "").strip()
    gemeenten = selectors.report_gemeenten(user=request.user)
    if code:
        if code.upper() in {c for c, _n in gemeenten}:
            return redirect("reports:choose", code=code.upper())
        error = _("Kies een gemeente uit de lijst.")
        return render(request, "reports/index.html", {"gemeenten": gemeenten, "error": error}, status=400)
    return render(request, "reports/index.html", {"gemeenten": gemeenten})


def area_link_section(request, area: Area):
    """A link to the year report on the page of a gemeente, wijk or gebied."""
    if area.is_water or area.kind not in selectors.REPORT_KINDS:
        return None
    return render_section("reports/_area_link.html", {"area": area}, request)


AREA_LINK_KINDS = frozenset({AreaKind.GEMEENTE, AreaKind.WIJK, AreaKind.GEBIED})
