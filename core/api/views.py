"""API base classes: every viewset starts from ``restrict()``."""

from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import viewsets
from rest_framework.exceptions import PermissionDenied

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


class RestrictedReadOnlyViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class RestrictedModelViewSet(RestrictedViewSetMixin, viewsets.ModelViewSet):
    pass


__all__ = [
    "Http404",
    "RestrictedModelViewSet",
    "RestrictedReadOnlyViewSet",
    "RestrictedViewSetMixin",
]
