"""API base classes: every viewset starts from ``restrict()``."""

from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError

from core.permissions import allowed

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


__all__ = [
    "VERSION_HELP",
    "VERSION_REQUIRED",
    "Http404",
    "RestrictedModelViewSet",
    "RestrictedReadOnlyViewSet",
    "RestrictedViewSetMixin",
    "VersionedUpdateMixin",
    "pop_version",
    "require_version",
]
