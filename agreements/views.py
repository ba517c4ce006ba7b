"""Pages for prestatieafspraken: agreements, commitments, monitoring, review and the bod.

Every page starts from ``restrict()`` (through ``get_object_for`` or a selector); every
write goes to ``agreements.services``, which checks the workflow rules again.
"""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView

from agreements import exports, selectors, services
from agreements.formatting import format_number, format_quantity
from agreements.forms import (
    AdoptForm,
    AgreementCreateForm,
    AgreementEditForm,
    AmendmentForm,
    BodEditForm,
    BodForm,
    CalendarForm,
    CommentForm,
    CommitmentEditForm,
    CommitmentForm,
    DisputeForm,
    DocumentForm,
    MonitoringForm,
    ReviewForm,
    TransitionForm,
)
from agreements.models import (
    Agreement,
    Bod,
    MonitoringReport,
)
from core.exceptions import ConflictError
from core.exports import download
from core.files import stored_file_response
from core.permissions import allowed
from core.sections import render_section
from core.views import ConflictMixin, RestrictedObjectMixin, ServiceFormMixin, add_service_errors, error_text
from organisations.models import Organisation, organisation_ids_for
from organisations.selectors import home_gemeente_code

PAGE_SIZE = 50
REVIEW_PAGE_SIZE = 25
GEMEENTE_CODE = re.compile(r"GM\d{4}")


def _own_org_ids(user, action="change"):
    """The ids of the user's own organisations where their role allows ``action``."""
    return set(organisation_ids_for(user, action).values_list("organisation_id", flat=True))


def _agreement(request, pk, action="view"):
    return selectors.agreement_get(user=request.user, pk=pk, action=action)


def _commitment(request, pk, action="view"):
    return selectors.commitment_get(user=request.user, pk=pk, action=action)


def _report(request, pk):
    return selectors.report_get(user=request.user, pk=pk)


def prepare_rows(commitments, years):
    """Give each commitment what its row on the agreement page shows, as ready text.

    A large agreement has hundreds of commitments with a report per year; rendering a
    template include per badge made the page slow, so the badges are built here once.
    """
    commitment_url = reverse("agreements:commitment", args=[0]).replace("/0/", "/{}/")
    # Labels are translated once, not once per badge.
    states = {
        value: escape(MonitoringReport.label_of_state(value)) for value in MonitoringReport.State.values
    }
    progress = {value: escape(label) for value, label in MonitoringReport.Progress.choices}
    in_year = _("in")
    for c in commitments:
        c.url = commitment_url.format(c.pk)
        if c.target_value is not None:
            c.target_text = format_quantity(c.target_value, c.target_unit) + (
                f" {in_year} {c.target_year}" if c.target_year else ""
            )
        else:
            c.target_text = ""
        reports = c.reports_by_year
        # Every part is escaped above or is a number.
        c.badges = mark_safe(
            "".join(
                f'<li><a class="utrecht-link" href="{c.url}#jaar-{year}" title="{progress[r.progress]}">{year}</a> '
                f'<span class="utrecht-status-badge {r.state_badge}">{states[r.state]}</span></li>'
                for year in years
                if (r := reports.get(year)) is not None
            )
        )


# --- agreements -------------------------------------------------------------------


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


def _gemeente_name(user, code):
    return selectors.gemeente_names(user=user, codes=[code]).get(code, code)


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
        # Parties, amendments, commitments and their reports in a fixed number of queries.
        return selectors.agreement_detail(user=self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        agreement = self.agreement
        roles = selectors.agreement_roles(user=user, agreement=agreement)
        parties = list(agreement.parties.all())
        commitments = [c for _theme, _label, items in agreement.themes for c in items]
        prepare_rows(commitments, agreement.years)
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
            themes=[(label, items) for _theme, label, items in agreement.themes],
            disputed=[c for c in commitments if c.is_disputed],
            commitment_count=len(commitments),
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
            gemeente_name=_gemeente_name(user, agreement.gemeente_code),
            disputed_label=_("geschil"),
            qualitative_label=_("kwalitatief"),
        )
        return context


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
    agreement = _agreement(request, pk)
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
    agreement = _agreement(request, pk)
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
        agreement = _agreement(request, pk, "change")
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
    agreement = _agreement(request, pk)
    if not agreement.signed_document:
        raise Http404(_("Er is nog geen ondertekend document."))
    filename = f"{slugify(agreement.title) or 'prestatieafspraak'}-ondertekend.pdf"
    return stored_file_response(agreement.signed_document, filename=filename, content_type="application/pdf")


