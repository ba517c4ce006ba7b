"""The score map (a model, its change between two years, or one indicator) with its
legend and table, its export, the scores of one area over the years, and the section
"Scores in het kort" on the pages of wijken and gebieden.

Reads go through ``scores.selectors.maps``; every model, indicator, score and value comes
out of ``restrict()``, so a licensed map that a person may not see is a 404 here, on the
GeoJSON and in the export alike.
"""

import hashlib
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from areas import selectors as area_selectors
from areas.api.views import map_url_signature
from areas.models import Area, AreaKind
from areas.selectors import MAP_LEVELS
from core import geopackage
from core.cache import code_version
from core.exports import SHEET_FORMATS, download
from core.sections import render_section
from organisations.selectors import home_gemeente_code
from scores import catalogue, exports, versions
from scores.forms.maps import ScoreMapForm, subject_value
from scores.models import ScoreModel, Source
from scores.selectors import maps, summary

DEFAULT_GEMEENTE = "GM0453"
# Tables longer than this (the national view) are split into pages.
PAGE_SIZE = 200
# A map table (and its rows as HTML) is kept this long; a change of its data gives it a
# new key sooner. TABLE_FORMAT is raised when what a table holds changes form, so tables
# kept in the old form are not served after an upgrade.
TABLE_TTL = 60 * 60
TABLE_FORMAT = 1
# The templates and tags the rows are drawn with: their kept HTML is keyed on their source
# as well, so a release that changes them never serves rows drawn by the old ones.
TABLE_TEMPLATES = (
    "scores/_map_table.html",
    "scores/_map_sort_th.html",
    "scores/_new_in_cell.html",
    "scores/_boundary_changed.html",
)


def _table_templates_version() -> str:
    return code_version(
        templates=TABLE_TEMPLATES, modules=("scores.templatetags.score_tags", "core.templatetags.wijkkoers")
    )


def _default_gemeente(user) -> str:
    return home_gemeente_code(user=user) or DEFAULT_GEMEENTE


def _find_subject(value, models, indicators):
    """The model or indicator of a ``kaart`` value among those the person may see; 404
    for one they may not see (or that does not exist)."""
    kind, _sep, key = value.partition(":")
    if kind == "model":
        found = next((m for m in models if m.key == key), None)
    elif kind == "indicator" and key.isdigit():
        found = next((i for i in indicators if i.pk == int(key)), None)
    else:
        found = None
    if found is None:
        raise Http404(_("Deze kaart bestaat niet of u mag hem niet zien."))
    return found


def _map_choice(request):
    """Everything the map page, its export and its GeoJSON URL share: the visible
    subjects, the chosen one, the bound form and (when valid and there is data) the table."""
    user = request.user
    models = list(maps.model_list(user=user))
    indicators = list(maps.indicator_list(user=user))
    choice = {"models": models, "indicators": indicators, "subject": None, "table": None, "form": None}
    raw = request.GET.get("kaart", "")
    if raw:
        subject = _find_subject(raw, models, indicators)
    elif models or indicators:
        # The open veerkracht-index first: everyone may see it and it covers every buurt.
        default = next((m for m in models if m.key == catalogue.VEERKRACHT_INDEX.key), None)
        subject = default or (models or indicators)[0]
    else:
        return choice
    years = maps.subject_years(user=user, subject=subject)
    choice.update(subject=subject, years=years)
    data = {
        "kaart": subject_value(subject),
        "niveau": AreaKind.BUURT,
        "gemeente": _default_gemeente(user),
        "klassen": "quantile",
        "aantal": "5",
    }
    data.update({key: value for key, value in request.GET.items() if value})
    # Another subject may not have the year asked for: then its newest year is shown.
    if years and data.get("jaar", "") not in {str(y) for y in years}:
        data["jaar"] = str(years[0])
    if data.get("vergelijk", "") not in {str(y) for y in years}:
        data.pop("vergelijk", None)
    year = int(data["jaar"]) if years else None
    gemeenten = maps.gemeente_choices(user=user, year=year) if year else []
    is_signal = isinstance(subject, ScoreModel) and subject.kind == ScoreModel.Kind.SIGNAL
    form = ScoreMapForm(
        data,
        models=models,
        indicators=indicators,
        years=years,
        gemeenten=gemeenten,
        allow_compare=not is_signal,
    )
    choice["form"] = form
    if not years or not form.is_valid():
        return choice
    cleaned = form.cleaned_data
    params = {
        "year": cleaned["jaar"],
        "level": cleaned["niveau"],
        "compare": cleaned["vergelijk"],
        "classing": cleaned["klassen"],
        "n_classes": cleaned["aantal"],
        "breaks": cleaned["breaks"],
        **form.scope(),
    }
    try:
        key, table = _shared_table(user=user, subject=subject, **params)
    except ValidationError as exc:
        form.add_error(None, exc)
        return choice
    choice.update(table=table, table_key=key)
    return choice


