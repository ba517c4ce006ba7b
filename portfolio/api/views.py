"""The portfolio API: complexes (read; the register is imported as a file), their
strategies (set and changed through the services, with the version they start from),
the complexes as GeoJSON points, and the projection of a portfolio.

Every list starts from ``restrict()``; a gemeente a portfolio is shared with reads its
projection for its own buurten, never the complexes.
"""

import django_filters
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from areas.api.views import GeoJSONRenderer
from core.api.views import RestrictedReadOnlyViewSet, RestrictedViewSetMixin, pop_version
from portfolio import selectors, services
from portfolio.api.serializers import (
    ComplexImportSerializer,
    ComplexSerializer,
    ComplexStrategySerializer,
    ComplexUploadSerializer,
)
from portfolio.forms import ComplexFilter as PageComplexFilter
from portfolio.models import (
    BUURT_SHAPES,
    NO_STRATEGY_COLOR,
    STRATEGY_COLORS,
    Complex,
    ComplexImport,
    ComplexStrategy,
    StrategyKind,
)


class ComplexFilter(PageComplexFilter):
    """The portfolio page's filters (strategie, energielabel, huurklasse, signaal), and
    the corporation, year, buurt and archive."""

    organisation = django_filters.CharFilter(
        field_name="organisation__slug", label="Korte naam van de corporatie"
    )
    jaar = django_filters.NumberFilter(field_name="boundary_year", label="Jaar van de buurtindeling")
    buurt = django_filters.CharFilter(field_name="buurt__code", label="Buurtcode")
    archived = django_filters.BooleanFilter(field_name="is_archived", label="Gearchiveerd")

    class Meta:
        model = Complex
        fields = []


