from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from areas.models import Area, BoundaryImport


def area_reference(area) -> dict:
    """An area as another object's data refers to it (the fields of ``AreaRefSerializer``),
    built as a plain dict: list endpoints make one per row."""
    return {"id": area.pk, "year": area.year, "kind": area.kind, "code": area.code, "name": area.name}


class AreaRefSerializer(serializers.Serializer):
    """A short reference to another area (parent, predecessor, member)."""

    id = serializers.IntegerField()
    year = serializers.IntegerField()
    kind = serializers.CharField()
    code = serializers.CharField()
    name = serializers.CharField()


class AreaSerializer(serializers.ModelSerializer):
    parent = AreaRefSerializer(read_only=True, allow_null=True)
    area_km2 = serializers.SerializerMethodField()
    has_shape = serializers.SerializerMethodField()
    bbox = serializers.SerializerMethodField()
    children_count = serializers.IntegerField(read_only=True)
    page_url = serializers.SerializerMethodField()

    class Meta:
        model = Area
        fields = [
            "id",
            "year",
            "kind",
            "code",
            "name",
            "gemeente_code",
            "parent",
            "is_water",
            "has_shape",
            "area_km2",
            "bbox",
            "children_count",
            "page_url",
        ]

    def get_area_km2(self, obj) -> float | None:
        return round(obj.area_m2 / 1_000_000, 3) if obj.area_m2 is not None else None

    def get_has_shape(self, obj) -> bool:
        return obj.min_lon is not None

    def get_bbox(self, obj) -> list[float] | None:
        if obj.min_lon is None:
            return None
        return [obj.min_lon, obj.min_lat, obj.max_lon, obj.max_lat]

    def get_page_url(self, obj) -> str:
        return reverse("areas:detail", kwargs={"year": obj.year, "code": obj.code})


class NeighbourSerializer(serializers.Serializer):
    year = serializers.IntegerField(source="area.year")
    code = serializers.CharField(source="area.code")
    name = serializers.CharField(source="area.name")
    kind = serializers.CharField(source="area.kind")
    share_of_this = serializers.FloatField(help_text="Deel van dit gebied dat in het andere ligt (0–1).")
    share_of_other = serializers.FloatField(help_text="Deel van het andere gebied dat in dit ligt (0–1).")


class AreaDetailSerializer(AreaSerializer):
    predecessors = NeighbourSerializer(many=True, read_only=True)
    successors = NeighbourSerializer(many=True, read_only=True)
    members = serializers.SerializerMethodField()
    owner_organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)

    class Meta(AreaSerializer.Meta):
        fields = [
            *AreaSerializer.Meta.fields,
            "description",
            "owner_organisation",
            "members",
            "predecessors",
            "successors",
            "version",
        ]

    def get_members(self, obj) -> list[str]:
        if obj.kind != "gebied":
            return []
        return list(obj.members.order_by("code").values_list("code", flat=True))


class OrganisationSlugField(serializers.SlugRelatedField):
    """An organisation by its short name (slug), among those the person sees."""

    default_error_messages = {
        "does_not_exist": _("Onbekende organisatie '{value}'."),
        "invalid": _("Geef de korte naam van de organisatie."),
    }

    def __init__(self, **kwargs):
        from organisations.models import Organisation

        kwargs.setdefault("slug_field", "slug")
        kwargs.setdefault("queryset", Organisation.objects.all())
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context["request"]
        return super().get_queryset().restrict(request.user, "view")


class GebiedCreateSerializer(serializers.Serializer):
    organisation = OrganisationSlugField(help_text=_("Korte naam van de organisatie die het gebied beheert."))
    year = serializers.IntegerField(help_text=_("Jaar van de indeling van de buurten."))
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    buurten = serializers.ListField(
        child=serializers.CharField(max_length=20),
        allow_empty=False,
        max_length=2000,
        help_text=_("Codes van de buurten, bijvoorbeeld BU04530100, uit de indeling van het jaar."),
    )


class BoundaryImportSerializer(serializers.ModelSerializer):
    started_by = serializers.StringRelatedField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = BoundaryImport
        fields = [
            "id",
            "original_name",
            "year",
            "dry_run",
            "status",
            "progress",
            "progress_message",
            "created",
            "changed",
            "unchanged",
            "warnings",
            "errors",
            "started_by",
            "created_at",
            "finished_at",
            "url",
        ]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        return reverse("areas:import-detail", args=[obj.pk])


class BoundaryUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("GeoPackage, gezipte Shapefile of GeoJSON van het CBS."))
    year = serializers.IntegerField(help_text=_("Jaar van de indeling."))
    dry_run = serializers.BooleanField(required=False, default=False)


class SourceFetchSerializer(serializers.Serializer):
    """What to fetch from a source that publishes per year: a year, all gemeenten or some."""

    year = serializers.IntegerField()
    gemeenten = serializers.ListField(
        child=serializers.CharField(max_length=10),
        required=False,
        default=list,
        max_length=400,
        help_text=_('Gemeentecodes, bijvoorbeeld ["GM0453"]; leeg: heel Nederland.'),
    )
    dry_run = serializers.BooleanField(required=False, default=False)
