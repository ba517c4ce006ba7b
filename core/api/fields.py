"""Serializer fields shared by the apps' APIs."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class VisibleRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference by id to an object the person may see.

    The choice starts from ``restrict(user, "view")``: an id the person may not see is
    refused exactly as an id that does not exist ("Onbekend id"), so a reference in a
    request body never tells which ids exist. What the person may do with a visible
    object (change it, add to it) is still checked by the view or the service (403).
    """

    default_error_messages = {
        "does_not_exist": _("Onbekend id {pk_value}: het bestaat niet of u kunt het niet zien."),
    }

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            raise AssertionError(
                f"{type(self).__name__} reads the person from the serializer context: pass "
                "context=self.get_serializer_context() where the serializer is made."
            )
        return super().get_queryset().restrict(request.user, "view")
