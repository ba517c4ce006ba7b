"""Pages for organisations, their people and invitations. Every write goes to a service."""

from functools import partial

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import FormView, TemplateView

from core import sections
from core.permissions import allowed, get_object_for, is_platform_admin
from core.views import RestrictedObjectMixin, ServiceFormMixin, add_service_errors, error_text, role_change
from organisations import selectors, services
from organisations.forms import (
    AcceptInvitationForm,
    AppointBeheerderForm,
    InvitationForm,
    OrganisationCreateForm,
    OrganisationEditForm,
    RoleForm,
)
from organisations.models import Invitation, Membership, Organisation


@login_required
def home(request):
    """The start page: what waits for this person, most urgent first. The domain apps
    add their sections (``core.sections``, page ``"home"``): reports to review or revise
    and deadlines, teams and silent interventions."""
    user = request.user
    notifications, unread_count = selectors.unread_notifications(user=user)
    admin = is_platform_admin(user)
    return render(
        request,
        "organisations/home.html",
        {
            "sections": sections.sections_for("home", request),
            "notifications": notifications,
            "unread_count": unread_count,
            "memberships": selectors.memberships_of(user),
            "is_platform_admin": admin,
            "platform": selectors.platform_work() if admin else None,
        },
    )


class OrganisationListView(LoginRequiredMixin, TemplateView):
    template_name = "organisations/organisation_list.html"

    def get_context_data(self, **kwargs):
        search = self.request.GET.get("q", "").strip()
        kind = self.request.GET.get("soort", "")
        organisations = selectors.organisation_list(user=self.request.user, search=search, kind=kind)
        page = Paginator(organisations, 50).get_page(self.request.GET.get("pagina"))
        return super().get_context_data(
            page=page,
            search=search,
            kind=kind,
            kinds=Organisation.Kind.choices,
            can_create=is_platform_admin(self.request.user),
            **kwargs,
        )


class OrganisationCreateView(LoginRequiredMixin, ServiceFormMixin, FormView):
    template_name = "organisations/organisation_form.html"
    form_class = OrganisationCreateForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not is_platform_admin(request.user):
            raise PermissionDenied(_("Alleen platformbeheerders mogen organisaties aanmaken."))
        return super().dispatch(request, *args, **kwargs)

    def perform(self, form):
        data = dict(form.cleaned_data)
        email = data.pop("beheerder_email", "")
        organisation = services.organisation_create(actor=self.request.user, **data)
        if email:
            services.beheerder_appoint(actor=self.request.user, organisation=organisation, email=email)
        messages.success(self.request, _("Organisatie %s is aangemaakt.") % organisation.name)
        return organisation

    def get_success_url(self):
        return reverse("organisations:detail", kwargs={"slug": self.object.slug})


class OrganisationMixin(RestrictedObjectMixin):
    lookup_field = "slug"
    object_selector = staticmethod(selectors.organisation_get)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.organisation = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        user = self.request.user
        return super().get_context_data(
            organisation=self.organisation,
            can_see_members=allowed(user, "members", self.organisation),
            can_manage=allowed(user, "manage", self.organisation),
            can_change=allowed(user, "change", self.organisation),
            is_platform_admin=is_platform_admin(user),
            **kwargs,
        )


class OrganisationDetailView(OrganisationMixin, TemplateView):
    template_name = "organisations/organisation_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if context["is_platform_admin"]:
            context["appoint_form"] = AppointBeheerderForm()
        return context


