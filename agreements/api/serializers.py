"""API shapes for agreements, parties, commitments, boden and monitoring reports.

Serializers validate and present; the viewsets hand validated data to
``agreements.services``. Organisations are named by their slug, as elsewhere in the API.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from agreements.models import (
    Agreement,
    AgreementParty,
    Bod,
    Commitment,
    MonitoringComment,
    MonitoringReport,
    PartyRole,
)
from core.api.fields import VisibleRelatedField
from core.api.views import VERSION_HELP
from organisations.models import Organisation


def _organisation_field(**kwargs):
    return serializers.SlugRelatedField(
        slug_field="slug", queryset=Organisation.objects.filter(is_active=True), **kwargs
    )


class AgreementPartySerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    signed_by = serializers.StringRelatedField(read_only=True)

    class Meta:
        model = AgreementParty
        fields = ["id", "agreement", "organisation", "organisation_name", "role", "signed_at", "signed_by"]
        read_only_fields = fields


class PartyInputSerializer(serializers.Serializer):
    organisation = _organisation_field()
    role = serializers.ChoiceField(choices=PartyRole.choices, required=False, allow_blank=True, default="")


class AgreementSerializer(serializers.ModelSerializer):
    parties = AgreementPartySerializer(many=True, read_only=True)
    has_document = serializers.SerializerMethodField()

    class Meta:
        model = Agreement
        fields = [
            "id",
            "title",
            "gemeente_code",
            "start_year",
            "end_year",
            "status",
            "summary",
            "parties",
            "has_document",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "gemeente_code", "status", "parties", "created_at", "updated_at"]
        extra_kwargs = {"version": {"read_only": False, "required": False, "help_text": VERSION_HELP}}

    def get_has_document(self, obj) -> bool:
        return bool(obj.signed_document)


class AgreementCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    gemeente_code = serializers.CharField(max_length=6)
    start_year = serializers.IntegerField(min_value=2000, max_value=2100)
    end_year = serializers.IntegerField(min_value=2000, max_value=2100)
    summary = serializers.CharField(required=False, allow_blank=True, default="")
    parties = PartyInputSerializer(many=True)


class TransitionSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=Agreement.Status.choices)
    version = serializers.IntegerField()


class SignSerializer(serializers.Serializer):
    party = serializers.IntegerField(
        required=False, help_text=_("Id van de partij; alleen nodig als u voor meerdere partijen werkt.")
    )


class CommitmentSerializer(serializers.ModelSerializer):
    # References in a body resolve among what the person sees ("Onbekend id" otherwise).
    serializer_related_field = VisibleRelatedField

    responsible = _organisation_field()
    disputed_by = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = Commitment
        fields = [
            "id",
            "agreement",
            "bod",
            "adopted_from",
            "number",
            "theme",
            "text",
            "responsible",
            "target_value",
            "target_unit",
            "target_year",
            "is_disputed",
            "dispute_note",
            "disputed_by",
            "amendment",
            "version",
        ]
        read_only_fields = [
            "id",
            "adopted_from",
            "is_disputed",
            "dispute_note",
            "disputed_by",
            "amendment",
        ]
        extra_kwargs = {
            "version": {"read_only": False, "required": False, "help_text": VERSION_HELP},
            "agreement": {"queryset": Agreement.objects.all()},
            "bod": {"queryset": Bod.objects.all()},
        }


class DisputeSerializer(serializers.Serializer):
    note = serializers.CharField()


class ResolveSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class AdoptSerializer(serializers.Serializer):
    agreement = serializers.IntegerField(
        help_text=_("Id van de prestatieafspraak die het voorstel overneemt.")
    )


class BodSerializer(serializers.ModelSerializer):
    corporation = _organisation_field()
    recipients = _organisation_field(many=True)

    class Meta:
        model = Bod
        fields = [
            "id",
            "corporation",
            "gemeente_code",
            "year",
            "recipients",
            "summary",
            "status",
            "submitted_at",
            "submitted_late",
            "agreement",
            "version",
        ]
        read_only_fields = ["id", "status", "submitted_at", "submitted_late", "agreement"]
        extra_kwargs = {"version": {"read_only": False, "required": False, "help_text": VERSION_HELP}}
        # The one-bod-per-year rule is the service's, with its Dutch message.
        validators = []


class MonitoringCommentSerializer(serializers.ModelSerializer):
    author = serializers.StringRelatedField(read_only=True)
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta:
        model = MonitoringComment
        fields = ["id", "author", "organisation", "text", "created_at"]
        read_only_fields = ["id", "author", "organisation", "created_at"]


class MonitoringReportSerializer(serializers.ModelSerializer):
    # References in a body resolve among what the person sees ("Onbekend id" otherwise).
    serializer_related_field = VisibleRelatedField

    agreement = serializers.IntegerField(source="commitment.agreement_id", read_only=True)

    class Meta:
        model = MonitoringReport
        fields = [
            "id",
            "commitment",
            "agreement",
            "year",
            "realised_value",
            "progress",
            "explanation",
            "state",
            "submitted_at",
            "reviewed_at",
            "review_comment",
            "version",
        ]
        read_only_fields = ["id", "agreement", "state", "submitted_at", "reviewed_at", "review_comment"]
        extra_kwargs = {
            "version": {"read_only": False, "required": False, "help_text": VERSION_HELP},
            "commitment": {"queryset": Commitment.objects.all()},
        }
        validators = []


class ReviewSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class SubmitSerializer(serializers.Serializer):
    version = serializers.IntegerField(required=False)
