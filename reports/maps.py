"""Maps of the year report drawn on the server as SVG, from the stored shapes.

The page shows them inline and the PDF embeds them, so no browser and no map tiles are
needed. Drawing takes plain data (per area: its code, name, GeoJSON shape and the class
or change it is coloured by) and returns a ``MapImage``: the SVG markup with its
``<title>`` and ``<desc>``, and the same content as a text alternative for the page.

Shapes are projected with a local equirectangular projection (longitudes shrunk by the
cosine of the map's mean latitude: at the scale of a gemeente indistinguishable from RD),
scaled to a fixed drawing width, simplified to about half a drawing unit and written as
relative whole-unit path steps, so a map of 500 buurten stays a few hundred kilobytes at
most and draws in a fraction of a second.
"""

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import shapely
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

NO_DATA_COLOR = "#d9d9d9"
STROKE_COLOR = "#ffffff"
HATCH_COLOR = "#1b1b1b"

# Drawing units: the map is WIDTH wide (or MAX_HEIGHT high when it is taller than wide),
# the legend sits below it.
WIDTH = 1000
MAX_HEIGHT = 1000
PADDING = 8
# Shapes are simplified to this many drawing units; a unit is about 0.17 mm on A4.
SIMPLIFY = 0.6
LEGEND_FONT = 26
LEGEND_ROW = 38
LEGEND_SWATCH = 26
LEGEND_COLUMNS = 2
# The mean width of a character of the legend in units of its font size.
CHAR_WIDTH = 0.6

# The change map's classes, from better to worse.
IMPROVED, SAME, WORSE = "beter", "gelijk", "slechter"
CHANGE_COLORS = {IMPROVED: "#1a9641", SAME: "#ffffbf", WORSE: "#d7191c"}


@dataclass(frozen=True)
class MapClass:
    """One legend entry: areas whose ``key`` equals ``value`` are drawn in ``color``."""

    value: object
    label: str
    color: str


@dataclass
class MapArea:
    """One area on a map: its shape as GeoJSON geometry (text or mapping, WGS84; None for
    an area without a shape), the class value it is coloured by (None: no data), and
    whether its boundary changed since the compared year."""

    code: str
    name: str
    shape: object
    key: object = None
    redrawn: bool = False


@dataclass
class MapImage:
    """A drawn map: ``svg`` is safe markup for a page or a PDF; ``text`` the text
    alternative (one sentence per line), ``counts`` the areas per legend label."""

    map_id: str
    title: str
    description: str
    svg: str
    text: list[str] = field(default_factory=list)
    counts: list[tuple[str, str, int]] = field(default_factory=list)  # (label, color, count)
    drawn: int = 0
    # The same map for print: one path per class instead of one per area.
    print_svg: str = ""

    def __html__(self):
        return self.svg

    @property
    def data_uri(self) -> str:
        """The SVG as a ``data:`` URL, for an ``<img>`` in the PDF: drawn by WeasyPrint's
        SVG renderer, not styled element by element as inline markup would be."""
        import base64

        return (
            "data:image/svg+xml;base64,"
            + base64.b64encode((self.print_svg or str(self.svg)).encode()).decode()
        )

    def __str__(self):
        return self.svg


# --- geometry ----------------------------------------------------------------------------


def _geometries(areas: list[MapArea]):
    """Shapely geometries of the areas (None where an area has no usable shape)."""
    texts = []
    for area in areas:
        shape = area.shape
        if shape is None or shape == "":
            texts.append(None)
        elif isinstance(shape, str):
            texts.append(shape)
        else:
            texts.append(json.dumps(shape))
    geoms = np.empty(len(texts), dtype=object)
    for index, text in enumerate(texts):
        if text is None:
            continue
        try:
            geom = shapely.from_geojson(text)
        except shapely.errors.GEOSException:
            continue
        if geom is not None and not geom.is_empty and geom.geom_type in ("Polygon", "MultiPolygon"):
            geoms[index] = geom
    return geoms


@dataclass
class _Frame:
    """The projection from degrees to drawing units."""

    min_x: float
    max_y: float
    scale: float
    kx: float
    width: float
    height: float
    offset_x: float = 0.0


