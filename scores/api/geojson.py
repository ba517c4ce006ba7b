"""The scored map: the area GeoJSON of ``areas`` with the score (or indicator value) of
every area joined in as properties: ``value``, ``class``, ``label``, ``color``, ``trend``,
``new_in_cell`` (signal maps: in another cell than at the previous measurement) and, with
``compare``, ``change``.

The body is built from the same ``MapTable`` as the page's table and export, kept gzipped
in process memory and the cache under a key holding the boundary map version, the scores
data version (``scores.versions``), the subject and the whole query, and answered with an
ETag (304 when the client's copy is current).

Access is checked on every request before any cache is consulted: the model or indicator
must be in ``restrict(user, "view")`` (404 otherwise). A page's signed ``sig`` parameter
stands in for the session only for open models and indicators, so a licensed map always
needs a real sign-in of someone it is shared with.
"""

import gzip
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.cache import cache
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from areas import selectors as area_selectors
from areas.api.views import GeoJSONRenderer, MapBearer, _signed_user_id, map_response, parse_map_query
from scores import catalogue
from scores.forms.maps import parse_breaks
from scores.models import Indicator, Score, ScoreModel
from scores.selectors import maps
from scores.versions import data_version

BODY_TTL = 60 * 60 * 24
MODEL, INDICATOR = "model", "indicator"


@dataclass(frozen=True)
class ScoredQuery:
    map: area_selectors.MapQuery
    kind: str  # MODEL or INDICATOR
    key: str  # model key or indicator id
    compare: int | None = None
    classing: str = "quantile"
    n_classes: int = 5
    breaks: tuple = ()

    @property
    def signature(self) -> str:
        breaks = ";".join(repr(b) for b in self.breaks)
        return f"{self.kind}:{self.key}|{self.compare}|{self.classing}|{self.n_classes}|{breaks}"


# An open model: everyone signed in reads it (no licensed source), and it is in use.
OPEN_MODEL_Q = (Q(source__isnull=True) | Q(source__is_licensed=False)) & Q(is_active=True)


def parse_subject(params) -> tuple[str, str]:
    """(``model``, key) or (``indicator``, id) from URL parameters."""
    model_key = params.get("model", "").strip()
    indicator_id = params.get("indicator", "").strip()
    if bool(model_key) == bool(indicator_id):
        raise ValidationError(
            {"model": _("Kies een scoremodel (model=...) of een indicator (indicator=...).")}
        )
    if indicator_id and not indicator_id.isdigit():
        raise ValidationError({"indicator": _("Een indicator wordt aangegeven met haar nummer.")})
    return (MODEL, model_key) if model_key else (INDICATOR, indicator_id)


def parse_scored_query(params, *, default_year: int | None = None) -> ScoredQuery:
    """The scored map query from URL parameters; a ``ValidationError`` lists what is
    wrong. Without a year in them ``default_year`` is used."""
    kind, key = parse_subject(params)
    errors = {}
    compare = params.get("compare", "").strip()
    if compare and not compare.isdigit():
        errors["compare"] = _("Het vergelijkingsjaar is een getal, bijvoorbeeld 2020.")
    classing = params.get("classing", "quantile") if kind == INDICATOR else "quantile"
    n_classes = params.get("classes", "5") if kind == INDICATOR else "5"
    breaks: tuple = ()
    if classing not in maps.CLASSINGS:
        errors["classing"] = _("Kies quantile of fixed.")
    if not n_classes.isdigit() or not maps.MIN_CLASSES <= int(n_classes) <= maps.MAX_CLASSES:
        errors["classes"] = _("Kies tussen %(a)s en %(b)s klassen.") % {
            "a": maps.MIN_CLASSES,
            "b": maps.MAX_CLASSES,
        }
    if classing == "fixed":
        try:
            breaks = tuple(maps.validate_breaks(parse_breaks(params.get("breaks", ""))))
        except DjangoValidationError as exc:
            errors["breaks"] = exc.messages
    if not params.get("year"):
        params = params.copy()
        params["year"] = str(default_year or 0)
    try:
        map_query = parse_map_query(params)
    except ValidationError as exc:
        errors.update(exc.detail)
    if errors:
        raise ValidationError(errors)
    return ScoredQuery(
        map=map_query,
        kind=kind,
        key=key,
        compare=int(compare) if compare and int(compare) != map_query.year else None,
        classing=classing,
        n_classes=int(n_classes),
        breaks=breaks,
    )


