"""Pages of an agreement: the list, creating, the agreement page, editing, the workflow,
the document, amendments, history, the progress per theme and the exports."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView

from agreements import exports, selectors, services
from agreements.forms import (
    AgreementCreateForm,
    AgreementEditForm,
    AmendmentForm,
    DocumentForm,
    TransitionForm,
)
from agreements.models import (
    Agreement,
    MonitoringReport,
    Theme,
)
from agreements.views.common import PAGE_SIZE, agreement_for, gemeente_name, prepare_rows
from core.cache import code_version
from core.exceptions import ConflictError
from core.exports import download
from core.files import stored_file_response
from core.permissions import allowed
from core.views import RestrictedObjectMixin, ServiceFormMixin, error_text
from organisations.models import Organisation, organisation_ids_for


class AgreementListView(LoginRequiredMixin, TemplateView):
    template_name = "agreements/agreement_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        params = self.request.GET
        gemeente = params.get("gemeente", "").strip().upper()
        status = params.get("status", "")
        status = status if status in Agreement.Status.values else ""
        year = params.get("jaar", "").strip()
        year = int(year) if year.isdigit() else None
        agreements = selectors.agreement_list(user=user, gemeente_code=gemeente, status=status, year=year)
        page = Paginator(agreements, PAGE_SIZE).get_page(params.get("pagina"))
        # The filter offers the gemeenten of the agreements the person reads, by name;
        # every row's gemeente is among them.
        gemeenten = selectors.gemeente_choices(user=user, codes=selectors.agreement_gemeenten(user=user))
        names = dict(gemeenten)
        for agreement in page.object_list:
            agreement.gemeente_name = names.get(agreement.gemeente_code, agreement.gemeente_code)
        return super().get_context_data(
            page=page,
            gemeente=gemeente,
            status=status,
            year=year or "",
            gemeenten=gemeenten,
            statuses=Agreement.Status.choices,
            filtered=bool(gemeente or status or year),
            can_create=_can_create_agreement(user),
            **kwargs,
        )


def _can_create_agreement(user):
    """Beheerders of a gemeente or corporation (and platform admins) draft agreements."""
    if user.has_platform_rights:
        return True
    return Organisation.objects.filter(
        pk__in=organisation_ids_for(user, "manage"),
        kind__in=[Organisation.Kind.GEMEENTE, Organisation.Kind.CORPORATIE],
    ).exists()


class AgreementCreateView(LoginRequiredMixin, ServiceFormMixin, FormView):
    template_name = "agreements/agreement_form.html"
    form_class = AgreementCreateForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not _can_create_agreement(request.user):
            raise PermissionDenied(
                _("Alleen een beheerder van een gemeente of woningcorporatie stelt een prestatieafspraak op.")
            )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "gemeenten": selectors.agreement_gemeente_parties(user=self.request.user),
        }

    def perform(self, form):
        data = dict(form.cleaned_data)
        for key in ("gemeente", "corporations", "tenants", "partners"):
            data.pop(key)
        agreement = services.agreement_create(actor=self.request.user, parties=form.parties(), **data)
        messages.success(self.request, _("De prestatieafspraak is aangemaakt."))
        return agreement

    def get_success_url(self):
        return reverse("agreements:detail", args=[self.object.pk])


class AgreementMixin(RestrictedObjectMixin):
    """Pages about one agreement: loads it (404 for outsiders) and the usual rights."""

    object_selector = staticmethod(selectors.agreement_get)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.agreement = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            agreement=self.agreement,
            can_change=allowed(self.request.user, "change", self.agreement),
            **kwargs,
        )


class AgreementDetailView(AgreementMixin, TemplateView):
    template_name = "agreements/agreement_detail.html"

    def get_object(self, queryset=None):
        # Parties and amendments; the commitments come with their tables (below).
        return selectors.agreement_detail(user=self.request.user, pk=self.kwargs["pk"], commitments=False)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        agreement = self.agreement
        roles = selectors.agreement_roles(user=user, agreement=agreement)
        parties = list(agreement.parties.all())
        tables = commitment_tables(agreement)
        open_amendment = agreement.open_amendment
        can_change = context["can_change"]
        status = agreement.status
        next_status = None
        if roles["can_transition"] and status != Agreement.Status.AFGEROND:
            next_status = Agreement.STATUS_ORDER[Agreement.STATUS_ORDER.index(status) + 1]
        sign_ids = {p.pk for p in roles["parties"]} if roles["can_sign"] else set()
        context.update(
            roles=roles,
            parties=parties,
            sign_parties=[p for p in parties if p.pk in sign_ids and not p.signed_at],
            commitment_tables=tables["html"],
            commitment_count=tables["count"],
            disputed=disputed_commitments(agreement),
            years=agreement.years,
            amendments=list(agreement.amendments.all()),
            open_amendment=open_amendment,
            can_edit_commitments=can_change and roles["can_edit"],
            can_edit_agreement=can_change and roles["can_edit"],
            next_status=(next_status, Agreement.Status(next_status).label) if next_status else None,
            can_open_amendment=can_change
            and status == Agreement.Status.ONDERTEKEND
            and open_amendment is None,
            document_form=DocumentForm() if can_change and status != Agreement.Status.AFGEROND else None,
            amendment_form=AmendmentForm(initial={"year": agreement.start_year}) if can_change else None,
            boden=list(agreement.boden.select_related("corporation")),
            gemeente_name=gemeente_name(user, agreement.gemeente_code),
        )
        return context


def disputed_commitments(agreement) -> list:
    """The agreement's commitments in dispute, in the order of the tables (by theme)."""
    order = {theme: n for n, theme in enumerate(Theme)}
    disputed = agreement.commitments.filter(is_disputed=True).select_related("disputed_by")
    return sorted(disputed.order_by("number", "pk"), key=lambda c: order.get(c.theme, len(order)))


