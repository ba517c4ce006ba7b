"""Reads for the OGC API – Features service: which collections a person may see, and the
features of one collection, ready to be written out.

Collections:
- areas per boundary year and level: ``buurten-2025``, ``wijken-2025``, ``gemeenten-2025``
  with ``code``, ``name``, ``parent_code``, ``gemeente`` and ``inhabitants``;
- scores per model, year and level: ``wijkkoers-veerkracht-2025-buurten`` with ``code``,
  ``name``, ``value``, ``class``, ``label``, ``change`` (since the previous measurement),
  ``signal`` and ``nieuw`` (the area's cell in the open signal typology of that year and
  whether it entered that cell since the previous measurement) and ``grens_gewijzigd``.

Access is decided before anything is read or served from a cache: areas through
``Area.objects.restrict()``, score collections through the restricted model list
(``scores.selectors.maps.model_list``), so a licensed model is simply not found by whoever
may not see it; an open model is in every signed-in person's list, so that answer is kept
per scores data version. The features of a collection do not depend on who asks once the
collection is visible (its rows come from the same restricted reads as the score map), so
they are built once per data version and kept for everyone.

Shapes are the stored ``stad`` simplification (GeoJSON in WGS84, the map's finest band),
written once per boundary year and level and coordinate system: in CRS84 as stored, in
RD New (EPSG:28992) transformed once and rounded to the centimetre. A page of items is
then a join of ready-made texts. The full-precision shape is in the GeoPackage downloads.
"""

import hashlib
import json
import pickle
import re
from dataclasses import dataclass

import numpy as np
import shapely
from django.core.cache import cache
from django.db.models import Max, Min
from django.http import Http404
from django.utils.translation import gettext as _
from pyproj import Transformer

from areas import selectors as area_selectors
from areas.models import Area, AreaKind
from scores import catalogue
from scores.api.geojson import OPEN_MODEL_Q
from scores.models import IndicatorValue, Score, ScoreModel, SourceKind
from scores.selectors import maps
from scores.versions import data_version

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
RD_NEW = "http://www.opengis.net/def/crs/EPSG/0/28992"
CRS_LIST = (CRS84, RD_NEW)
STORAGE_CRS = CRS84
BAND = "stad"
# The decimals of coordinates in RD New (metres): centimetres.
RD_DECIMALS = 2

LEVELS = {"buurten": AreaKind.BUURT, "wijken": AreaKind.WIJK, "gemeenten": AreaKind.GEMEENTE}
LEVEL_NAMES = {kind: name for name, kind in LEVELS.items()}
AREA_ID = re.compile(r"^(buurten|wijken|gemeenten)-(\d{4})$", re.ASCII)
# Model keys are slugs, which may hold hyphens and digits themselves.
SCORE_ID = re.compile(r"^(\w[\w-]*?)-(\d{4})-(buurten|wijken|gemeenten)$", re.ASCII)
AREA, SCORE = "area", "score"
CACHE_TTL = 60 * 60 * 24
# Raised when the properties of a feature change, so older cached layers are not served.
LAYER_FORMAT = 1

AREA_FIELDS = {
    "code": "string",
    "name": "string",
    "parent_code": "string",
    "gemeente": "string",
    "inhabitants": "integer",
}
SCORE_FIELDS = {
    "code": "string",
    "name": "string",
    "value": "number",
    "class": "integer",
    "label": "string",
    "change": "number",
    "signal": "string",
    "nieuw": "boolean",
    "grens_gewijzigd": "boolean",
}


@dataclass(frozen=True)
class Collection:
    id: str
    kind: str  # AREA or SCORE
    year: int
    level: str  # AreaKind
    model: ScoreModel | None = None

    @property
    def title(self) -> str:
        level = LEVEL_NAMES[self.level]
        if self.model is None:
            return _("%(level)s %(year)s") % {"level": level.capitalize(), "year": self.year}
        return _("%(model)s, %(level)s %(year)s") % {
            "model": self.model.name,
            "level": level,
            "year": self.year,
        }

    @property
    def description(self) -> str:
        if self.model is None:
            return _(
                "De %(level)s van de CBS-indeling van %(year)s, zonder water, met het aantal inwoners."
            ) % {"level": LEVEL_NAMES[self.level], "year": self.year}
        text = self.model.description or self.model.name
        note = maps.licence_note(self.model)
        return f"{text} ({note})" if note else text

    @property
    def fields(self) -> dict[str, str]:
        return AREA_FIELDS if self.kind == AREA else SCORE_FIELDS

    @property
    def licence(self) -> str:
        return maps.licence_note(self.model) if self.model is not None else ""