def _frame(geoms) -> _Frame | None:
    present = [g for g in geoms if g is not None]
    if not present:
        return None
    min_lon, min_lat, max_lon, max_lat = shapely.total_bounds(np.array(present, dtype=object))
    kx = math.cos(math.radians((min_lat + max_lat) / 2))
    span_x = max((max_lon - min_lon) * kx, 1e-9)
    span_y = max(max_lat - min_lat, 1e-9)
    inner_w, inner_h = WIDTH - 2 * PADDING, MAX_HEIGHT - 2 * PADDING
    scale = min(inner_w / span_x, inner_h / span_y)
    width = math.ceil(span_x * scale) + 2 * PADDING
    return _Frame(
        min_x=min_lon * kx,
        max_y=max_lat,
        scale=scale,
        kx=kx,
        # A map taller than wide stands in the middle, above the legend.
        width=WIDTH,
        height=math.ceil(span_y * scale) + 2 * PADDING,
        offset_x=max(WIDTH - width, 0) / 2,
    )


def _project(geoms, frame: _Frame):
    def to_units(coords):
        out = np.empty_like(coords)
        out[:, 0] = (coords[:, 0] * frame.kx - frame.min_x) * frame.scale + PADDING + frame.offset_x
        out[:, 1] = (frame.max_y - coords[:, 1]) * frame.scale + PADDING
        return out

    mask = np.array([g is not None for g in geoms], dtype=bool)
    projected = np.empty(len(geoms), dtype=object)
    if mask.any():
        moved = shapely.transform(geoms[mask], to_units)
        projected[mask] = shapely.simplify(moved, SIMPLIFY, preserve_topology=True)
    return projected


def _ring_path(coords) -> str:
    """One closed ring as ``M x y`` followed by relative whole-unit steps."""
    points = np.rint(np.asarray(coords)[:, :2]).astype(np.int64)
    if len(points) < 3:
        return ""
    steps = np.diff(points, axis=0)
    steps = steps[(steps[:, 0] != 0) | (steps[:, 1] != 0)]
    if len(steps) < 2:
        return ""
    # The closing step back to the start is drawn by ``z``.
    if not steps[-1].any():
        steps = steps[:-1]
    body = " ".join(f"{dx} {dy}" for dx, dy in steps[:-1].tolist())
    return f"M{points[0, 0]} {points[0, 1]}l{body}z"


def path_data(geom) -> str:
    """SVG path data of a (projected) polygon or multipolygon, holes included (drawn with
    the even-odd rule)."""
    if geom is None:
        return ""
    parts = []
    for polygon in getattr(geom, "geoms", [geom]):
        if polygon.geom_type != "Polygon" or polygon.is_empty:
            continue
        parts.append(_ring_path(polygon.exterior.coords))
        parts.extend(_ring_path(ring.coords) for ring in polygon.interiors)
    return "".join(part for part in parts if part)


# --- drawing -----------------------------------------------------------------------------


def _legend(entries, *, top: float, hatch_id: str | None, hatch_label: str) -> tuple[list[str], float]:
    """The legend below the map: swatch and label per entry, in columns."""
    items = list(entries)
    if hatch_id:
        items.append((hatch_label, f"url(#{hatch_id})", None))
    texts = [label if count is None else f"{label} ({count})" for label, _color, count in items]
    # Long labels (the signal typology's) get the full width, one below the other.
    longest = max((len(text) for text in texts), default=0) * LEGEND_FONT * CHAR_WIDTH
    columns = LEGEND_COLUMNS if longest <= WIDTH / LEGEND_COLUMNS - LEGEND_SWATCH - 2 * PADDING else 1
    column_width = WIDTH / columns
    rows = math.ceil(len(items) / columns)
    parts = [f'<g font-family="DejaVu Sans, Arial, sans-serif" font-size="{LEGEND_FONT}" fill="#1b1b1b">']
    for index, (label, color, count) in enumerate(items):
        column, row = divmod(index, rows) if rows else (0, 0)
        x = PADDING + column * column_width
        y = top + row * LEGEND_ROW
        parts.append(
            f'<rect x="{x:.0f}" y="{y:.0f}" width="{LEGEND_SWATCH}" height="{LEGEND_SWATCH}" '
            f'fill="{color}" stroke="#6b6b6b" stroke-width="1"/>'
        )
        text = label if count is None else f"{label} ({count})"
        parts.append(
            f'<text x="{x + LEGEND_SWATCH + 8:.0f}" y="{y + LEGEND_SWATCH - 3:.0f}">{escape(text)}</text>'
        )
    parts.append("</g>")
    return parts, rows * LEGEND_ROW