class ComplexViewSet(RestrictedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The complexes of the corporations the person belongs to."""

    queryset = (
        Complex.objects.select_related("organisation", "buurt", "strategy")
        .defer(*BUURT_SHAPES)
        .order_by("organisation_id", "number")
    )
    serializer_class = ComplexSerializer
    filterset_class = ComplexFilter

    @action(
        detail=False,
        url_path="geojson",
        renderer_classes=[GeoJSONRenderer, JSONRenderer],
        pagination_class=None,
    )
    def geojson(self, request):
        """The complexes as GeoJSON points in WGS84, coloured by strategy (properties
        ``color``, ``strategy``); not archived unless asked. Filters as the list."""
        qs = self.filter_queryset(self.get_queryset())
        if "archived" not in request.query_params:
            qs = qs.filter(is_archived=False)
        labels = dict(StrategyKind.choices)
        features = []
        rows = qs.values_list(
            "pk",
            "number",
            "name",
            "lat",
            "lon",
            "single_family",
            "multi_family",
            "social_rent",
            "energy_label",
            "buurt__code",
            "buurt__name",
            "strategy__kind",
        )
        for pk, number, name, lat, lon, single, multi, social, label, code, buurt, kind in rows:
            features.append(
                {
                    "type": "Feature",
                    "id": pk,
                    "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
                    "properties": {
                        "number": number,
                        "name": name,
                        "dwellings": single + multi,
                        "social_rent": social,
                        "energy_label": label,
                        "buurt_code": code,
                        "buurt_name": buurt,
                        "strategy": kind or "",
                        "strategy_label": str(labels.get(kind, _("nog geen strategie"))),
                        "color": STRATEGY_COLORS.get(kind, NO_STRATEGY_COLOR),
                    },
                }
            )
        return Response({"type": "FeatureCollection", "features": features})


class ComplexStrategyViewSet(
    RestrictedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Strategies per complex. POST sets the first strategy of a complex; PUT/PATCH
    change it with the version it starts from (409 when someone else saved first)."""

    queryset = (
        ComplexStrategy.objects.select_related("complex")
        .prefetch_related("commitments")
        .order_by("complex__number")
    )
    serializer_class = ComplexStrategySerializer
    filterset_fields = ["kind", "horizon_year"]

    def _service(self, *, complex, data, version):
        values = {
            "kind": data.get("kind"),
            "horizon_year": data.get("horizon_year"),
            "rationale": data.get("rationale", ""),
            "planned_social_rent": data.get("planned_social_rent"),
            "planned_mid_rent": data.get("planned_mid_rent"),
            "planned_free_sector": data.get("planned_free_sector"),
            "planned_small_social": data.get("planned_small_social"),
            "commitments": data.get("commitments", []),
        }
        return services.strategy_set(actor=self.request.user, complex=complex, version=version, **values)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        complex = data.pop("complex")
        if selectors.strategy_of(complex) is not None:
            raise ValidationError({"complex": _("Dit complex heeft al een strategie; wijzig die.")})
        serializer.instance = self._service(complex=complex, data=data, version=None)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        version = pop_version(data)
        instance = serializer.instance
        merged = {
            "kind": instance.kind,
            "horizon_year": instance.horizon_year,
            "rationale": instance.rationale,
            "planned_social_rent": instance.planned_social_rent,
            "planned_mid_rent": instance.planned_mid_rent,
            "planned_free_sector": instance.planned_free_sector,
            "planned_small_social": instance.planned_small_social,
            "commitments": list(instance.commitments.all()),
            **data,
        }
        serializer.instance = self._service(complex=instance.complex, data=merged, version=version)

    def perform_destroy(self, instance):
        version = self.request.query_params.get("version") or self.request.data.get("version")
        services.strategy_delete(
            actor=self.request.user, strategy=instance, version=pop_version({"version": version})
        )


class ProjectionView(APIView):
    """The projection of a corporation's portfolio at a horizon year: per gemeente and
    buurt the stock and social rent today and at the horizon, and the flags. A gemeente
    the portfolio is shared with gets its own buurten only.

    Parameters: ``jaar`` (boundary year, default the newest of the complexes),
    ``horizon`` (default ten years on), ``model`` (score model key)."""

    @extend_schema(
        parameters=[
            OpenApiParameter("jaar", int, description="Jaar van de buurtindeling"),
            OpenApiParameter("horizon", int, description="Horizonjaar"),
            OpenApiParameter("model", str, description="Sleutel van het scoremodel"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request, slug):
        view = selectors.portfolio_get(user=request.user, slug=slug)
        years = selectors.boundary_years(organisation=view.organisation)
        errors = {}
        year = request.query_params.get("jaar", "")
        horizon = request.query_params.get("horizon", "")
        for name, value in (("jaar", year), ("horizon", horizon)):
            if value and not (value.isdigit() and 2000 <= int(value) <= 2100):
                errors[name] = _("Geef een jaartal tussen 2000 en 2100.")
        if errors:
            raise ValidationError(errors)
        year = int(year) if year else (years[0] if years else None)
        horizon = int(horizon) if horizon else (year or 2025) + 10
        models = {m.key: m for m in selectors.score_models(user=request.user)}
        key = request.query_params.get("model", "")
        if key and key not in models:
            raise Http404(_("Niet gevonden."))
        model = models.get(key) or models.get("wijkkoers-veerkracht")
        gemeenten = (
            selectors.projection(user=request.user, view=view, year=year, horizon=horizon, model=model)
            if year
            else []
        )

        def num(value, digits=1):
            return None if value is None else round(value, digits)

        return Response(
            {
                "organisation": view.organisation.slug,
                "year": year,
                "horizon": horizon,
                "model": model.key if model else None,
                "gemeenten": [
                    {
                        "code": g.code,
                        "name": g.name,
                        "stock_today": num(g.stock_today),
                        "social_today": num(g.social_today),
                        "share_today": num(g.share_today),
                        "stock_horizon": num(g.stock_horizon),
                        "social_horizon": num(g.social_horizon),
                        "share_horizon": num(g.share_horizon),
                        "buurten": [
                            {
                                "code": b.code,
                                "name": b.name,
                                "stock_today": num(b.stock_today),
                                "social_today": num(b.social_today),
                                "share_today": num(b.share_today),
                                "stock_horizon": num(b.stock_horizon),
                                "social_horizon": num(b.social_horizon),
                                "share_horizon": num(b.share_horizon),
                                "under_pressure": b.score.under_pressure,
                                "strong": b.score.strong,
                                "flags": [
                                    {"kind": f.kind, "change_pp": num(f.change_pp, 2), "text": f.text}
                                    for f in b.flags
                                ],
                            }
                            for b in g.buurten
                        ],
                    }
                    for g in gemeenten
                ],
            }
        )


class ComplexImportViewSet(RestrictedReadOnlyViewSet):
    """Register imports of the corporations the person imports for, with status, progress,
    the row report and the preview (new, changed, unchanged, missing). A multipart POST
    uploads a register, like the upload page; the job is then polled here."""

    queryset = ComplexImport.objects.select_related("organisation", "started_by").order_by(
        "-created_at", "-pk"
    )
    serializer_class = ComplexImportSerializer
    filterset_fields = ["year", "status", "dry_run"]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        request={"multipart/form-data": ComplexUploadSerializer}, responses={201: ComplexImportSerializer}
    )
    def create(self, request, *args, **kwargs):
        payload = ComplexUploadSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        job = services.complex_import_start(
            actor=request.user,
            organisation=data["organisation"],
            uploaded_file=data["file"],
            year=data["year"],
            dry_run=data["dry_run"],
            remove_missing=data["remove_missing"],
            lookup_file=data.get("lookup_file"),
        )
        return self.written(job, status=201)