def subject_for(user, kind: str, key: str):
    """The model or indicator as ``user`` may see it; 404 otherwise."""
    if kind == MODEL:
        subject = maps.model_list(user=user).filter(key=key).first()
    else:
        subject = maps.indicator_list(user=user).filter(pk=int(key)).first()
    if subject is None:
        raise Http404(_("Niet gevonden."))
    return subject


# Answers of ``is_open`` per process, for one scores data version. Every change that can
# make a subject licensed or inactive (source and model edits, imports, deletes) goes
# through a service that changes the data version, which empties this.
_open_answers: dict[tuple[str, str], bool] = {}
_open_version: list[str] = [""]


def is_open(kind: str, key: str) -> bool:
    """True when the model or indicator comes from no source or an open one: only then
    may a signed page URL stand in for the session. One small query per subject and data
    version."""
    version = data_version()
    if _open_version[0] != version:
        _open_answers.clear()
        _open_version[0] = version
    answer = _open_answers.get((kind, key))
    if answer is None:
        if kind == MODEL:
            answer = ScoreModel.objects.filter(OPEN_MODEL_Q, key=key).exists()
        else:
            answer = Indicator.objects.filter(pk=int(key), source__is_licensed=False).exists()
        if len(_open_answers) > 256:
            _open_answers.clear()
        _open_answers[(kind, key)] = answer
    return answer


# Versions and bodies

# When a data version was first seen, for Last-Modified (kept per process; the cache
# makes all processes agree on the first sighting).
_seen: dict[str, datetime] = {}


def _first_seen(token: str) -> datetime:
    found = _seen.get(token)
    if found is None:
        key = f"scores:data-version-seen:{token}"
        now = datetime.now(UTC).replace(microsecond=0)
        cache.add(key, now, BODY_TTL)
        found = cache.get(key) or now
        if len(_seen) > 64:
            _seen.clear()
        _seen[token] = found
    return found


def scored_version(query: ScoredQuery) -> area_selectors.MapVersion:
    """The version of a scored map: changes with the boundaries of its year (and of the
    compared year), with the scores data and with the query."""
    base = area_selectors.map_version(query.map.year)
    parts = [base.token, data_version(), query.signature]
    last = base.last_modified
    if query.compare:
        other = area_selectors.map_version(query.compare)
        parts.append(other.token)
        last = max(last, other.last_modified)
    token = hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]
    return area_selectors.MapVersion(token, max(last, _first_seen(parts[1])))


_local = area_selectors.LocalBodies()


def clear_memory() -> None:
    """Forget the bodies this process keeps (tests start clean)."""
    _local.clear()
    _seen.clear()
    _open_answers.clear()


# Raised when the properties of a feature change (2: ``new_in_cell``; 3: the colours of
# published scores without a class on a continuous scale), so that bodies cached in the
# old form are not served after an upgrade.
BODY_FORMAT = 3


def _key(query: ScoredQuery, version) -> str:
    return f"scores:geojson:v{BODY_FORMAT}:" + area_selectors.map_etag(query.map, version).strip('"')


def scored_geojson_cached(*, query: ScoredQuery, version) -> area_selectors.MapBody | None:
    """The body from process memory or the cache, or None. Call only after the access
    check."""
    key = _key(query, version)
    body = _local.get(key)
    if body is not None:
        return body
    cached = cache.get(key)
    if cached is None:
        return None
    body = area_selectors.MapBody(
        cached[0], area_selectors.map_etag(query.map, version), version.last_modified, cached[1]
    )
    _local.put(key, body)
    return body


def _number(value, decimals):
    if value is None:
        return "null"
    return json.dumps(round(value, max(decimals, 2)))


def _string(value):
    return json.dumps(value, ensure_ascii=False) if value else "null"


