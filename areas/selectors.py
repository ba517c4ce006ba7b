"""Reads for areas, restricted to what a user may see.

Areas are public facts, but every read still starts from ``Area.objects.restrict()`` so a
later rule (for instance private gebieden) applies everywhere at once.

The map GeoJSON is built by joining the simplified shape texts that the import stored per
zoom band; geometry is never parsed or serialised on a request. A built body is kept
gzipped in the Django cache (and a few in process memory) under a key that holds the
year's data version, so an import or a gebied edit makes new keys and old ones expire.
"""

import gzip
import hashlib
import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.cache import cache
from django.db.models import Case, Count, IntegerField, Max, Q, Value, When

from areas.models import Area, AreaKind, AreaOverlap, BoundaryImport
from core.imports import job_get
from core.permissions import get_object_for, is_platform_admin

# Columns never needed for pages and tables: the full shape and the map texts.
HEAVY_FIELDS = ("geometry", "shape_land", "shape_regio", "shape_stad")

BANDS = ("land", "regio", "stad")
MAP_LEVELS = (AreaKind.GEMEENTE, AreaKind.WIJK, AreaKind.BUURT, AreaKind.GEBIED)
NATIONAL = "NL"

# Table sorting: query value → ordering.
SORTS = {
    "naam": ("name", "code"),
    "code": ("code",),
    "ligt_in": ("parent__name", "name"),
    "oppervlakte": ("area_m2", "code"),
}


def band_for_zoom(zoom: int | None, *, national: bool = False) -> str:
    """Zoom ≤ 9: the whole country (land); 10–11: a region; ≥ 12: one gemeente (stad)."""
    if national:
        return "land"
    if zoom is None:
        return "stad"
    if zoom <= 9:
        return "land"
    if zoom <= 11:
        return "regio"
    return "stad"


def _areas(user):
    return Area.objects.restrict(user, "view")


def _light(qs, *related: str):
    """``qs`` without the shape columns: of its own rows and of the areas it selects with
    them (``related``, such as ``"parent"``). A gemeente's shapes run to megabytes, and a
    page of its wijken would otherwise read them once for every row."""
    return qs.defer(
        *HEAVY_FIELDS, *(f"{relation}__{field}" for relation in related for field in HEAVY_FIELDS)
    )


# Pages and tables


