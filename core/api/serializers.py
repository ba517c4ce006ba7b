"""Serializers of the product-wide API endpoints (the person's own notifications)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    is_read = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "url", "created_at", "read_at", "is_read"]
        read_only_fields = fields

    def get_is_read(self, obj) -> bool:
        return obj.read_at is not None


class NotificationMarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_null=True,
        default=None,
        max_length=1000,
        help_text=_("De meldingen om als gelezen te markeren; weggelaten of null: alle."),
    )


class NotificationMarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text=_("Zoveel meldingen zijn nu als gelezen gemarkeerd."))
    unread = serializers.IntegerField(help_text=_("Zoveel ongelezen meldingen blijven over."))
