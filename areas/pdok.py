"""Reading a year of CBS wijk- en buurtgrenzen from PDOK's OGC API Features into one
GeoJSON file, the same kind of file the boundary import reads from an upload.

This module only reads; the import pipeline (``areas.services``) checks the file and
stores it.

PDOK publishes the CBS wijk- en buurtkaart per year at
``https://api.pdok.nl/cbs/wijken-en-buurten-<year>/ogc/v1`` with the collections
``gemeenten``, ``wijken`` and ``buurten``; ``…/collections/<name>/items?f=json&limit=…``
answers a GeoJSON FeatureCollection in CRS84 (longitude, latitude), with a ``next`` link
to the following page; a year PDOK does not publish answers 404, which the job
reports. Verified against public code that calls the service: the URL pattern for
2022–2025, the three collection names, the properties ``gemeentecode``
(``GM0453``), ``gemeentenaam``, ``wijkcode``, ``wijknaam``, ``buurtcode``, ``buurtnaam``
and ``water`` (``JA``/``NEE``), and the ``gemeentecode=`` query parameter. Not verified
against the live service: the largest ``limit`` per page and whether ``numberMatched``
is given; the gemeente filter is therefore also applied to the codes received, and
``numberMatched`` and ``numberReturned`` are checked when they are there.

The file written uses the simplified CBS style (``statcode``, ``statnaam``, ``water``),
which holds gemeenten, wijken and buurten in one layer.
"""

import json
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core.fetching import Fetch, FetchError, cut_off_message, get_json, shape_message
from core.imports import RowIssue

SERVICE = "PDOK"
BASE_URL = "https://api.pdok.nl/cbs/wijken-en-buurten-{year}/ogc/v1"
PAGE_LIMIT = 500
MAX_PAGES = 200
# (collection, code property, name property), parents first.
COLLECTIONS = (
    ("gemeenten", "gemeentecode", "gemeentenaam"),
    ("wijken", "wijkcode", "wijknaam"),
    ("buurten", "buurtcode", "buurtnaam"),
)
GEOMETRY_TYPES = {"Polygon", "MultiPolygon"}

Progress = Callable[[int, str], None] | None


@dataclass
class FetchedBoundaries:
    geojson: bytes
    counts: dict = field(default_factory=dict)  # collection -> features kept
    warnings: list[RowIssue] = field(default_factory=list)


def items_url(year: int, collection: str, gemeente: str | None = None) -> str:
    params = {"f": "json", "limit": PAGE_LIMIT}
    if gemeente:
        params["gemeentecode"] = gemeente
    return f"{BASE_URL.format(year=year)}/collections/{collection}/items?{urllib.parse.urlencode(params)}"


def _next_link(data: dict) -> str | None:
    for link in data.get("links") or []:
        if isinstance(link, dict) and link.get("rel") == "next" and isinstance(link.get("href"), str):
            return link["href"]
    return None


def _collection(
    year: int, collection: str, code_key: str, name_key: str, gemeente: str | None, fetch: Fetch | None
) -> list[dict]:
    """The features of one collection (of one gemeente), checked and reduced to what the
    import reads."""
    url = items_url(year, collection, gemeente)
    kept: list[dict] = []
    received = 0
    matched = None
    for _page in range(MAX_PAGES):
        data = get_json(url, service=SERVICE, fetch=fetch)
        features = data.get("features")
        if data.get("type") != "FeatureCollection" or not isinstance(features, list):
            raise FetchError(
                shape_message(
                    SERVICE, _("%(collection)s is geen FeatureCollection") % {"collection": collection}
                )
            )
        returned = data.get("numberReturned")
        if isinstance(returned, int) and returned != len(features):
            raise FetchError(
                cut_off_message(
                    SERVICE,
                    _("Een pagina van %(collection)s meldde %(expected)s gebieden maar bevatte er %(got)s.")
                    % {"collection": collection, "expected": returned, "got": len(features)},
                )
            )
        if matched is None and isinstance(data.get("numberMatched"), int):
            matched = data["numberMatched"]
        received += len(features)
        for feature in features:
            kept_feature = _feature(feature, collection, code_key, name_key)
            if gemeente is None or kept_feature["properties"]["statcode"][2:6] == gemeente[2:6]:
                kept.append(kept_feature)
        url = _next_link(data)
        if not url or not features:
            break
    else:
        raise FetchError(
            cut_off_message(SERVICE, _("Het ophalen stopte na %(n)s pagina's.") % {"n": MAX_PAGES})
        )
    if matched is not None and received < matched:
        raise FetchError(
            cut_off_message(
                SERVICE,
                _("Van %(collection)s waren %(expected)s gebieden aangekondigd, ontvangen %(got)s.")
                % {"collection": collection, "expected": matched, "got": received},
            )
        )
    return kept