def _entries(areas: list[MapArea], classes: list[MapClass], no_data_label: str):
    """The legend entries (label, colour, number of areas); areas of no class last."""
    known = {c.value for c in classes}
    counts = Counter(area.key if area.key in known else None for area in areas)
    entries = [(c.label, c.color, counts[c.value]) for c in classes]
    if counts[None]:
        entries.append((no_data_label, NO_DATA_COLOR, counts[None]))
    return entries


def _draw(
    *,
    map_id: str,
    title: str,
    description: str,
    areas: list[MapArea],
    classes: list[MapClass],
    entries,
    hatch_label: str = "",
) -> tuple[str, int]:
    geoms = _geometries(areas)
    frame = _frame(geoms)
    title_id, desc_id = f"{map_id}-titel", f"{map_id}-beschrijving"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" id={quoteattr(map_id)} '
        f'aria-labelledby="{title_id} {desc_id}" class="wk-report-map"'
    )
    inner = [
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
    ]
    if frame is None:
        inner.append(
            f'<text x="{PADDING}" y="36" font-family="DejaVu Sans, Arial, sans-serif" '
            f'font-size="{LEGEND_FONT}">{escape(_("Er zijn geen vormen om te tekenen."))}</text>'
        )
        svg = f'{head} viewBox="0 0 {WIDTH} 60">' + "".join(inner) + "</svg>"
        return svg, svg, 0
    projected = _project(geoms, frame)
    by_value = {c.value: c for c in classes}
    has_hatch = any(a.redrawn and g is not None for a, g in zip(areas, projected, strict=True))
    hatch_id = f"{map_id}-arcering" if has_hatch else None
    if hatch_id:
        inner.append(
            f'<defs><pattern id="{hatch_id}" patternUnits="userSpaceOnUse" width="8" height="8">'
            f'<path d="M0 8L8 0M-2 2L2 -2M6 10L10 6" stroke="{HATCH_COLOR}" stroke-width="1.6"/>'
            "</pattern></defs>"
        )
    groups: dict[object, list[str]] = {}
    shapes: dict[object, list[str]] = {}
    hatched: list[str] = []
    drawn = 0
    for area, geom in zip(areas, projected, strict=True):
        data = path_data(geom)
        if not data:
            continue
        drawn += 1
        key = area.key if area.key in by_value else None
        label = escape(f"{area.name} ({area.code})")
        groups.setdefault(key, []).append(f'<path d="{data}"><title>{label}</title></path>')
        shapes.setdefault(key, []).append(data)
        if area.redrawn and hatch_id:
            hatched.append(data)
    # The page's map names every area (a title per path); the printed one draws each
    # class as one path, which a PDF renderer draws many times faster.
    screen, printed = list(inner), list(inner)
    outline = f'<g stroke="{STROKE_COLOR}" stroke-width="1" stroke-linejoin="round" fill-rule="evenodd">'
    screen.append(outline)
    printed.append(outline)
    for key, paths in groups.items():
        color = by_value[key].color if key is not None else NO_DATA_COLOR
        screen.append(f'<g fill="{color}">' + "".join(paths) + "</g>")
        printed.append(f'<path fill="{color}" d="{"".join(shapes[key])}"/>')
    closing = ["</g>"]
    if hatched:
        closing.append(
            f'<path d="{"".join(hatched)}" fill="url(#{hatch_id})" fill-rule="evenodd" '
            f'stroke="{HATCH_COLOR}" stroke-width="1.5"/>'
        )
    legend_top = frame.height + 12
    legend, legend_height = _legend(entries, top=legend_top, hatch_id=hatch_id, hatch_label=hatch_label)
    closing.extend(legend)
    height = math.ceil(legend_top + legend_height + PADDING)
    opening = f'{head} viewBox="0 0 {frame.width} {height}">'
    return (
        opening + "".join(screen + closing) + "</svg>",
        opening + "".join(printed + closing) + "</svg>",
        drawn,
    )


