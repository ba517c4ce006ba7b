"""Reading indicator files (CBS kerncijfers, Leefbaarometer, Aedes veerkracht, the generic
long format) into rows ready to store.

This module only reads and checks a file; it never touches the database. Whether a code
exists in the boundaries of its row's year is checked by ``scores.services.imports``,
which also writes.

Files come as CSV, Excel or GeoJSON (a FeatureCollection as a WFS layer is saved: the
properties of every feature are its row, the geometry is not read).

Row numbers are those a spreadsheet shows: the header is row 1, the first data row is
row 2. In a GeoJSON file the row number is the feature's position (the first is 1).

Every row has a year: the one in its year column (``jaar`` or ``year``), or, in a file
without one, the year asked for. When a year is asked for and the file has a year
column, only the rows of that year are read and the others are skipped with a warning;
without a year asked for, every year in the file is read.
"""

import csv
import io
import json
import math
import re
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.importers import CODE_EXAMPLES, KIND_LABEL, kind_of_code, normalise_code
from areas.models import AreaKind
from core.files import UnsafeArchive, archive_check
from core.imports import RowIssue, cell_text, decode_text, file_too_large_message
from scores import catalogue
from scores.models import SourceKind

EXTENSIONS = {".csv", ".txt", ".xlsx", ".geojson", ".json"}
GEOJSON_EXTENSIONS = {".geojson", ".json"}
# CBS writes "." for a missing or secret value; an empty cell is missing too.
MISSING = {"", "."}
MAX_INDICATOR_KEY = 60

# CBS kerncijfers: columns that identify the row rather than carry a value.
KWB_CODE_COLUMNS = ("gwb_code_10", "gwb_code")
KWB_ID_COLUMNS = {"gwb_code_10", "gwb_code_8", "gwb_code", "regio", "gm_naam", "recs", "ind_wbi"}
KWB_LEVELS = {"gemeente": AreaKind.GEMEENTE, "wijk": AreaKind.WIJK, "buurt": AreaKind.BUURT}
KWB_KEYS = {ind.key: ind for ind in catalogue.KWB_INDICATORS}

YEAR_COLUMNS = ("jaar", "year")
FIRST_YEAR, LAST_YEAR = 1990, 2100

# Leefbaarometer 3.0: the long tables per level name their code column after the level
# (bu_code, wk_code, gm_code, or gwb_code for all levels in one table); the WFS score
# layers (buurtscore24, wijkscore24, gemeentescore24, ...) call it ``id``, next to
# ``name`` and ``gemeente``. ``id`` is the code only where no other code column is.
LBM_CODE_COLUMNS = (
    "bu_code",
    "wk_code",
    "gm_code",
    "gwb_code",
    "gwb_code_10",
    "code",
    "regio_code",
    "statcode",
    "id",
)
LBM_SCORE_COLUMN = "lbm"  # the absolute score, stored as the indicator ``lbm``
LBM_CLASS_COLUMN = "kscore"  # the total class 1–9, the published model's class
LBM_TOTAL_COLUMN = "afw"  # the total deviation, the published model's score
LBM_CLASS_COLUMNS = ("kafw", "kfys", "kwon", "kvrz", "ksoc", "konv")
LBM_ID_COLUMNS = {"regio", "naam", "name", "gemeente", "gm_naam", "wk_naam", "bu_naam", "statnaam", "id"}
LBM_CLASSES = range(1, 10)
LBM_CODE_EXAMPLES = "GM0363, WK036300, BU03630000"

AEDES_REQUIRED = ("code", "jaar", "klasse")
AEDES_KNOWN = {"code", "jaar", "klasse", "klassenaam", "score", "naam", "buurtnaam", "wijknaam"}

GENERIC_HEADERS = (("code", "jaar", "indicator", "waarde"), ("code", "year", "indicator", "value"))

KWB_YEAR_NEEDED = gettext_lazy(
    "Een bestand met CBS-kerncijfers heeft geen jaarkolom: geef het jaar van de cijfers op; ze komen "
    "op de gebiedsindeling van dat jaar."
)


