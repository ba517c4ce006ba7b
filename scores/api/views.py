"""The API for sources, indicators, their values, score models, scores and import jobs.

Every list starts from ``restrict()``, so a licensed source and everything that comes from
it is visible only to its owner organisation and the organisations it is shared with.
Every write calls a service; updates need the version they start from and answer 409
when someone else saved in between.
"""

import django_filters
from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser

from core.api.views import RestrictedReadOnlyViewSet, RestrictedViewSetMixin
from core.permissions import get_object_for, is_platform_admin
from organisations.models import Organisation
from scores.api.serializers import (
    CbsFetchSerializer,
    IndicatorSerializer,
    IndicatorUpdateSerializer,
    IndicatorValueSerializer,
    ScoreImportSerializer,
    ScoreModelSerializer,
    ScoreModelUpdateSerializer,
    ScoreSerializer,
    ScoreUploadSerializer,
    SourceCreateSerializer,
    SourceSerializer,
    SourceShareSerializer,
    SourceUpdateSerializer,
)
from scores.models import Indicator, IndicatorValue, ModelIndicator, Score, ScoreImport, ScoreModel, Source
from scores.services import fetch, imports
from scores.services import sources as services

AREA_FIELDS = ("area__id", "area__code", "area__name", "area__kind", "area__year", "area__gemeente_code")


class _Writable(RestrictedViewSetMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    http_method_names = ["get", "post", "patch", "head", "options"]


# --- sources ---------------------------------------------------------------------------


class SourceViewSet(_Writable):
    """Sources the user may see: open ones, and licensed ones of or shared with their
    organisations. Bewerkers create sources for their organisation and change them; the
    owner's beheerders share a licensed source with the ``share`` action."""

    queryset = (
        Source.objects.select_related("owner_organisation")
        .prefetch_related(Prefetch("shared_with", queryset=Organisation.objects.order_by("name")))
        .annotate(indicator_count=Count("indicators", distinct=True))
        .order_by("name")
    )
    serializer_class = SourceSerializer
    filterset_fields = ["kind", "is_licensed"]
    ordering_fields = ["name", "created_at"]

    @extend_schema(request=SourceCreateSerializer, responses=SourceSerializer)
    def create(self, request, *args, **kwargs):
        payload = SourceCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        source = services.source_create(actor=request.user, **payload.validated_data)
        return self.written(source, status=201)

    @extend_schema(request=SourceUpdateSerializer, responses=SourceSerializer)
    def partial_update(self, request, *args, **kwargs):
        source = self.get_object()
        payload = SourceUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        version = data.pop("version")
        source = services.source_update(actor=request.user, source=source, version=version, **data)
        return self.written(source)

    def update(self, request, *args, **kwargs):
        if not kwargs.get("partial"):
            return self.partial_update(request, *args, **kwargs)
        return super().update(request, *args, **kwargs)

    @extend_schema(request=SourceShareSerializer, responses=SourceSerializer)
    @action(detail=True, methods=["post"])
    def share(self, request, pk=None):
        source = get_object_for(request.user, Source.objects.all(), "share", pk=pk)
        payload = SourceShareSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        source = services.source_share(actor=request.user, source=source, **payload.validated_data)
        return self.written(source)


# --- indicators ------------------------------------------------------------------------


class IndicatorFilter(django_filters.FilterSet):
    source = django_filters.NumberFilter(field_name="source_id", label="Bron (id)")
    key = django_filters.CharFilter(field_name="key", label="Sleutel, bijvoorbeeld p_wcorpw")
    q = django_filters.CharFilter(method="search", label="Zoek in sleutel, naam en omschrijving")

    class Meta:
        model = Indicator
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(key__icontains=value) | Q(name__icontains=value) | Q(description__icontains=value)
        )


class IndicatorViewSet(_Writable):
    """Indicators of the sources the user may see. Whoever may import into a source
    changes its indicators' names, units, direction and aggregation."""

    queryset = Indicator.objects.select_related("source").order_by("source__name", "name", "pk")
    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilter
    ordering_fields = ["name", "key"]

    @extend_schema(request=IndicatorUpdateSerializer, responses=IndicatorSerializer)
    def partial_update(self, request, *args, **kwargs):
        indicator = self.get_object()
        payload = IndicatorUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        fields = {
            name: getattr(indicator, name)
            for name in ("name", "unit", "description", "direction", "aggregation", "decimals", "is_key")
        }
        fields.update(payload.validated_data)
        indicator = services.indicator_update(actor=request.user, indicator=indicator, **fields)
        return self.written(indicator)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)


class AreaRowFilter(django_filters.FilterSet):
    """Filters on the area of rows per area and year (values, scores)."""

    year = django_filters.NumberFilter(field_name="year", label="Jaar")
    area = django_filters.CharFilter(method="by_code", label="Gebiedscode, bijvoorbeeld BU04530100")
    gemeente = django_filters.CharFilter(method="by_gemeente", label="Gemeentecode, bijvoorbeeld GM0453")
    level = django_filters.CharFilter(
        field_name="area__kind", label="Niveau: gemeente, wijk, buurt of gebied"
    )

    def by_code(self, queryset, name, value):
        return queryset.filter(area__code=value.strip().upper())

    def by_gemeente(self, queryset, name, value):
        return queryset.filter(area__gemeente_code=value.strip().upper())


