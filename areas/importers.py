"""Reading CBS boundary files (gemeenten, wijken, buurten) into shapes ready to store.

This module only reads and checks a file; it never touches the database. The services
(``areas.services``) compare the result with what is stored and write it.

Accepted: GeoPackage, a zipped Shapefile and GeoJSON, in RD New (EPSG:28992) or WGS84,
with the CBS attribute names (``BU_CODE BU_NAAM WK_CODE WK_NAAM GM_CODE GM_NAAM WATER``,
or the lower-case names of newer CBS files) or the simplified style of the generalised
CBS maps (``statcode statnaam gmCode``).

Everything geometric is vectorised over the whole file (shapely 2 arrays, one pyproj
call for all coordinates): the national buurt file has some 14,500 features.
"""

import re
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pyogrio
import shapely
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pyogrio import raw as ogr_raw
from pyogrio.errors import DataLayerError, DataSourceError, FieldError, GeometryError
from pyproj import CRS, Transformer

from areas.models import ZOOM_BANDS, AreaKind
from core.imports import RowIssue, cell_text, file_too_large_message

RD_NEW = "EPSG:28992"
WGS84 = "EPSG:4326"
# ETRS89 differs from WGS84 by well under a metre in the Netherlands; PDOK publishes in it.
WGS84_LIKE_EPSG = {4326, 4258}

NOT_A_GEO_FILE = gettext_lazy(
    "Dit is geen geodata-bestand dat Wijkkoers kan lezen. Lever een GeoPackage (.gpkg), een gezipte "
    "Shapefile (.zip) of GeoJSON (.geojson) aan."
)
ZIP_EXPANSION_LIMIT = 10  # an archive may unpack to at most this many times the upload limit

CODE_PATTERNS = {
    AreaKind.GEMEENTE: re.compile(r"^GM\d{4}$"),
    AreaKind.WIJK: re.compile(r"^WK\d{4}[0-9A-Z]{2}$"),
    AreaKind.BUURT: re.compile(r"^BU\d{4}[0-9A-Z]{4}$"),
}
CODE_EXAMPLES = {
    AreaKind.GEMEENTE: gettext_lazy("GM + 4 cijfers, bijvoorbeeld GM0453"),
    AreaKind.WIJK: gettext_lazy("WK + 6 tekens, bijvoorbeeld WK045300"),
    AreaKind.BUURT: gettext_lazy("BU + 8 tekens, bijvoorbeeld BU04530000"),
}
PREFIX_KIND = {"GM": AreaKind.GEMEENTE, "WK": AreaKind.WIJK, "BU": AreaKind.BUURT}
KIND_LABEL = {AreaKind.GEMEENTE: "gemeente", AreaKind.WIJK: "wijk", AreaKind.BUURT: "buurt"}
# Order in which levels are written, so every parent exists before its children.
LEVEL_ORDER = {AreaKind.GEMEENTE: 0, AreaKind.WIJK: 1, AreaKind.BUURT: 2}

# Column names per level in the CBS style: (code, name). Older files use BU_CODE, newer
# ones buurtcode; names are matched case-insensitively.
CBS_COLUMNS = {
    AreaKind.BUURT: (("bu_code", "buurtcode"), ("bu_naam", "buurtnaam")),
    AreaKind.WIJK: (("wk_code", "wijkcode"), ("wk_naam", "wijknaam")),
    AreaKind.GEMEENTE: (("gm_code", "gemeentecode"), ("gm_naam", "gemeentenaam")),
}
WATER_YES = {"JA", "J", "TRUE", "1", "YES"}


