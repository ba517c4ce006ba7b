"""Page base classes: every page starts from ``restrict()``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from core.exceptions import ConflictError
from core.permissions import get_object_for


class RestrictedObjectMixin(LoginRequiredMixin):
    """For detail and edit pages: 404 when the object is not visible, 403 when the page's
    ``required_action`` is not allowed.

    The object is read through ``object_selector`` when the app's selectors have one (a
    function ``(*, user, action, visible_as, <lookup_field>=value)`` built on
    ``get_object_for``), else from ``get_queryset()``.
    """

    required_action = "view"
    visible_as = "view"
    lookup_field = "pk"
    lookup_url_kwarg = None
    object_selector = None

    def get_object(self, queryset=None):
        key = self.lookup_url_kwarg or self.lookup_field
        if self.object_selector is not None and queryset is None:
            return self.object_selector(
                user=self.request.user,
                action=self.required_action,
                visible_as=self.visible_as,
                **{self.lookup_field: self.kwargs[key]},
            )
        queryset = queryset if queryset is not None else self.get_queryset()
        return get_object_for(
            self.request.user,
            queryset,
            self.required_action,
            visible_as=self.visible_as,
            **{self.lookup_field: self.kwargs[key]},
        )


def add_service_errors(form, exc: ValidationError) -> None:
    """Show a service's ``ValidationError`` on the form: per field where the field is on
    the form, else as a general error."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def error_text(exc) -> str:
    """A service error as one line for a message."""
    return " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)


def role_change(request, *, form, change, member) -> None:
    """A role change posted for a member (of an organisation or an area team): ``change``
    (the service, with actor and member bound) gets the form's role; a message says what
    happened."""
    if not form.is_valid():
        messages.error(request, _("Kies een geldige rol."))
        return
    try:
        change(**form.cleaned_data)
    except (ValidationError, ConflictError) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("De rol van %s is gewijzigd.") % member)


IMPORT_REPORT_ROWS = 200  # rows of an import's report its page lists


def import_job_views(job_get, *, template: str, status_template: str):
    """The page of an import job and its live part (htmx asks for that every two seconds
    until the job is done), for the job ``job_get(user=, pk=)`` reads (the app's
    restricted selector). Returns ``(detail, status)`` views."""

    def context(request, pk):
        job = job_get(user=request.user, pk=pk)
        return {
            "job": job,
            "finished": job.is_finished,
            "report_rows": IMPORT_REPORT_ROWS,
            "report_rows_slice": f":{IMPORT_REPORT_ROWS}",
        }

    @login_required
    def detail(request, pk):
        return render(request, template, context(request, pk))

    @login_required
    def status(request, pk):
        return render(request, status_template, context(request, pk))

    return detail, status


def last_editor(obj):
    """Who saved ``obj`` last, from its history (None when it keeps none)."""
    history = getattr(obj, "history", None)
    if history is None:
        return None
    last = history.select_related("history_user").first()
    return last.history_user if last else None


def field_display(obj, name: str) -> str:
    """A field of ``obj`` as a person reads it: a choice's label, yes or no, the names
    of related objects, empty for nothing."""
    field = obj._meta.get_field(name)
    if field.many_to_many:
        return ", ".join(sorted(str(item) for item in getattr(obj, name).all()))
    if field.choices:
        return str(getattr(obj, f"get_{name}_display")())
    value = getattr(obj, name)
    if isinstance(value, bool):
        return _("ja") if value else _("nee")
    return "" if value is None else str(value)


class ConflictMixin:
    """A page that answers a stale save (``ConflictError``) the same way everywhere: 409,
    the person's input kept in the form, and beside it the current data (who saved it and
    when, and the rows ``conflict_rows`` gives), shown by ``includes/conflict.html``;
    ``includes/form.html`` then carries the current version, so saving again replaces it.
    """

    # Fields of the object shown as the current data; or override ``conflict_rows``.
    conflict_fields: tuple = ()

    def conflict_rows(self, current) -> list[tuple[str, str]]:
        return [
            (str(current._meta.get_field(name).verbose_name).capitalize(), field_display(current, name))
            for name in self.conflict_fields
        ]

    def conflict_title(self, current) -> str:
        """The heading above the current data; empty: the usual one."""
        return ""

    def conflict_current(self, stale):
        """The object as it is stored now, read through ``restrict()`` as this person may
        see it; None when it is gone or out of their sight."""
        if stale.pk is None:
            return None
        return type(stale)._default_manager.restrict(self.request.user, "view").filter(pk=stale.pk).first()

    def conflict_response(self, form, exc: ConflictError):
        form.add_error(None, exc.message)
        current = self.conflict_current(exc.current)
        context = {"form": form}
        if current is not None:
            context.update(
                conflict=current,
                conflict_by=last_editor(current),
                conflict_rows=self.conflict_rows(current),
                conflict_title=self.conflict_title(current),
            )
        response = self.render_to_response(self.get_context_data(**context))
        response.status_code = 409
        return response


