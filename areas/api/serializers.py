from django.urls import reverse
from rest_framework import serializers

from areas.models import Area


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