class IndicatorFileError(Exception):
    """The file as a whole cannot be used (unreadable, wrong columns, empty, ...)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class AreaRow:
    """One row of the file: the values (and published score) of one area."""

    row: int
    code: str
    values: dict[str, float] = field(default_factory=dict)
    score: float | None = None
    score_class: int | None = None
    # The year of the row (its year column's, else the year asked for): its values go
    # on the areas of that year's boundaries.
    year: int = 0


@dataclass
class IndicatorFile:
    """What a file holds for the years it is read for, and what is wrong with it."""

    file_format: str
    rows: list[AreaRow] = field(default_factory=list)
    # Every indicator the file carries values for, key -> name for a new indicator.
    indicators: dict[str, str] = field(default_factory=dict)
    # Keys that are not in Wijkkoers' catalogue (Aedes extra columns, generic keys).
    own_keys: set[str] = field(default_factory=set)
    has_scores: bool = False
    class_names: dict[int, str] = field(default_factory=dict)
    rows_read: int = 0
    rows_skipped: int = 0
    warnings: list[RowIssue] = field(default_factory=list)
    errors: list[RowIssue] = field(default_factory=list)

    @property
    def value_count(self) -> int:
        return sum(len(r.values) for r in self.rows)

    @property
    def score_count(self) -> int:
        return sum(1 for r in self.rows if r.score_class is not None or r.score is not None)

    @property
    def years(self) -> list[int]:
        """The years of the rows, oldest first."""
        return sorted({r.year for r in self.rows})

    def rows_of(self, year: int) -> list[AreaRow]:
        return [r for r in self.rows if r.year == year]


# --- small parsers -----------------------------------------------------------------------


def indicator_file_too_large_message(size: int, max_bytes: int) -> str:
    return file_too_large_message(
        size, max_bytes, _("Lever een kleiner bestand aan, bijvoorbeeld alleen de gemeenten waar u werkt.")
    )


def wrong_extension_message(name: str) -> str:
    return _(
        "%(name)s is geen CSV-, Excel- of GeoJSON-bestand. Lever een .csv-bestand aan, een "
        "Excel-bestand in de nieuwe vorm (.xlsx) of een kaartlaag als GeoJSON (.geojson); sla een "
        "oud .xls-bestand eerst op als .xlsx of .csv."
    ) % {"name": name}


def check_extension(name: str) -> None:
    """Raise ``IndicatorFileError`` unless the name ends in .csv, .txt, .xlsx, .geojson
    or .json."""
    if Path(name).suffix.lower() not in EXTENSIONS:
        raise IndicatorFileError(wrong_extension_message(Path(name).name))


# --- numbers -----------------------------------------------------------------------------
#
# Files write numbers in two styles: a decimal comma with "." between thousands (1.234,5)
# or a decimal point with "," between thousands (1,234.5). Which one a file uses is
# settled per column from all its values, because a single value such as 68.500 can mean
# 68500 or 68,5. The rule (``settle_number_styles``):
#
# - a value that can be read in one style only settles its column: 0,5 12,5 1.234,5
#   1.234.567 for the decimal comma; 0.5 12.5 1,234.5 1,234,567 for the decimal point. A
#   thousands group is exactly three digits after a first group of one to three digits
#   that does not start with 0, so 0.125 is always a decimal;
# - a column whose values settle nothing (only whole numbers, or only values like 68.500
#   and 12.250) takes the style of the file's other number columns when they all agree;
# - a value that can still be read two ways is a row error naming both readings, never a
#   guess; so is a column whose values settle both styles, for its values that can be
#   read two ways.
#
# Excel cells that hold numbers (not text) carry no style and are taken as they are.

DECIMAL_COMMA = ","
DECIMAL_POINT = "."
_SIGN_NAME = {DECIMAL_COMMA: gettext_lazy("de komma"), DECIMAL_POINT: gettext_lazy("de punt")}


class AmbiguousNumber(ValueError):
    """A value that means one number with ``sign`` between thousands and another with
    ``sign`` as the decimal sign, in a column whose style is not settled."""

    def __init__(self, text: str, sign: str, as_thousands: str, as_decimal: str):
        super().__init__(text)
        self.text = text
        self.sign = sign
        self.as_thousands = as_thousands
        self.as_decimal = as_decimal


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _reading(text: str, decimal: str) -> str | None:
    """``text`` as plain digits with a "." before the decimals when ``decimal`` is its
    decimal sign and the other sign separates thousands; None when it cannot be read so."""
    group = DECIMAL_POINT if decimal == DECIMAL_COMMA else DECIMAL_COMMA
    sign = ""
    if text[:1] in ("-", "+"):
        sign, text = ("-" if text[0] == "-" else ""), text[1:]
    whole, has_decimals, fraction = text.partition(decimal)
    if has_decimals and not _digits(fraction):
        return None
    if group in whole:
        groups = whole.split(group)
        first = groups[0]
        if not (_digits(first) and len(first) <= 3 and first[0] != "0"):
            return None
        if not all(len(g) == 3 and _digits(g) for g in groups[1:]):
            return None
        whole = "".join(groups)
    elif whole and not _digits(whole):
        return None
    if not whole and not has_decimals:
        return None
    return f"{sign}{whole or '0'}" + (f".{fraction}" if has_decimals else "")


@lru_cache(maxsize=65536)
def _readings(text: str) -> tuple[str | None, str | None]:
    """The readings of ``text`` with a decimal comma and with a decimal point."""
    return _reading(text, DECIMAL_COMMA), _reading(text, DECIMAL_POINT)


def settle_number_styles(table: "_Table", columns) -> dict[int, str | None]:
    """The decimal sign (``DECIMAL_COMMA`` or ``DECIMAL_POINT``) of each number column
    (by index) of ``table``, settled from all its values by the rule above; None where
    neither the column nor the rest of the file settles it."""
    columns = list(columns)
    evidence: dict[int, set[str]] = {index: set() for index in columns}
    for index in columns:
        # Each distinct cell once: a national column repeats its values many times.
        distinct = {cells[index] for _row, cells in table.rows if index < len(cells)}
        for raw in distinct:
            if type(raw) is not str or ("," not in raw and "." not in raw):
                continue
            text = raw.strip()
            if text in MISSING:
                continue
            comma, point = _readings(text)
            if comma is not None and point is None:
                evidence[index].add(DECIMAL_COMMA)
            elif point is not None and comma is None:
                evidence[index].add(DECIMAL_POINT)
    used = set().union(*evidence.values()) if evidence else set()
    file_style = next(iter(used)) if len(used) == 1 else None
    styles = {}
    for index, found in evidence.items():
        if len(found) == 1:
            styles[index] = next(iter(found))
        else:
            styles[index] = file_style if not found else None
    return styles


def parse_number(raw, *, decimal: str | None = None):
    """A cell as a float; ``None`` for a missing value ("." or empty).

    ``decimal`` is the column's settled decimal sign (``settle_number_styles``). Raises
    ``AmbiguousNumber`` for a value that the column's style does not settle and
    ``ValueError`` for anything else that is not a finite number.
    """
    if raw is None:
        return None
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, int | float):
        value = float(raw)
    else:
        text = str(raw).strip()
        if text in MISSING:
            return None
        comma, point = _readings(text)
        if comma is None or point is None or comma == point:
            reading = comma or point
        elif decimal == DECIMAL_COMMA:
            reading = comma
        elif decimal == DECIMAL_POINT:
            reading = point
        else:
            # Both readings are valid, so the text holds a single sign of one kind.
            sign = DECIMAL_POINT if DECIMAL_POINT in text else DECIMAL_COMMA
            as_thousands, as_decimal = (comma, point) if sign == DECIMAL_POINT else (point, comma)
            raise AmbiguousNumber(text, sign, as_thousands, as_decimal)
        if reading is None:
            raise ValueError(text)
        value = float(reading)
    if not math.isfinite(value):
        raise ValueError(raw)
    return value


# A plain number in a column of a settled style (no thousands separator, no sign other
# than a leading minus): read at once, without the checks of ``parse_number``, which
# gives the same value. A national file holds over a million such cells.
_PLAIN = {
    DECIMAL_COMMA: re.compile(r"-?[0-9]+(?:,[0-9]+)?"),
    DECIMAL_POINT: re.compile(r"-?[0-9]+(?:\.[0-9]+)?"),
    None: re.compile(r"-?[0-9]+"),
}


def parse_whole(text):
    """A cell as a whole number (``2022``, ``"2022"``, ``2022.0``, ``"3,0"``); ``None``
    when empty; raises ``ValueError`` otherwise, also for a value that could be read two
    ways."""
    value = parse_number(text)
    if value is None:
        return None
    if not value.is_integer():
        raise ValueError(text)
    return int(value)


def dutch_number(reading: str) -> str:
    """A plain reading (digits, "." before the decimals) written the Dutch way, without
    trailing zeros after the decimal sign: "68.500" is shown as 68,5."""
    if "." in reading:
        reading = reading.rstrip("0").rstrip(".")
    return reading.replace(".", ",")


def indicator_key(text: str) -> str:
    """A column or indicator name as an indicator key: lower case, letters, digits, _ and -."""
    return slugify(str(text).strip()).replace("-", "_")[:MAX_INDICATOR_KEY]


# --- reading a table ---------------------------------------------------------------------


@dataclass
class _Table:
    header: list[str]  # lower-cased, stripped
    rows: list[tuple[int, list]]  # (spreadsheet row number, cells)


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ";"


def _read_csv(data: bytes) -> _Table:
    text = decode_text(data, IndicatorFileError)
    if not text.strip():
        raise IndicatorFileError(_("Het bestand is leeg."))
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = _delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = None
    rows = []
    try:
        for cells in reader:
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = [c.strip().strip('"').lower() for c in cells]
                continue
            rows.append((reader.line_num, cells))
    except csv.Error as exc:
        raise IndicatorFileError(
            _(
                "Het bestand kon niet worden gelezen als CSV (rij %(row)s: %(error)s). Sla het opnieuw op als CSV."
            )
            % {"row": reader.line_num, "error": exc}
        ) from exc
    if header is None:
        raise IndicatorFileError(_("Het bestand is leeg."))
    return _Table(header=header, rows=rows)


def _read_xlsx(path: Path) -> _Table:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # A zip bomb is refused from the archive's directory, before anything is unpacked.
        with zipfile.ZipFile(path) as archive:
            archive_check(archive, archive_size=path.stat().st_size)
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, UnsafeArchive) as exc:
        raise IndicatorFileError(
            _(
                "Het Excel-bestand kon niet worden gelezen; het is mogelijk beschadigd. Sla het opnieuw op als .xlsx of .csv."
            )
        ) from exc
    try:
        sheet = workbook.worksheets[0]
        header = None
        rows = []
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = list(cells)
            if not any(c is not None and str(c).strip() for c in cells):
                continue
            if header is None:
                header = [cell_text(c).lower() for c in cells]
                continue
            rows.append((number, cells))
    finally:
        workbook.close()
    if header is None:
        raise IndicatorFileError(_("Het bestand is leeg."))
    return _Table(header=header, rows=rows)


def _read_geojson(data: bytes) -> _Table:
    """The properties of every feature of a GeoJSON FeatureCollection as a table: one
    column per property name (lower-cased) found in any feature, one row per feature. The
    geometry is not read."""
    text = decode_text(data, IndicatorFileError)
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise IndicatorFileError(
            _("Het bestand is geen leesbare GeoJSON (%(error)s). Sla de kaartlaag opnieuw op als GeoJSON.")
            % {"error": str(exc)[:120]}
        ) from exc
    features = document.get("features") if isinstance(document, dict) else None
    if not isinstance(features, list) or document.get("type") != "FeatureCollection":
        raise IndicatorFileError(
            _(
                "Het bestand is geen GeoJSON-FeatureCollection. Sla de kaartlaag (zoals buurtscore24) op "
                "als GeoJSON, of lever de tabel aan als CSV."
            )
        )
    header: list[str] = []
    columns: dict[str, int] = {}
    rows = []
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        cells: list = [None] * len(header)
        for key, value in (properties or {}).items() if isinstance(properties, dict) else ():
            name = str(key).strip().lower()
            index = columns.get(name)
            if index is None:
                index = columns[name] = len(header)
                header.append(name)
                cells.append(None)
            cells[index] = value
        rows.append((number, cells))
    if not header:
        raise IndicatorFileError(_("De objecten in het bestand hebben geen eigenschappen om te lezen."))
    return _Table(header=header, rows=rows)


def read_table(path: Path, *, name: str | None = None, max_bytes: int | None = None) -> _Table:
    """The header and rows of a CSV, Excel or GeoJSON file, with the whole-file checks."""
    name = name or path.name
    check_extension(name)
    if not path.is_file():
        raise IndicatorFileError(_("Het bestand is niet gevonden."))
    size = path.stat().st_size
    if size == 0:
        raise IndicatorFileError(_("Het bestand is leeg."))
    if max_bytes and size > max_bytes:
        raise IndicatorFileError(indicator_file_too_large_message(size, max_bytes))
    if Path(name).suffix.lower() == ".xlsx":
        return _read_xlsx(path)
    data = path.read_bytes()
    if Path(name).suffix.lower() in GEOJSON_EXTENSIONS:
        return _read_geojson(data)
    if data[:4] == b"PK\x03\x04":
        raise IndicatorFileError(
            _(
                "Dit is een Excel- of zip-bestand met de naam %(name)s. Geef het de extensie .xlsx of sla het op als CSV."
            )
            % {"name": name}
        )
    return _read_csv(data)


# --- helpers shared by the formats -------------------------------------------------------


def _missing_columns(missing, header) -> IndicatorFileError:
    found = ", ".join(h for h in header[:20] if h) or _("geen")
    return IndicatorFileError(
        _("Verplichte kolommen ontbreken: %(missing)s. Gevonden kolommen: %(found)s.")
        % {"missing": ", ".join(missing), "found": found}
    )


def _pick(header, names):
    for name in names:
        if name in header:
            return header.index(name)
    return None


def _cell(cells, index):
    if index is None or index >= len(cells):
        return None
    return cells[index]


def _code_text(raw) -> str:
    return raw if isinstance(raw, str) else cell_text(raw)


def _code(result: IndicatorFile, row: int, raw, *, unknown=None) -> tuple[str, str | None]:
    """The normalised code and its level; records a row error when the shape is wrong
    (``unknown(code)``: the message for a code of no known level, instead of the
    general one)."""
    code = normalise_code(raw if isinstance(raw, str) else cell_text(raw))
    if not code:
        result.errors.append(RowIssue(row, "", _("De code ontbreekt.")))
        return code, None
    kind = kind_of_code(code)
    if kind is None:
        result.errors.append(
            RowIssue(
                row,
                code,
                unknown(code)
                if unknown
                else _("Dit is geen gemeente-, wijk- of buurtcode. Verwacht %(examples)s.")
                % {"examples": "; ".join(str(e) for e in CODE_EXAMPLES.values())},
            )
        )
    return code, kind


def _value(result, row, code, column, raw, decimal, *, whole=False):
    """The number in a cell (see ``parse_number``), or None with a row error naming the
    cell when it is no number, could be read two ways, or is not whole where it must be."""
    try:
        value = parse_number(raw, decimal=decimal)
    except AmbiguousNumber as exc:
        result.errors.append(
            RowIssue(
                row,
                code,
                _(
                    "Kolom %(column)s: %(value)s kan %(thousands)s betekenen (met %(sign)s tussen de "
                    "duizendtallen) of %(decimal)s (met %(sign)s als decimaalteken), en de andere "
                    "waarden in het bestand maken niet duidelijk welke. Schrijf het getal zonder "
                    "scheidingsteken voor duizendtallen, bijvoorbeeld %(thousands)s of %(decimal)s."
                )
                % {
                    "column": column,
                    "value": exc.text[:40],
                    "thousands": dutch_number(exc.as_thousands),
                    "decimal": dutch_number(exc.as_decimal),
                    "sign": _SIGN_NAME[exc.sign],
                },
            )
        )
        return None
    except (TypeError, ValueError):
        result.errors.append(
            RowIssue(
                row,
                code,
                _(
                    "Kolom %(column)s: %(value)s is geen getal. Gebruik een getal, of een punt of een leeg vak als de waarde ontbreekt."
                )
                % {"column": column, "value": cell_text(raw)[:40]},
            )
        )
        return None
    if whole and value is not None and not value.is_integer():
        result.errors.append(
            RowIssue(
                row,
                code,
                _("Kolom %(column)s: %(value)s moet een geheel getal zijn, want het is een aantal.")
                % {
                    "column": column,
                    "value": raw.strip()[:40] if isinstance(raw, str) else dutch_number(str(value)),
                },
            )
        )
        return None
    return value


def _duplicate(result, seen, key, row, code, what=""):
    first = seen.get(key)
    if first is not None:
        message = _("Staat dubbel in het bestand: ook in rij %(first)s.") % {"first": first}
        if what:
            message = _("Indicator %(what)s staat dubbel in het bestand: ook in rij %(first)s.") % {
                "what": what,
                "first": first,
            }
        result.errors.append(RowIssue(row, code, message))
        return True
    seen[key] = row
    return False


# ``_row_year`` of a row of another year than the one asked for.
OTHER_YEAR = -1


def _year_column(header, year: int | None, names=YEAR_COLUMNS) -> int | None:
    """The index of the year column; None when there is none and the year asked for
    stands for every row. Without either the file cannot be placed in time."""
    column = _pick(header, names)
    if column is None and year is None:
        found = ", ".join(h for h in header[:20] if h) or _("geen")
        raise IndicatorFileError(
            _(
                "Het bestand heeft geen kolom jaar (of year), en er is geen jaar opgegeven. Geef het jaar "
                "van de cijfers op; ze komen op de gebiedsindeling van dat jaar. Gevonden kolommen: %(found)s."
            )
            % {"found": found}
        )
    return column


def _row_year(result, row, code, cells, column, year) -> int | None:
    """The year of a row: its year column's, or ``year`` in a file without one.
    ``OTHER_YEAR`` for a row of another year than ``year`` (skipped); None, with a row
    error, when the cell holds no year."""
    if column is None:
        return year
    raw = _cell(cells, column)
    if type(raw) is str and len(raw) == 4 and raw.isdigit() and raw.isascii():
        row_year = int(raw)  # the common case, read at once
    else:
        try:
            row_year = parse_whole(raw)
        except (TypeError, ValueError):
            row_year = None
    if row_year is None or not FIRST_YEAR <= row_year <= LAST_YEAR:
        result.errors.append(
            RowIssue(
                row,
                normalise_code(code),
                _("Het jaar %(value)s is geen jaartal.") % {"value": cell_text(raw)[:20] or "''"},
            )
        )
        return None
    if year is not None and row_year != year:
        return OTHER_YEAR
    return row_year


def _rows_of_year(
    result: IndicatorFile, table: _Table, code_col: int, year_col: int | None, year: int | None
):
    """The rows of a file with a year column, as ``(row, cells, code text, row year)``: every
    row counts as read; a row of another year than ``year`` is skipped, and once the table
    is done the skipped rows are counted and reported. The row year is None (with a row
    error) where the year cell holds no year."""
    other_years = 0
    for row, cells in table.rows:
        result.rows_read += 1
        code_text = _code_text(_cell(cells, code_col))
        row_year = _row_year(result, row, code_text, cells, year_col, year)
        if row_year == OTHER_YEAR:
            other_years += 1
            continue
        yield row, cells, code_text, row_year
    result.rows_skipped += other_years
    if other_years:
        result.warnings.append(
            RowIssue(
                None,
                "",
                _("%(n)s rijen van andere jaren dan %(year)s zijn overgeslagen.")
                % {"n": other_years, "year": year},
            )
        )


# --- the formats -------------------------------------------------------------------------


def _read_kwb(table: _Table, year: int | None) -> IndicatorFile:
    if year is None:
        raise IndicatorFileError(KWB_YEAR_NEEDED)
    result = IndicatorFile(SourceKind.CBS_KWB)
    header = table.header
    code_col = _pick(header, KWB_CODE_COLUMNS)
    if code_col is None:
        raise _missing_columns(["gwb_code_10 " + _("of") + " gwb_code"], header)
    level_col = _pick(header, ("recs",))
    value_cols = [(i, name) for i, name in enumerate(header) if name in KWB_KEYS]
    if not value_cols:
        raise IndicatorFileError(
            _("Het bestand heeft geen kolommen met kerncijfers die Wijkkoers kent, zoals %(examples)s.")
            % {"examples": "a_inw, a_woning, p_wcorpw"}
        )
    ignored = [name for name in header if name and name not in KWB_KEYS and name not in KWB_ID_COLUMNS]
    if ignored:
        result.warnings.append(
            RowIssue(
                None,
                "",
                _("%(n)s kolommen worden niet ingelezen: %(columns)s.")
                % {"n": len(ignored), "columns": ", ".join(ignored)},
            )
        )
    result.indicators = {name: str(KWB_KEYS[name].name) for _i, name in value_cols}
    styles = settle_number_styles(table, (index for index, _name in value_cols))
    counts = {name for _i, name in value_cols if KWB_KEYS[name].is_count}
    seen: dict[str, int] = {}
    land_rows = 0
    for row, cells in table.rows:
        result.rows_read += 1
        raw_code = _cell(cells, code_col)
        level = str(_cell(cells, level_col) or "").strip().lower()
        if level == "land" or normalise_code(str(raw_code or "")).startswith("NL"):
            land_rows += 1
            continue
        errors_before = len(result.errors)
        code, kind = _code(result, row, raw_code)
        if kind and level_col is not None and level:
            expected = KWB_LEVELS.get(level)
            if expected is None:
                result.errors.append(
                    RowIssue(
                        row,
                        code,
                        _("Onbekend niveau %(level)s in kolom recs; verwacht Gemeente, Wijk of Buurt.")
                        % {"level": level},
                    )
                )
            elif expected != kind:
                result.errors.append(
                    RowIssue(
                        row,
                        code,
                        _("Kolom recs zegt %(level)s, maar dit is de code van een %(kind)s.")
                        % {"level": level, "kind": KIND_LABEL[kind]},
                    )
                )
        if code and _duplicate(result, seen, code, row, code):
            continue
        values = {}
        width = len(cells)
        for index, name in value_cols:
            raw = cells[index] if index < width else None
            if type(raw) is str:
                # The common case of a national file, half a million cells: a missing
                # value or plain digits; anything else goes the long way below.
                text = raw.strip()
                if text in MISSING:
                    continue
                if _digits(text):
                    values[name] = float(text)
                    continue
            value = _value(result, row, code, name, raw, styles[index], whole=name in counts)
            if value is not None:
                values[name] = value
        if len(result.errors) == errors_before:
            result.rows.append(AreaRow(row=row, code=code, values=values, year=year))
    if land_rows:
        result.rows_skipped += land_rows
        result.warnings.append(RowIssue(None, "", _("De rij voor heel Nederland is overgeslagen.")))
    return result


def _lbm_unknown_level(code: str) -> str:
    return _(
        "Onbekend niveau: %(code)s is geen code van een gemeente, wijk of buurt (zoals %(examples)s). "
        "Wijkkoers leest de Leefbaarometer per gemeente, wijk en buurt; scores per postcode, "
        "rastercel of provincie horen niet in dit bestand."
    ) % {"code": code, "examples": LBM_CODE_EXAMPLES}


def _read_leefbaarometer(table: _Table, year: int | None) -> IndicatorFile:
    """The Leefbaarometer 3.0 as published: a long table per level (code, ``jaar``,
    ``lbm``, the deviations ``afw fys onv soc vrz won``, optionally the classes
    ``kscore kafw …``) or a WFS score layer (``id``, ``name``, ``gemeente``, ``year``,
    the same fields). The absolute score ``lbm``, the deviations and the dimension classes
    are indicators; ``afw`` and ``kscore`` are the published model's score and class.
    Without classes the scores are stored without a class (the map then shows them on a
    continuous scale)."""
    result = IndicatorFile(SourceKind.LEEFBAAROMETER)
    header = table.header
    code_col = _pick(header, LBM_CODE_COLUMNS)
    if code_col is None:
        raise _missing_columns([" / ".join((*LBM_CODE_COLUMNS[:4], "id"))], header)
    year_col = _year_column(header, year)
    class_col = _pick(header, (LBM_CLASS_COLUMN,))
    score_col = _pick(header, (LBM_SCORE_COLUMN,))
    total_col = _pick(header, (LBM_TOTAL_COLUMN,))
    dims = [(i, name) for i, name in enumerate(header) if name in catalogue.LEEFBAAROMETER_DIMENSIONS]
    class_dims = [
        (i, name) for i, name in enumerate(header) if name in catalogue.LEEFBAAROMETER_DIMENSION_CLASSES
    ]
    if score_col is None and class_col is None and not dims and not class_dims:
        raise IndicatorFileError(
            _(
                "Het bestand heeft geen kolommen met Leefbaarometercijfers. Verwacht de score lbm, de "
                "afwijkingen afw, fys, onv, soc, vrz en won, of de klassen kscore, kafw … Gevonden "
                "kolommen: %(found)s."
            )
            % {"found": ", ".join(h for h in header[:20] if h) or _("geen")}
        )
    known = set(LBM_CODE_COLUMNS) | set(YEAR_COLUMNS) | set(LBM_CLASS_COLUMNS) | LBM_ID_COLUMNS
    known |= {LBM_CLASS_COLUMN, LBM_SCORE_COLUMN} | set(catalogue.LEEFBAAROMETER_DIMENSIONS)
    ignored = [name for name in header if name and name not in known]
    if ignored:
        result.warnings.append(
            RowIssue(
                None,
                "",
                _("%(n)s kolommen worden niet ingelezen: %(columns)s.")
                % {"n": len(ignored), "columns": ", ".join(ignored)},
            )
        )
    # The published model: the total deviation as its score, kscore as its class.
    result.has_scores = class_col is not None or total_col is not None
    if not result.has_scores:
        result.warnings.append(
            RowIssue(
                None,
                "",
                _(
                    "Het bestand heeft geen totale afwijking (afw) en geen klasse (kscore): het model "
                    "Leefbaarometer 3.0 krijgt geen scores. De indicatoren in het bestand zijn wel op de "
                    "kaart te kiezen."
                ),
            )
        )
    elif class_col is None:
        result.warnings.append(
            RowIssue(
                None,
                "",
                _(
                    "Het bestand heeft geen klassen (kscore). De scores worden zonder klasse opgeslagen; "
                    "de kaart toont de totale afwijking op een doorlopende schaal."
                ),
            )
        )
    number_cols = list(dims)
    if score_col is not None:
        number_cols.append((score_col, LBM_SCORE_COLUMN))
        result.indicators[LBM_SCORE_COLUMN] = str(catalogue.LEEFBAAROMETER_SCORE.name)
    result.indicators |= {f"lbm_{name}": str(catalogue.LEEFBAAROMETER_DIMENSIONS[name]) for _i, name in dims}
    result.indicators |= {
        f"lbm_{name}": str(catalogue.LEEFBAAROMETER_DIMENSION_CLASSES[name]) for _i, name in class_dims
    }
    keys = {
        index: (LBM_SCORE_COLUMN if name == LBM_SCORE_COLUMN else f"lbm_{name}")
        for index, name in number_cols
    }
    styles = settle_number_styles(table, (index for index, _name in number_cols))
    number_reads = [
        (index, name, _PLAIN[styles[index]].fullmatch, styles[index] == DECIMAL_COMMA)
        for index, name in number_cols
    ]
    seen: dict[tuple[int, str], int] = {}
    for row, cells, code_text, row_year in _rows_of_year(result, table, code_col, year_col, year):
        errors_before = len(result.errors)
        code, _kind = _code(result, row, code_text, unknown=_lbm_unknown_level)
        if code and row_year and _duplicate(result, seen, (row_year, code), row, code):
            continue
        values = {}
        width = len(cells)
        for index, name, plain, comma in number_reads:
            raw = cells[index] if index < width else None
            if type(raw) is str:
                # The common case of a national file, over a million cells: a missing
                # value or a plain number; anything else goes the long way below.
                text = raw.strip()
                if text in MISSING:
                    continue
                if plain(text) is not None:
                    values[keys[index]] = float(text.replace(",", ".")) if comma else float(text)
                    continue
            value = _value(result, row, code, name, raw, styles[index])
            if value is not None:
                values[keys[index]] = value
        for index, name in class_dims:
            raw = cells[index] if index < width else None
            if type(raw) is str and len(raw) == 1 and raw in "123456789":
                values[f"lbm_{name}"] = float(raw)
                continue
            dimension_class = _lbm_class(result, row, code, name, raw)
            if dimension_class is not None:
                values[f"lbm_{name}"] = float(dimension_class)
        score_class = (
            _lbm_class(result, row, code, LBM_CLASS_COLUMN, _cell(cells, class_col))
            if class_col is not None
            else None
        )
        if len(result.errors) == errors_before and row_year:
            score = values.get("lbm_afw") if total_col is not None else None
            result.rows.append(
                AreaRow(
                    row=row, code=code, values=values, score=score, score_class=score_class, year=row_year
                )
            )
    return result


def _lbm_class(result, row, code, column, raw) -> int | None:
    """A class cell (1–9); None when empty, or with a row error when it is no class."""
    if type(raw) is str and len(raw) == 1 and raw in "123456789":
        return int(raw)  # the common case, read at once
    try:
        value = parse_whole(raw)
    except (TypeError, ValueError):
        value = -1
    if value is None:
        return None
    if value not in LBM_CLASSES:
        result.errors.append(
            RowIssue(
                row,
                code,
                _("%(column)s %(value)s is geen klasse van 1 tot en met 9.")
                % {"column": column, "value": cell_text(raw)[:20]},
            )
        )
        return None
    return value


def _read_aedes(table: _Table, year: int | None) -> IndicatorFile:
    result = IndicatorFile(SourceKind.AEDES_VEERKRACHT, has_scores=True)
    header = table.header
    missing = [name for name in AEDES_REQUIRED if name not in header]
    if missing:
        raise _missing_columns(missing, header)
    code_col, year_col, class_col = (header.index(name) for name in AEDES_REQUIRED)
    name_col = _pick(header, ("klassenaam",))
    score_col = _pick(header, ("score",))
    extra = []
    for index, name in enumerate(header):
        if not name or name in AEDES_KNOWN:
            continue
        key = indicator_key(name)
        if not key:
            result.warnings.append(
                RowIssue(
                    None,
                    "",
                    _("Kolom %(column)s wordt niet ingelezen: de naam bevat geen letters of cijfers.")
                    % {"column": name},
                )
            )
            continue
        extra.append((index, name, key))
    result.indicators = {key: name for _i, name, key in extra}
    result.own_keys = set(result.indicators)
    seen: dict[tuple[int, str], int] = {}
    name_rows: dict[int, tuple[str, int]] = {}
    number_cols = [index for index, _name, _key in extra]
    if score_col is not None:
        number_cols.append(score_col)
    styles = settle_number_styles(table, number_cols)
    for row, cells, code_text, row_year in _rows_of_year(result, table, code_col, year_col, year):
        errors_before = len(result.errors)
        code, _kind = _code(result, row, code_text)
        if code and row_year and _duplicate(result, seen, (row_year, code), row, code):
            continue
        raw_class = _cell(cells, class_col)
        try:
            score_class = parse_whole(raw_class)
        except (TypeError, ValueError):
            score_class = -1
        if score_class is None or score_class < 1:
            result.errors.append(
                RowIssue(
                    row,
                    code,
                    _("Klasse %(value)s is geen heel getal van 1 of hoger.")
                    % {"value": cell_text(raw_class)[:20] or "''"},
                )
            )
            score_class = None
        label = cell_text(_cell(cells, name_col)) if name_col is not None else ""
        if label and score_class:
            earlier = name_rows.get(score_class)
            if earlier and earlier[0] != label:
                result.errors.append(
                    RowIssue(
                        row,
                        code,
                        _(
                            "Klasse %(n)s heet hier %(label)s, maar in rij %(row)s %(other)s. Geef elke klasse één naam."
                        )
                        % {"n": score_class, "label": label, "row": earlier[1], "other": earlier[0]},
                    )
                )
            elif not earlier:
                name_rows[score_class] = (label, row)
        score = (
            _value(result, row, code, "score", _cell(cells, score_col), styles[score_col])
            if score_col is not None
            else None
        )
        values = {}
        for index, name, key in extra:
            value = _value(result, row, code, name, _cell(cells, index), styles[index])
            if value is not None:
                values[key] = value
        if len(result.errors) == errors_before and row_year:
            result.rows.append(
                AreaRow(
                    row=row, code=code, values=values, score=score, score_class=score_class, year=row_year
                )
            )
    result.class_names = {n: label for n, (label, _row) in name_rows.items()}
    return result


def _read_generic(table: _Table, year: int | None) -> IndicatorFile:
    result = IndicatorFile(SourceKind.GENERIC)
    header = table.header
    columns = None
    for names in GENERIC_HEADERS:
        if all(name in header for name in names):
            columns = [header.index(name) for name in names]
            break
    if columns is None:
        missing = [name for name in GENERIC_HEADERS[0] if name not in header]
        raise _missing_columns(missing or list(GENERIC_HEADERS[0]), header)
    code_col, year_col, key_col, value_col = columns
    seen: dict[tuple[int, str, str], int] = {}
    by_code: dict[tuple[int, str], AreaRow] = {}
    decimal = settle_number_styles(table, [value_col])[value_col]
    for row, cells, code_text, row_year in _rows_of_year(result, table, code_col, year_col, year):
        errors_before = len(result.errors)
        code, _kind = _code(result, row, code_text)
        name = cell_text(_cell(cells, key_col))
        key = indicator_key(name)
        if not key:
            result.errors.append(
                RowIssue(row, code, _("De indicator ontbreekt of bevat geen letters of cijfers."))
            )
        elif code and row_year and _duplicate(result, seen, (row_year, code, key), row, code, what=key):
            continue
        value = _value(result, row, code, header[value_col], _cell(cells, value_col), decimal)
        if len(result.errors) != errors_before or not row_year:
            continue
        result.indicators.setdefault(key, name)
        if value is None:
            result.rows_skipped += 1
            continue
        area_row = by_code.get((row_year, code))
        if area_row is None:
            area_row = by_code[(row_year, code)] = AreaRow(row=row, code=code, year=row_year)
            result.rows.append(area_row)
        area_row.values[key] = value
    result.own_keys = set(result.indicators)
    return result


READERS = {
    SourceKind.CBS_KWB: _read_kwb,
    SourceKind.LEEFBAAROMETER: _read_leefbaarometer,
    SourceKind.AEDES_VEERKRACHT: _read_aedes,
    SourceKind.GENERIC: _read_generic,
}


def read_indicator_file(
    path, *, file_format: str, year: int | None, name: str | None = None, max_bytes: int | None = None
) -> IndicatorFile:
    """Read and check an indicator file of ``file_format``: the rows of ``year`` in a
    file with a year column (every year in it when ``year`` is None), or all rows as of
    ``year`` in a file without one (see the module docstring).

    Raises ``IndicatorFileError`` when the file as a whole cannot be used (also when it
    has no year column and no ``year`` is given). Problems with single rows are collected
    in ``errors`` (the import must then store nothing) and ``warnings`` (ignored columns,
    skipped rows). Missing or secret values ("." or empty) are left out without a message.
    """
    reader = READERS.get(file_format)
    if reader is None:
        raise IndicatorFileError(_("Onbekende bestandsvorm %(format)s.") % {"format": file_format})
    table = read_table(Path(path), name=name, max_bytes=max_bytes)
    if not table.rows:
        raise IndicatorFileError(_("Het bestand bevat alleen een kopregel en geen gegevens."))
    result = reader(table, year)
    if not result.rows and not result.errors:
        if result.rows_skipped and year is not None:
            raise IndicatorFileError(
                _("Het bestand bevat geen rijen van %(year)s. Kies het jaar dat in het bestand staat.")
                % {"year": year}
            )
        raise IndicatorFileError(_("Het bestand bevat geen waarden om te importeren."))
    return result