class ServiceFormMixin(ConflictMixin):
    """A form view whose ``form_valid`` calls a service.

    Subclasses implement ``perform(form)``; a ``ValidationError`` from the service is shown
    on the form, a ``ConflictError`` (stale edit) as ``ConflictMixin`` shows it, so
    nothing is lost.
    """

    success_message = ""

    def perform(self, form):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.object = self.perform(form)
        except ValidationError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        except ConflictError as exc:
            return self.conflict_response(form, exc)
        if self.success_message:
            messages.success(self.request, self.success_message)
        return HttpResponseRedirect(self.get_success_url())


def health(request):
    """Liveness for the load balancer: the database answers."""
    from django.db import connection
    from django.http import JsonResponse

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


class ApiTokenView(LoginRequiredMixin, TemplateView):
    """The person's own API token: create, replace or remove it.

    The token is shown once, right after it is made; later only that one exists.
    """

    template_name = "core/api_token.html"

    def get_context_data(self, **kwargs):
        from rest_framework.authtoken.models import Token

        return super().get_context_data(
            has_token=Token.objects.filter(user=self.request.user).exists(), **kwargs
        )

    def post(self, request, *args, **kwargs):
        from core.services import api_token_revoke, api_token_rotate

        if request.POST.get("action") == "verwijderen":
            api_token_revoke(actor=request.user)
            messages.success(request, _("Uw API-sleutel is verwijderd."))
            return HttpResponseRedirect(request.path)
        token = api_token_rotate(actor=request.user)
        return self.render_to_response(self.get_context_data(new_token=token.key, has_token=True))


class NotificationListView(LoginRequiredMixin, TemplateView):
    """The person's notifications, newest first; marking them read is a POST."""

    template_name = "core/notification_list.html"

    def get_context_data(self, **kwargs):
        from django.core.paginator import Paginator

        from core.models import Notification

        notifications = Notification.objects.restrict(self.request.user, "view")
        page = Paginator(notifications, 50).get_page(self.request.GET.get("pagina"))
        return super().get_context_data(page=page, unread=notifications.unread().count(), **kwargs)

    def post(self, request, *args, **kwargs):
        from core.services import notifications_mark_read

        ids = request.POST.getlist("id") or None
        notifications_mark_read(actor=request.user, ids=[int(i) for i in ids if i.isdigit()] if ids else None)
        return HttpResponseRedirect(request.path)


# --- the second step of signing in ------------------------------------------------------


def _next_url(request) -> str:
    from django.conf import settings
    from django.shortcuts import resolve_url
    from django.utils.http import url_has_allowed_host_and_scheme

    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


class SecondFactorView(LoginRequiredMixin, TemplateView):
    """The code page: after the password, the six digits from the app (or a recovery
    code). Until the code is right the person is not fully signed in."""

    template_name = "core/second_factor.html"

    def dispatch(self, request, *args, **kwargs):
        from core.two_factor import remember_state

        if request.user.is_authenticated:
            if request.user.is_verified():
                return HttpResponseRedirect(_next_url(request))
            state = remember_state(request)
            if not state["device"]:
                # The app was removed meanwhile (a reset): set up a new one, or go on.
                if state["required"]:
                    return HttpResponseRedirect(
                        f"{reverse('second-factor-setup')}?{urlencode({'next': _next_url(request)})}"
                    )
                return HttpResponseRedirect(_next_url(request))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        from core.forms import SecondFactorCodeForm

        kwargs.setdefault("form", SecondFactorCodeForm())
        return super().get_context_data(next=_next_url(self.request), **kwargs)

    def post(self, request, *args, **kwargs):
        import django_otp
        from django_otp.plugins.otp_static.models import StaticDevice

        from core.forms import SecondFactorCodeForm
        from core.models import SignInEvent
        from core.services import sign_in_event_record
        from core.two_factor import Throttled, check_code, recovery_codes_left

        form = SecondFactorCodeForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        try:
            device = check_code(request.user, form.cleaned_data["code"])
        except Throttled:
            device = None
            form.add_error(
                "code",
                _(
                    "U heeft te vaak een verkeerde code gegeven. Wacht een halve minuut en probeer het opnieuw."
                ),
            )
        else:
            if device is None:
                form.add_error(
                    "code",
                    _(
                        "Deze code klopt niet. Typ de zes cijfers die de app nu toont, of een herstelcode "
                        "die u nog niet heeft gebruikt."
                    ),
                )
        if device is None:
            sign_in_event_record(
                kind=SignInEvent.Kind.SECOND_FACTOR_FAILED, request=request, user=request.user
            )
            return self.render_to_response(self.get_context_data(form=form))
        django_otp.login(request, device)
        if isinstance(device, StaticDevice):
            left = recovery_codes_left(request.user)
            sign_in_event_record(
                kind=SignInEvent.Kind.RECOVERY_CODE_USED,
                request=request,
                user=request.user,
                detail=_("nog {left} over").format(left=left),
            )
            messages.warning(
                request,
                _(
                    "U bent ingelogd met een herstelcode; die werkt niet nog een keer. U heeft er nog {left}. "
                    "Stel onder Beveiliging een nieuwe app in of maak nieuwe herstelcodes."
                ).format(left=left),
            )
        else:
            sign_in_event_record(
                kind=SignInEvent.Kind.SECOND_FACTOR_PASSED, request=request, user=request.user
            )
        return HttpResponseRedirect(_next_url(request))