def _shared_table(*, user, subject, **params):
    """``maps.map_table`` kept in the cache under ``_table_key``, with that key. Call only
    with a subject the person may see. Raises ``ValidationError`` as ``map_table`` does."""
    key = _table_key(subject, params)
    table = cache.get(key)
    if table is None:
        table = maps.map_table(user=user, subject=subject, **params)
        cache.set(key, table, TABLE_TTL)
    return key, table


def _table_key(subject, params: dict) -> str:
    """The cache key of a map table. A table is the same for everyone who may see its
    subject: areas are public, and a score or value is visible exactly when its model's
    or indicator's source is (``restrict()`` of each), which ``_find_subject`` has
    checked. So the key holds what the table is of (the subject and the choice, with the
    gemeente resolved, never a person's default), the scores' data version (every import,
    recomputation and model edit changes it), the boundary versions of its years, and the
    interface language of its labels."""
    years = [params["year"]] + ([params["compare"]] if params.get("compare") else [])
    parts = [
        TABLE_FORMAT,
        subject_value(subject),
        sorted((name, str(value)) for name, value in params.items()),
        versions.data_version(),
        [area_selectors.map_version(year).token for year in years],
        translation.get_language(),
    ]
    return "scores:map-table:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def scored_geojson_url(user, subject, **params) -> str:
    """The scored GeoJSON of ``subject`` (a model or indicator) with the map ``params``
    (year, level, scope, ...), as a page shown to ``user`` asks for it."""
    params = {
        **({"model": subject.key} if isinstance(subject, ScoreModel) else {"indicator": subject.pk}),
        **params,
    }
    if not (subject.source_id and subject.source.is_licensed):
        # Licensed maps need the real session; the signature is for open ones only.
        params["sig"] = map_url_signature(user)
    return f"{reverse('score-geojson')}?{urlencode(params)}"


def _geojson_url(user, subject, form) -> str:
    data = form.cleaned_data
    params = {"year": data["jaar"], "level": data["niveau"], "gemeente": data["gemeente"]}
    if data["vergelijk"]:
        params["compare"] = data["vergelijk"]
    if not isinstance(subject, ScoreModel):
        params.update(classing=data["klassen"], classes=data["aantal"])
        if data["breaks"]:
            params["breaks"] = ";".join(f"{b:g}" for b in data["breaks"])
    return scored_geojson_url(user, subject, **params)


def _bbox(user, table, gemeente):
    if gemeente:
        area = (
            Area.objects.restrict(user, "view")
            .filter(year=table.year, kind=AreaKind.GEMEENTE, code=gemeente)
            .only("min_lon", "min_lat", "max_lon", "max_lat")
            .first()
        )
        if area is not None:
            return area_selectors.bbox_of([area])
    return None


def _import_url(user) -> str:
    """The import page, for people who may import into some source."""
    try:
        url = reverse("scores:import-create")
    except NoReverseMatch:
        return ""
    return url if Source.objects.restrict(user, "import").exists() else ""


def _sort_param(request):
    sort = request.GET.get("sorteer", "naam")
    return sort if sort.lstrip("-") in maps.SORTS else "naam"


@login_required
def score_map(request):
    """The map page: the choice, the choropleth with its legend, and the same data as a
    sortable table with a link to every area."""
    choice = _map_choice(request)
    context = {**choice, "import_url": "", "note": ""}
    subject, table, form = choice["subject"], choice["table"], choice["form"]
    if subject is not None:
        context["note"] = maps.licence_note(subject)
    if table is None or not table.has_data:
        context["import_url"] = _import_url(request.user)
    if table is not None:
        sort = _sort_param(request)
        rows = maps.sorted_rows(table.rows, sort)
        page = (
            Paginator(rows, PAGE_SIZE).get_page(request.GET.get("pagina")) if len(rows) > PAGE_SIZE else None
        )
        params = request.GET.copy()
        for key in ("sorteer", "pagina"):
            params.pop(key, None)
        gemeente = form.scope()["gemeente"]
        context.update(
            # The rows as HTML are kept with the table: what they show follows from the
            # table, the sort, the page and the query the links carry.
            table_cache=(
                choice["table_key"],
                _table_templates_version(),
                sort,
                page.number if page else 0,
                PAGE_SIZE,
                params.urlencode(),
            ),
            table_ttl=TABLE_TTL,
            sort=sort,
            rows=page.object_list if page else rows,
            page=page,
            base_query=params.urlencode(),
            export_query=params.urlencode(),
            without_shape=sum(1 for r in table.rows if not r.has_shape),
            map={
                "label": _("Kaart: %(title)s, %(year)s; de tabel bevat dezelfde gegevens")
                % {"title": table.title, "year": table.year},
                "geojson_url": _geojson_url(request.user, subject, form),
                "area_url": reverse("areas:detail", kwargs={"year": table.year, "code": "CODE"}),
                "bbox": _bbox(request.user, table, gemeente),
            },
        )
    return render(request, "scores/map.html", context)


