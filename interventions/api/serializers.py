"""Serializers for area teams, urgency, interventions, progress and attachments.

Output serializers read what the viewset loaded (through ``restrict()``); input
serializers only check and resolve references: the services decide and save.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from areas.api.serializers import AreaRefSerializer, area_reference
from core.api.fields import VisibleRelatedField
from core.api.views import VERSION_HELP
from interventions.models import (
    AreaTeam,
    Attachment,
    Intervention,
    ProgressUpdate,
    TeamMember,
    TeamRole,
    Theme,
    Urgency,
    UrgencyAssessment,
    Wijkgesprek,
    WijkgesprekAction,
)
from organisations.models import Organisation


class OrganisationRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.CharField()
    name = serializers.CharField()


class OrganisationField(serializers.SlugRelatedField):
    """An organisation by its short name (slug)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "slug")
        kwargs.setdefault("queryset", Organisation.objects.all())
        kwargs.setdefault(
            "error_messages",
            {"does_not_exist": _("Onbekende organisatie '{value}'."), "invalid": _("Geef de korte naam.")},
        )
        super().__init__(**kwargs)

    def to_representation(self, obj):
        # A plain dict: a nested serializer per row costs more than the whole query.
        return {"id": obj.pk, "slug": obj.slug, "name": obj.name}


# --- teams ---------------------------------------------------------------------------


class TeamMemberSerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer(read_only=True)

    class Meta:
        model = TeamMember
        fields = ["id", "team", "organisation", "role", "version"]
        read_only_fields = fields


class TeamMemberCreateSerializer(serializers.Serializer):
    team = VisibleRelatedField(queryset=AreaTeam.objects.all())
    organisation = OrganisationField()
    role = serializers.ChoiceField(choices=TeamRole.choices)


class TeamMemberRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=TeamRole.choices)
    version = serializers.IntegerField(help_text=VERSION_HELP)


class AreaTeamSerializer(serializers.ModelSerializer):
    area = AreaRefSerializer(read_only=True)
    members = TeamMemberSerializer(many=True, read_only=True)

    class Meta:
        model = AreaTeam
        fields = ["id", "name", "description", "area", "members", "version", "created_at", "updated_at"]
        read_only_fields = ["id", "area", "members", "created_at", "updated_at"]
        extra_kwargs = {"version": {"read_only": False, "required": False, "help_text": VERSION_HELP}}


class TeamMemberInputSerializer(serializers.Serializer):
    organisation = OrganisationField()
    role = serializers.ChoiceField(choices=TeamRole.choices)


class AreaTeamCreateSerializer(serializers.Serializer):
    area_code = serializers.CharField(help_text=_("Code van de wijk of het gebied, bijvoorbeeld WK045301."))
    year = serializers.IntegerField(help_text=_("Jaar van de CBS-indeling."))
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    members = TeamMemberInputSerializer(many=True)

    def validate(self, data):
        code = data["area_code"].strip().upper()
        area = AreaTeam.area_for(year=data["year"], code=code)
        if area is None:
            raise serializers.ValidationError(
                {"area_code": _("Er is geen wijk of gebied met deze code in de indeling van dat jaar.")}
            )
        data["area"] = area
        return data


# --- urgency -------------------------------------------------------------------------


class UrgencyAssessmentSerializer(serializers.ModelSerializer):
    team = VisibleRelatedField(queryset=AreaTeam.objects.all())
    assessed_by = serializers.StringRelatedField()

    class Meta:
        model = UrgencyAssessment
        fields = ["id", "team", "year", "urgency", "rationale", "assessed_by", "version", "updated_at"]
        read_only_fields = ["id", "assessed_by", "updated_at"]
        extra_kwargs = {
            "version": {"read_only": False, "required": False, "help_text": VERSION_HELP},
        }
        # The services decide whether a second assessment of a year is a stale edit.
        validators = []


class UrgencyUpdateSerializer(serializers.Serializer):
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    rationale = serializers.CharField()
    version = serializers.IntegerField(help_text=VERSION_HELP)


# --- interventions -------------------------------------------------------------------