class SecondFactorSetupView(LoginRequiredMixin, TemplateView):
    """Set up an authenticator app: scan the QR code (or type the key), confirm with the
    first code, and keep the recovery codes shown once."""

    template_name = "core/second_factor_setup.html"

    def dispatch(self, request, *args, **kwargs):
        from core.two_factor import has_second_factor

        if (
            request.user.is_authenticated
            and not request.user.is_verified()
            and has_second_factor(request.user)
        ):
            # Replacing an app takes the second step first, or a password alone would do.
            return HttpResponseRedirect(
                f"{reverse('second-factor')}?{urlencode({'next': request.get_full_path()})}"
            )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        from core.forms import SecondFactorSetupForm
        from core.services import second_factor_setup_start
        from core.two_factor import (
            authenticator,
            has_second_factor,
            second_factor_required,
            secret_base32,
            setup_qr_svg,
        )

        user = self.request.user
        device = authenticator(user, confirmed=False) or second_factor_setup_start(actor=user)
        kwargs.setdefault("form", SecondFactorSetupForm())
        return super().get_context_data(
            qr_svg=setup_qr_svg(device),
            secret=secret_base32(device),
            required=second_factor_required(user),
            replacing=has_second_factor(user),
            next=_next_url(self.request),
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        import django_otp

        from core.forms import SecondFactorSetupForm
        from core.services import second_factor_setup_confirm
        from core.two_factor import authenticator, remember_state

        form = SecondFactorSetupForm(request.POST)
        if form.is_valid():
            try:
                codes = second_factor_setup_confirm(
                    actor=request.user, code=form.cleaned_data["code"], request=request
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                django_otp.login(request, authenticator(request.user))
                remember_state(request)
                return render(
                    request,
                    "core/recovery_codes.html",
                    {"codes": codes, "next": _next_url(request), "just_set_up": True},
                )
        return self.render_to_response(self.get_context_data(form=form))


class AccountSecurityView(LoginRequiredMixin, TemplateView):
    """The person's own security: their second factor, recovery codes and recent
    sign-ins."""

    template_name = "core/account_security.html"

    def get_context_data(self, **kwargs):
        from core.models import SignInEvent
        from core.two_factor import authenticator, recovery_codes_left, second_factor_required

        user = self.request.user
        return super().get_context_data(
            device=authenticator(user),
            required=second_factor_required(user),
            codes_left=recovery_codes_left(user),
            events=SignInEvent.objects.restrict(user, "view").filter(user=user)[:10],
            **kwargs,
        )

    def post(self, request, *args, **kwargs):
        from core.services import recovery_codes_renew, second_factor_remove
        from core.two_factor import remember_state

        action = request.POST.get("action")
        try:
            if action == "herstelcodes":
                codes = recovery_codes_renew(actor=request.user, request=request)
                return render(request, "core/recovery_codes.html", {"codes": codes, "next": request.path})
            if action == "verwijderen":
                second_factor_remove(actor=request.user, request=request)
                remember_state(request)
                messages.success(
                    request, _("Uw tweede stap is uitgezet. U logt voortaan in met alleen uw wachtwoord.")
                )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        return HttpResponseRedirect(request.path)


class SecondFactorResetView(LoginRequiredMixin, TemplateView):
    """A platform admin removes someone's second factor (a lost phone without recovery
    codes); recorded in the sign-in audit log, which the page shows."""

    template_name = "core/second_factor_reset.html"

    def dispatch(self, request, *args, **kwargs):
        from django.core.exceptions import PermissionDenied

        from core.permissions import is_platform_admin

        if request.user.is_authenticated and not is_platform_admin(request.user):
            raise PermissionDenied(_("Alleen platformbeheerders kunnen een tweede stap terugzetten."))
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        from core.forms import SecondFactorResetForm
        from core.models import SignInEvent

        kwargs.setdefault("form", SecondFactorResetForm())
        resets = (
            SignInEvent.objects.restrict(self.request.user, "view")
            .filter(kind=SignInEvent.Kind.DEVICE_RESET)
            .select_related("user", "actor")[:20]
        )
        return super().get_context_data(resets=resets, **kwargs)

    def post(self, request, *args, **kwargs):
        from core.forms import SecondFactorResetForm
        from core.services import second_factor_reset

        form = SecondFactorResetForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        second_factor_reset(actor=request.user, user=form.user, request=request)
        messages.success(
            request,
            _("De tweede stap van {email} is teruggezet.").format(email=form.user.email),
        )
        return HttpResponseRedirect(request.path)