def build_scored_collection(features, rows_by_code, *, compare: bool, decimals: int) -> tuple[str, int]:
    """Join ``(code, name, parent_code, shape_text)`` feature rows with the table rows."""
    parts = []
    for code, name, parent_code, shape in features:
        row = rows_by_code.get(code)
        props = [
            '"code":' + _string(code),
            '"name":' + _string(name),
            '"parent":' + _string(parent_code),
        ]
        if row is not None:
            props += [
                '"value":' + _number(row.value, decimals),
                '"class":' + (str(row.score_class) if row.score_class is not None else "null"),
                '"label":' + _string(row.label),
                '"color":' + _string(row.color),
                '"trend":' + _number(row.trend, decimals),
                '"new_in_cell":' + ("true" if row.new_in_cell else "false"),
            ]
            if compare:
                props += [
                    '"previous":' + _number(row.previous, decimals),
                    '"change":' + _number(row.change, decimals),
                ]
        parts.append(
            '{"type":"Feature","id":'
            + _string(code)
            + ',"properties":{'
            + ",".join(props)
            + '},"geometry":'
            + shape
            + "}"
        )
    return '{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}", len(parts)


def scored_geojson(*, user, subject, query: ScoredQuery, version) -> area_selectors.MapBody:
    """The gzipped scored FeatureCollection, from memory, the cache, or built."""
    body = scored_geojson_cached(query=query, version=version)
    if body is not None:
        return body
    if callable(user):
        user = user()
    mq = query.map
    table = maps.map_table(
        user=user,
        subject=subject,
        year=mq.year,
        level=mq.level,
        gemeente=mq.gemeente,
        parent=mq.parent or None,
        gebied=mq.gebied or None,
        compare=query.compare,
        classing=query.classing,
        n_classes=query.n_classes,
        breaks=list(query.breaks),
    )
    features = area_selectors.map_features_query(user=user, query=mq).values_list(
        "code", "name", "parent__code", f"shape_{mq.band}"
    )
    text, count = build_scored_collection(
        features.iterator(chunk_size=2000),
        {row.code: row for row in table.rows},
        compare=table.kind == "change",
        decimals=table.decimals,
    )
    gzipped = gzip.compress(text.encode(), compresslevel=6, mtime=0)
    key = _key(query, version)
    cache.set(key, (gzipped, count), BODY_TTL)
    body = area_selectors.MapBody(gzipped, area_selectors.map_etag(mq, version), version.last_modified, count)
    _local.put(key, body)
    return body


# Building maps ahead: after a recomputation the maps people open first are built in the
# background, so the first person to look does not wait for them.