# A rebuilt table replaces a cached one on the first view after a change (the key holds
# the stamp); this only bounds how long an unused table stays in the cache.
COMMITMENT_TABLES_TTL = 60 * 60


def commitment_tables(agreement) -> dict:
    """The commitment tables of an agreement's page (``html``) and the number of
    commitments (``count``), from the cache when nothing in them changed.

    The tables are the same for everyone who may read the agreement: they show every
    commitment with its responsible party, target and monitoring per year, and nothing
    that depends on the person (the buttons and the disputed list are rendered around
    them). So the key is the agreement's ``agreement_commitments_stamp`` (any change to
    the agreement, its commitments or their reports gives a new one), the interface
    language and the version of the code that writes them (``core.cache.code_version``).
    Call only with an agreement the person may read."""
    stamp = selectors.agreement_commitments_stamp(agreement=agreement)
    version = code_version(
        templates=("agreements/_commitment_tables.html",),
        modules=("agreements.views.common", "agreements.formatting"),
    )
    key = f"agreements:commitment-tables:{stamp}:{translation.get_language()}:{version}"
    tables = cache.get(key)
    if tables is None:
        selectors.agreement_commitments_load(agreement=agreement)
        commitments = [c for _theme, _label, items in agreement.themes for c in items]
        prepare_rows(commitments, agreement.years)
        html = render_to_string(
            "agreements/_commitment_tables.html",
            {
                "themes": [(label, items) for _theme, label, items in agreement.themes],
                "disputed_label": _("geschil"),
                "qualitative_label": _("kwalitatief"),
            },
        )
        tables = {"html": html, "count": len(commitments)}
        cache.set(key, tables, COMMITMENT_TABLES_TTL)
    return {"html": mark_safe(tables["html"]), "count": tables["count"]}


