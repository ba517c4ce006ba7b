"""Serializers for sources, indicators, their values, score models, scores and import
jobs.

Output serializers read what the viewsets loaded (through ``restrict()``); input
serializers only check and resolve references: the services decide and save.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from areas.api.serializers import SourceFetchSerializer, area_reference
from core.api.fields import VisibleRelatedField
from core.api.views import VERSION_HELP
from organisations.models import Organisation
from scores.models import (
    Aggregation,
    Direction,
    Indicator,
    IndicatorValue,
    ModelIndicator,
    Score,
    ScoreImport,
    ScoreModel,
    Source,
    SourceKind,
)


def _organisation(org):
    # A plain dict: a nested serializer per row costs more than the whole query.
    return {"id": org.pk, "slug": org.slug, "name": org.name} if org is not None else None


class OrganisationSlugField(serializers.SlugRelatedField):
    """An organisation by its short name (slug)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "slug")
        kwargs.setdefault("queryset", Organisation.objects.all())
        kwargs.setdefault(
            "error_messages",
            {"does_not_exist": _("Onbekende organisatie '{value}'."), "invalid": _("Geef de korte naam.")},
        )
        super().__init__(**kwargs)


# --- sources ---------------------------------------------------------------------------


class SourceSerializer(serializers.ModelSerializer):
    owner_organisation = serializers.SerializerMethodField()
    shared_with = serializers.SerializerMethodField()
    indicator_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Source
        fields = [
            "id",
            "name",
            "kind",
            "description",
            "licence",
            "is_licensed",
            "owner_organisation",
            "shared_with",
            "indicator_count",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_owner_organisation(self, obj):
        return _organisation(obj.owner_organisation)

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_shared_with(self, obj):
        return [_organisation(org) for org in obj.shared_with.all()]


class SourceCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=SourceKind.choices)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    licence = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    is_licensed = serializers.BooleanField()
    owner_organisation = OrganisationSlugField(
        required=False, allow_null=True, default=None, help_text=_("Korte naam van de eigenaar.")
    )


class SourceUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    kind = serializers.ChoiceField(choices=SourceKind.choices, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    licence = serializers.CharField(required=False, allow_blank=True, max_length=300)
    is_licensed = serializers.BooleanField(required=False)
    version = serializers.IntegerField(help_text=VERSION_HELP)


class SourceShareSerializer(serializers.Serializer):
    organisations = OrganisationSlugField(many=True, help_text=_("Korte namen van de organisaties."))
    version = serializers.IntegerField(help_text=VERSION_HELP)


# --- indicators ------------------------------------------------------------------------


class IndicatorSerializer(serializers.ModelSerializer):
    source = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = [
            "id",
            "key",
            "name",
            "unit",
            "description",
            "direction",
            "aggregation",
            "decimals",
            "is_key",
            "source",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_source(self, obj):
        return {"id": obj.source_id, "name": obj.source.name, "is_licensed": obj.source.is_licensed}


class IndicatorUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    unit = serializers.CharField(max_length=40, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    direction = serializers.ChoiceField(choices=Direction.choices, required=False)
    aggregation = serializers.ChoiceField(choices=Aggregation.choices, required=False)
    decimals = serializers.IntegerField(min_value=0, max_value=4, required=False)
    is_key = serializers.BooleanField(required=False)
    version = serializers.IntegerField(help_text=VERSION_HELP)


class IndicatorValueSerializer(serializers.ModelSerializer):
    indicator = serializers.SerializerMethodField()
    area = serializers.SerializerMethodField()

    class Meta:
        model = IndicatorValue
        fields = ["id", "indicator", "area", "year", "value"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_indicator(self, obj):
        return {"id": obj.indicator_id, "key": obj.indicator.key, "name": obj.indicator.name}

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_area(self, obj):
        return area_reference(obj.area)


# --- score models and scores -----------------------------------------------------------


class ModelComponentSerializer(serializers.ModelSerializer):
    indicator = serializers.SerializerMethodField()

    class Meta:
        model = ModelIndicator
        fields = ["indicator", "weight", "role"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_indicator(self, obj):
        indicator = obj.indicator
        return {
            "id": indicator.pk,
            "key": indicator.key,
            "name": indicator.name,
            "direction": indicator.direction,
        }


class ScoreModelSerializer(serializers.ModelSerializer):
    source = serializers.SerializerMethodField()
    components = ModelComponentSerializer(many=True, read_only=True)

    class Meta:
        model = ScoreModel
        fields = [
            "id",
            "key",
            "name",
            "description",
            "kind",
            "source",
            "classes",
            "cutoffs",
            "higher_is_better",
            "min_population",
            "weighting",
            "stable_band",
            "is_active",
            "components",
            "version",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_source(self, obj):
        if obj.source_id is None:
            return None
        return {"id": obj.source_id, "name": obj.source.name, "is_licensed": obj.source.is_licensed}


class ComponentInputSerializer(serializers.Serializer):
    indicator = serializers.IntegerField(help_text=_("Id van de indicator."))
    weight = serializers.FloatField()
    role = serializers.ChoiceField(
        choices=ModelIndicator.Role.choices, required=False, allow_blank=True, default=""
    )


class ScoreModelUpdateSerializer(serializers.Serializer):
    """Every field is optional except ``version``; what is left out stays as it is."""

    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    cutoffs = serializers.ListField(child=serializers.FloatField(), required=False, allow_empty=True)
    min_population = serializers.IntegerField(min_value=0, required=False)
    weighting = serializers.ChoiceField(choices=ScoreModel.Weighting.choices, required=False)
    stable_band = serializers.FloatField(min_value=0, required=False)
    is_active = serializers.BooleanField(required=False)
    components = ComponentInputSerializer(many=True, required=False)
    version = serializers.IntegerField(help_text=VERSION_HELP)


class ScoreSerializer(serializers.ModelSerializer):
    model = serializers.SlugRelatedField(slug_field="key", read_only=True)
    area = serializers.SerializerMethodField()
    class_label = serializers.SerializerMethodField()
    new_in_cell = serializers.BooleanField(
        read_only=True,
        help_text=_(
            "Signaaltypologie: het gebied staat in een ander vak dan bij de vorige meting. "
            "Onwaar bij de eerste meting en bij andere modellen."
        ),
    )
    boundary_changed = serializers.BooleanField(
        read_only=True,
        help_text=_(
            "Grens gewijzigd: het gebied hield zijn code, maar zijn grens veranderde sinds de "
            "vorige meting; de verandering vergelijkt met de overlappende gebieden van toen."
        ),
    )

    class Meta:
        model = Score
        fields = [
            "id",
            "model",
            "area",
            "year",
            "value",
            "score_class",
            "class_label",
            "trend",
            "previous_year",
            "previous_class",
            "new_in_cell",
            "boundary_changed",
            "contributions",
            "is_aggregated",
            "no_data_reason",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_area(self, obj):
        return {**area_reference(obj.area), "gemeente_code": obj.area.gemeente_code}

    def get_class_label(self, obj) -> str:
        return obj.model.class_label(obj.score_class) if obj.score_class is not None else ""


class ScoreImportSerializer(serializers.ModelSerializer):
    source = serializers.SerializerMethodField()
    started_by = serializers.StringRelatedField()

    class Meta:
        model = ScoreImport
        fields = [
            "id",
            "source",
            "file_format",
            "original_name",
            "year",
            "dry_run",
            "mode",
            "status",
            "progress",
            "progress_message",
            "rows_read",
            "rows_skipped",
            "values_written",
            "scores_written",
            "areas_removed",
            "per_year",
            "warnings",
            "errors",
            "started_by",
            "created_at",
            "finished_at",
            "recomputed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_source(self, obj):
        return {"id": obj.source_id, "name": obj.source.name}


class ScoreUploadSerializer(serializers.Serializer):
    """An indicator file to import into a source (multipart)."""

    source = VisibleRelatedField(
        queryset=Source.objects.all(), help_text=_("De bron (id) waarin u importeert.")
    )
    file_format = serializers.ChoiceField(choices=SourceKind.choices)
    file = serializers.FileField(help_text=_("CSV, Excel (.xlsx) of GeoJSON."))
    year = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Alleen dit jaar; leeg: elk jaar in de jaarkolom van het bestand."),
    )
    dry_run = serializers.BooleanField(required=False, default=False)
    mode = serializers.ChoiceField(choices=ScoreImport.Mode.choices, default=ScoreImport.Mode.MERGE)


class CbsFetchSerializer(SourceFetchSerializer):
    """What to fetch from CBS StatLine: a year, all gemeenten or some, merged or replacing."""

    mode = serializers.ChoiceField(
        choices=[ScoreImport.Mode.MERGE, ScoreImport.Mode.REPLACE], default=ScoreImport.Mode.MERGE
    )