@extend_schema_field({"oneOf": [{"type": "string"}, {"type": "integer"}]})
class IndicatorRefField(serializers.Field):
    """An indicator of the catalogue: its key or name as text, or its id (a number). The
    services check that it is in the catalogue the person may see."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | str):
            raise serializers.ValidationError(_("Geef de sleutel, de naam of het id van een indicator."))
        return data.strip() if isinstance(data, str) else data

    def to_representation(self, value):
        return value


class InterventionSerializer(serializers.ModelSerializer):
    team = VisibleRelatedField(queryset=AreaTeam.objects.all())
    # Written as codes (they are resolved in the team's boundary year); read as objects.
    areas = serializers.ListField(
        child=serializers.CharField(),
        write_only=True,
        help_text=_("Codes van de wijk of buurten in het gebied van het team."),
    )
    lead_organisation = OrganisationField()
    partner_organisations = OrganisationField(many=True, required=False)
    theme = serializers.ChoiceField(choices=Theme.choices)
    budget = serializers.CharField(required=False, allow_null=True, allow_blank=True)
    # Written as keys (or names or ids) of catalogue indicators; read as objects.
    indicators = serializers.ListField(
        child=IndicatorRefField(),
        required=False,
        write_only=True,
        help_text=_(
            "Indicatoren uit de catalogus die de interventie moet bewegen: hun sleutel (bijvoorbeeld "
            "p_wcorpw), naam of id."
        ),
    )
    commitments = serializers.ListField(
        child=serializers.IntegerField(),
        required=False,
        write_only=True,
        help_text=_(
            "Ids van afspraken uit de prestatieafspraken van de gemeente van het team waaraan de "
            "interventie bijdraagt."
        ),
    )
    url = serializers.SerializerMethodField()

    class Meta:
        model = Intervention
        fields = [
            "id",
            "team",
            *Intervention.DETAIL_FIELDS,
            "status",
            "stop_reason",
            "version",
            "created_at",
            "updated_at",
            "url",
        ]
        read_only_fields = ["id", "created_at", "updated_at", "url"]
        extra_kwargs = {
            "version": {"read_only": False, "required": False, "help_text": VERSION_HELP},
            "status": {"required": False, "help_text": _("Bij aanmaken; daarna via de status-actie.")},
        }

    def get_url(self, obj) -> str:
        # One reverse() per list, not per row.
        if not hasattr(self, "_detail_prefix"):
            self._detail_prefix = reverse("interventions:detail", args=[0])[: -len("0/")]
        return f"{self._detail_prefix}{obj.pk}/"

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["areas"] = [area_reference(area) for area in instance.areas.all()]
        data["indicators"] = [
            {"id": i.pk, "key": i.key, "name": i.name, "source": i.source.name}
            for i in instance.indicators.all()
        ]
        data["commitments"] = sorted(commitment.pk for commitment in instance.commitments.all())
        if instance.budget is not None:
            data["budget"] = str(instance.budget)
        return data


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Intervention.Status.choices)
    reason = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField(help_text=VERSION_HELP)


# --- progress and attachments --------------------------------------------------------


class AttachmentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "update", "original_name", "content_type", "size", "created_at", "download_url"]
        read_only_fields = fields

    def get_download_url(self, obj) -> str:
        return reverse("attachment-download", args=[obj.pk])


class AttachmentAddSerializer(serializers.Serializer):
    files = serializers.ListField(child=serializers.FileField(), help_text=_("Bijlagen (multipart)."))


class ProgressUpdateSerializer(serializers.ModelSerializer):
    # The intervention resolves among what the person sees ("Onbekend id" otherwise).
    serializer_related_field = VisibleRelatedField
    author = serializers.StringRelatedField()
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = ProgressUpdate
        fields = [
            "id",
            "intervention",
            "date",
            "text",
            "progress",
            "status_from",
            "status_to",
            "author",
            "attachments",
            "created_at",
        ]
        read_only_fields = fields


class ProgressCreateSerializer(serializers.Serializer):
    intervention = serializers.IntegerField()
    date = serializers.DateField()
    text = serializers.CharField()
    progress = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=100)
    files = serializers.ListField(
        child=serializers.FileField(), required=False, default=list, help_text=_("Bijlagen (multipart).")
    )


# --- evaluation ------------------------------------------------------------------------


class EvaluationModelSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    higher_is_better = serializers.BooleanField()
    is_licensed = serializers.BooleanField()
    has_scores = serializers.BooleanField()


class MeasurementSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    value = serializers.FloatField()
    score_class = serializers.IntegerField(allow_null=True)
    class_label = serializers.CharField()
    derived = serializers.BooleanField(help_text=_("Afgeleid van overlappende buurten na een herindeling."))


class EvaluationAreaSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="area_id")
    year = serializers.IntegerField()
    kind = serializers.CharField()
    code = serializers.CharField()
    name = serializers.CharField()
    before = MeasurementSerializer(allow_null=True)
    after = MeasurementSerializer(allow_null=True)
    change = serializers.FloatField(allow_null=True)


class ComparisonSerializer(serializers.Serializer):
    buurt = EvaluationAreaSerializer()
    comparables = EvaluationAreaSerializer(many=True)
    mean_before = serializers.FloatField(allow_null=True)
    mean_after = serializers.FloatField(allow_null=True)
    mean_change = serializers.FloatField(allow_null=True)
    difference = serializers.FloatField(
        allow_null=True,
        help_text=_("Verandering in de buurt min de gemiddelde verandering van haar vergelijkbare buurten."),
    )
    start_range = serializers.ListField(child=serializers.FloatField(), allow_null=True)


class EvaluationSerializer(serializers.Serializer):
    """The evaluation of an intervention in one score model (see ``interventions.evaluation``)."""

    intervention = serializers.IntegerField(source="intervention.pk")
    model = EvaluationModelSerializer(allow_null=True)
    models = EvaluationModelSerializer(many=True, help_text=_("De scoremodellen die u kunt kiezen."))
    before_year = serializers.IntegerField(allow_null=True)
    after_year = serializers.IntegerField(allow_null=True)
    after_so_far = serializers.BooleanField(help_text=_("Na is de laatste meting tot nu toe."))
    areas = EvaluationAreaSerializer(many=True)
    comparisons = ComparisonSerializer(many=True)
    buurt_mean_change = serializers.FloatField(allow_null=True)
    comparable_mean_change = serializers.FloatField(allow_null=True)
    difference = serializers.FloatField(allow_null=True)
    excluded_buurten = serializers.IntegerField()
    empty = serializers.CharField()
    message = serializers.CharField()


# --- wijkgesprekken --------------------------------------------------------------------


class InterventionRefField(VisibleRelatedField):
    """An intervention by id; read as id and title."""

    def use_pk_only_optimization(self):
        return False

    def to_representation(self, obj):
        return {"id": obj.pk, "title": obj.title}


class WijkgesprekActionSerializer(serializers.ModelSerializer):
    intervention = InterventionRefField(
        queryset=Intervention.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("Id van een interventie van hetzelfde team, of null."),
    )

    class Meta:
        model = WijkgesprekAction
        fields = ["id", "text", "intervention", "created_at"]
        read_only_fields = ["id", "created_at"]


class WijkgesprekSerializer(serializers.ModelSerializer):
    team = VisibleRelatedField(queryset=AreaTeam.objects.all())
    participants = OrganisationField(many=True, help_text=_("Korte namen van organisaties uit het team."))
    actions = WijkgesprekActionSerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Wijkgesprek
        fields = [
            "id",
            "team",
            "date",
            "year",
            "participants",
            "duiding",
            "decisions",
            "actions",
            "version",
            "created_at",
            "updated_at",
            "url",
        ]
        read_only_fields = ["id", "actions", "created_at", "updated_at", "url"]
        extra_kwargs = {"version": {"read_only": False, "required": False, "help_text": VERSION_HELP}}

    def get_url(self, obj) -> str:
        return reverse("interventions:gesprek", args=[obj.pk])


class WijkgesprekCreateSerializer(WijkgesprekSerializer):
    action_texts = serializers.ListField(
        child=serializers.CharField(max_length=500),
        required=False,
        default=list,
        write_only=True,
        help_text=_("De acties van het gesprek, één tekst per actie."),
    )

    class Meta(WijkgesprekSerializer.Meta):
        fields = [*WijkgesprekSerializer.Meta.fields, "action_texts"]
