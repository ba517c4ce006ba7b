"""Reading a corporation's complex register from a CSV or Excel file, and placing each
complex in a buurt.

The file has the template's columns (``TEMPLATE_COLUMNS``) and a point per complex:
``x, y`` in RD New (EPSG:28992) or ``lat, lon`` in WGS84. CSV comes with a comma or a
semicolon, a decimal comma or point (settled per column as for indicator files, see
``scores.importers.settle_number_styles``), in UTF-8 or Windows-1252, with padded cells.

A complex without a point is looked up in an optional address file: one row per address
with the columns ``postcode;huisnummer;x;y`` (RD New) or ``postcode;huisnummer;lat;lon``
(WGS84), in the same CSV or Excel forms. A complex that has neither is a row error.

Each point is placed by point-in-polygon in the buurten of the chosen boundary year in
the corporation's gemeenten (``corporation_gemeenten``); a point outside all of them is a
row error. Nothing here writes: ``portfolio.services`` stores what this reads.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import shapely
from django.utils.translation import gettext as _
from pyproj import Transformer

from areas.models import Area, AreaKind
from core.exports import unsafe_text
from core.imports import RowIssue, cell_text
from portfolio.models import ENERGY_LABELS
from scores.importers import (
    AmbiguousNumber,
    IndicatorFileError,
    parse_number,
    read_table,
    settle_number_styles,
)

MAX_ROWS = 20000
MAX_MB = 20

TEMPLATE_COLUMNS = ("complexnummer", "naam", "straat", "huisnummer", "postcode", "plaats")
POINT_COLUMNS = ("x", "y", "lat", "lon")
COUNT_COLUMNS = ("aantal_eengezins", "aantal_meergezins", "sociale_huur", "middenhuur", "vrije_sector")
REGISTER_COLUMNS = (
    *TEMPLATE_COLUMNS,
    *POINT_COLUMNS,
    *COUNT_COLUMNS,
    "bouwjaar",
    "energielabel",
)
REQUIRED_COLUMNS = ("complexnummer", "naam", *COUNT_COLUMNS)
# Columns an export adds; read back they are only informative (the buurt follows the point,
# the strategy is set on its own page).
EXPORT_ONLY_COLUMNS = ("buurtcode", "buurtnaam", "strategie", "horizonjaar")
LOOKUP_COLUMNS = ("postcode", "huisnummer")

# RD New (EPSG:28992) to WGS84, longitude first; built once per process.
_TO_WGS84 = Transformer.from_crs("EPSG:28992", "EPSG:4326", always_xy=True)
# Rough bounds of the Netherlands in RD New and WGS84, to catch swapped or wrong columns.
RD_BOUNDS = (-7000, 289000, 300000, 629000)  # min x, min y, max x, max y
WGS84_BOUNDS = (3.2, 50.7, 7.3, 53.7)  # min lon, min lat, max lon, max lat

POSTCODE = re.compile(r"^([1-9][0-9]{3})\s?([A-Za-z]{2})$")
LABELS = {label.upper(): label for label in ENERGY_LABELS}


class RegisterFileError(Exception):
    """The file as a whole cannot be read; ``message`` says why in plain Dutch."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class ComplexRow:
    """One complex as the file gives it, placed in a buurt."""

    row: int
    number: str
    name: str
    street: str
    house_number: str
    postcode: str
    city: str
    x_rd: float | None
    y_rd: float | None
    lat: float | None
    lon: float | None
    single_family: int
    multi_family: int
    social_rent: int
    mid_rent: int
    free_sector: int
    year_built: int | None
    energy_label: str
    located_by_lookup: bool = False
    buurt_id: int | None = None


@dataclass
class RegisterFile:
    rows: list[ComplexRow] = field(default_factory=list)
    errors: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)
    rows_read: int = 0


def normalise_postcode(text: str) -> str:
    """``1971 ab`` → ``1971AB``; the text as given (upper case, no spaces) when it is not a
    Dutch postcode."""
    text = (text or "").strip()
    match = POSTCODE.match(text)
    if match:
        return f"{match.group(1)}{match.group(2).upper()}"
    return text.upper().replace(" ", "")


def normalise_house_number(text: str) -> str:
    return re.sub(r"[\s-]+", "", (text or "").strip()).upper()


def rd_to_wgs84(x: float, y: float) -> tuple[float, float]:
    """(lat, lon) of an RD New point."""
    lon, lat = _TO_WGS84.transform(x, y)
    return lat, lon


