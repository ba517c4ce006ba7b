import gzip
import re
from datetime import date, timedelta

import django_filters
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.http import http_date, parse_http_date_safe
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from areas import selectors, services
from areas.api.serializers import (
    AreaDetailSerializer,
    AreaSerializer,
    BoundaryImportSerializer,
    BoundaryUploadSerializer,
    GebiedCreateSerializer,
    SourceFetchSerializer,
)
from areas.models import Area, AreaKind, BoundaryImport
from core.api.views import RestrictedReadOnlyViewSet
from core.permissions import is_platform_admin

GEMEENTE_CODE = re.compile(r"^GM\d{4}$")
CODE = re.compile(r"^[A-Z]{2}[0-9A-Z]{1,14}$")
# Browsers may keep a map this long before asking again (with If-None-Match).
MAP_MAX_AGE = 60


# Map URLs on the pages carry a signature: "this signed-in user opened a page today".
# With it a warm map request needs neither the session nor the user record (no database
# round trip at all); the user is only loaded when the body has to be built. The date in
# it keeps the URL stable for a day (so browsers can revalidate with the ETag) and lets
# it expire; without it the API takes the normal session or token sign-in.
MAP_SIGNATURE_SALT = "areas.map-url"
MAP_SIGNATURE_DAYS = 1


def map_url_signature(user, today: date | None = None) -> str:
    """The ``sig`` parameter for the map URLs of a page shown to ``user``."""
    today = today or date.today()
    return signing.Signer(salt=MAP_SIGNATURE_SALT).sign(f"{user.pk}.{today.isoformat()}")


def _signed_user_id(signature: str | None) -> int | None:
    if not signature:
        return None
    try:
        value = signing.Signer(salt=MAP_SIGNATURE_SALT).unsign(signature)
        user_id, day = value.split(".", 1)
        signed_on = date.fromisoformat(day)
    except (signing.BadSignature, ValueError):
        return None
    if not timedelta(0) <= date.today() - signed_on <= timedelta(days=MAP_SIGNATURE_DAYS):
        return None
    return int(user_id)