class AgreementEditView(AgreementMixin, ServiceFormMixin, FormView):
    template_name = "agreements/agreement_edit.html"
    form_class = AgreementEditForm
    required_action = "change"

    def conflict_rows(self, current):
        return [
            (_("Titel"), current.title),
            (_("Looptijd"), f"{current.start_year}–{current.end_year}"),
            (_("Samenvatting"), current.summary),
        ]

    def get_initial(self):
        a = self.agreement
        return {
            "title": a.title,
            "start_year": a.start_year,
            "end_year": a.end_year,
            "summary": a.summary,
            "version": a.version,
        }

    def perform(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version")
        agreement = services.agreement_update(
            actor=self.request.user, agreement=self.agreement, version=version, **data
        )
        messages.success(self.request, _("De gegevens zijn opgeslagen."))
        return agreement

    def get_success_url(self):
        return reverse("agreements:detail", args=[self.agreement.pk])


@login_required
@require_POST
def agreement_transition(request, pk):
    agreement = agreement_for(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Kies een geldige status."))
    else:
        try:
            services.agreement_transition(
                actor=request.user,
                agreement=agreement,
                to_status=form.cleaned_data["status"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        except ConflictError as exc:
            messages.error(request, exc.message)
        else:
            agreement.refresh_from_db()
            messages.success(request, _("De status is nu: %s.") % agreement.get_status_display())
    return redirect("agreements:detail", pk=agreement.pk)


@login_required
@require_POST
def agreement_sign(request, pk, party_pk):
    agreement = agreement_for(request, pk)
    party = agreement.parties.select_related("organisation").filter(pk=party_pk).first()
    if party is None:
        raise Http404(_("Niet gevonden."))
    try:
        services.agreement_sign(actor=request.user, agreement=agreement, party=party)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("U heeft ondertekend namens %s.") % party.organisation.name)
    return redirect("agreements:detail", pk=agreement.pk)


@login_required
def agreement_document(request, pk):
    """GET: download the signed document (only for people who may view the agreement).
    POST: attach it (people who may change the agreement)."""
    if request.method == "POST":
        agreement = agreement_for(request, pk, "change")
        form = DocumentForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.agreement_attach_document(
                    actor=request.user, agreement=agreement, file=form.cleaned_data["document"]
                )
            except ValidationError as exc:
                messages.error(request, error_text(exc))
            else:
                messages.success(request, _("Het ondertekende document is toegevoegd."))
        else:
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("agreements:detail", pk=agreement.pk)
    agreement = agreement_for(request, pk)
    if not agreement.signed_document:
        raise Http404(_("Er is nog geen ondertekend document."))
    filename = f"{slugify(agreement.title) or 'prestatieafspraak'}-ondertekend.pdf"
    return stored_file_response(agreement.signed_document, filename=filename, content_type="application/pdf")


@login_required
@require_POST
def amendment_open(request, pk):
    agreement = agreement_for(request, pk, "change")
    form = AmendmentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Vul het jaar en de reden van de wijziging in."))
    else:
        try:
            services.amendment_open(actor=request.user, agreement=agreement, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("De wijziging is geopend. U kunt nu afspraken aanpassen."))
    return redirect("agreements:detail", pk=agreement.pk)


@login_required
@require_POST
def amendment_close(request, pk):
    amendment = selectors.amendment_get(user=request.user, pk=pk, action="change")
    try:
        services.amendment_close(actor=request.user, amendment=amendment)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("De wijziging is vastgesteld."))
    return redirect("agreements:detail", pk=amendment.agreement_id)


class AgreementHistoryView(AgreementMixin, TemplateView):
    template_name = "agreements/agreement_history.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["entries"] = selectors.agreement_history(agreement=self.agreement)
        return context


# --- progress per theme ---------------------------------------------------------------

CHART_WIDTH = 640
CHART_BAR_AREA = 180


def stand_labels():
    """The name of each stand on the progress page, in the order of the bars: from
    realised at the bottom to not reported at the top."""
    labels = dict(MonitoringReport.Progress.choices)
    return {
        MonitoringReport.Progress.GEREALISEERD: labels[MonitoringReport.Progress.GEREALISEERD],
        MonitoringReport.Progress.OP_KOERS: labels[MonitoringReport.Progress.OP_KOERS],
        MonitoringReport.Progress.RISICO: labels[MonitoringReport.Progress.RISICO],
        MonitoringReport.Progress.ACHTER: labels[MonitoringReport.Progress.ACHTER],
        selectors.NOT_REPORTED: _("niet gerapporteerd"),
    }


def chart_geometry(years, commitments, labels):
    """Bar positions for the inline SVG chart: per year one bar of the theme's
    commitments, stacked by where they stand (``labels`` gives the order, bottom up).
    Counts of commitments, not values: a theme's commitments have different units."""
    slot = (CHART_WIDTH - 60) / max(len(years), 1)
    bar = min(48, slot * 0.6)
    base = 10 + CHART_BAR_AREA
    bars = []
    for index, row in enumerate(years):
        x = 50 + index * slot + (slot - bar) / 2
        top = base
        segments = []
        for stand, label in labels.items():
            count = row[stand]
            if not count:
                continue
            height = CHART_BAR_AREA * count / max(commitments, 1)
            top -= height
            segments.append(
                {
                    "stand": stand,
                    "label": label,
                    "count": count,
                    "y": round(top, 1),
                    "height": round(height, 1),
                }
            )
        bars.append(
            {
                "year": row["year"],
                "x": round(x, 1),
                "width": round(bar, 1),
                "label_x": round(x + bar / 2, 1),
                "segments": segments,
            }
        )
    return {
        "bars": bars,
        "peak": commitments,
        "width": CHART_WIDTH,
        "height": base + 30,
        "base": base,
        "label_y": base + 18,
    }


class AgreementProgressView(AgreementMixin, TemplateView):
    """Per theme: where the commitments stand each year (a chart with a table), and the
    targets against the realised values per unit."""

    template_name = "agreements/agreement_progress.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        themes = selectors.progress_per_theme(agreement=self.agreement)
        labels = stand_labels()
        for theme in themes:
            theme["chart"] = chart_geometry(theme["years"], theme["commitments"], labels)
            for row in theme["years"]:
                row["counts"] = [row[stand] for stand in labels]
        context.update(themes=themes, stands=list(labels.items()))
        return context


# --- exports -----------------------------------------------------------------------


def _export_data(request, pk):
    agreement = selectors.agreement_detail(user=request.user, pk=pk)
    return exports.ExportData(
        agreement=agreement,
        parties=list(agreement.parties.all()),
        commitments=[c for _theme, _label, items in agreement.themes for c in items],
        gemeente_name=gemeente_name(request.user, agreement.gemeente_code),
    )


def _filename(agreement, extension):
    return f"{slugify(agreement.title) or 'prestatieafspraak'}-{agreement.start_year}-{agreement.end_year}.{extension}"


@login_required
def agreement_excel(request, pk):
    data = _export_data(request, pk)
    return download(exports.workbook_bytes(data), "xlsx", _filename(data.agreement, "xlsx"))


@login_required
def agreement_pdf(request, pk):
    data = _export_data(request, pk)
    return download(exports.report_pdf_bytes(data, request=request), "pdf", _filename(data.agreement, "pdf"))