def _text(raw) -> str:
    return unsafe_text(raw.strip()) if isinstance(raw, str) else cell_text(raw)


def _table(path: Path, name: str, *, max_bytes: int):
    try:
        return read_table(path, name=name, max_bytes=max_bytes)
    except IndicatorFileError as exc:
        raise RegisterFileError(str(exc.args[0]) if exc.args else str(exc)) from exc


class _Cells:
    """The cells of one row by column name, numbers read in their column's style."""

    def __init__(self, header, styles, result, row, cells):
        self.header, self.styles, self.result, self.row, self.cells = header, styles, result, row, cells
        self.ok = True

    def raw(self, column):
        index = self.header.get(column)
        if index is None or index >= len(self.cells):
            return None
        return self.cells[index]

    def text(self, column) -> str:
        return _text(self.raw(column))

    def error(self, column, message):
        self.result.errors.append(RowIssue(self.row, column, message))
        self.ok = False

    def number(self, column):
        raw = self.raw(column)
        index = self.header.get(column)
        try:
            return parse_number(raw, decimal=self.styles.get(index))
        except AmbiguousNumber as exc:
            self.error(
                column,
                _(
                    "%(text)s kan %(a)s of %(b)s betekenen. Schrijf alle getallen in deze kolom op "
                    "dezelfde manier, met een decimale komma of een decimale punt."
                )
                % {"text": exc.text, "a": exc.as_thousands, "b": exc.as_decimal},
            )
        except ValueError:
            self.error(column, _("%(value)s is geen getal.") % {"value": _text(raw)})
        return None

    def whole(self, column, *, required=False, minimum=0, maximum=None):
        value = self.number(column)
        if value is None:
            if required and self.ok and not self.text(column):
                return 0
            return None
        if not value.is_integer() or value < minimum or (maximum is not None and value > maximum):
            if maximum is None:
                self.error(
                    column, _("%(value)s is geen geheel aantal van 0 of meer.") % {"value": self.text(column)}
                )
            else:
                self.error(
                    column,
                    _("%(value)s is geen jaartal tussen %(a)s en %(b)s.")
                    % {"value": self.text(column), "a": minimum, "b": maximum},
                )
            return None
        return int(value)


def _check_header(header: dict[str, int]) -> None:
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise RegisterFileError(
            _(
                "Deze kolommen ontbreken: %(columns)s. Gebruik het sjabloon: %(template)s, met x en y "
                "(RD New) of lat en lon (WGS84)."
            )
            % {"columns": ", ".join(missing), "template": ", ".join(REGISTER_COLUMNS)}
        )
    has_rd = "x" in header and "y" in header
    has_wgs = "lat" in header and "lon" in header
    if not (has_rd or has_wgs) and not ("postcode" in header and "huisnummer" in header):
        raise RegisterFileError(
            _(
                "Het bestand heeft geen plaats per complex: geef de kolommen x en y (RD New), lat en "
                "lon (WGS84), of postcode en huisnummer met een adressenbestand."
            )
        )


def _point(cells: _Cells, xcol: str, ycol: str, bounds, what: str):
    """The two numbers of a point, checked against the bounds of the Netherlands; None
    when both are empty."""
    if not cells.text(xcol) and not cells.text(ycol):
        return None
    a, b = cells.number(xcol), cells.number(ycol)
    if a is None or b is None:
        if cells.ok:
            cells.error(xcol if a is None else ycol, _("Vul beide coördinaten in, of geen van beide."))
        return None
    if not (bounds[0] <= a <= bounds[2] and bounds[1] <= b <= bounds[3]):
        cells.error(
            xcol,
            _("Het punt %(a)s, %(b)s ligt niet in Nederland (%(what)s). Staan de kolommen goed?")
            % {"a": cells.text(xcol), "b": cells.text(ycol), "what": what},
        )
        return None
    return a, b