def parse_id(collection_id: str) -> tuple[str, str, int, str] | None:
    """(kind, model key or "", year, level) of a collection id, or None."""
    found = AREA_ID.match(collection_id)
    if found:
        return AREA, "", int(found[2]), LEVELS[found[1]]
    found = SCORE_ID.match(collection_id)
    if found:
        return SCORE, found[1], int(found[2]), LEVELS[found[3]]
    return None


def area_collection_id(year: int, level: str) -> str:
    return f"{LEVEL_NAMES[level]}-{year}"


def score_collection_id(model_key: str, year: int, level: str) -> str:
    return f"{model_key}-{year}-{LEVEL_NAMES[level]}"


# What exists: boundary years and levels, and the years and levels with scores per model.
# Both are facts without rights in them (visibility is decided by the restricted area and
# model reads); they are kept under the data versions.


def _versions_token(years) -> str:
    tokens = [area_selectors.map_version(y).token for y in sorted(years)]
    return hashlib.sha1("|".join([data_version(), *tokens]).encode()).hexdigest()[:16]


def area_extents(*, user) -> dict[tuple[int, str], list[float]]:
    """(year, level) → [min_lon, min_lat, max_lon, max_lat] of the land areas with a shape,
    for the boundary years the user may see."""
    years = area_selectors.years(user=user)
    key = f"ogc:extents:{_versions_token(years)}"
    found = cache.get(key)
    if found is None:
        rows = (
            Area.objects.restrict(user, "view")
            .filter(year__in=years, kind__in=list(LEVEL_NAMES), is_water=False, min_lon__isnull=False)
            .order_by()
            .values("year", "kind")
            .annotate(a=Min("min_lon"), b=Min("min_lat"), c=Max("max_lon"), d=Max("max_lat"))
        )
        found = {(r["year"], r["kind"]): [r["a"], r["b"], r["c"], r["d"]] for r in rows}
        cache.set(key, found, CACHE_TTL)
    return found


# Kept in this process for one scores data version: every change of scores or models
# (imports, recomputations, model and source edits) goes through a service that changes
# that version.
_per_version: dict[str, object] = {}
_seen_version = [""]


def _this_version(name: str, build):
    version = data_version()
    if _seen_version[0] != version:
        _per_version.clear()
        _seen_version[0] = version
    if name not in _per_version:
        if len(_per_version) > 256:
            _per_version.clear()
        _per_version[name] = build()
    return _per_version[name]


def _score_levels() -> set[tuple[int, int, str]]:
    """(model id, year, level) that have scores."""

    def build():
        key = f"ogc:score-levels:{data_version()}"
        found = cache.get(key)
        if found is None:
            found = set(
                Score.objects.filter(area__kind__in=list(LEVEL_NAMES))
                .order_by()
                .values_list("model_id", "year", "area__kind")
                .distinct()
            )
            cache.set(key, found, CACHE_TTL)
        return found

    return _this_version("score-levels", build)


def _open_model(key: str) -> ScoreModel | None:
    """The active model ``key`` when it is open (no licensed source), else None. An open
    model is in ``restrict(user, "view")`` of every signed-in person, so the answer holds
    for everyone and is kept per data version; a licensed one is looked up for the
    person each time."""
    return _this_version(
        f"open-model:{key}",
        lambda: ScoreModel.objects.filter(OPEN_MODEL_Q, key=key).select_related("source").first(),
    )


def collection_list(*, user) -> list[Collection]:
    """The collections ``user`` may see: areas per year (newest first) and level, then the
    scores of every visible active model per year and level."""
    extents = area_extents(user=user)
    result = [
        Collection(area_collection_id(year, level), AREA, year, level)
        for year in area_selectors.years(user=user)
        for level in LEVEL_NAMES
        if (year, level) in extents
    ]
    levels = _score_levels()
    for model in maps.model_list(user=user):
        order = list(LEVEL_NAMES)
        found = sorted(
            ((y, lv) for m, y, lv in levels if m == model.pk), key=lambda p: (-p[0], order.index(p[1]))
        )
        result += [
            Collection(score_collection_id(model.key, year, level), SCORE, year, level, model)
            for year, level in found
        ]
    return result


def collection_get(*, user, collection_id: str) -> Collection:
    """One collection the user may see; 404 for an unknown id or one they may not see."""
    parsed = parse_id(collection_id)
    if parsed is None:
        raise Http404(_("Deze collectie bestaat niet."))
    kind, key, year, level = parsed
    if kind == AREA:
        if not Area.objects.restrict(user, "view").filter(year=year, kind=level, is_water=False).exists():
            raise Http404(_("Deze collectie bestaat niet."))
        return Collection(collection_id, AREA, year, level)
    model = _open_model(key) or maps.model_list(user=user).filter(key=key).first()
    if model is None or (model.pk, year, level) not in _score_levels():
        raise Http404(_("Deze collectie bestaat niet of u mag haar niet zien."))
    return Collection(collection_id, SCORE, year, level, model)