def years(*, user) -> list[int]:
    """Boundary years that have gemeenten, newest first."""
    return list(
        _areas(user)
        .filter(kind=AreaKind.GEMEENTE)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def gemeente_list(*, user, year: int):
    return _light(_areas(user).filter(year=year, kind=AreaKind.GEMEENTE)).order_by("name")


def area_get(*, user, year: int, code: str, action: str = "view") -> Area:
    """One area by year and CBS code; 404 when it is not visible, 403 when ``action`` is
    not allowed."""
    qs = _light(
        Area.objects.select_related("parent", "parent__parent", "owner_organisation"),
        "parent",
        "parent__parent",
    )
    return get_object_for(user, qs, action, year=year, code=code.strip().upper())


def area_years(*, user, code: str) -> list[int]:
    """The boundary years in which this code exists, newest first."""
    return list(_areas(user).filter(code=code).order_by("-year").values_list("year", flat=True))


def _sorted(qs, sort: str):
    key = sort.lstrip("-")
    ordering = SORTS.get(key, SORTS["naam"])
    if sort.startswith("-"):
        ordering = tuple(f"-{field}" for field in ordering)
    return qs.order_by(*ordering)


def area_table(*, user, year: int, gemeente_code: str = "", parent=None, level: str, sort: str = "naam"):
    """The land areas of one level in a gemeente or under a parent, for the table beside
    the map; with their parent, without heavy columns."""
    qs = _areas(user).filter(year=year, kind=level, is_water=False).select_related("parent")
    qs = qs.filter(parent=parent) if parent is not None else qs.filter(gemeente_code=gemeente_code)
    children = Count("children", filter=Q(children__is_water=False))
    return _sorted(_light(qs, "parent").annotate(children_count=children), sort)


def water_count(*, user, year: int, level: str, gemeente_code: str = "", parent=None) -> int:
    qs = _areas(user).filter(year=year, kind=level, is_water=True)
    qs = qs.filter(parent=parent) if parent is not None else qs.filter(gemeente_code=gemeente_code)
    return qs.count()


def gebied_members(*, user, gebied: Area, sort: str = "naam"):
    qs = _areas(user).filter(pk__in=gebied.members.values("pk"), is_water=False).select_related("parent")
    return _sorted(_light(qs, "parent").annotate(children_count=Count("children")), sort)


def gebied_list(*, user, year: int, gemeente_code: str):
    return (
        _light(_areas(user).filter(year=year, kind=AreaKind.GEBIED, gemeente_code=gemeente_code))
        .select_related("owner_organisation")
        .annotate(member_count=Count("members"))
        .order_by("name")
    )


def children_count(area: Area) -> int:
    if area.kind == AreaKind.GEBIED:
        return area.members.count()
    return area.children.filter(is_water=False).count()


def bbox_of(areas) -> list[float] | None:
    """[min_lon, min_lat, max_lon, max_lat] around areas that have a shape."""
    boxes = [(a.min_lon, a.min_lat, a.max_lon, a.max_lat) for a in areas if a.min_lon is not None]
    if not boxes:
        return None
    return [
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    ]


@dataclass
class Neighbour:
    """An area of another year that overlaps this one."""

    area: Area
    share_of_this: float
    share_of_other: float


def area_lineage(*, user, area: Area) -> tuple[list[Neighbour], list[Neighbour]]:
    """Predecessors (earlier years) and successors (later years) from the overlaps,
    largest share first. Overlaps may be stored in either direction."""
    visible = _areas(user).values("pk")
    overlaps = (
        AreaOverlap.objects.restrict(user, "view")
        .filter(Q(source=area, target__in=visible) | Q(target=area, source__in=visible))
        .select_related("source", "target")
        .defer(*(f"source__{f}" for f in HEAVY_FIELDS), *(f"target__{f}" for f in HEAVY_FIELDS))
    )
    found: dict[int, Neighbour] = {}
    for overlap in overlaps:
        if overlap.source_id == area.pk:
            other, mine, theirs = overlap.target, overlap.share_of_source, overlap.share_of_target
        else:
            other, mine, theirs = overlap.source, overlap.share_of_target, overlap.share_of_source
        if other.year != area.year:
            found.setdefault(other.pk, Neighbour(other, mine, theirs))
    ordered = sorted(found.values(), key=lambda n: (n.area.year, -n.share_of_this, n.area.code))
    return (
        [n for n in ordered if n.area.year < area.year],
        [n for n in ordered if n.area.year > area.year],
    )


def area_search(*, user, query: str):
    """Areas whose name contains the query or whose code starts with it, newest year
    first, then gemeente, wijk, buurt, gebied."""
    query = query.strip()
    if not query:
        return Area.objects.none()
    kind_order = {kind: i for i, kind in enumerate(MAP_LEVELS)}
    return (
        _light(_areas(user).filter(Q(name__icontains=query) | Q(code__istartswith=query)))
        .select_related("parent")
        .annotate(
            kind_rank=Case(
                *(When(kind=k, then=Value(v)) for k, v in kind_order.items()),
                default=Value(9),
                output_field=IntegerField(),
            )
        )
        .order_by("-year", "kind_rank", "name", "code")
    )


def manageable_organisations(*, user, gemeente_code: str):
    """Organisations in this gemeente for which the user may make gebieden: those where
    they are beheerder (platform admins: every active one)."""
    from organisations.models import Organisation, organisation_ids_for

    qs = Organisation.objects.filter(gemeente_code=gemeente_code, is_active=True)
    if not is_platform_admin(user):
        qs = qs.filter(pk__in=organisation_ids_for(user, "manage"))
    return qs.order_by("name")


def buurten_for_gebied(*, user, year: int, gemeente_code: str):
    return (
        _light(_areas(user).filter(year=year, kind=AreaKind.BUURT, gemeente_code=gemeente_code))
        .filter(is_water=False)
        .order_by("name", "code")
    )


def boundary_import_list(*, user):
    return BoundaryImport.objects.restrict(user, "view").select_related("started_by")


def boundary_import_get(*, user, pk: int) -> BoundaryImport:
    return job_get(user, BoundaryImport.objects.select_related("started_by"), pk=pk)


# Map GeoJSON

_VERSION_KEY = "areas:map-version:{year}"
# Without an explicit bump the version is read again from the database this often, so a
# change made without ``map_data_changed`` still shows within this many seconds.
VERSION_TTL = 30
BODY_TTL = 60 * 60 * 24


@dataclass(frozen=True)
class MapVersion:
    token: str
    last_modified: datetime


# Each process also keeps the version this many seconds, to spare a cache round trip on
# every map request; a change made in another process shows after at most this long.
LOCAL_VERSION_TTL = 2.0
_local_versions: dict[int, tuple[float, "MapVersion"]] = {}


def map_version(year: int) -> MapVersion:
    """The data version of one boundary year: changes whenever its areas change."""
    now = time.monotonic()
    local = _local_versions.get(year)
    if local is not None and local[0] > now:
        return local[1]
    version = _shared_map_version(year)
    _local_versions[year] = (now + LOCAL_VERSION_TTL, version)
    return version


def _shared_map_version(year: int) -> MapVersion:
    key = _VERSION_KEY.format(year=year)
    cached = cache.get(key)
    if cached is not None:
        return MapVersion(*cached)
    stats = Area.objects.filter(year=year).aggregate(last=Max("updated_at"), count=Count("id"), top=Max("id"))
    last = stats["last"] or datetime(2000, 1, 1, tzinfo=UTC)
    token = hashlib.sha1(f"{year}:{stats['count']}:{stats['top']}:{last.isoformat()}".encode()).hexdigest()[
        :16
    ]
    cache.set(key, (token, last), VERSION_TTL)
    return MapVersion(token, last)


def map_data_changed(year: int) -> None:
    """Call after areas of ``year`` changed (import, gebied edit): maps rebuild at once."""
    cache.delete(_VERSION_KEY.format(year=year))
    _local_versions.pop(year, None)


@dataclass(frozen=True)
class MapQuery:
    year: int
    level: str
    band: str
    gemeente: str = ""  # "" = national
    parent: str = ""  # code of a wijk (or gemeente) whose children are drawn
    gebied: str = ""  # code of a gebied whose buurten are drawn

    @property
    def scope(self) -> str:
        if self.gebied:
            return f"gebied-{self.gebied}"
        if self.parent:
            return f"parent-{self.parent}"
        return self.gemeente or NATIONAL


@dataclass(frozen=True)
class MapBody:
    gzipped: bytes
    etag: str
    last_modified: datetime
    features: int


class LocalBodies:
    """A few recent bodies in process memory, to spare the cache round trip for the
    large national overview. Keys hold the data version, so entries never go stale."""

    def __init__(self, size=12):
        self.size = size
        self.items: OrderedDict[str, MapBody] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            body = self.items.get(key)
            if body is not None:
                self.items.move_to_end(key)
            return body

    def put(self, key, body):
        with self.lock:
            self.items[key] = body
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)

    def clear(self):
        with self.lock:
            self.items.clear()


