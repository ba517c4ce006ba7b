"""OGC API – Features at ``/ogc/``: Part 1 (Core, GeoJSON, HTML, OpenAPI 3.0) and Part 2
(coordinate systems by reference: CRS84 and RD New).

Signed-in people only, as everywhere: a session, or ``Authorization: Token …`` (the API
key of the account page). JSON is the default; ``f=html`` (or a browser asking for HTML)
gives the same pages for reading. What a person may see comes from ``ogc.selectors``:
a collection they may not see is a 404, exactly like one that does not exist.

Errors are OGC exceptions, ``{"code": ..., "description": ...}``: 400 for a bad query
value or an unknown query parameter, 401 without sign-in, 404 for an unknown collection
or feature.
"""

import json
import math
from datetime import UTC, datetime
from functools import wraps
from urllib.parse import urlencode

import numpy as np
import shapely
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from pyproj import Transformer
from pyproj.exceptions import ProjError
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from ogc import selectors
from ogc.selectors import CRS84, CRS_LIST, STORAGE_CRS

# Items per page when the client does not say, and the most it may ask for (a larger
# ``limit`` is served as this many, as the standard asks).
LIMIT_DEFAULT = 100
LIMIT_MAX = 10_000

GEOJSON = "application/geo+json"
JSON = "application/json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
HTML = "text/html"

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
]
ITEMS_PARAMETERS = {"f", "bbox", "bbox-crs", "crs", "limit", "offset"}
ITEM_PARAMETERS = {"f", "crs"}
PAGE_PARAMETERS = {"f"}

_rd_to_crs84 = Transformer.from_crs("EPSG:28992", "OGC:CRS84", always_xy=True)


class OgcError(Exception):
    """An OGC exception: HTTP status, exception code and a description for people."""

    def __init__(self, status: int, code: str, description: str):
        super().__init__(description)
        self.status, self.code, self.description = status, code, description


def _bad(description: str) -> OgcError:
    return OgcError(400, "InvalidParameterValue", description)


def _error_response(request, error: OgcError, fmt: str):
    if fmt == "html":
        return render(request, "ogc/error.html", {"error": error}, status=error.status)
    response = JsonResponse({"code": error.code, "description": error.description}, status=error.status)
    if error.status == 401:
        response["WWW-Authenticate"] = 'Token realm="Wijkkoers"'
    return response


def _format(request) -> str:
    """``json`` or ``html``: the ``f`` parameter, else what the client accepts (JSON for
    anything that does not prefer HTML)."""
    fmt = request.GET.get("f")
    if fmt is not None:
        if fmt not in {"json", "html"}:
            raise _bad(_("Kies f=json of f=html."))
        return fmt
    accept = request.META.get("HTTP_ACCEPT", "")
    if HTML in accept and "json" not in accept.split(HTML, 1)[0]:
        return "html"
    return "json"


def _signed_in_user(request):
    """The person behind the session or the ``Authorization: Token …`` header, or None."""
    if request.user.is_authenticated:
        return request.user
    try:
        found = TokenAuthentication().authenticate(request)
    except AuthenticationFailed as exc:
        raise OgcError(401, "Unauthorized", _("Deze API-sleutel is onbekend of ongeldig.")) from exc
    return found[0] if found else None