def _count_sentence(entries) -> str:
    parts = [f"{label}: {count}" for label, _color, count in entries if count]
    return "; ".join(parts) + "." if parts else ""


def class_map(
    *,
    map_id: str,
    title: str,
    areas: list[MapArea],
    classes: list[MapClass],
    level_label: str = "",
    no_data_label: str = "",
    summary: str = "",
    mark_redrawn: bool = False,
) -> MapImage:
    """A choropleth of ``areas`` coloured by class (``MapArea.key`` is a ``MapClass``
    value), with a legend that counts the areas per class. ``level_label`` names the
    areas in the text alternative (``buurten``). With ``mark_redrawn`` the areas whose
    boundary changed are hatched, in the legend and named in the text alternative."""
    entries = _entries(areas, classes, no_data_label or _("geen gegevens"))
    text = [
        summary
        or _("De kaart toont %(n)s %(level)s, gekleurd naar klasse.")
        % {"n": len(areas), "level": level_label or _("gebieden")}
    ]
    counted = _count_sentence(entries)
    if counted:
        text.append(f"{_('Aantal per klasse')}: {counted}")
    redrawn = sorted((a for a in areas if a.redrawn), key=lambda a: (a.name, a.code)) if mark_redrawn else []
    if redrawn:
        names = ", ".join(a.name for a in redrawn)
        text.append(_("Grens gewijzigd (gearceerd): %(names)s.") % {"names": names})
    description = " ".join(text)
    svg, printed, drawn = _draw(
        map_id=map_id,
        title=title,
        description=description,
        areas=areas if mark_redrawn else [replace(a, redrawn=False) for a in areas],
        classes=classes,
        entries=entries,
        hatch_label=_("grens gewijzigd"),
    )
    # Built from escaped parts only.
    return MapImage(map_id, title, description, mark_safe(svg), text, entries, drawn, printed)


def change_classes() -> list[MapClass]:
    """The classes of a change map: better, the same, worse."""
    return [
        MapClass(IMPROVED, _("verbeterd"), CHANGE_COLORS[IMPROVED]),
        MapClass(SAME, _("gelijk gebleven"), CHANGE_COLORS[SAME]),
        MapClass(WORSE, _("verslechterd"), CHANGE_COLORS[WORSE]),
    ]


def change_of(before, after, *, higher_is_better: bool = True) -> str | None:
    """Better, the same or worse from a class (or score) in the earlier and the later
    year; None when either is missing."""
    if before is None or after is None:
        return None
    if after == before:
        return SAME
    return IMPROVED if (after > before) == higher_is_better else WORSE


def change_map(
    *,
    map_id: str,
    title: str,
    areas: list[MapArea],
    classes: list[MapClass] | None = None,
    level_label: str = "",
) -> MapImage:
    """The change map: areas coloured improved, the same or worse (``MapArea.key`` one of
    ``IMPROVED``, ``SAME``, ``WORSE`` or None; or the keys of ``classes`` when given),
    areas whose boundary changed hatched and named in the text alternative."""
    return class_map(
        map_id=map_id,
        title=title,
        areas=areas,
        classes=classes or change_classes(),
        no_data_label=_("geen vergelijking"),
        summary=_("De kaart toont per %(level)s of de score is verbeterd, gelijk gebleven of verslechterd.")
        % {"level": level_label or _("gebied")},
        mark_redrawn=True,
    )


# --- shapes from the database ----------------------------------------------------------------

# Up to this many areas a map uses the city-zoom shapes, beyond it the region-zoom ones
# (at the width of an A4 page both are finer than the drawing's simplification).
CITY_SHAPES_UP_TO = 150


def shapes_by_id(*, user, ids, band: str | None = None) -> dict[int, str]:
    """The stored GeoJSON shape per area id, read through ``restrict()``; areas without a
    shape are left out. ``band`` defaults to the city-zoom shapes for small maps."""
    from areas.models import Area

    ids = list(ids)
    band = band or ("stad" if len(ids) <= CITY_SHAPES_UP_TO else "regio")
    rows = (
        Area.objects.restrict(user, "view")
        .filter(pk__in=ids)
        .values_list("pk", f"shape_{band}", "shape_regio", "shape_land")
    )
    shapes = {}
    for pk, preferred, regio, land in rows.iterator(chunk_size=1000):
        shape = preferred or regio or land
        if shape:
            shapes[pk] = shape
    return shapes