class BoundaryFileError(Exception):
    """The file as a whole cannot be used (not a geo file, unknown CRS, ...)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class BoundaryRecord:
    """One area as read from the file, with everything needed to store it."""

    row: int
    code: str
    name: str
    kind: str
    gemeente_code: str
    parent_code: str | None
    is_water: bool
    geometry: bytes | None = None  # WKB, WGS84, full precision
    area_m2: float | None = None
    bbox: tuple | None = None  # (min_lon, min_lat, max_lon, max_lat)
    shapes: dict = field(default_factory=dict)  # zoom band -> GeoJSON geometry text


@dataclass
class BoundaryFile:
    records: list[BoundaryRecord]
    warnings: list[RowIssue]
    errors: list[RowIssue]
    crs: str
    style: str
    driver: str


# --- shapes -----------------------------------------------------------------------------


@lru_cache(maxsize=4)
def transformer(source: str, target: str) -> Transformer:
    return Transformer.from_crs(source, target, always_xy=True)


def _reproject(geoms: np.ndarray, source: str, target: str) -> np.ndarray:
    """All coordinates of all geometries in one pyproj call."""
    tr = transformer(source, target)

    def convert(coords):
        x, y = tr.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geoms, convert)


def polygonal(geom):
    """The polygonal part of a geometry (after ``make_valid`` a collection may hold
    stray lines or points); ``None`` when nothing polygonal is left."""
    if geom is None or geom.is_empty:
        return None
    type_id = shapely.get_type_id(geom)
    if type_id in (3, 6):  # Polygon, MultiPolygon
        return geom
    parts = [p for p in shapely.get_parts(geom) if shapely.get_type_id(p) in (3, 6)]
    if not parts:
        return None
    polys = []
    for part in parts:
        polys.extend(shapely.get_parts(part) if shapely.get_type_id(part) == 6 else [part])
    return polys[0] if len(polys) == 1 else shapely.MultiPolygon(polys)


def _repair(geom):
    return polygonal(shapely.make_valid(geom))


def _round(geoms: np.ndarray, decimals: int) -> np.ndarray:
    return shapely.transform(geoms, lambda coords: np.round(coords, decimals))


def shape_fields(wgs84: np.ndarray, rd: np.ndarray | None = None) -> dict:
    """Stored fields for an array of WGS84 (Multi)Polygons (``None`` allowed).

    Returns arrays: ``wkb``, ``area_m2`` (measured in RD New), ``bounds`` (n×4) and per
    zoom band the GeoJSON text of the shape simplified for that band, coordinates
    rounded to its decimals. A simplification that would leave nothing falls back to
    the (rounded) original shape.
    """
    wgs84 = np.asarray(wgs84, dtype=object)
    if rd is None:
        rd = _reproject(wgs84, WGS84, RD_NEW)
    missing = shapely.is_missing(wgs84)
    result = {
        "wkb": shapely.to_wkb(wgs84),
        "area_m2": shapely.area(rd),
        "bounds": shapely.bounds(wgs84),
    }
    # Finest band first, each coarser band simplified from the one before: the input
    # shrinks at every step (less than half the time for the national file), and the
    # extra deviation (at most the sum of the finer tolerances) is below a pixel.
    previous = wgs84
    for band, (tolerance, decimals) in sorted(ZOOM_BANDS.items(), key=lambda item: item[1][0]):
        previous = shapely.simplify(previous, tolerance, preserve_topology=True)
        simple = _round(previous, decimals)
        lost = ~missing & (shapely.is_empty(simple) | (shapely.area(simple) == 0))
        if lost.any():
            simple[lost] = _round(wgs84[lost], decimals)
        result[band] = shapely.to_geojson(simple)
    return result


# --- opening the file -------------------------------------------------------------------


def sniff_head(head: bytes) -> str:
    """'zip', 'gpkg' or 'json' from a file's first bytes, or a BoundaryFileError.

    Checked before GDAL opens anything, so an upload is only ever read by one of the
    three drivers Wijkkoers accepts.
    """
    if not head:
        raise BoundaryFileError(_("Het bestand is leeg."))
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"SQLite format 3\x00"):
        return "gpkg"
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return "json"
    if head.startswith(b"\x00\x00\x27\x0a"):
        raise BoundaryFileError(
            _(
                "Dit is een los .shp-bestand. Zip de Shapefile met de bijbehorende .shx-, .dbf- en "
                ".prj-bestanden en lever het zip-bestand aan."
            )
        )
    raise BoundaryFileError(str(NOT_A_GEO_FILE))


def _sniff(path: Path) -> str:
    with path.open("rb") as fh:
        return sniff_head(fh.read(64))


def _source(path: Path, max_bytes: int | None) -> str:
    """The GDAL path to read: the file itself or the layer inside a zip archive."""
    kind = _sniff(path)
    if kind != "zip":
        return str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = [
                i for i in archive.infolist() if not i.is_dir() and not i.filename.startswith("__MACOSX/")
            ]
    except zipfile.BadZipFile as exc:
        raise BoundaryFileError(_("Het zip-bestand is beschadigd of onvolledig.")) from exc
    if max_bytes and sum(i.file_size for i in infos) > ZIP_EXPANSION_LIMIT * max_bytes:
        raise BoundaryFileError(
            _("Het zip-bestand is uitgepakt veel te groot. Lever alleen de grenskaart aan.")
        )
    layers = [i.filename for i in infos if i.filename.lower().endswith(".shp")]
    if not layers:
        layers = [i.filename for i in infos if i.filename.lower().endswith((".gpkg", ".geojson", ".json"))]
    if not layers:
        raise BoundaryFileError(
            _("Het zip-bestand bevat geen Shapefile (.shp), GeoPackage of GeoJSON.")
            + " "
            + str(NOT_A_GEO_FILE)
        )
    if len(layers) > 1:
        raise BoundaryFileError(
            _("Het zip-bestand bevat meer dan één kaartlaag (%(layers)s). Lever één laag per bestand aan.")
            % {"layers": ", ".join(sorted(layers)[:5])}
        )
    return f"/vsizip/{path.resolve()}/{layers[0]}"


def _crs_of(crs_text: str | None, bounds, driver: str) -> str:
    """RD_NEW or WGS84, or a BoundaryFileError saying what to do."""
    lonlat_looking = bounds is not None and (
        -180 <= bounds[0] <= 180
        and -180 <= bounds[2] <= 180
        and -90 <= bounds[1] <= 90
        and -90 <= bounds[3] <= 90
    )
    if not crs_text:
        if lonlat_looking and driver == "GeoJSON":
            return WGS84
        hint = (
            " " + _("Voeg bij een Shapefile het .prj-bestand toe aan het zip-bestand.")
            if driver == "ESRI Shapefile"
            else ""
        )
        raise BoundaryFileError(
            _(
                "Het bestand vermeldt geen coördinatenstelsel. Lever het aan in RD New (EPSG:28992) "
                "of WGS84 (EPSG:4326)."
            )
            + hint
        )
    try:
        crs = CRS.from_user_input(crs_text)
    except Exception as exc:  # pyproj raises CRSError for anything it cannot parse
        raise BoundaryFileError(
            _(
                "Het coördinatenstelsel van het bestand is onbekend. Lever het aan in RD New "
                "(EPSG:28992) of WGS84 (EPSG:4326)."
            )
        ) from exc
    epsg = crs.to_epsg(min_confidence=70)
    if epsg == 28992:
        return RD_NEW
    if epsg in WGS84_LIKE_EPSG or crs.equals(CRS("OGC:CRS84"), ignore_axis_order=True):
        if bounds is not None and not lonlat_looking:
            raise BoundaryFileError(
                _(
                    "Het bestand zegt WGS84 te gebruiken, maar de coördinaten zijn geen lengte- en "
                    "breedtegraden. Is het een RD New-bestand zonder juiste vermelding van het stelsel?"
                )
            )
        return WGS84
    name = crs.name or crs_text
    raise BoundaryFileError(
        _(
            "Het coördinatenstelsel van het bestand (%(name)s) wordt niet ondersteund. Lever het aan in "
            "RD New (EPSG:28992) of WGS84 (EPSG:4326)."
        )
        % {"name": name}
    )


# --- attributes -------------------------------------------------------------------------


def normalise_code(value) -> str:
    """A CBS code without padding spaces, in capitals ('BU04530000 ' -> 'BU04530000')."""
    if value is None:
        return ""
    if isinstance(value, float) and np.isnan(value):
        return ""
    return str(value).strip().upper()


def kind_of_code(code: str) -> str | None:
    """The level of a valid CBS code, or None."""
    kind = PREFIX_KIND.get(code[:2])
    if kind and CODE_PATTERNS[kind].match(code):
        return kind
    return None


def parent_code_of(code: str) -> str | None:
    """BU0453WWBB -> WK0453WW, WK0453WW -> GM0453, GM0453 -> None."""
    if code.startswith("BU"):
        return "WK" + code[2:8]
    if code.startswith("WK"):
        return "GM" + code[2:6]
    return None


def _detect_style(fields: list[str]):
    """(style, level, columns) for the file's attribute names."""
    by_lower = {f.lower(): f for f in fields}

    def pick(names):
        for name in names:
            if name in by_lower:
                return by_lower[name]
        return None

    for level in (AreaKind.BUURT, AreaKind.WIJK, AreaKind.GEMEENTE):
        code_names, name_names = CBS_COLUMNS[level]
        code_col = pick(code_names)
        if code_col:
            columns = {"code": code_col, "name": pick(name_names), "water": pick(("water",))}
            return "cbs", level, columns
    if "statcode" in by_lower:
        columns = {
            "code": by_lower["statcode"],
            "name": pick(("statnaam",)),
            "jrstatcode": pick(("jrstatcode",)),
            "water": pick(("water",)),
        }
        return "vereenvoudigd", None, columns
    raise BoundaryFileError(
        _(
            "Het bestand heeft geen kolom met gebiedscodes. Verwacht BU_CODE, WK_CODE of GM_CODE "
            "(CBS-wijk- en buurtkaart) of statcode (vereenvoudigde kaart). Gevonden kolommen: %(found)s."
        )
        % {"found": ", ".join(fields[:15]) or _("geen")}
    )