class MapBearer:
    """Stands in for the user behind a valid map signature, without loading it."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, user_id: int):
        self.map_bearer_id = user_id
        self.pk = self.id = user_id

    def load(self):
        user = get_user_model().objects.filter(pk=self.map_bearer_id, is_active=True).first()
        if user is None:
            raise PermissionDenied(_("Log opnieuw in om de kaart te zien."))
        return user


class GeoJSONRenderer(JSONRenderer):
    """Lets clients ask for ``application/geo+json``; errors come back as JSON."""

    media_type = "application/geo+json"
    format = "geojson"


class AreaFilter(django_filters.FilterSet):
    code = django_filters.CharFilter(method="filter_code", label="Code, bijvoorbeeld BU04530100")
    gemeente = django_filters.CharFilter(
        field_name="gemeente_code", label="Gemeentecode, bijvoorbeeld GM0453"
    )
    parent = django_filters.CharFilter(field_name="parent__code", label="Code van het bovenliggende gebied")
    search = django_filters.CharFilter(method="filter_search", label="Naam bevat, of code begint met")

    class Meta:
        model = Area
        fields = ["kind", "year", "gemeente", "parent", "is_water"]

    def filter_code(self, queryset, name, value):
        # Codes in files carry padding and any case; an unknown code finds nothing.
        return queryset.filter(code=value.strip().upper())

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(code__istartswith=value))


class AreaViewSet(RestrictedReadOnlyViewSet):
    """Gemeenten, wijken, buurten and gebieden per boundary year: public facts for every
    signed-in user. ``geojson`` serves the map shapes of one gemeente, level and year."""

    queryset = (
        Area.objects.select_related("parent")
        .defer(*selectors.HEAVY_FIELDS, *(f"parent__{f}" for f in selectors.HEAVY_FIELDS))
        .annotate(children_count=Count("children", filter=Q(children__is_water=False)))
        .order_by("-year", "code")
    )
    serializer_class = AreaSerializer
    filterset_class = AreaFilter
    ordering_fields = ["year", "code", "name", "area_m2"]

    def initial(self, request, *args, **kwargs):
        if self.action == "geojson":
            user_id = _signed_user_id(request.query_params.get("sig"))
            if user_id is not None:
                request.user = MapBearer(user_id)
        super().initial(request, *args, **kwargs)

    def get_serializer_class(self):
        return AreaDetailSerializer if self.action == "retrieve" else AreaSerializer

    def get_object(self):
        area = super().get_object()
        area.predecessors, area.successors = selectors.area_lineage(user=self.request.user, area=area)
        return area

    @extend_schema(request=GebiedCreateSerializer, responses={201: AreaDetailSerializer})
    def create(self, request, *args, **kwargs):
        """Make a gebied: a named set of buurten of one gemeente and year, owned by an
        organisation whose beheerder you are (as on the gemeente page)."""
        payload = GebiedCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        codes = list(dict.fromkeys(code.strip().upper() for code in data["buurten"]))
        found = {
            area.code: area
            for area in Area.objects.restrict(request.user, "view").filter(
                year=data["year"], kind=AreaKind.BUURT, code__in=codes
            )
        }
        missing = [code for code in codes if code not in found]
        if missing:
            raise ValidationError(
                {
                    "buurten": _("Geen buurt in de indeling van %(year)s: %(codes)s.")
                    % {"year": data["year"], "codes": ", ".join(missing[:10])}
                }
            )
        gebied = services.gebied_create(
            actor=request.user,
            organisation=data["organisation"],
            name=data["name"],
            year=data["year"],
            buurten=[found[code] for code in codes],
            description=data["description"],
        )
        area = self.get_queryset().get(pk=gebied.pk)
        area.predecessors, area.successors = selectors.area_lineage(user=request.user, area=area)
        return Response(AreaDetailSerializer(area).data, status=201)

    @extend_schema(
        parameters=[
            OpenApiParameter("year", int, description="Jaar van de indeling (standaard het nieuwste)."),
            OpenApiParameter(
                "gemeente", str, description="Gemeentecode (GM0453); leeg of NL: heel Nederland."
            ),
            OpenApiParameter("level", str, enum=["gemeente", "wijk", "buurt", "gebied"]),
            OpenApiParameter("zoom", int, description="Kaartzoom: ≤ 9 land, 10–11 regio, ≥ 12 stad."),
            OpenApiParameter("parent", str, description="Alleen de kinderen van deze wijk of gemeente."),
            OpenApiParameter("gebied", str, description="Alleen de buurten van dit gebied."),
            OpenApiParameter("sig", str, description="Handtekening uit de kaart-URL van een pagina."),
        ],
        responses={(200, "application/geo+json"): OpenApiTypes.OBJECT},
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="geojson",
        filter_backends=[],
        pagination_class=None,
        renderer_classes=[GeoJSONRenderer, JSONRenderer],
    )
    def geojson(self, request):
        """A GeoJSON FeatureCollection (WGS84) of land areas, simplified for the zoom."""
        user = request.user.load if isinstance(request.user, MapBearer) else request.user
        query = parse_map_query(request.query_params, user=user)
        version = selectors.map_version(query.year)
        return map_response(
            request, query, version, lambda: selectors.map_geojson(user=user, query=query, version=version)
        )


class BoundaryImportViewSet(RestrictedReadOnlyViewSet):
    """Boundary imports (platform admins): upload a file (multipart) or fetch a year from
    PDOK; either answers the job, which is then polled here until it is done."""

    queryset = BoundaryImport.objects.select_related("started_by").order_by("-created_at", "-pk")
    serializer_class = BoundaryImportSerializer
    filterset_fields = ["year", "status", "dry_run"]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def _admins_only(self, request):
        # Before the body is read, so nobody else learns what a valid upload looks like.
        if not is_platform_admin(request.user):
            raise PermissionDenied(services.NO_IMPORT_RIGHTS)

    @extend_schema(
        request={"multipart/form-data": BoundaryUploadSerializer}, responses={201: BoundaryImportSerializer}
    )
    def create(self, request, *args, **kwargs):
        """Upload a boundary file of one year; the import runs in the background."""
        self._admins_only(request)
        payload = BoundaryUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        job = services.boundary_import_start(
            actor=request.user, uploaded_file=data["file"], year=data["year"], dry_run=data["dry_run"]
        )
        return self.written(job, status=201)

    @extend_schema(request=SourceFetchSerializer, responses={201: BoundaryImportSerializer})
    @action(detail=False, methods=["post"], url_path="fetch-pdok")
    def fetch_pdok(self, request):
        """Fetch a year of CBS boundaries from PDOK (all gemeenten or the given ones) and
        import them in the background."""
        self._admins_only(request)
        payload = SourceFetchSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        job = services.boundary_fetch_start(
            actor=request.user, year=data["year"], gemeenten=data["gemeenten"], dry_run=data["dry_run"]
        )
        return self.written(job, status=201)


def parse_map_query(params, *, user=None) -> selectors.MapQuery:
    """The map query from URL parameters; a ``ValidationError`` lists what is wrong.
    Without a year the newest is taken, which needs ``user`` (a user or a function
    returning one)."""
    errors = {}
    level = params.get("level", AreaKind.BUURT)
    if level not in selectors.MAP_LEVELS:
        errors["level"] = _("Kies gemeente, wijk, buurt of gebied.")
    year = params.get("year")
    if year in (None, ""):
        known = selectors.years(user=user() if callable(user) else user)
        year = known[0] if known else 0
    elif not str(year).isdigit():
        errors["year"] = _("Het jaar is een getal, bijvoorbeeld 2022.")
    zoom = params.get("zoom")
    if zoom not in (None, "") and not str(zoom).isdigit():
        errors["zoom"] = _("De zoom is een geheel getal, bijvoorbeeld 13.")
    gemeente = params.get("gemeente", "").strip().upper()
    if gemeente == selectors.NATIONAL:
        gemeente = ""
    if gemeente and not GEMEENTE_CODE.match(gemeente):
        errors["gemeente"] = _("Een gemeentecode is GM gevolgd door vier cijfers, of NL voor heel Nederland.")
    parent = params.get("parent", "").strip().upper()
    gebied = params.get("gebied", "").strip().upper()
    for name, value in (("parent", parent), ("gebied", gebied)):
        if value and not CODE.match(value):
            errors[name] = _("Dit is geen geldige code.")
    if errors:
        raise ValidationError(errors)
    national = not (gemeente or parent or gebied)
    return selectors.MapQuery(
        year=int(year),
        level=level,
        band=selectors.band_for_zoom(int(zoom) if zoom not in (None, "") else None, national=national),
        gemeente=gemeente,
        parent=parent,
        gebied=gebied,
    )


def map_response(request, query, version, get_body):
    """The map response: 304 when the client's copy is current, else the body (gzipped
    when the client accepts it), with ETag, Last-Modified and Cache-Control.
    ``get_body`` returns the ``MapBody``; it is not called for a 304."""
    etag = selectors.map_etag(query, version)
    if _not_modified(request, etag, version.last_modified):
        return _with_map_headers(HttpResponseNotModified(), etag, version.last_modified)
    body = get_body()
    if "gzip" in request.META.get("HTTP_ACCEPT_ENCODING", ""):
        response = HttpResponse(body.gzipped, content_type="application/geo+json")
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(gzip.decompress(body.gzipped), content_type="application/geo+json")
    response["X-Feature-Count"] = str(body.features)
    response["Content-Length"] = str(len(response.content))
    return _with_map_headers(response, etag, version.last_modified)


def signed_map_response(request):
    """The map for a signed page URL when it is ready in memory or the cache, without
    the session, the user or DRF; None when the full view has to answer (no or bad
    signature, no year, a body still to be built, bad parameters)."""
    if _signed_user_id(request.GET.get("sig")) is None or not request.GET.get("year"):
        return None
    try:
        query = parse_map_query(request.GET)
    except ValidationError:
        return None
    version = selectors.map_version(query.year)
    body = selectors.map_geojson_cached(query=query, version=version)
    if body is None:
        return None
    return map_response(request, query, version, lambda: body)


def _not_modified(request, etag, last_modified) -> bool:
    if_none_match = request.META.get("HTTP_IF_NONE_MATCH")
    if if_none_match:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return etag in tags or "*" in tags
    since = parse_http_date_safe(request.META.get("HTTP_IF_MODIFIED_SINCE", ""))
    return since is not None and int(last_modified.timestamp()) <= since


def _with_map_headers(response, etag, last_modified):
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified.timestamp())
    response["Cache-Control"] = f"private, max-age={MAP_MAX_AGE}"
    response["Vary"] = "Accept, Accept-Encoding, Cookie, Authorization"
    return response
