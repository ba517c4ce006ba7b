"""Page base classes: every page starts from ``restrict()``."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from core.exceptions import ConflictError
from core.permissions import get_object_for


class RestrictedObjectMixin(LoginRequiredMixin):
    """For detail and edit pages: 404 when the object is not visible, 403 when the page's
    ``required_action`` is not allowed."""

    required_action = "view"
    visible_as = "view"
    lookup_field = "pk"
    lookup_url_kwarg = None

    def get_object(self, queryset=None):
        queryset = queryset if queryset is not None else self.get_queryset()
        key = self.lookup_url_kwarg or self.lookup_field
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


class ServiceFormMixin:
    """A form view whose ``form_valid`` calls a service.

    Subclasses implement ``perform(form)``; a ``ValidationError`` from the service is shown
    on the form, a ``ConflictError`` (stale edit) is shown with the current data and the
    user's input kept, so nothing is lost.
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
            form.add_error(None, exc.message)
            return self.render_to_response(self.get_context_data(form=form, conflict=exc.current))
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