# --- reading ----------------------------------------------------------------------------


def read_boundary_file(path, *, year: int | None = None, max_bytes: int | None = None) -> BoundaryFile:
    """Read and check a boundary file.

    Raises ``BoundaryFileError`` when the file as a whole cannot be used. Problems with
    single rows are collected in ``errors`` (the import must then store nothing) and
    ``warnings`` (stored anyway: no shape, water, repaired shape). Shapes are only
    computed when there are no errors.
    """
    path = Path(path)
    if not path.exists():
        raise BoundaryFileError(_("Het bestand is niet gevonden."))
    size = path.stat().st_size
    if max_bytes and size > max_bytes:
        raise BoundaryFileError(boundary_file_too_large_message(size, max_bytes))
    source = _source(path, max_bytes)
    try:
        info = pyogrio.read_info(source)
    except (DataSourceError, DataLayerError) as exc:
        raise BoundaryFileError(str(NOT_A_GEO_FILE)) from exc
    driver = info.get("driver") or ""
    if driver not in {"GPKG", "ESRI Shapefile", "GeoJSON"}:
        raise BoundaryFileError(str(NOT_A_GEO_FILE))
    if not info.get("geometry_type"):
        raise BoundaryFileError(_("Het bestand bevat geen vormen (geometrie).") + " " + str(NOT_A_GEO_FILE))
    if info.get("features") == 0:
        raise BoundaryFileError(_("Het bestand bevat geen gebieden."))
    fields = [str(f) for f in info.get("fields", [])]
    style, level, columns = _detect_style(fields)

    wanted = [c for c in dict.fromkeys(columns.values()) if c]
    try:
        meta, _fids, wkb, values = ogr_raw.read(source, columns=wanted, force_2d=True)
    except (DataSourceError, DataLayerError, FieldError, GeometryError) as exc:
        raise BoundaryFileError(
            _("Het bestand kon niet worden gelezen; het is mogelijk beschadigd.") + " " + str(NOT_A_GEO_FILE)
        ) from exc
    n = 0 if values is None or not len(values) else len(values[0])
    if wkb is not None:
        n = max(n, len(wkb))
    if n == 0:
        raise BoundaryFileError(_("Het bestand bevat geen gebieden."))
    # pyogrio returns the columns in file order, not in the order asked for.
    column_values = dict(zip([str(f) for f in meta["fields"]], values, strict=True))

    def col(key):
        name = columns.get(key)
        return column_values[name] if name else [None] * n

    geoms = shapely.from_wkb(wkb, on_invalid="ignore") if wkb is not None else np.full(n, None, dtype=object)
    bounds = shapely.total_bounds(geoms) if (~shapely.is_missing(geoms)).any() else None
    crs = _crs_of(info.get("crs"), bounds, driver)

    warnings: list[RowIssue] = []
    errors: list[RowIssue] = []
    records: list[BoundaryRecord] = []
    first_row: dict[str, int] = {}
    file_year_seen = set()

    codes, names, waters = col("code"), col("name"), col("water")
    jrstat = col("jrstatcode")
    for i in range(n):
        row = i + 1
        code = normalise_code(codes[i])
        if not code:
            errors.append(RowIssue(row, "", _("De code ontbreekt.")))
            continue
        kind = kind_of_code(code)
        if kind is None or (level is not None and kind != level):
            errors.append(
                RowIssue(
                    row,
                    code,
                    _("Ongeldige code %(code)r in de kolom %(column)s: verwacht %(example)s.")
                    % {"code": code, "column": columns["code"], "example": CODE_EXAMPLES[level]}
                    if level
                    else _("Ongeldige code %(code)r: verwacht GM + 4 cijfers, WK + 6 of BU + 8 tekens.")
                    % {"code": code},
                )
            )
            continue
        if code in first_row:
            errors.append(
                RowIssue(
                    row,
                    code,
                    _("De code %(code)s komt vaker voor in het bestand (ook op rij %(row)s).")
                    % {"code": code, "row": first_row[code]},
                )
            )
            continue
        first_row[code] = row
        jr = cell_text(jrstat[i])
        if jr[:4].isdigit():
            file_year_seen.add(int(jr[:4]))
        # The parent follows from the code itself (BU0453WWBB lies in WK0453WW), so a
        # WK_CODE column, where present, adds nothing.
        parent_code = parent_code_of(code)
        name = cell_text(names[i])
        if not name:
            name = code
            warnings.append(RowIssue(row, code, _("De naam ontbreekt; de code is als naam gebruikt.")))
        is_water = code.endswith(("9997", "9998")) or cell_text(waters[i]).upper() in WATER_YES
        if is_water:
            warnings.append(
                RowIssue(row, code, _("Water: opgeslagen, maar buiten kaarten en gemiddelden gehouden."))
            )
        records.append(
            BoundaryRecord(
                row=row,
                code=code,
                name=name[:200],
                kind=kind,
                gemeente_code="GM" + code[2:6],
                parent_code=parent_code,
                is_water=is_water,
            )
        )
    if year is not None and file_year_seen and file_year_seen != {year}:
        seen = ", ".join(str(y) for y in sorted(file_year_seen))
        warnings.append(
            RowIssue(
                None,
                "",
                _(
                    "Volgens de kolom jrstatcode is dit bestand van %(seen)s; het wordt geïmporteerd als %(year)s."
                )
                % {"seen": seen, "year": year},
            )
        )

    # Geometry: only for rows that are kept, in file order.
    idx = np.array([r.row - 1 for r in records], dtype=int)
    src = geoms[idx] if len(idx) else np.empty(0, dtype=object)
    src = np.where(shapely.is_empty(src), None, src)
    type_ids = shapely.get_type_id(src)
    for j in np.flatnonzero(~np.isin(type_ids, (-1, 3, 6, 7))):
        rec = records[j]
        errors.append(
            RowIssue(rec.row, rec.code, _("De vorm is geen vlak (polygoon) maar een punt of lijn."))
        )
    if errors:
        return BoundaryFile(records, warnings, errors, crs, style, driver)

    for j in np.flatnonzero(shapely.is_missing(src)):
        rec = records[j]
        warnings.append(
            RowIssue(rec.row, rec.code, _("Geen vorm in het bestand: opgeslagen zonder kaartvorm."))
        )
    present = ~shapely.is_missing(src)
    bad = (present & ~shapely.is_valid(src)) | (type_ids == 7)
    for j in np.flatnonzero(bad):
        rec = records[j]
        fixed = _repair(src[j])
        if fixed is None:
            errors.append(
                RowIssue(
                    rec.row,
                    rec.code,
                    _("De vorm is ongeldig en kon niet worden hersteld. Controleer dit gebied."),
                )
            )
        else:
            src[j] = fixed
            warnings.append(
                RowIssue(rec.row, rec.code, _("Ongeldige vorm (bijvoorbeeld een zelfdoorsnijding) hersteld."))
            )
    if errors:
        return BoundaryFile(records, warnings, errors, crs, style, driver)

    if crs == RD_NEW:
        rd, wgs = src, _reproject(src, RD_NEW, WGS84)
    else:
        wgs, rd = src, _reproject(src, WGS84, RD_NEW)
    # Reprojection can bend a valid ring into a barely invalid one; repair those quietly.
    present = ~shapely.is_missing(wgs)
    for j in np.flatnonzero(present & ~shapely.is_valid(wgs)):
        wgs[j] = _repair(wgs[j])
    fill_shapes(records, wgs, rd)
    return BoundaryFile(records, warnings, errors, crs, style, driver)


def fill_shapes(records: list[BoundaryRecord], wgs: np.ndarray, rd: np.ndarray | None = None) -> None:
    """Put the stored shape fields on the records (same order as the arrays)."""
    computed = shape_fields(wgs, rd)
    bounds = computed["bounds"]
    for j, rec in enumerate(records):
        if computed["wkb"][j] is None:
            continue
        rec.geometry = computed["wkb"][j]
        rec.area_m2 = float(computed["area_m2"][j])
        rec.bbox = tuple(float(v) for v in bounds[j])
        rec.shapes = {band: computed[band][j] for band in ZOOM_BANDS}


def boundary_file_too_large_message(size: int, max_bytes: int) -> str:
    return file_too_large_message(
        size, max_bytes, _("Lever een kleiner bestand aan, bijvoorbeeld alleen de buurten, of gezipt.")
    )