# --- the maps of a year report ---------------------------------------------------------------

# Drawn maps are kept this long; the key changes with the data and the boundaries drawn.
MAP_CACHE_SECONDS = 24 * 3600


@dataclass
class ModelMaps:
    """The maps of one score model in a year report: its year, the compared year and
    the change between them (those that exist)."""

    key: str
    name: str
    images: list[MapImage]


def _layer_key(layer, *, map_id: str, level_label: str) -> str:
    """A cache key for a drawn layer: its content, the drawing code's settings and the
    version of the boundaries it is drawn on."""
    import hashlib

    from areas.selectors import map_version

    digest = hashlib.sha1()
    digest.update(f"{map_id}|{layer.kind}|{layer.title}|{level_label}|{SIMPLIFY}|{WIDTH}".encode())
    for item in layer.legend:
        digest.update(f"|{item.value}:{item.label}:{item.color}".encode())
    for area in layer.areas:
        digest.update(f"|{area.area_id}:{area.name}:{area.score_class}:{int(area.boundary_changed)}".encode())
    years = sorted({area.year for area in layer.areas})
    versions = ",".join(map_version(year).token for year in years)
    return f"reports:map:{digest.hexdigest()[:32]}:{versions}"


def layer_map(layer, *, map_id: str, shapes: dict[int, str], level_label: str = "") -> MapImage:
    """Draw one map layer of a year report (``reports.selectors.MapLayer``): coloured by
    its legend; a change layer also hatches the areas whose boundary changed."""
    classes = [
        MapClass(item.value, item.label, item.color) for item in layer.legend if item.value is not None
    ]
    no_data = next((item.label for item in layer.legend if item.value is None), "")
    areas = [
        MapArea(a.code, a.name, shapes.get(a.area_id), a.score_class, a.boundary_changed) for a in layer.areas
    ]
    if layer.kind == "change":
        return change_map(
            map_id=map_id, title=layer.title, areas=areas, classes=classes, level_label=_("buurt")
        )
    return class_map(
        map_id=map_id,
        title=layer.title,
        areas=areas,
        classes=classes,
        level_label=level_label,
        no_data_label=no_data,
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-") or "model"


def draw_layers(layers, *, user, level_label: str = "") -> list[MapImage]:
    """Draw ``(layer, map_id)`` pairs, taking those drawn before from the cache; the
    shapes of the others are read in one query."""
    from django.core.cache import cache

    level_label = level_label or _("buurten")
    keyed = [
        (layer, map_id, _layer_key(layer, map_id=map_id, level_label=level_label)) for layer, map_id in layers
    ]
    found = cache.get_many([key for _l, _i, key in keyed]) if keyed else {}
    missing = [item for item in keyed if item[2] not in found]
    if missing:
        ids = {area.area_id for layer, _id, _key in missing for area in layer.areas}
        shapes = shapes_by_id(user=user, ids=ids)
        drawn = {
            key: layer_map(layer, map_id=map_id, shapes=shapes, level_label=level_label)
            for layer, map_id, key in missing
        }
        cache.set_many(drawn, MAP_CACHE_SECONDS)
        found.update(drawn)
    return [found[key] for _l, _i, key in keyed]


def model_maps(model, *, user, prefix: str = "kaart") -> list[MapImage]:
    """The maps of one score model of a report (``ModelScores``), in its order."""
    base = f"{prefix}-{_slug(model.key)}"
    return draw_layers([(layer, f"{base}-{layer.kind}") for layer in model.maps], user=user)


def report_maps(report, *, user, prefix: str = "kaart") -> list[ModelMaps]:
    """Every map of the report's score models, drawn or taken from the cache, with the
    shapes of all layers still to draw read in one query."""
    pairs, owners = [], []
    for model in report.scores.models:
        base = f"{prefix}-{_slug(model.key)}"
        for layer in model.maps:
            pairs.append((layer, f"{base}-{layer.kind}"))
            owners.append(model)
    images = draw_layers(pairs, user=user)
    result: dict[str, ModelMaps] = {}
    for model in report.scores.models:
        result[model.key] = ModelMaps(model.key, model.name, [])
    for model, image in zip(owners, images, strict=True):
        result[model.key].images.append(image)
    return list(result.values())