class IndicatorValueFilter(AreaRowFilter):
    indicator = django_filters.NumberFilter(field_name="indicator_id", label="Indicator (id)")
    key = django_filters.CharFilter(field_name="indicator__key", label="Sleutel van de indicator")

    class Meta:
        model = IndicatorValue
        fields = []


class IndicatorValueViewSet(RestrictedReadOnlyViewSet):
    """Values per area and year of the indicators the user may see."""

    queryset = (
        IndicatorValue.objects.select_related("indicator", "area")
        .only("id", "year", "value", "indicator__id", "indicator__key", "indicator__name", *AREA_FIELDS)
        .order_by("indicator_id", "year", "area__code", "pk")
    )
    serializer_class = IndicatorValueSerializer
    filterset_class = IndicatorValueFilter
    ordering_fields = ["year", "value"]


# --- score models ----------------------------------------------------------------------


class ScoreModelViewSet(_Writable):
    """Score models the user may see, by key. Platform admins change them (weights, class
    boundaries, minimum population, stable band, active); scores are then recomputed."""

    queryset = (
        ScoreModel.objects.select_related("source")
        .prefetch_related(
            Prefetch(
                "components",
                queryset=ModelIndicator.objects.select_related("indicator").order_by(
                    "role", "-weight", "indicator__name"
                ),
            )
        )
        .order_by("name")
    )
    serializer_class = ScoreModelSerializer
    lookup_field = "key"
    filterset_fields = ["kind", "is_active"]

    @extend_schema(request=ScoreModelUpdateSerializer, responses=ScoreModelSerializer)
    def partial_update(self, request, *args, **kwargs):
        model = self.get_object()
        payload = ScoreModelUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        if "components" in data:
            wanted = data.pop("components")
            ids = {row["indicator"] for row in wanted}
            found = Indicator.objects.restrict(request.user, "view").select_related("source").in_bulk(ids)
            missing = sorted(ids - set(found))
            if missing:
                raise ValidationError(
                    {"components": _("Onbekende indicator: %s") % ", ".join(str(pk) for pk in missing)}
                )
            components = [(found[row["indicator"]], row["weight"], row.get("role") or "") for row in wanted]
        else:
            components = [
                (c.indicator, c.weight, c.role) for c in model.components.select_related("indicator__source")
            ]
        fields = {
            name: data.get(name, getattr(model, name))
            for name in (
                "name",
                "description",
                "cutoffs",
                "min_population",
                "weighting",
                "stable_band",
                "is_active",
            )
        }
        model = services.score_model_update(
            actor=request.user, model=model, version=data["version"], components=components, **fields
        )
        return self.written(model)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)


# --- scores ----------------------------------------------------------------------------


class ScoreFilter(AreaRowFilter):
    model = django_filters.CharFilter(field_name="model__key", label="Scoremodel (sleutel)")

    class Meta:
        model = Score
        fields = []


class ScoreViewSet(RestrictedReadOnlyViewSet):
    """Scores of the models the user may see, with class name, trend since the previous
    measurement and what each indicator contributed."""

    queryset = (
        Score.objects.select_related("model", "area")
        .only(
            "id",
            "year",
            "value",
            "score_class",
            "trend",
            "previous_year",
            "previous_class",
            "boundary_changed",
            "contributions",
            "is_aggregated",
            "no_data_reason",
            "model__id",
            "model__key",
            "model__kind",
            "model__classes",
            *AREA_FIELDS,
        )
        .order_by("model_id", "year", "area__code", "pk")
    )
    serializer_class = ScoreSerializer
    filterset_class = ScoreFilter
    ordering_fields = ["year", "value", "score_class"]


class ScoreImportViewSet(RestrictedReadOnlyViewSet):
    """Import jobs of the sources the user may import into, with status and progress.
    Upload a file (multipart), or fetch a year of CBS kerncijfers from StatLine (platform
    admins); either answers the job, which is then polled here until it is done."""

    queryset = ScoreImport.objects.select_related("source", "started_by").order_by("-created_at", "-pk")
    serializer_class = ScoreImportSerializer
    filterset_fields = ["source", "year", "status"]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        request={"multipart/form-data": ScoreUploadSerializer}, responses={201: ScoreImportSerializer}
    )
    def create(self, request, *args, **kwargs):
        """Upload an indicator file into a source you may import into."""
        payload = ScoreUploadSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        job = imports.score_import_start(
            actor=request.user,
            source=data["source"],
            file_format=data["file_format"],
            uploaded_file=data["file"],
            year=data["year"],
            dry_run=data["dry_run"],
            mode=data["mode"],
        )
        return self.written(job, status=201)

    @extend_schema(request=CbsFetchSerializer, responses={201: ScoreImportSerializer})
    @action(detail=False, methods=["post"], url_path="fetch-cbs")
    def fetch_cbs(self, request):
        """Fetch a year of CBS kerncijfers wijken en buurten from CBS StatLine into the open
        CBS source (platform admins) and import them in the background."""
        if not is_platform_admin(request.user):
            raise PermissionDenied(fetch.NO_FETCH_RIGHTS)
        payload = CbsFetchSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        job = fetch.cbs_fetch_start(
            actor=request.user,
            year=data["year"],
            gemeenten=data["gemeenten"],
            dry_run=data["dry_run"],
            mode=data["mode"],
        )
        return self.written(job, status=201)
