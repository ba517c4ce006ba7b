"""Serializers of the portfolio API. Writes go through ``portfolio.services``."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from agreements.models import Commitment
from organisations.models import Organisation
from portfolio.models import Complex, ComplexImport, ComplexStrategy, StrategyKind
from portfolio.services import importable_organisations


class StrategySummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = ComplexStrategy
        fields = ["id", "kind", "horizon_year", "version"]


class ComplexSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    buurt_code = serializers.CharField(source="buurt.code", read_only=True)
    buurt_name = serializers.CharField(source="buurt.name", read_only=True)
    strategy = serializers.SerializerMethodField()

    class Meta:
        model = Complex
        fields = [
            "id",
            "organisation",
            "number",
            "name",
            "street",
            "house_number",
            "postcode",
            "city",
            "x_rd",
            "y_rd",
            "lat",
            "lon",
            "single_family",
            "multi_family",
            "social_rent",
            "mid_rent",
            "free_sector",
            "year_built",
            "energy_label",
            "boundary_year",
            "buurt_code",
            "buurt_name",
            "is_archived",
            "strategy",
            "version",
        ]
        read_only_fields = fields

    def get_strategy(self, obj) -> dict | None:
        try:
            strategy = obj.strategy
        except ComplexStrategy.DoesNotExist:
            return None
        return StrategySummarySerializer(strategy).data if strategy else None


class ComplexStrategySerializer(serializers.ModelSerializer):
    complex = serializers.PrimaryKeyRelatedField(queryset=Complex.objects.all())
    kind = serializers.ChoiceField(choices=StrategyKind.choices)
    commitments = serializers.PrimaryKeyRelatedField(
        queryset=Commitment.objects.all(), many=True, required=False
    )
    version = serializers.IntegerField(required=False, help_text=_("Versie waarvan de wijziging uitgaat."))

    class Meta:
        model = ComplexStrategy
        fields = [
            "id",
            "complex",
            "kind",
            "horizon_year",
            "rationale",
            "planned_social_rent",
            "planned_mid_rent",
            "planned_free_sector",
            "planned_small_social",
            "commitments",
            "version",
            "updated_at",
        ]
        read_only_fields = ["id", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = request.user if request is not None else None
        # Only what the person may see can be named: other ids are "not found".
        self.fields["complex"].queryset = Complex.objects.restrict(user, "view")
        self.fields["commitments"].child_relation.queryset = Commitment.objects.restrict(user, "view")
        if self.instance is not None:
            self.fields["complex"].read_only = True


class ComplexImportSerializer(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    started_by = serializers.StringRelatedField()

    class Meta:
        model = ComplexImport
        fields = [
            "id",
            "organisation",
            "original_name",
            "year",
            "dry_run",
            "remove_missing",
            "status",
            "progress",
            "progress_message",
            "rows",
            "created",
            "changed",
            "unchanged",
            "missing",
            "archived",
            "preview",
            "warnings",
            "errors",
            "started_by",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class ComplexUploadSerializer(serializers.Serializer):
    """A complex register to import for a corporation (multipart)."""

    organisation = serializers.SlugRelatedField(
        slug_field="slug", queryset=Organisation.objects.none(), help_text=_("Korte naam van de corporatie.")
    )
    year = serializers.IntegerField(min_value=1990, max_value=2100, help_text=_("Jaar van de buurtindeling."))
    file = serializers.FileField()
    lookup_file = serializers.FileField(required=False)
    dry_run = serializers.BooleanField(default=True)
    remove_missing = serializers.BooleanField(default=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        # Only the corporations the person may import for can be named.
        self.fields["organisation"].queryset = importable_organisations(request.user if request else None)