class _SignedInReader:
    """Who the background build reads as: signed in, in no organisation and without
    admin rights, so it sees of an open model exactly what every signed-in person sees.
    Open maps only: a licensed map is built for the people it is shared with."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_platform_admin = False
    is_superuser = False
    pk = id = 0


# The view a map page opens on: buurten of the newest year, of the whole country (one
# band) or of one gemeente, which the page fits at the regional or the city zoom.
WARM_LEVEL = "buurt"
WARM_GEMEENTE_BANDS = ("regio", "stad")


def open_maps_warm(*, model_ids: list[int] | None = None, years: list[int] | None = None) -> int:
    """Build and cache the buurt maps of the open active models (``model_ids``; all when
    None) as a map page first asks for them: national and for every gemeente with scores,
    of the newest year of each model and of ``years`` (the years just recomputed; all
    years when None). Newest year and the default model first, so a time limit cuts off
    the least looked at. Maps already cached are left alone. Returns the maps built."""
    reader = _SignedInReader()
    models = ScoreModel.objects.filter(OPEN_MODEL_Q)
    if model_ids is not None:
        models = models.filter(pk__in=model_ids)
    models = sorted(models, key=lambda m: (m.key != catalogue.VEERKRACHT_INDEX.key, m.pk))
    work = []
    for order, model in enumerate(models):
        known = maps.model_years(user=reader, model=model)
        wanted = set(known if years is None else set(years) & set(known)) | set(known[:1])
        work += [(-year, order, model) for year in wanted]
    built = 0
    for minus_year, _order, model in sorted(work, key=lambda w: w[:2]):
        year = -minus_year
        queries = [area_selectors.MapQuery(year=year, level=WARM_LEVEL, band="land")]
        gemeenten = (
            Score.objects.restrict(reader, "view")
            .filter(model=model, year=year, area__kind=WARM_LEVEL)
            .order_by("area__gemeente_code")
            .values_list("area__gemeente_code", flat=True)
            .distinct()
        )
        queries += [
            area_selectors.MapQuery(year=year, level=WARM_LEVEL, band=band, gemeente=code)
            for code in gemeenten
            for band in WARM_GEMEENTE_BANDS
        ]
        for map_query in queries:
            query = ScoredQuery(map=map_query, kind=MODEL, key=model.key)
            version = scored_version(query)
            if scored_geojson_cached(query=query, version=version) is None:
                scored_geojson(user=reader, subject=model, query=query, version=version)
                built += 1
    return built


class ScoredMapView(APIView):
    """A GeoJSON FeatureCollection (WGS84) of land areas with a model's scores or an
    indicator's values of one year joined in."""

    renderer_classes = [GeoJSONRenderer, JSONRenderer]

    def initial(self, request, *args, **kwargs):
        user_id = _signed_user_id(request.GET.get("sig"))
        if user_id is not None:
            try:
                open_subject = is_open(*parse_subject(request.GET))
            except ValidationError:
                open_subject = False
            # Licensed maps ignore the signature: they need a real session or token.
            if open_subject:
                request.user = MapBearer(user_id)
        super().initial(request, *args, **kwargs)

    @extend_schema(
        parameters=[
            OpenApiParameter("model", str, description="Sleutel van het scoremodel."),
            OpenApiParameter("indicator", int, description="Nummer van de indicator (in plaats van model)."),
            OpenApiParameter("year", int, description="Jaar (standaard het nieuwste met gegevens)."),
            OpenApiParameter("level", str, enum=["gemeente", "wijk", "buurt", "gebied"]),
            OpenApiParameter(
                "gemeente", str, description="Gemeentecode (GM0453); leeg of NL: heel Nederland."
            ),
            OpenApiParameter("parent", str, description="Alleen de kinderen van deze wijk of gemeente."),
            OpenApiParameter("gebied", str, description="Alleen de buurten van dit gebied."),
            OpenApiParameter("zoom", int, description="Kaartzoom: ≤ 9 land, 10–11 regio, ≥ 12 stad."),
            OpenApiParameter("compare", int, description="Vergelijkingsjaar: de verandering sindsdien."),
            OpenApiParameter("classing", str, enum=["quantile", "fixed"], description="Alleen indicatoren."),
            OpenApiParameter("classes", int, description="Aantal kwantielklassen (2–9)."),
            OpenApiParameter("breaks", str, description="Vaste grenzen, bijvoorbeeld 10;20;30."),
            OpenApiParameter("sig", str, description="Handtekening uit de kaart-URL van een pagina."),
        ],
        responses={(200, "application/geo+json"): OpenApiTypes.OBJECT},
    )
    def get(self, request):
        signed = isinstance(request.user, MapBearer)
        user = request.user.load if signed else request.user
        kind, key = parse_subject(request.GET)
        subject = None
        default_year = None
        if not signed:
            # The access check, on every request and before any cache.
            subject = subject_for(user, kind, key)
        if not request.GET.get("year"):
            subject = subject or subject_for(user(), kind, key)
            years = maps.subject_years(user=user() if signed else user, subject=subject)
            default_year = years[0] if years else 0
        query = parse_scored_query(request.GET, default_year=default_year)
        version = scored_version(query)

        def body():
            # Open subject behind a signature: the user record is only loaded to build.
            found = subject or subject_for(user(), kind, key)
            return scored_geojson(user=user, subject=found, query=query, version=version)

        return map_response(request, query.map, version, body)


def signed_scored_response(request):
    """A warm open scored map for a signed page URL, without session, user or DRF; None
    when the full view has to answer."""
    if _signed_user_id(request.GET.get("sig")) is None or not request.GET.get("year"):
        return None
    try:
        query = parse_scored_query(request.GET)
    except ValidationError:
        return None
    if not is_open(query.kind, query.key):
        return None
    version = scored_version(query)
    body = scored_geojson_cached(query=query, version=version)
    if body is None:
        return None
    return map_response(request, query.map, version, lambda: body)
