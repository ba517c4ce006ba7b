"""Pages of a commitment: adding, its page, editing, deleting, dispute and resolution."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView

from agreements import selectors, services
from agreements.formatting import format_quantity
from agreements.forms import (
    CommentForm,
    CommitmentEditForm,
    CommitmentForm,
    DisputeForm,
    ReviewForm,
)
from agreements.views.agreements import AgreementMixin
from agreements.views.common import commitment_for
from core.permissions import allowed
from core.views import RestrictedObjectMixin, ServiceFormMixin, error_text
from organisations.models import Organisation


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
    commitment = commitment_for(request, pk)
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
    commitment = commitment_for(request, pk)
    try:
        services.commitment_resolve_dispute(actor=request.user, commitment=commitment)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Het geschil is opgelost."))
    return redirect("agreements:commitment", pk=commitment.pk)