_local = LocalBodies()


def clear_map_memory() -> None:
    """Forget the map bodies and versions this process keeps (tests start clean)."""
    _local.clear()
    _local_versions.clear()


def map_etag(query: MapQuery, version: MapVersion) -> str:
    raw = f"{query.year}|{query.scope}|{query.level}|{query.band}|{version.token}"
    return '"' + hashlib.sha1(raw.encode()).hexdigest()[:24] + '"'


def map_features_query(*, user, query: MapQuery):
    """The land areas drawn for a map query, with their stored shape of the band."""
    return map_areas_query(user=user, query=query).exclude(**{f"shape_{query.band}": ""})


def map_areas_query(*, user, query: MapQuery):
    """The land areas in the scope of a map query, with or without a shape, by code."""
    qs = _areas(user).filter(year=query.year, kind=query.level, is_water=False)
    if query.gebied:
        gebied = _areas(user).filter(year=query.year, kind=AreaKind.GEBIED, code=query.gebied)
        qs = qs.filter(gebieden__in=gebied)
    elif query.parent:
        qs = qs.filter(parent__year=query.year, parent__code=query.parent)
    elif query.gemeente:
        qs = qs.filter(gemeente_code=query.gemeente)
    return qs.order_by("code")


def _json_string(value: str) -> str:
    # Names and codes only; geometry texts are used as stored.
    return json.dumps(value, ensure_ascii=False)