@login_required
def score_export(request):
    """The table of the map page with the same choice, as CSV or Excel, or the map with
    its shapes as a GeoPackage."""
    fmt = request.GET.get("format", "csv")
    if fmt not in (*SHEET_FORMATS, geopackage.EXTENSION):
        raise Http404(_("Kies CSV, Excel of GeoPackage."))
    choice = _map_choice(request)
    table = choice["table"]
    if table is None:
        form = choice["form"]
        errors = " ".join(str(e) for errs in form.errors.values() for e in errs) if form else ""
        return HttpResponse(
            errors or _("Er zijn nog geen gegevens voor deze keuze om te downloaden."),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    sort = _sort_param(request)
    rows = maps.sorted_rows(table.rows, sort)
    if fmt == geopackage.EXTENSION:
        shapes = area_selectors.shapes(user=request.user, area_ids=[r.area_id for r in rows])
        return geopackage.geopackage_download(
            exports.geopackage(table, rows, shapes), exports.filename_stem(table)
        )
    body = exports.render(table, fmt, rows=rows)
    return download(body, fmt, exports.filename(table, fmt))


@login_required
def area_scores(request, year, code):
    """Every visible model and key indicator of one area over the years, each as a chart
    with a table beside it; ``?partial=1`` gives only that part, for the area pages."""
    area = area_selectors.area_get(user=request.user, year=year, code=code)
    series = maps.area_series(user=request.user, area=area)
    context = {
        "area": area,
        "series": [s for s in series if s.has_data],
        "empty_series": [s for s in series if not s.has_data],
        "map_url": reverse("scores:map"),
        "map_query": urlencode(
            {
                "gemeente": area.gemeente_code,
                "niveau": area.kind if area.kind in MAP_LEVELS else AreaKind.BUURT,
            }
        ),
    }
    template = "scores/_area_scores.html" if request.GET.get("partial") else "scores/area_scores.html"
    return render(request, template, context)


# The parameter of the area page that chooses the model of the small map.
SECTION_MODEL_PARAM = "model"


def _section_choice(scores, key: str):
    """The score whose model the person chose; else the open veerkracht-index (everyone
    may see it and it covers every buurt); else the first. A model the person may not see
    is not among ``scores``, so asking for it falls back like an unknown key."""
    by_key = {s.model.key: s for s in scores}
    return by_key.get(key) or by_key.get(catalogue.VEERKRACHT_INDEX.key) or scores[0]


def area_section(request, area):
    """The section "Scores in het kort" of a wijk's or gebied's page (registered with
    ``areas.panels``): per model the person may see, the latest score of the area with its
    change since the previous measurement, the signal cell, the buurten that moved a
    class, and a small map of the buurten coloured by the chosen model with the same
    buurten as a table. None when no visible model has a score for this area."""
    user = request.user
    scores = summary.area_summary(user=user, area=area)
    if not scores:
        return None
    chosen = _section_choice(scores, request.GET.get(SECTION_MODEL_PARAM, ""))
    model = chosen.model
    scope = {"gebied": area.code} if area.kind == AreaKind.GEBIED else {"parent": area.code}
    # ``area_summary`` lists only models the person may see.
    _key, table = _shared_table(user=user, subject=model, year=chosen.year, level=AreaKind.BUURT, **scope)
    area_map = None
    if table.has_data:
        area_map = {
            "label": _(
                "Kaart: de buurten van %(name)s naar %(model)s, %(year)s; de tabel bevat dezelfde gegevens"
            )
            % {"name": area.name, "model": model.name, "year": chosen.year},
            "geojson_url": scored_geojson_url(user, model, year=chosen.year, level=AreaKind.BUURT, **scope),
            "area_url": reverse("areas:detail", kwargs={"year": chosen.year, "code": "CODE"}),
            "bbox": area_selectors.bbox_of([area]),
        }
    context = {
        "area": area,
        "scores": [s for s in scores if not s.is_signal],
        "signals": [s for s in scores if s.is_signal],
        "moved": [s for s in scores if s.moves],
        "chosen": chosen,
        "choices": scores,
        "param": SECTION_MODEL_PARAM,
        # The page's other parameters (sorting of its tables) survive choosing a model.
        "kept_params": [
            (key, value)
            for key, values in request.GET.lists()
            if key != SECTION_MODEL_PARAM
            for value in values
        ],
        "table": table,
        "rows": table.rows,
        "map": area_map,
        "map_page_url": reverse("scores:map")
        + "?"
        + urlencode(
            {
                "kaart": subject_value(model),
                "jaar": chosen.year,
                "niveau": AreaKind.BUURT,
                "gemeente": area.gemeente_code,
            }
        ),
    }
    # Rendered without the context processors: the page around it has already run them
    # (the navigation's notification count would cost a query per section).
    return render_section("scores/_area_section.html", context, request)
