"""The bod: its list and page, editing, submitting, and proposals adopted as commitments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView

from agreements import selectors, services
from agreements.forms import (
    AdoptForm,
    BodEditForm,
    BodForm,
    CommitmentForm,
)
from agreements.models import (
    Bod,
)
from agreements.views.common import PAGE_SIZE, commitment_for, gemeente_name
from core.permissions import allowed
from core.views import RestrictedObjectMixin, ServiceFormMixin, error_text
from organisations.models import Organisation


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
            gemeente_name=gemeente_name(user, self.bod.gemeente_code),
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
            "gemeenten": [(code, gemeente_name(self.request.user, code))],
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
    proposal = commitment_for(request, pk)
    if proposal.bod_id is None:
        raise Http404(_("Niet gevonden."))
    # Any agreement the person reads is a valid choice here: the service refuses one they
    # may not change (403, as the API does), instead of a form error that hides why.
    form = AdoptForm(request.POST, agreements=selectors.agreement_list(user=request.user))
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