def read_register(
    path: Path, *, name: str, lookup: dict | None = None, max_bytes: int | None = None
) -> RegisterFile:
    """The complexes in a register file, each with its point in WGS84 (from RD New, from
    WGS84 or through ``lookup``: ``{(postcode, huisnummer): (lat, lon)}``); row errors
    for everything that is not right. Raises ``RegisterFileError`` for a file that
    cannot be read at all."""
    table = _table(path, name, max_bytes=max_bytes or MAX_MB * 1024 * 1024)
    header = {}
    for index, column in enumerate(table.header):
        header.setdefault(column.strip(), index)
    _check_header(header)
    if len(table.rows) > MAX_ROWS:
        raise RegisterFileError(
            _("Het bestand heeft %(n)s rijen; de grens is %(max)s.") % {"n": len(table.rows), "max": MAX_ROWS}
        )
    numeric = [header[c] for c in (*POINT_COLUMNS, *COUNT_COLUMNS, "bouwjaar") if c in header]
    styles = settle_number_styles(table, numeric)
    result = RegisterFile(rows_read=len(table.rows))
    seen: dict[str, int] = {}
    lookup = lookup or {}
    for row_number, raw_cells in table.rows:
        cells = _Cells(header, styles, result, row_number, raw_cells)
        number = cells.text("complexnummer")
        name_text = cells.text("naam")
        if not number:
            cells.error("complexnummer", _("Het complexnummer ontbreekt."))
        elif len(number) > 40:
            cells.error("complexnummer", _("Een complexnummer is hoogstens 40 tekens."))
        elif number in seen:
            cells.error(
                "complexnummer",
                _("Complex %(number)s staat ook al in rij %(row)s.")
                % {"number": number, "row": seen[number]},
            )
        else:
            seen[number] = row_number
        if not name_text:
            cells.error("naam", _("De naam ontbreekt."))
        counts = {column: cells.whole(column, required=True) for column in COUNT_COLUMNS}
        year_built = cells.whole("bouwjaar", minimum=1000, maximum=2100) if cells.text("bouwjaar") else None
        label_text = cells.text("energielabel").replace(" ", "").upper()
        label = LABELS.get(label_text, "") if label_text else ""
        if label_text and not label:
            cells.error(
                "energielabel",
                _("%(value)s is geen energielabel; gebruik A++++, A+++, A++, A+, A, B, C, D, E, F of G.")
                % {"value": cells.text("energielabel")},
            )
        if all(value is not None for value in counts.values()):
            by_type = counts["aantal_eengezins"] + counts["aantal_meergezins"]
            by_rent = counts["sociale_huur"] + counts["middenhuur"] + counts["vrije_sector"]
            if by_type != by_rent:
                cells.error(
                    "sociale_huur",
                    _(
                        "De woningen per huurklasse (%(rent)s) tellen niet op tot de woningen per type "
                        "(%(type)s eengezins + meergezins)."
                    )
                    % {"rent": by_rent, "type": by_type},
                )
        postcode = normalise_postcode(cells.text("postcode"))
        house_number = cells.text("huisnummer")
        x_rd = y_rd = lat = lon = None
        by_lookup = False
        rd = _point(cells, "x", "y", RD_BOUNDS, "RD New") if "x" in header and "y" in header else None
        wgs = None
        if rd is None and "lat" in header and "lon" in header:
            wgs = _point(cells, "lon", "lat", WGS84_BOUNDS, "WGS84")
        if rd is not None:
            x_rd, y_rd = rd
            lat, lon = rd_to_wgs84(x_rd, y_rd)
        elif wgs is not None:
            lon, lat = wgs
        elif cells.ok:
            found = lookup.get((postcode, normalise_house_number(house_number)))
            if found is not None:
                lat, lon = found
                by_lookup = True
            elif lookup:
                cells.error(
                    "postcode",
                    _(
                        "Dit complex heeft geen coördinaten en het adres %(address)s staat niet in het adressenbestand."
                    )
                    % {"address": f"{postcode} {house_number}".strip() or "—"},
                )
            else:
                cells.error(
                    "x",
                    _(
                        "Dit complex heeft geen coördinaten. Vul x en y (RD New) of lat en lon (WGS84) in, "
                        "of lever een adressenbestand mee (postcode;huisnummer;x;y)."
                    ),
                )
        if not cells.ok:
            continue
        result.rows.append(
            ComplexRow(
                row=row_number,
                number=number,
                name=name_text[:200],
                street=cells.text("straat")[:200],
                house_number=house_number[:20],
                postcode=postcode[:7],
                city=cells.text("plaats")[:100],
                x_rd=round(x_rd, 2) if x_rd is not None else None,
                y_rd=round(y_rd, 2) if y_rd is not None else None,
                lat=round(lat, 7),
                lon=round(lon, 7),
                single_family=counts["aantal_eengezins"],
                multi_family=counts["aantal_meergezins"],
                social_rent=counts["sociale_huur"],
                mid_rent=counts["middenhuur"],
                free_sector=counts["vrije_sector"],
                year_built=year_built,
                energy_label=label,
                located_by_lookup=by_lookup,
            )
        )
    if not table.rows:
        result.errors.append(RowIssue(None, "", _("Het bestand bevat geen complexen.")))
    return result


