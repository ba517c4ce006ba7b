from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from organisations.models import Invitation, Membership, Organisation, Role


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "slug",
            "kind",
            "gemeente_code",
            "description",
            "website",
            "is_active",
            "version",
        ]
        read_only_fields = ["id", "slug", "is_active"]
        extra_kwargs = {
            "version": {
                "read_only": False,
                "required": False,
                "help_text": _("Versie waarvan de wijziging uitgaat (verplicht bij wijzigen)."),
            }
        }


class MembershipUserSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    full_name = serializers.CharField()


class MembershipSerializer(serializers.ModelSerializer):
    user = MembershipUserSerializer(read_only=True)
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "user", "organisation", "role", "version", "created_at"]
        read_only_fields = ["id", "user", "organisation", "created_at"]
        extra_kwargs = {"version": {"read_only": False, "required": True}}


class MembershipRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=Role.choices)
    version = serializers.IntegerField()


class InvitationSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", queryset=Organisation.objects.all())

    class Meta:
        model = Invitation
        fields = ["id", "organisation", "email", "role", "status", "expires_at", "sent_at", "created_at"]
        read_only_fields = ["id", "status", "expires_at", "sent_at", "created_at"]
        # Whoever invites chooses the role: no role is a field error, not a silent default.
        extra_kwargs = {"role": {"required": True}}