def ogc_view(allowed_parameters):
    """The frame of every OGC endpoint: GET only, sign-in, the format, unknown query
    parameters refused, and errors answered as OGC exceptions."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            fmt = "json"
            try:
                if request.method not in {"GET", "HEAD"}:
                    raise OgcError(405, "MethodNotAllowed", _("Deze dienst kan alleen lezen (GET)."))
                fmt = _format(request)
                user = _signed_in_user(request)
                if user is None:
                    if fmt == "html":
                        return redirect_to_login(request.get_full_path())
                    raise OgcError(401, "Unauthorized", _("Log in, of stuur uw API-sleutel mee."))
                unknown = sorted(set(request.GET) - allowed_parameters)
                if unknown:
                    raise _bad(_("Onbekende parameter: %(names)s.") % {"names": ", ".join(unknown)})
                return view(request, user, fmt, *args, **kwargs)
            except Http404 as exc:
                error = OgcError(404, "NotFound", str(exc) or _("Niet gevonden."))
                return _error_response(request, error, fmt)
            except OgcError as error:
                return _error_response(request, error, fmt)

        # Nothing here changes anything: other methods get the OGC 405, not a CSRF page.
        return csrf_exempt(wrapper)

    return decorate


# Links


def _url(request, name, *args, **params) -> str:
    url = request.build_absolute_uri(reverse(name, args=args))
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{url}?{urlencode(params)}" if params else url


def _self_links(request, name, *args, fmt: str, json_type=JSON, title="", **params) -> list[dict]:
    """``self`` and ``alternate`` for a page that exists as JSON and as HTML."""
    own, other = ("json", "html") if fmt == "json" else ("html", "json")
    types = {"json": json_type, "html": HTML}
    return [
        {
            "href": _url(request, name, *args, **params, f=own),
            "rel": "self",
            "type": types[own],
            "title": title,
        },
        {
            "href": _url(request, name, *args, **params, f=other),
            "rel": "alternate",
            "type": types[other],
            "title": title,
        },
    ]


def _json_response(data, content_type=JSON) -> HttpResponse:
    return HttpResponse(json.dumps(data, ensure_ascii=False), content_type=content_type)


# Landing page, conformance, API definition


@ogc_view(PAGE_PARAMETERS)
def landing(request, user, fmt):
    title = _("Wijkkoers: gebieden en scores")
    description = _(
        "Gemeenten, wijken en buurten per jaar van de CBS-indeling, en de scores per model, "
        "jaar en niveau, als OGC API – Features."
    )
    links = [
        *_self_links(request, "ogc:landing", fmt=fmt, title=title),
        {
            "href": _url(request, "ogc:api"),
            "rel": "service-desc",
            "type": OPENAPI,
            "title": _("API-definitie"),
        },
        {
            "href": _url(request, "ogc:conformance"),
            "rel": "conformance",
            "type": JSON,
            "title": _("Conformiteit"),
        },
        {"href": _url(request, "ogc:collections"), "rel": "data", "type": JSON, "title": _("Collecties")},
    ]
    if fmt == "html":
        return render(
            request, "ogc/landing.html", {"title": title, "description": description, "links": links}
        )
    return _json_response({"title": title, "description": description, "links": links})


@ogc_view(PAGE_PARAMETERS)
def conformance(request, user, fmt):
    if fmt == "html":
        return render(request, "ogc/conformance.html", {"classes": CONFORMANCE})
    return _json_response({"conformsTo": CONFORMANCE})


@ogc_view(PAGE_PARAMETERS)
def api_definition(request, user, fmt):
    """A small OpenAPI 3.0 definition of the service."""
    from ogc.openapi import definition

    data = definition(server=request.build_absolute_uri(reverse("ogc:landing")).rstrip("/"))
    if fmt == "html":
        return render(request, "ogc/api.html", {"definition": json.dumps(data, indent=2, ensure_ascii=False)})
    return _json_response(data, OPENAPI)


# Collections


def _collection_data(request, collection: selectors.Collection, extent, fmt="json") -> dict:
    data = {
        "id": collection.id,
        "title": collection.title,
        "description": collection.description,
        "itemType": "feature",
        "crs": list(CRS_LIST),
        "storageCrs": STORAGE_CRS,
        "links": [
            *_self_links(request, "ogc:collection", collection.id, fmt=fmt, title=collection.title),
            {
                "href": _url(request, "ogc:items", collection.id, f="json"),
                "rel": "items",
                "type": GEOJSON,
                "title": collection.title,
            },
            {
                "href": _url(request, "ogc:items", collection.id, f="html"),
                "rel": "items",
                "type": HTML,
                "title": collection.title,
            },
        ],
    }
    if extent is not None:
        data["extent"] = {"spatial": {"bbox": [extent], "crs": CRS84}}
    if collection.licence:
        data["license"] = collection.licence
    return data


@ogc_view(PAGE_PARAMETERS)
def collections(request, user, fmt):
    extents = selectors.area_extents(user=user)
    found = selectors.collection_list(user=user)
    data = {
        "links": _self_links(request, "ogc:collections", fmt=fmt, title=_("Collecties")),
        "crs": list(CRS_LIST),
        "collections": [_collection_data(request, c, extents.get((c.year, c.level))) for c in found],
    }
    if fmt == "html":
        return render(request, "ogc/collections.html", {"collections": data["collections"]})
    return _json_response(data)


@ogc_view(PAGE_PARAMETERS)
def collection(request, user, fmt, collection_id):
    found = selectors.collection_get(user=user, collection_id=collection_id)
    extent = selectors.area_extents(user=user).get((found.year, found.level))
    data = _collection_data(request, found, extent, fmt)
    if fmt == "html":
        return render(request, "ogc/collection.html", {"collection": data, "fields": found.fields.items()})
    return _json_response(data)


# Items


def _crs(params, name: str) -> str:
    value = params.get(name, "").strip()
    if not value:
        return CRS84
    # Clients write the URI as such or between angle brackets.
    value = value.removeprefix("[").removesuffix("]").removeprefix("<").removesuffix(">")
    if value not in CRS_LIST:
        raise _bad(
            _("Onbekend coördinatenstelsel voor %(name)s; kies uit %(list)s.")
            % {"name": name, "list": ", ".join(CRS_LIST)}
        )
    return value


def _integer(params, name: str, default: int, minimum: int) -> int:
    raw = params.get(name, "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or int(raw) < minimum:
        raise _bad(_("%(name)s is een geheel getal van minstens %(min)s.") % {"name": name, "min": minimum})
    return int(raw)


def _bbox(params, bbox_crs: str):
    """The ``bbox`` as (west, south, east, north) in ``bbox_crs``, or None."""
    raw = params.get("bbox", "").strip()
    if not raw:
        return None
    try:
        numbers = [float(part) for part in raw.split(",")]
    except ValueError:
        numbers = []
    if len(numbers) not in (4, 6) or not all(math.isfinite(n) for n in numbers):
        raise _bad(_("bbox bestaat uit vier getallen: west,zuid,oost,noord."))
    if len(numbers) == 6:  # with heights, which these two-dimensional areas do not have
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    west, south, east, north = numbers
    if south > north:
        raise _bad(_("In bbox ligt zuid boven noord."))
    if bbox_crs == CRS84:
        if not (-180 <= west <= 180 and -180 <= east <= 180 and -90 <= south <= 90 and -90 <= north <= 90):
            raise _bad(_("Een bbox in CRS84 ligt tussen lengtegraad −180 en 180 en breedtegraad −90 en 90."))
    elif west > east:
        raise _bad(_("In bbox ligt west rechts van oost."))
    return west, south, east, north


def _matching(user, found, layer, bbox, bbox_crs):
    base = selectors.shapes(user=user, year=found.year, level=found.level)
    if bbox is None:
        return selectors.matching(layer_=layer, bboxes=base.bboxes, bbox=None)
    if bbox_crs == CRS84:
        west, south, east, north = bbox
        if west > east:  # across the antimeridian: the two sides
            parts = [
                selectors.matching(layer_=layer, bboxes=base.bboxes, bbox=box, shapes_=base)
                for box in ((west, south, 180.0, north), (-180.0, south, east, north))
            ]
            return np.union1d(*parts)
        return selectors.matching(layer_=layer, bboxes=base.bboxes, bbox=bbox, shapes_=base)
    try:
        around = _rd_to_crs84.transform_bounds(*bbox, densify_pts=21)
    except ProjError as exc:
        raise _bad(_("Deze bbox ligt buiten het bereik van RD New.")) from exc
    in_crs = selectors.shapes(user=user, year=found.year, level=found.level, crs=bbox_crs)
    return selectors.matching(
        layer_=layer, bboxes=base.bboxes, bbox=around, shapes_=in_crs, window=shapely.box(*bbox)
    )


def _crs_headers(response, crs):
    response["Content-Crs"] = f"<{crs}>"
    return response


@ogc_view(ITEMS_PARAMETERS)
def items(request, user, fmt, collection_id):
    params = request.GET
    found = selectors.collection_get(user=user, collection_id=collection_id)
    crs = _crs(params, "crs")
    bbox_crs = _crs(params, "bbox-crs")
    limit = min(_integer(params, "limit", LIMIT_DEFAULT, 1), LIMIT_MAX)
    offset = _integer(params, "offset", 0, 0)
    bbox = _bbox(params, bbox_crs)

    layer = selectors.layer(user=user, collection=found)
    matched = _matching(user, found, layer, bbox, bbox_crs)
    page = matched[offset : offset + limit]
    shapes = selectors.shapes(user=user, year=found.year, level=found.level, crs=crs)

    kept = {k: params[k] for k in ("bbox", "bbox-crs", "crs") if params.get(k)}
    links = _self_links(
        request,
        "ogc:items",
        collection_id,
        fmt=fmt,
        json_type=GEOJSON,
        **kept,
        limit=limit,
        offset=offset or None,
    )
    if offset + limit < len(matched):
        links.append(_page_link(request, collection_id, kept, limit, offset + limit, "next", fmt))
    if offset > 0:
        links.append(_page_link(request, collection_id, kept, limit, max(offset - limit, 0), "prev", fmt))
    links.append(
        {"href": _url(request, "ogc:collection", collection_id, f="json"), "rel": "collection", "type": JSON}
    )
    stamp = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")

    if fmt == "html":
        features = [json.loads(layer.heads[i] + "null}")["properties"] for i in page.tolist()]
        context = {
            "collection": found,
            "fields": list(found.fields),
            "features": features,
            "matched": len(matched),
            "offset": offset,
            "links": {
                link["rel"]: link["href"]
                for link in links
                if link["type"] == HTML or link["rel"] in {"next", "prev"}
            },
        }
        return _crs_headers(render(request, "ogc/items.html", context), crs)

    heads, texts = layer.heads, shapes.texts
    pairs = zip(page.tolist(), layer.positions[page].tolist(), strict=True)
    features = ",".join([heads[i] + texts[p] + "}" for i, p in pairs])
    body = (
        '{"type":"FeatureCollection","timeStamp":"'
        + stamp
        + '","numberMatched":'
        + str(len(matched))
        + ',"numberReturned":'
        + str(len(page))
        + ',"links":'
        + json.dumps(links, ensure_ascii=False)
        + ',"features":['
        + features
        + "]}"
    )
    return _crs_headers(HttpResponse(body, content_type=GEOJSON), crs)


def _page_link(request, collection_id, kept, limit, offset, rel, fmt) -> dict:
    href = _url(request, "ogc:items", collection_id, **kept, limit=limit, offset=offset or None, f=fmt)
    return {"href": href, "rel": rel, "type": HTML if fmt == "html" else GEOJSON}


@ogc_view(ITEM_PARAMETERS)
def item(request, user, fmt, collection_id, feature_id):
    found = selectors.collection_get(user=user, collection_id=collection_id)
    crs = _crs(request.GET, "crs")
    layer = selectors.layer(user=user, collection=found)
    index = layer.index.get(feature_id)
    if index is None:
        raise Http404(_("Dit gebied staat niet in deze collectie."))
    shapes = selectors.shapes(user=user, year=found.year, level=found.level, crs=crs)
    kept = {"crs": request.GET["crs"]} if request.GET.get("crs") else {}
    links = _self_links(request, "ogc:item", collection_id, feature_id, fmt=fmt, json_type=GEOJSON, **kept)
    links.append(
        {"href": _url(request, "ogc:collection", collection_id, f="json"), "rel": "collection", "type": JSON}
    )
    if fmt == "html":
        properties = json.loads(layer.heads[index] + "null}")["properties"]
        context = {"collection": found, "feature_id": feature_id, "properties": properties.items()}
        return _crs_headers(render(request, "ogc/item.html", context), crs)
    body = layer.heads[index] + shapes.texts[layer.positions[index]] + ',"links":' + json.dumps(links) + "}"
    return _crs_headers(HttpResponse(body, content_type=GEOJSON), crs)