def read_lookup(path: Path, *, name: str) -> dict[tuple[str, str], tuple[float, float]]:
    """The address file: ``{(postcode, huisnummer): (lat, lon)}``. Its columns are
    ``postcode;huisnummer;x;y`` (RD New) or ``postcode;huisnummer;lat;lon`` (WGS84).
    Raises ``RegisterFileError`` with the rows that cannot be read."""
    table = _table(path, name, max_bytes=MAX_MB * 1024 * 1024)
    header = {column: index for index, column in enumerate(table.header)}
    rd = "x" in header and "y" in header
    if not all(c in header for c in LOOKUP_COLUMNS) or not (rd or ("lat" in header and "lon" in header)):
        raise RegisterFileError(
            _(
                "Het adressenbestand heeft de kolommen postcode;huisnummer;x;y (RD New) of postcode;huisnummer;lat;lon nodig."
            )
        )
    a, b = ("x", "y") if rd else ("lon", "lat")
    styles = settle_number_styles(table, [header[a], header[b]])
    points = {}
    bad = []
    for row_number, cells in table.rows:

        def cell(column, cells=cells):
            index = header[column]
            return cells[index] if index < len(cells) else None

        try:
            first = parse_number(cell(a), decimal=styles.get(header[a]))
            second = parse_number(cell(b), decimal=styles.get(header[b]))
        except ValueError:
            first = second = None
        if first is None or second is None:
            bad.append(row_number)
            continue
        lat, lon = rd_to_wgs84(first, second) if rd else (second, first)
        key = (normalise_postcode(_text(cell("postcode"))), normalise_house_number(_text(cell("huisnummer"))))
        points[key] = (lat, lon)
    if bad:
        shown = ", ".join(str(n) for n in bad[:10])
        raise RegisterFileError(
            _("Het adressenbestand heeft rijen zonder leesbare coördinaten: rij %(rows)s.") % {"rows": shown}
        )
    return points


# --- placing ---------------------------------------------------------------------------------


def corporation_gemeenten(organisation) -> list[str]:
    """The gemeenten a corporation works in: its own gemeente code and the gemeenten of
    the prestatieafspraken it is a party to."""
    from agreements.models import AgreementParty

    codes = {organisation.gemeente_code} if organisation.gemeente_code else set()
    codes |= set(
        AgreementParty.objects.filter(organisation=organisation).values_list(
            "agreement__gemeente_code", flat=True
        )
    )
    return sorted(code for code in codes if code)


@dataclass
class BuurtIndex:
    """The land buurten of one year in some gemeenten, for point-in-polygon look-ups."""

    ids: list[int]
    shapes: list
    tree: object

    @classmethod
    def build(cls, *, year: int, gemeenten) -> "BuurtIndex":
        rows = list(
            Area.objects.filter(
                year=year,
                kind=AreaKind.BUURT,
                gemeente_code__in=list(gemeenten),
                is_water=False,
                geometry__isnull=False,
            ).values_list("pk", "geometry")
        )
        ids = [pk for pk, _geometry in rows]
        shapes = [shapely.from_wkb(bytes(geometry)) for _pk, geometry in rows]
        for shape in shapes:
            shapely.prepare(shape)
        return cls(ids=ids, shapes=shapes, tree=shapely.STRtree(shapes) if shapes else None)

    def __len__(self):
        return len(self.ids)

    def locate(self, lat: float, lon: float) -> int | None:
        """The id of the buurt the point lies in (on a shared border: the lowest id)."""
        if self.tree is None:
            return None
        point = shapely.Point(lon, lat)
        hits = sorted(self.tree.query(point, predicate="intersects"))
        return self.ids[hits[0]] if hits else None


def place(register: RegisterFile, index: BuurtIndex, *, gemeenten) -> None:
    """Set the buurt of every row; a point outside all buurten of the gemeenten is a row
    error (and the row is dropped)."""
    kept = []
    for row in register.rows:
        row.buurt_id = index.locate(row.lat, row.lon)
        if row.buurt_id is None:
            register.errors.append(
                RowIssue(
                    row.row,
                    "x" if row.x_rd is not None else "lat",
                    _("Het punt van complex %(number)s ligt in geen enkele buurt van %(gemeenten)s.")
                    % {"number": row.number, "gemeenten": ", ".join(gemeenten) or "—"},
                )
            )
        else:
            kept.append(row)
    register.rows = kept