# Features, kept in process memory (a few, least recently used) and in the cache.


_shapes = area_selectors.LocalBodies(size=6)
_layers = area_selectors.LocalBodies(size=16)


def clear_memory() -> None:
    """Forget what this process keeps (tests start clean)."""
    _shapes.clear()
    _layers.clear()
    _per_version.clear()


def _kept(memory: area_selectors.LocalBodies, key: str, build):
    found = memory.get(key)
    if found is not None:
        return found
    raw = cache.get(key)
    if raw is not None:
        found = pickle.loads(raw)
    else:
        found = build()
        cache.set(key, pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL), CACHE_TTL)
    memory.put(key, found)
    return found


@dataclass
class Shapes:
    """The land areas of one boundary year and level, by code: their bounding boxes in
    CRS84 (NaN without a shape) and their geometry as GeoJSON text in one CRS ("null"
    without a shape)."""

    codes: list[str]
    bboxes: np.ndarray
    texts: list[str]

    def __post_init__(self):
        # Shapes read back from their text for a bbox test, by position; kept in this
        # process only (not in the cache).
        self._parsed: dict[int, object] = {}

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_parsed", None)
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        self._parsed = {}

    def geometries(self, positions) -> np.ndarray:
        """The shapely geometries at ``positions``, each parsed once per process."""
        missing = [p for p in positions if p not in self._parsed]
        if missing:
            parsed = shapely.from_geojson([self.texts[p] for p in missing])
            self._parsed.update(zip(missing, parsed, strict=True))
        return np.array([self._parsed[p] for p in positions], dtype=object)


_to_rd = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)


def _rd_text(text: str) -> str:
    geometry = shapely.from_geojson(text)

    def to_rd(xy):
        x, y = _to_rd.transform(xy[:, 0], xy[:, 1])
        return np.round(np.column_stack([x, y]), RD_DECIMALS)

    return shapely.to_geojson(shapely.transform(geometry, to_rd))


def shapes(*, user, year: int, level: str, crs: str = CRS84) -> Shapes:
    """The shapes of the land areas of ``year`` and ``level`` in ``crs``."""
    version = area_selectors.map_version(year).token
    key = f"ogc:shapes:{year}:{level}:{BAND}:{CRS_LIST.index(crs)}:{version}"

    def build():
        if crs != CRS84:
            base = shapes(user=user, year=year, level=level, crs=CRS84)
            texts = [_rd_text(t) if t != "null" else t for t in base.texts]
            return Shapes(base.codes, base.bboxes, texts)
        query = area_selectors.MapQuery(year=year, level=level, band=BAND)
        rows = list(
            area_selectors.map_areas_query(user=user, query=query).values_list(
                "code", "min_lon", "min_lat", "max_lon", "max_lat", f"shape_{BAND}"
            )
        )
        bboxes = np.array(
            [[np.nan if v is None else v for v in row[1:5]] for row in rows], dtype=np.float64
        ).reshape(-1, 4)
        return Shapes([r[0] for r in rows], bboxes, [r[5] or "null" for r in rows])

    return _kept(_shapes, key, build)


@dataclass
class Layer:
    """The features of one collection in code order: for each its position in the
    ``Shapes`` of its year and level, and the beginning of its GeoJSON text up to its
    geometry."""

    codes: list[str]
    positions: np.ndarray
    heads: list[str]

    def __post_init__(self):
        self.index = {code: i for i, code in enumerate(self.codes)}


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _round(value, decimals):
    return None if value is None else round(value, decimals)


def _head(code: str, properties: dict) -> str:
    return '{"type":"Feature","id":' + _json(code) + ',"properties":' + _json(properties) + ',"geometry":'


def _area_properties(*, user, collection: Collection) -> dict[str, dict]:
    query = area_selectors.MapQuery(year=collection.year, level=collection.level, band=BAND)
    rows = area_selectors.map_areas_query(user=user, query=query).values_list(
        "code", "name", "parent__code", "gemeente_code"
    )
    inhabitants = dict(
        IndicatorValue.objects.restrict(user, "view")
        .filter(
            indicator__key="a_inw",
            indicator__source__kind=SourceKind.CBS_KWB,
            indicator__source__is_licensed=False,
            year=collection.year,
            area__year=collection.year,
            area__kind=collection.level,
        )
        .values_list("area__code", "value")
    )
    result = {}
    for code, name, parent_code, gemeente in rows:
        count = inhabitants.get(code)
        result[code] = {
            "code": code,
            "name": name,
            "parent_code": parent_code,
            "gemeente": gemeente,
            "inhabitants": None if count is None else round(count),
        }
    return result