@login_required
@require_POST
def amendment_open(request, pk):
    agreement = _agreement(request, pk, "change")
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
        gemeente_name=_gemeente_name(request.user, agreement.gemeente_code),
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


# --- commitments -------------------------------------------------------------------


class CommitmentCreateView(AgreementMixin, ServiceFormMixin, FormView):
    template_name = "agreements/commitment_form.html"
    form_class = CommitmentForm
    required_action = "change"

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "organisations": selectors.party_organisations(agreement=self.agreement),
            "gemeente_code": self.agreement.gemeente_code,
        }

    def get_initial(self):
        return {"theme": self.request.GET.get("thema", "")}

    def perform(self, form):
        commitment = services.commitment_create(
            actor=self.request.user, agreement=self.agreement, **form.cleaned_data
        )
        messages.success(self.request, _("De afspraak is toegevoegd."))
        return commitment

    def get_success_url(self):
        return reverse("agreements:detail", args=[self.agreement.pk]) + f"#afspraak-{self.object.pk}"


class CommitmentMixin(RestrictedObjectMixin):
    object_selector = staticmethod(selectors.commitment_get)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.commitment = self.get_object()
            self.agreement = self.commitment.agreement
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            commitment=self.commitment,
            agreement=self.agreement,
            bod=self.commitment.bod if self.agreement is None else None,
            can_change=allowed(self.request.user, "change", self.commitment),
            **kwargs,
        )

    def back_url(self):
        if self.agreement is not None:
            return reverse("agreements:detail", args=[self.agreement.pk]) + f"#afspraak-{self.commitment.pk}"
        return reverse("agreements:bod-detail", args=[self.commitment.bod_id])


class CommitmentDetailView(CommitmentMixin, TemplateView):
    """One commitment with its monitoring per year, the review and the comments."""

    template_name = "agreements/commitment_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        commitment = self.commitment
        reports = selectors.commitment_reports(commitment=commitment)
        roles = {}
        years = []
        if self.agreement is not None:
            roles = selectors.agreement_roles(user=user, agreement=self.agreement)
            years = list(range(self.agreement.start_year, self.agreement.end_year + 1))
        context.update(
            years=[(year, reports.get(year)) for year in years],
            roles=roles,
            can_report=commitment.responsible_id in roles.get("reporting_for", ()),
            can_review=roles.get("can_review", False),
            can_comment=roles.get("can_comment", False),
            can_dispute=roles.get("can_dispute", False) and not commitment.is_disputed,
            review_form=ReviewForm(),
            comment_form=CommentForm(),
            dispute_form=DisputeForm(),
            back_url=self.back_url(),
            areas=list(commitment.areas.only("year", "code", "name")),
        )
        return context