class OrganisationEditView(OrganisationMixin, ServiceFormMixin, FormView):
    template_name = "organisations/organisation_edit.html"
    form_class = OrganisationEditForm
    required_action = "change"
    conflict_fields = ("name", "gemeente_code", "description", "website")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["can_change_kind"] = is_platform_admin(self.request.user)
        return kwargs

    def get_initial(self):
        o = self.organisation
        return {
            "name": o.name,
            "kind": o.kind,
            "gemeente_code": o.gemeente_code,
            "description": o.description,
            "website": o.website,
            "version": o.version,
        }

    def perform(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version")
        if "kind" in form.fields and form.fields["kind"].disabled:
            data.pop("kind")
        organisation = services.organisation_update(
            actor=self.request.user, organisation=self.organisation, version=version, **data
        )
        messages.success(self.request, _("De gegevens zijn opgeslagen."))
        return organisation

    def get_success_url(self):
        return reverse("organisations:detail", kwargs={"slug": self.object.slug})


class MemberListView(OrganisationMixin, TemplateView):
    """The organisation's people; beheerders invite, change roles and remove here."""

    template_name = "organisations/member_list.html"
    visible_as = "members"
    required_action = "members"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        members = selectors.membership_list(user=self.request.user, organisation=self.organisation)
        context["page"] = Paginator(members, 50).get_page(self.request.GET.get("pagina"))
        if context["can_manage"]:
            context["invite_form"] = kwargs.get("invite_form") or InvitationForm()
            context["invitation_valid_days"] = settings.INVITATION_VALID_DAYS
            context["invitations"] = selectors.invitation_list(
                user=self.request.user, organisation=self.organisation
            )
            context["roles"] = Membership._meta.get_field("role").choices
        return context

    def post(self, request, *args, **kwargs):
        """Invite a colleague."""
        if not allowed(request.user, "manage", self.organisation):
            raise PermissionDenied(services.NO_MANAGE_RIGHTS)
        form = InvitationForm(request.POST)
        if form.is_valid():
            try:
                invitation = services.invitation_create(
                    actor=request.user, organisation=self.organisation, **form.cleaned_data
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Uitnodiging verstuurd naar %s.") % invitation.email)
                return redirect("organisations:members", slug=self.organisation.slug)
        return self.render_to_response(self.get_context_data(invite_form=form), status=400)


class OrganisationHistoryView(OrganisationMixin, TemplateView):
    template_name = "organisations/organisation_history.html"
    visible_as = "members"
    required_action = "members"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["entries"] = selectors.organisation_history(organisation=self.organisation)
        return context


@login_required
@require_POST
def appoint_beheerder(request, slug):
    organisation = get_object_for(request.user, Organisation.objects.all(), slug=slug)
    form = AppointBeheerderForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Vul een geldig e-mailadres in."))
    else:
        try:
            result = services.beheerder_appoint(
                actor=request.user, organisation=organisation, email=form.cleaned_data["email"]
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            if isinstance(result, Invitation):
                messages.success(
                    request,
                    _("%s heeft nog geen account en is uitgenodigd als beheerder.") % result.email,
                )
            else:
                messages.success(request, _("%s is nu beheerder.") % result.user)
    return redirect("organisations:detail", slug=organisation.slug)


def _membership_for(request, pk, action):
    return selectors.membership_get(user=request.user, pk=pk, action=action)


@login_required
@require_POST
def membership_role(request, pk):
    membership = _membership_for(request, pk, "change")
    role_change(
        request,
        form=RoleForm(request.POST),
        change=partial(services.membership_change_role, actor=request.user, membership=membership),
        member=membership.user,
    )
    return redirect("organisations:members", slug=membership.organisation.slug)


@login_required
def membership_remove(request, pk):
    membership = _membership_for(request, pk, "delete")
    if request.method == "POST":
        try:
            services.membership_remove(actor=request.user, membership=membership)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("%s is verwijderd uit de organisatie.") % membership.user)
        return redirect("organisations:members", slug=membership.organisation.slug)
    return render(request, "organisations/membership_confirm_remove.html", {"membership": membership})


@login_required
@require_POST
def invitation_action(request, pk, action):
    invitation = get_object_for(request.user, Invitation.objects.select_related("organisation"), pk=pk)
    service = {"opnieuw": services.invitation_resend, "intrekken": services.invitation_revoke}[action]
    try:
        service(actor=request.user, invitation=invitation)
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        text = _("Uitnodiging opnieuw verstuurd.") if action == "opnieuw" else _("Uitnodiging ingetrokken.")
        messages.success(request, text)
    return redirect("organisations:members", slug=invitation.organisation.slug)


def invitation_accept(request, token):
    """Public page behind the link in the invitation mail."""
    try:
        invitation = services.invitation_from_token(token)
    except ValidationError as exc:
        return render(
            request,
            "organisations/invitation_invalid.html",
            {"error": error_text(exc)},
            status=410,
        )
    user = request.user if request.user.is_authenticated else None
    from django.contrib.auth import get_user_model

    account_exists = user is None and get_user_model().objects.filter(email__iexact=invitation.email).exists()
    form = AcceptInvitationForm(request.POST or None) if user is None and not account_exists else None
    error = ""
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            if user is not None:
                membership = services.invitation_accept(token=token, user=user)
            elif account_exists:
                raise ValidationError(_("Er bestaat al een account met %s. Log eerst in.") % invitation.email)
            else:
                membership = services.invitation_accept(
                    token=token,
                    full_name=form.cleaned_data["full_name"],
                    password=form.cleaned_data["password1"],
                )
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
        except ValidationError as exc:
            if form is not None and hasattr(exc, "error_dict"):
                add_service_errors(form, exc)
            else:
                error = error_text(exc)
        else:
            messages.success(
                request,
                _("Welkom bij %(org)s. U bent nu %(role)s.")
                % {"org": membership.organisation, "role": membership.get_role_display()},
            )
            return HttpResponseRedirect(reverse("home"))
    return render(
        request,
        "organisations/invitation_accept.html",
        {
            "invitation": invitation,
            "form": form,
            "account_exists": account_exists,
            "error": error,
            "login_next": request.get_full_path(),
        },
        status=400 if error or (form is not None and form.errors) else 200,
    )
