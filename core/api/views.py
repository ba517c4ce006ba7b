"""API base classes (every viewset starts from ``restrict()``), the one endpoint of the
product as a whole (the person's own notifications) and the documentation page."""

import django_filters
from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response

from core.api.pagination import StandardPagination
from core.api.selectors import api_reference
from core.api.serializers import (
    NotificationMarkedSerializer,
    NotificationMarkReadSerializer,
    NotificationSerializer,
)
from core.models import Notification
from core.permissions import allowed
from core.services import notifications_mark_read

METHOD_ACTIONS = {
    "GET": "view",
    "HEAD": "view",
    "OPTIONS": "view",
    "PUT": "change",
    "PATCH": "change",
    "DELETE": "delete",
}


class RestrictedViewSetMixin:
    """Lists show what the user may view; object writes answer 404 when the object is not
    visible at all and 403 when it is visible but the action is not allowed.

    Subclasses set ``queryset`` and call services in ``perform_create`` /
    ``perform_update`` / ``perform_destroy``; they never save models themselves.
    """

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user, "view")

    def get_object(self):
        obj = super().get_object()
        action = METHOD_ACTIONS.get(self.request.method, "change")
        if action != "view" and not allowed(self.request.user, action, obj):
            raise PermissionDenied(_("U mag dit wel bekijken, maar niet wijzigen."))
        return obj

    def visible_object(self):
        """The object of a workflow action (sign, submit, approve, ...), which needs only
        that it is visible: the service decides whether this person may take the step
        (403 with its message). An id that is no id at all (``AAA``, ``null``) is an
        object that does not exist: 404, as in ``get_object``."""
        lookup_url_kwarg = self.lookup_url_kwarg or self.lookup_field
        obj = get_object_or_404(self.get_queryset(), **{self.lookup_field: self.kwargs[lookup_url_kwarg]})
        self.check_object_permissions(self.request, obj)
        return obj

    def written(self, obj, *, status: int = 200) -> Response:
        """The answer to a write: the object as the writer sees it now, read again through
        the viewset's restricted queryset (with its joins) and shown with its reading
        serializer (``serializer_class``)."""
        return Response(self.serializer_class(self.get_queryset().get(pk=obj.pk)).data, status=status)


VERSION_HELP = gettext_lazy("Versie waarvan de wijziging uitgaat (verplicht bij wijzigen).")
VERSION_REQUIRED = gettext_lazy("Geef de versie mee waarvan uw wijziging uitgaat.")


def pop_version(data) -> int:
    """Take the version a change starts from out of the request data (400 without one);
    the service compares it with the stored one and refuses a stale change (409)."""
    version = data.pop("version", None) if hasattr(data, "pop") else None
    if version in (None, ""):
        raise ValidationError({"version": VERSION_REQUIRED})
    try:
        return int(version)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"version": VERSION_REQUIRED}) from exc


def require_version(data) -> int:
    """``pop_version`` for data that must stay as it is (the request's own data: a dict
    of JSON, or a QueryDict of a form, whose ``get`` gives the value)."""
    return pop_version({"version": data.get("version")} if hasattr(data, "get") else {})


class VersionedUpdateMixin:
    """Updates of versioned objects: the client sends the version it started from.
    Subclasses implement ``update_object(instance, *, version, data)``, which calls the
    service and returns the saved object."""

    def update_object(self, instance, *, version: int, data: dict):
        raise NotImplementedError

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = pop_version(data)
        serializer.instance = self.update_object(serializer.instance, version=version, data=data)


class RestrictedReadOnlyViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class RestrictedModelViewSet(RestrictedViewSetMixin, viewsets.ModelViewSet):
    pass


# --- the person's own notifications ---------------------------------------------------


class NotificationFilter(django_filters.FilterSet):
    unread = django_filters.BooleanFilter(
        field_name="read_at", lookup_expr="isnull", label="Alleen ongelezen"
    )

    class Meta:
        model = Notification
        fields = ["kind"]


class NotificationViewSet(RestrictedReadOnlyViewSet):
    """The signed-in person's own notifications, newest first (``?unread=true``: only the
    unread ones). ``mark-read`` marks some or all as read, ``read`` one."""

    queryset = Notification.objects.order_by("-created_at", "-pk")
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter

    def _marked(self, count):
        unread = Notification.objects.restrict(self.request.user, "view").unread().count()
        return Response(NotificationMarkedSerializer({"marked": count, "unread": unread}).data)

    @extend_schema(request=NotificationMarkReadSerializer, responses=NotificationMarkedSerializer)
    @action(detail=False, methods=["post"], url_path="mark-read")
    def mark_read(self, request):
        payload = NotificationMarkReadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._marked(notifications_mark_read(actor=request.user, ids=payload.validated_data["ids"]))

    @extend_schema(request=None, responses=NotificationMarkedSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        return self._marked(notifications_mark_read(actor=request.user, ids=[notification.pk]))


# --- the documentation page -------------------------------------------------------------


class ApiDocsView(TemplateView):
    """The API reference as pages of the product, worked out from the OpenAPI schema:
    the introduction with the table of contents, and a page per part (the schema's tag)
    with its operations. Open to everybody, as the schema itself is: they describe the
    API, not its data."""

    template_name = "core/api_docs.html"

    def get_context_data(self, **kwargs):
        reference = api_reference()
        tag = None
        if kwargs.pop("tag", None) is not None:
            tag = reference.tag(self.kwargs["tag"])
            if tag is None:
                raise Http404
        return super().get_context_data(
            reference=reference,
            tag=tag,
            page_size=settings.REST_FRAMEWORK["PAGE_SIZE"],
            max_page_size=StandardPagination.max_page_size,
            **kwargs,
        )


__all__ = [
    "VERSION_HELP",
    "VERSION_REQUIRED",
    "ApiDocsView",
    "Http404",
    "NotificationViewSet",
    "RestrictedModelViewSet",
    "RestrictedReadOnlyViewSet",
    "RestrictedViewSetMixin",
    "VersionedUpdateMixin",
    "pop_version",
    "require_version",
]