def _feature(feature, collection: str, code_key: str, name_key: str) -> dict:
    if (
        not isinstance(feature, dict)
        or not isinstance(feature.get("properties"), dict)
        or "geometry" not in feature
    ):
        raise FetchError(
            shape_message(
                SERVICE,
                _("een gebied in %(collection)s zonder properties of geometry") % {"collection": collection},
            )
        )
    properties = feature["properties"]
    code = properties.get(code_key)
    if not isinstance(code, str) or not code.strip():
        raise FetchError(
            shape_message(
                SERVICE,
                _("de eigenschap %(key)s ontbreekt in %(collection)s")
                % {"key": code_key, "collection": collection},
            )
        )
    geometry = feature["geometry"]
    if geometry is not None and (
        not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRY_TYPES
    ):
        raise FetchError(shape_message(SERVICE, _("%(code)s heeft geen vlakvorm") % {"code": code.strip()}))
    water = properties.get("water")
    return {
        "type": "Feature",
        "properties": {
            "statcode": code.strip().upper(),
            "statnaam": str(properties.get(name_key) or "").strip(),
            "water": str(water).strip() if water is not None else "",
        },
        "geometry": geometry,
    }


def fetch_boundaries(
    *,
    year: int,
    gemeenten: list[str] | None = None,
    fetch: Fetch | None = None,
    progress: Progress = None,
    max_bytes: int | None = None,
) -> FetchedBoundaries:
    """Fetch a year's gemeenten, wijken and buurten (all, or of the given gemeenten) as one
    GeoJSON FeatureCollection in WGS84. Raises ``FetchError`` when PDOK cannot be
    reached, breaks off or answers in another shape."""
    features: list[dict] = []
    counts: dict[str, int] = {}
    groups = gemeenten or [None]
    steps = len(COLLECTIONS) * len(groups)
    step = 0
    for collection, code_key, name_key in COLLECTIONS:
        counts[collection] = 0
        for gemeente in groups:
            found = _collection(year, collection, code_key, name_key, gemeente, fetch)
            features.extend(found)
            counts[collection] += len(found)
            step += 1
            if progress:
                progress(
                    2 + 30 * step // steps,
                    _("%(n)s %(collection)s opgehaald bij %(service)s")
                    % {"n": counts[collection], "collection": collection, "service": SERVICE},
                )
    warnings = []
    for gemeente in gemeenten or []:
        if not any(f["properties"]["statcode"] == gemeente for f in features):
            warnings.append(
                RowIssue(
                    None,
                    gemeente,
                    _("%(service)s heeft voor %(year)s geen gemeente %(code)s.")
                    % {"service": SERVICE, "year": year, "code": gemeente},
                )
            )
    if not features:
        raise FetchError(
            _("%(service)s gaf geen enkel gebied voor %(year)s. Controleer het jaar en de gemeentecodes.")
            % {"service": SERVICE, "year": year}
        )
    body = json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")).encode()
    if max_bytes and len(body) > max_bytes:
        raise FetchError(
            _(
                "De opgehaalde grenzen zijn samen groter dan de grens voor een import. Haal ze per gemeente op."
            )
        )
    return FetchedBoundaries(geojson=body, counts=counts, warnings=warnings)