class CommitmentEditView(CommitmentMixin, ServiceFormMixin, FormView):
    template_name = "agreements/commitment_form.html"
    form_class = CommitmentEditForm
    required_action = "change"

    def conflict_rows(self, current):
        target = ""
        if current.target_value is not None:
            target = format_quantity(current.target_value, current.target_unit)
            if current.target_year:
                target = f"{target} {_('in')} {current.target_year}"
        return [
            (_("Thema"), current.get_theme_display()),
            (_("Afspraak"), current.text),
            (_("Verantwoordelijke partij"), str(current.responsible)),
            (_("Doel"), target),
        ]

    def get_form_kwargs(self):
        container = self.agreement or self.commitment.bod
        if self.agreement is not None:
            organisations = selectors.party_organisations(agreement=self.agreement)
        else:
            organisations = Organisation.objects.filter(pk=self.commitment.bod.corporation_id)
        return {
            **super().get_form_kwargs(),
            "organisations": organisations,
            "gemeente_code": container.gemeente_code,
        }

    def get_initial(self):
        c = self.commitment
        return {
            "number": c.number,
            "theme": c.theme,
            "text": c.text,
            "responsible": c.responsible_id,
            "target_value": c.target_value,
            "target_unit": c.target_unit,
            "target_year": c.target_year,
            "areas": list(c.areas.all()),
            "version": c.version,
        }

    def perform(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version")
        commitment = services.commitment_update(
            actor=self.request.user, commitment=self.commitment, version=version, **data
        )
        messages.success(self.request, _("De afspraak is opgeslagen."))
        return commitment

    def get_success_url(self):
        return self.back_url()


class CommitmentDeleteView(CommitmentMixin, TemplateView):
    template_name = "agreements/commitment_confirm_delete.html"
    required_action = "delete"

    def post(self, request, *args, **kwargs):
        back = (
            reverse("agreements:detail", args=[self.agreement.pk])
            if self.agreement is not None
            else reverse("agreements:bod-detail", args=[self.commitment.bod_id])
        )
        try:
            services.commitment_delete(actor=request.user, commitment=self.commitment)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return redirect(self.back_url())
        messages.success(request, _("De afspraak is verwijderd."))
        return HttpResponseRedirect(back)


@login_required
@require_POST
def commitment_dispute(request, pk):
    commitment = _commitment(request, pk)
    form = DisputeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Schrijf een toelichting bij het geschil."))
    else:
        try:
            services.commitment_dispute(
                actor=request.user, commitment=commitment, note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("De afspraak staat nu als geschil gemarkeerd."))
    return redirect("agreements:commitment", pk=commitment.pk)


@login_required
@require_POST
def commitment_resolve(request, pk):
    commitment = _commitment(request, pk)
    try:
        services.commitment_resolve_dispute(actor=request.user, commitment=commitment)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Het geschil is opgelost."))
    return redirect("agreements:commitment", pk=commitment.pk)


# --- monitoring -----------------------------------------------------------------------


class MonitoringFormView(CommitmentMixin, ConflictMixin, FormView):
    """The responsible party reports on a commitment for one year: save a draft, submit."""

    def conflict_rows(self, current):
        return [
            (_("Gerealiseerd"), format_number(current.realised_value)),
            (_("Stand"), current.get_progress_display()),
            (_("Toelichting"), current.explanation),
        ]

    template_name = "agreements/monitoring_form.html"
    form_class = MonitoringForm

    def setup_report(self):
        year = int(self.kwargs["year"])
        agreement = self.agreement
        if agreement is None or not agreement.start_year <= year <= agreement.end_year:
            raise Http404(_("Dit jaar valt buiten de looptijd van de prestatieafspraak."))
        if self.commitment.responsible_id not in _own_org_ids(self.request.user, "change"):
            raise PermissionDenied(
                _("Alleen de verantwoordelijke partij (%s) rapporteert over deze afspraak.")
                % self.commitment.responsible.name
            )
        self.year = year
        self.report = self.commitment.reports.filter(year=year).first()

    def get(self, request, *args, **kwargs):
        self.setup_report()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.setup_report()
        return super().post(request, *args, **kwargs)

    def get_initial(self):
        r = self.report
        if r is None:
            return {}
        return {
            "realised_value": r.realised_value,
            "progress": r.progress,
            "explanation": r.explanation,
            "version": r.version,
        }

    def get_context_data(self, **kwargs):
        editable = self.report is None or self.report.state in (
            MonitoringReport.State.DRAFT,
            MonitoringReport.State.RETURNED,
        )
        return super().get_context_data(year=self.year, report=self.report, editable=editable, **kwargs)

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version", None)
        submit = "indienen" in self.request.POST
        try:
            report = services.report_save_draft(
                actor=self.request.user,
                commitment=self.commitment,
                year=self.year,
                version=version if self.report is not None else None,
                **data,
            )
            if submit:
                report = services.report_submit(
                    actor=self.request.user, report=report, version=report.version
                )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        except ConflictError as exc:
            return self.conflict_response(form, exc)
        if submit:
            messages.success(
                self.request, _("De monitoring over %s is ingediend ter beoordeling.") % self.year
            )
        else:
            messages.success(self.request, _("Het concept is opgeslagen. Dien het in als het klaar is."))
        return HttpResponseRedirect(
            reverse("agreements:commitment", args=[self.commitment.pk]) + f"#jaar-{self.year}"
        )


@login_required
@require_POST
def report_review(request, pk):
    """The gemeente party approves a submitted report or returns it with a comment.

    With htmx (the reviewer's dashboard) the answer is the updated row only.
    """
    report = _report(request, pk)
    form = ReviewForm(request.POST)
    htmx = request.headers.get("HX-Request") == "true"
    error = ""
    if form.is_valid():
        try:
            if form.cleaned_data["decision"] == "goedkeuren":
                services.report_approve(
                    actor=request.user, report=report, comment=form.cleaned_data["comment"]
                )
                done = _("De monitoring is goedgekeurd.")
            else:
                services.report_return(
                    actor=request.user, report=report, comment=form.cleaned_data["comment"]
                )
                done = _("De monitoring is teruggestuurd voor herziening.")
        except ValidationError as exc:
            error = error_text(exc)
        else:
            if htmx:
                report.refresh_from_db()
                return render(request, "agreements/_review_row.html", {"report": report, "done": done})
            messages.success(request, done)
    else:
        error = " ".join(e for errors in form.errors.values() for e in errors)
    if htmx:
        return render(
            request,
            "agreements/_review_row.html",
            {"report": report, "form": form, "error": error},
            status=400,
        )
    if error:
        messages.error(request, error)
    nxt = request.POST.get("next", "")
    if nxt == "dashboard":
        return redirect("agreements:reviewer-queue")
    return HttpResponseRedirect(
        reverse("agreements:commitment", args=[report.commitment_id]) + f"#jaar-{report.year}"
    )


@login_required
@require_POST
def report_comment(request, pk):
    report = _report(request, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Schrijf een opmerking."))
    else:
        try:
            services.report_comment(actor=request.user, report=report, text=form.cleaned_data["text"])
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("Uw opmerking is geplaatst."))
    return HttpResponseRedirect(
        reverse("agreements:commitment", args=[report.commitment_id]) + f"#jaar-{report.year}"
    )


class CalendarView(LoginRequiredMixin, ConflictMixin, FormView):
    """A gemeente's yearly deadlines (bod, signing, monitoring, review) with the next due
    dates. Everyone signed in reads them; the gemeente's beheerders set them."""

    template_name = "agreements/calendar.html"
    form_class = CalendarForm
    conflict_fields = services.CALENDAR_FIELDS

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            code = (request.GET.get("gemeente") or request.POST.get("gemeente") or "").strip().upper()
            if code and not GEMEENTE_CODE.fullmatch(code):
                messages.error(request, _("Kies een gemeente uit de lijst."))
                code = ""
            if not code:
                code = home_gemeente_code(user=request.user)
            self.gemeente_code = code
            self.gemeente_name = _gemeente_name(request.user, code) if code else ""
            self.calendar = selectors.calendar_get(user=request.user, gemeente_code=code)
            self.can_change = bool(code) and services.calendar_can_change(request.user, code)
            if request.method == "POST" and not self.can_change:
                raise PermissionDenied(_("Alleen beheerders van de gemeente stellen haar termijnen vast."))
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        deadlines = services.deadlines_for(self.gemeente_code) if self.gemeente_code else None
        if deadlines is None:
            return {}
        return {
            "bod_month": deadlines.bod[0],
            "bod_day": deadlines.bod[1],
            "signing_month": deadlines.signing[0],
            "signing_day": deadlines.signing[1],
            "monitoring_month": deadlines.monitoring[0],
            "monitoring_day": deadlines.monitoring[1],
            "review_month": deadlines.review[0],
            "review_day": deadlines.review[1],
            "reminder_days_ahead": deadlines.reminder_days_ahead,
            "version": self.calendar.version if self.calendar else None,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The gemeenten the person works with, by name; a code given in the address (any
        # gemeente's deadlines may be read) is among the options too.
        codes = set(selectors.calendar_gemeenten(user=self.request.user))
        if self.gemeente_code:
            codes.add(self.gemeente_code)
        context.update(
            gemeente_code=self.gemeente_code,
            gemeente_name=self.gemeente_name,
            gemeenten=selectors.gemeente_choices(user=self.request.user, codes=codes),
            calendar=self.calendar,
            can_change=self.can_change,
        )
        if self.gemeente_code:
            deadlines = services.deadlines_for(self.gemeente_code)
            today = timezone.localdate()

            def upcoming(due_for):
                # The first year whose deadline is today or later.
                year = today.year - 2
                while due_for(year) < today:
                    year += 1
                return year, due_for(year)

            rows = []
            for label, due_for in [
                (_("Bod voor %(year)s"), deadlines.bod_due),
                (_("Ondertekenen van afspraken die in %(year)s ingaan"), deadlines.signing_due),
                (_("Monitoring over %(year)s indienen"), deadlines.monitoring_due),
                (_("Monitoring over %(year)s beoordelen"), deadlines.review_due),
            ]:
                year, date = upcoming(due_for)
                rows.append((label % {"year": year}, date))
            context["due"] = sorted(rows, key=lambda row: row[1])
            context["reminder_days_ahead"] = deadlines.reminder_days_ahead
        return context

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            services.calendar_save(
                actor=self.request.user, gemeente_code=self.gemeente_code, version=version, **data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        except ConflictError as exc:
            return self.conflict_response(form, exc)
        messages.success(self.request, _("De termijnen van %s zijn opgeslagen.") % self.gemeente_name)
        return HttpResponseRedirect(f"{reverse('agreements:calendar')}?gemeente={self.gemeente_code}")


class ReviewQueueView(LoginRequiredMixin, TemplateView):
    """'Wacht op beoordeling': submitted reports of the agreements where the user's
    gemeente is a party."""

    template_name = "agreements/review_queue.html"

    def get_context_data(self, **kwargs):
        reports = selectors.reviewer_queue(user=self.request.user)
        # Every row carries its own review form: a shorter page keeps it quick to use.
        page = Paginator(reports, REVIEW_PAGE_SIZE).get_page(self.request.GET.get("pagina"))
        return super().get_context_data(page=page, review_form=ReviewForm(), **kwargs)


# --- bod ------------------------------------------------------------------------------


class BodListView(LoginRequiredMixin, TemplateView):
    template_name = "agreements/bod_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        year = self.request.GET.get("jaar", "").strip()
        boden = selectors.bod_list(user=user, year=int(year) if year.isdigit() else None)
        page = Paginator(boden, PAGE_SIZE).get_page(self.request.GET.get("pagina"))
        names = selectors.gemeente_names(user=user, codes={bod.gemeente_code for bod in page.object_list})
        for bod in page.object_list:
            bod.gemeente_name = names.get(bod.gemeente_code, bod.gemeente_code)
        return super().get_context_data(
            page=page, year=year, can_create=selectors.own_corporations(user=user).exists(), **kwargs
        )


class BodCreateView(LoginRequiredMixin, ServiceFormMixin, FormView):
    template_name = "agreements/bod_form.html"
    form_class = BodForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not selectors.own_corporations(user=request.user).exists():
            raise PermissionDenied(_("Alleen bewerkers van een woningcorporatie stellen een bod op."))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        user = self.request.user
        return {
            **super().get_form_kwargs(),
            "corporations": selectors.own_corporations(user=user),
            "gemeenten": selectors.gemeente_choices(user=user, codes=selectors.bod_gemeenten()),
        }

    def get_initial(self):
        corporation = selectors.own_corporations(user=self.request.user).first()
        return {"corporation": corporation, "gemeente_code": corporation.gemeente_code if corporation else ""}

    def perform(self, form):
        data = dict(form.cleaned_data)
        bod = services.bod_create(actor=self.request.user, **data)
        messages.success(self.request, _("Het bod is aangemaakt als concept."))
        return bod

    def get_success_url(self):
        return reverse("agreements:bod-detail", args=[self.object.pk])


class BodMixin(RestrictedObjectMixin):
    object_selector = staticmethod(selectors.bod_detail)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.bod = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            bod=self.bod, can_change=allowed(self.request.user, "change", self.bod), **kwargs
        )


class BodDetailView(BodMixin, TemplateView):
    template_name = "agreements/bod_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        proposals = list(
            self.bod.proposals.select_related("responsible")
            .prefetch_related("adoptions")
            .order_by("theme", "number", "pk")
        )
        adoptable = list(selectors.changeable_agreements(user=user, gemeente_code=self.bod.gemeente_code))
        context.update(
            proposals=proposals,
            recipients=list(self.bod.recipients.order_by("name")),
            adoptable=adoptable,
            editable=context["can_change"] and self.bod.status == Bod.Status.CONCEPT,
            gemeente_name=_gemeente_name(user, self.bod.gemeente_code),
        )
        return context


class BodEditView(BodMixin, ServiceFormMixin, FormView):
    template_name = "agreements/bod_form.html"
    form_class = BodEditForm
    required_action = "change"

    def conflict_rows(self, current):
        return [(_("Samenvatting"), current.summary)]

    def get_form_kwargs(self):
        # The gemeente is fixed once the bod exists: the field shows it, by name.
        code = self.bod.gemeente_code
        return {
            **super().get_form_kwargs(),
            "corporations": Organisation.objects.filter(pk=self.bod.corporation_id),
            "gemeenten": [(code, _gemeente_name(self.request.user, code))],
        }

    def get_initial(self):
        b = self.bod
        return {
            "corporation": b.corporation_id,
            "gemeente_code": b.gemeente_code,
            "year": b.year,
            "recipients": list(b.recipients.all()),
            "summary": b.summary,
            "version": b.version,
        }

    def perform(self, form):
        data = form.cleaned_data
        bod = services.bod_update(
            actor=self.request.user,
            bod=self.bod,
            version=data["version"],
            summary=data["summary"],
            recipients=list(data["recipients"]),
        )
        messages.success(self.request, _("Het bod is opgeslagen."))
        return bod

    def get_success_url(self):
        return reverse("agreements:bod-detail", args=[self.bod.pk])


@login_required
@require_POST
def bod_submit(request, pk):
    bod = selectors.bod_detail(user=request.user, pk=pk, action="change")
    try:
        services.bod_submit(actor=request.user, bod=bod)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Het bod is ingediend bij de gemeente en de huurders."))
    return redirect("agreements:bod-detail", pk=bod.pk)


class ProposalCreateView(BodMixin, ServiceFormMixin, FormView):
    template_name = "agreements/commitment_form.html"
    form_class = CommitmentForm
    required_action = "change"

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "organisations": Organisation.objects.filter(pk=self.bod.corporation_id),
            "gemeente_code": self.bod.gemeente_code,
        }

    def get_initial(self):
        return {"responsible": self.bod.corporation_id}

    def perform(self, form):
        commitment = services.commitment_create(actor=self.request.user, bod=self.bod, **form.cleaned_data)
        messages.success(self.request, _("Het voorstel is toegevoegd aan het bod."))
        return commitment

    def get_success_url(self):
        return reverse("agreements:bod-detail", args=[self.bod.pk])


@login_required
@require_POST
def proposal_adopt(request, pk):
    proposal = _commitment(request, pk)
    if proposal.bod_id is None:
        raise Http404(_("Niet gevonden."))
    form = AdoptForm(request.POST, agreements=selectors.changeable_agreements(user=request.user))
    if not form.is_valid():
        messages.error(request, _("Kies de prestatieafspraak waarin u het voorstel overneemt."))
        return redirect("agreements:bod-detail", pk=proposal.bod_id)
    agreement = form.cleaned_data["agreement"]
    try:
        adopted = services.commitment_adopt(actor=request.user, proposal=proposal, agreement=agreement)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
        return redirect("agreements:bod-detail", pk=proposal.bod_id)
    messages.success(request, _("Het voorstel is overgenomen in %s.") % agreement.title)
    return HttpResponseRedirect(reverse("agreements:detail", args=[agreement.pk]) + f"#afspraak-{adopted.pk}")


# --- the area page ----------------------------------------------------------------------


def area_section(request, area):
    """The commitments that name a wijk, gebied or buurt, as a section of the area's page
    (registered in ``AgreementsConfig.ready``). None for a person who reads no agreement
    of the area's gemeente: the page then shows no heading for it at all."""
    found = selectors.area_commitments(user=request.user, area=area)
    if not found.has_agreements:
        return None
    return render_section("agreements/_area_section.html", {"area": area, "found": found}, request)


# --- the start page ------------------------------------------------------------------------


def start_section(request, _subject=None):
    """What waits for this person in the prestatieafspraken, as a section of the start
    page (registered in ``AgreementsConfig.ready``); None when nothing waits."""
    work = selectors.start_work(user=request.user)
    if not work:
        return None
    return render_section("agreements/_start_section.html", {"work": work}, request)