def build_feature_collection(rows) -> tuple[str, int]:
    """Join ``(code, name, parent_code, shape_text)`` rows into a FeatureCollection."""
    parts = []
    for code, name, parent_code, shape in rows:
        code_json = _json_string(code)
        parts.append(
            '{"type":"Feature","id":'
            + code_json
            + ',"properties":{"code":'
            + code_json
            + ',"name":'
            + _json_string(name)
            + ',"parent":'
            + (_json_string(parent_code) if parent_code else "null")
            + '},"geometry":'
            + shape
            + "}"
        )
    return '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}", len(parts)


def map_geojson_cached(*, query: MapQuery, version: MapVersion) -> MapBody | None:
    """The body when it is in process memory or the cache; None when it must be built."""
    etag = map_etag(query, version)
    key = f"areas:geojson:{etag.strip(chr(34))}"
    body = _local.get(key)
    if body is not None:
        return body
    cached = cache.get(key)
    if cached is None:
        return None
    body = MapBody(cached[0], etag, version.last_modified, cached[1])
    _local.put(key, body)
    return body


def map_geojson(*, user, query: MapQuery, version: MapVersion | None = None) -> MapBody:
    """The gzipped FeatureCollection for a map query, from memory, the cache, or built.

    ``user`` may be a function that returns the user: it is only called when the body
    has to be built, so a warm request needs no user record at all.
    """
    version = version or map_version(query.year)
    body = map_geojson_cached(query=query, version=version)
    if body is not None:
        return body
    etag = map_etag(query, version)
    key = f"areas:geojson:{etag.strip(chr(34))}"
    if callable(user):
        user = user()
    rows = map_features_query(user=user, query=query).values_list(
        "code", "name", "parent__code", f"shape_{query.band}"
    )
    text, count = build_feature_collection(rows.iterator(chunk_size=2000))
    gzipped = gzip.compress(text.encode(), compresslevel=6, mtime=0)
    cache.set(key, (gzipped, count), BODY_TTL)
    body = MapBody(gzipped, etag, version.last_modified, count)
    _local.put(key, body)
    return body


def area_exists_in(*, user, year: int, code: str) -> bool:
    """Whether the area with ``code`` exists, visible to the user, in the indeling of ``year``."""
    return Area.objects.restrict(user, "view").filter(year=year, code=code).exists()


def gemeente_of(*, user, area: Area) -> Area | None:
    """The gemeente ``area`` lies in (for breadcrumbs): its ancestor, or the gemeente of
    its year with its gemeente code (a gebied has no parent)."""
    node = area.parent
    while node is not None and node.kind != AreaKind.GEMEENTE:
        node = node.parent
    if node is not None:
        return node
    return (
        Area.objects.restrict(user, "view")
        .filter(year=area.year, kind=AreaKind.GEMEENTE, code=area.gemeente_code)
        .defer(*HEAVY_FIELDS)
        .first()
    )


def newest_year() -> int | None:
    """The newest boundary year stored, or None before the first import."""
    return Area.objects.order_by("-year").values_list("year", flat=True).first()


def newest_years(*, codes) -> dict[str, int]:
    """The newest boundary year of each code (one query): where a wijk's page of today
    is."""
    rows = Area.objects.filter(code__in=list(codes)).order_by().values("code").annotate(newest=Max("year"))
    return {row["code"]: row["newest"] for row in rows}


def shapes(*, user, area_ids) -> dict[int, bytes]:
    """The stored full-precision shapes (WKB, WGS84) of the visible areas among
    ``area_ids``; areas without a shape are left out."""
    rows = _areas(user).filter(pk__in=list(area_ids), geometry__isnull=False).values_list("pk", "geometry")
    return {pk: bytes(geometry) for pk, geometry in rows}