def _signal_model(*, user, collection: Collection) -> ScoreModel | None:
    """The open signal typology whose cells go with every score collection: the model
    itself for a signal collection, else the catalogue's (or another open one)."""
    if collection.model.kind == ScoreModel.Kind.SIGNAL:
        return collection.model
    candidates = maps.model_list(user=user).filter(OPEN_MODEL_Q, kind=ScoreModel.Kind.SIGNAL)
    return min(candidates, key=lambda m: (m.key != catalogue.SIGNAL_TYPOLOGY.key, m.pk), default=None)


def _score_properties(*, user, collection: Collection) -> dict[str, dict]:
    table = maps.score_table(user=user, model=collection.model, year=collection.year, level=collection.level)
    signal_model = _signal_model(user=user, collection=collection)
    signals = {}
    if signal_model is not None and (signal_model.pk, collection.year, collection.level) in _score_levels():
        cells = (
            table
            if signal_model.pk == collection.model.pk
            else maps.score_table(user=user, model=signal_model, year=collection.year, level=collection.level)
        )
        signals = {r.code: r for r in cells.rows if r.score_class is not None}
    decimals = max(table.decimals, 2)
    result = {}
    for row in table.rows:
        signal = signals.get(row.code)
        result[row.code] = {
            "code": row.code,
            "name": row.name,
            "value": _round(row.value, decimals),
            "class": row.score_class,
            "label": row.label if row.score_class is not None else None,
            "change": _round(row.trend, decimals),
            "signal": signal.label if signal else None,
            "nieuw": signal.new_in_cell if signal else None,
            # Only said of a change, as on the map table and in the export.
            "grens_gewijzigd": row.boundary_changed if row.trend is not None else None,
        }
    return result


def layer(*, user, collection: Collection) -> Layer:
    """The features of a collection the user may see (check with ``collection_get``
    first): built once per data version, then kept for everyone who may see it."""
    version = area_selectors.map_version(collection.year).token
    key = f"ogc:layer:v{LAYER_FORMAT}:{collection.id}:{version}:{data_version()}"

    def build():
        base = shapes(user=user, year=collection.year, level=collection.level)
        if collection.kind == AREA:
            properties = _area_properties(user=user, collection=collection)
        else:
            properties = _score_properties(user=user, collection=collection)
        found = [(i, code) for i, code in enumerate(base.codes) if code in properties]
        return Layer(
            [code for _i, code in found],
            np.array([i for i, _code in found], dtype=np.int64),
            [_head(code, properties[code]) for _i, code in found],
        )

    return _kept(_layers, key, build)


def matching(
    *,
    layer_: Layer,
    bboxes: np.ndarray,
    bbox: tuple[float, float, float, float] | None,
    shapes_: Shapes | None = None,
    window=None,
) -> np.ndarray:
    """Indexes (in ``layer_``) of the features whose shape meets the query window, in code
    order; all of them without a ``bbox``.

    ``bboxes`` are the areas' boxes in CRS84 and ``bbox`` the window's box in CRS84, which
    finds the candidates. A candidate not wholly inside is checked against its shape:
    in ``shapes_`` against ``window`` (a shapely polygon in the same CRS), which default
    to the CRS84 ``bbox`` itself. A window given in another CRS has no box that is
    sure to lie inside it, so then every candidate is checked."""
    if bbox is None:
        return np.arange(len(layer_.codes))
    boxes = bboxes[layer_.positions]
    west, south, east, north = bbox
    with np.errstate(invalid="ignore"):
        touching = (
            (boxes[:, 0] <= east) & (boxes[:, 2] >= west) & (boxes[:, 1] <= north) & (boxes[:, 3] >= south)
        )
        if window is None:
            inside = (
                (boxes[:, 0] >= west)
                & (boxes[:, 2] <= east)
                & (boxes[:, 1] >= south)
                & (boxes[:, 3] <= north)
            )
        else:
            inside = np.zeros(len(boxes), dtype=bool)
    unsure = touching & ~inside
    if unsure.any():
        if window is None:
            window = shapely.box(west, south, east, north)
        geometries = shapes_.geometries(layer_.positions[unsure].tolist())
        touching[np.flatnonzero(unsure)] = shapely.intersects(geometries, window)
    return np.flatnonzero(touching)
