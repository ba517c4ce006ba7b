"""Reading indicator files (CBS kerncijfers, Leefbaarometer, Aedes veerkracht, the generic
long format) into rows ready to store.

This module only reads and checks a file; it never touches the database. Whether a code
exists in the import year's boundaries is checked by ``scores.services.imports``, which
also writes.

Row numbers are those a spreadsheet shows: the header is row 1, the first data row is
row 2.
"""

import csv
import io
import math
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from areas.importers import CODE_EXAMPLES, KIND_LABEL, kind_of_code, normalise_code
from areas.models import AreaKind
from core.imports import RowIssue, cell_text, decode_text, file_too_large_message
from scores import catalogue
from scores.models import SourceKind

EXTENSIONS = {".csv", ".txt", ".xlsx"}
# CBS writes "." for a missing or secret value; an empty cell is missing too.
MISSING = {"", "."}
MAX_INDICATOR_KEY = 60

# CBS kerncijfers: columns that identify the row rather than carry a value.
KWB_CODE_COLUMNS = ("gwb_code_10", "gwb_code")
KWB_ID_COLUMNS = {"gwb_code_10", "gwb_code_8", "gwb_code", "regio", "gm_naam", "recs", "ind_wbi"}
KWB_LEVELS = {"gemeente": AreaKind.GEMEENTE, "wijk": AreaKind.WIJK, "buurt": AreaKind.BUURT}
KWB_KEYS = {ind.key: ind for ind in catalogue.KWB_INDICATORS}

LBM_CODE_COLUMNS = ("bu_code", "wk_code", "gm_code", "gwb_code", "code", "regio_code", "statcode")
LBM_YEAR_COLUMNS = ("jaar", "year")
LBM_CLASS_COLUMNS = ("kafw", "kfys", "kwon", "kvrz", "ksoc", "konv")
LBM_ID_COLUMNS = {"regio", "naam", "gm_naam", "wk_naam", "bu_naam", "statnaam", "id"}
LBM_CLASSES = range(1, 10)

AEDES_REQUIRED = ("code", "jaar", "klasse")
AEDES_KNOWN = {"code", "jaar", "klasse", "klassenaam", "score", "naam", "buurtnaam", "wijknaam"}

GENERIC_HEADERS = (("code", "jaar", "indicator", "waarde"), ("code", "year", "indicator", "value"))


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


@dataclass
class IndicatorFile:
    """What a file holds for the import year, and what is wrong with it."""

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


# --- small parsers -----------------------------------------------------------------------


def indicator_file_too_large_message(size: int, max_bytes: int) -> str:
    return file_too_large_message(
        size, max_bytes, _("Lever een kleiner bestand aan, bijvoorbeeld alleen de gemeenten waar u werkt.")
    )


def wrong_extension_message(name: str) -> str:
    return _(
        "%(name)s is geen CSV- of Excel-bestand. Lever een .csv-bestand aan of een Excel-bestand "
        "in de nieuwe vorm (.xlsx); sla een oud .xls-bestand eerst op als .xlsx of .csv."
    ) % {"name": name}


def check_extension(name: str) -> None:
    """Raise ``IndicatorFileError`` unless the name ends in .csv, .txt or .xlsx."""
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
    for _row, cells in table.rows:
        width = len(cells)
        for index in columns:
            raw = cells[index] if index < width else None
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
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
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


def read_table(path: Path, *, name: str | None = None, max_bytes: int | None = None) -> _Table:
    """The header and rows of a CSV or Excel file, with the whole-file checks."""
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


def _code(result: IndicatorFile, row: int, raw) -> tuple[str, str | None]:
    """The normalised code and its level; records a row error when the shape is wrong."""
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
                _("Dit is geen gemeente-, wijk- of buurtcode. Verwacht %(examples)s.")
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


def _row_year(result, row, code, raw, year) -> bool | None:
    """True when the row is of the import year, False when of another, None on an error."""
    try:
        row_year = parse_whole(raw)
    except (TypeError, ValueError):
        row_year = None
    if row_year is None:
        result.errors.append(
            RowIssue(
                row, code, _("Het jaar %(value)s is geen jaartal.") % {"value": cell_text(raw)[:20] or "''"}
            )
        )
        return None
    return row_year == year


def _warn_other_years(result: IndicatorFile, skipped: int, year: int) -> None:
    if skipped:
        result.warnings.append(
            RowIssue(
                None,
                "",
                _("%(n)s rijen van andere jaren dan %(year)s zijn overgeslagen.")
                % {"n": skipped, "year": year},
            )
        )


# --- the formats -------------------------------------------------------------------------


def _read_kwb(table: _Table, year: int) -> IndicatorFile:
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
            result.rows.append(AreaRow(row=row, code=code, values=values))
    if land_rows:
        result.rows_skipped += land_rows
        result.warnings.append(RowIssue(None, "", _("De rij voor heel Nederland is overgeslagen.")))
    return result


def _read_leefbaarometer(table: _Table, year: int) -> IndicatorFile:
    result = IndicatorFile(SourceKind.LEEFBAAROMETER, has_scores=True)
    header = table.header
    code_col = _pick(header, LBM_CODE_COLUMNS)
    year_col = _pick(header, LBM_YEAR_COLUMNS)
    class_col = _pick(header, ("kscore",))
    missing = []
    if code_col is None:
        missing.append(" / ".join(LBM_CODE_COLUMNS[:3]))
    if year_col is None:
        missing.append("jaar")
    if class_col is None:
        missing.append("kscore")
    if missing:
        raise _missing_columns(missing, header)
    dims = [(i, name) for i, name in enumerate(header) if name in catalogue.LEEFBAAROMETER_DIMENSIONS]
    known = set(LBM_CODE_COLUMNS) | set(LBM_YEAR_COLUMNS) | set(LBM_CLASS_COLUMNS) | LBM_ID_COLUMNS
    known |= {"kscore"} | set(catalogue.LEEFBAAROMETER_DIMENSIONS)
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
    class_dims = [
        (i, name) for i, name in enumerate(header) if name in catalogue.LEEFBAAROMETER_DIMENSION_CLASSES
    ]
    result.indicators = {f"lbm_{name}": str(catalogue.LEEFBAAROMETER_DIMENSIONS[name]) for _i, name in dims}
    result.indicators |= {
        f"lbm_{name}": str(catalogue.LEEFBAAROMETER_DIMENSION_CLASSES[name]) for _i, name in class_dims
    }
    afw_col = _pick(header, ("afw",))
    styles = settle_number_styles(table, (index for index, _name in dims))
    seen: dict[str, int] = {}
    other_years = 0
    for row, cells in table.rows:
        result.rows_read += 1
        code_text = _code_text(_cell(cells, code_col))
        in_year = _row_year(result, row, normalise_code(code_text), _cell(cells, year_col), year)
        if in_year is False:
            other_years += 1
            continue
        errors_before = len(result.errors)
        code, _kind = _code(result, row, code_text)
        if code and _duplicate(result, seen, code, row, code):
            continue
        values = {}
        for index, name in dims:
            value = _value(result, row, code, name, _cell(cells, index), styles[index])
            if value is not None:
                values[f"lbm_{name}"] = value
        for index, name in class_dims:
            raw = _cell(cells, index)
            try:
                dimension_class = parse_whole(raw)
            except (TypeError, ValueError):
                dimension_class = -1
            if dimension_class is None:
                continue
            if dimension_class not in LBM_CLASSES:
                result.errors.append(
                    RowIssue(
                        row,
                        code,
                        _("%(column)s %(value)s is geen klasse van 1 tot en met 9.")
                        % {"column": name, "value": cell_text(raw)[:20]},
                    )
                )
            else:
                values[f"lbm_{name}"] = float(dimension_class)
        raw_class = _cell(cells, class_col)
        score_class = None
        try:
            score_class = parse_whole(raw_class)
        except (TypeError, ValueError):
            score_class = -1
        if score_class is not None and score_class not in LBM_CLASSES:
            result.errors.append(
                RowIssue(
                    row,
                    code,
                    _("kscore %(value)s is geen klasse van 1 tot en met 9.")
                    % {"value": cell_text(raw_class)[:20]},
                )
            )
        if len(result.errors) == errors_before and in_year:
            score = values.get("lbm_afw") if afw_col is not None else None
            result.rows.append(
                AreaRow(row=row, code=code, values=values, score=score, score_class=score_class)
            )
    result.rows_skipped += other_years
    _warn_other_years(result, other_years, year)
    return result


def _read_aedes(table: _Table, year: int) -> IndicatorFile:
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
    seen: dict[str, int] = {}
    name_rows: dict[int, tuple[str, int]] = {}
    other_years = 0
    number_cols = [index for index, _name, _key in extra]
    if score_col is not None:
        number_cols.append(score_col)
    styles = settle_number_styles(table, number_cols)
    for row, cells in table.rows:
        result.rows_read += 1
        code_text = _code_text(_cell(cells, code_col))
        in_year = _row_year(result, row, normalise_code(code_text), _cell(cells, year_col), year)
        if in_year is False:
            other_years += 1
            continue
        errors_before = len(result.errors)
        code, _kind = _code(result, row, code_text)
        if code and _duplicate(result, seen, code, row, code):
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
        if len(result.errors) == errors_before and in_year:
            result.rows.append(
                AreaRow(row=row, code=code, values=values, score=score, score_class=score_class)
            )
    result.class_names = {n: label for n, (label, _row) in name_rows.items()}
    result.rows_skipped += other_years
    _warn_other_years(result, other_years, year)
    return result


def _read_generic(table: _Table, year: int) -> IndicatorFile:
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
    seen: dict[tuple[str, str], int] = {}
    by_code: dict[str, AreaRow] = {}
    other_years = 0
    decimal = settle_number_styles(table, [value_col])[value_col]
    for row, cells in table.rows:
        result.rows_read += 1
        code_text = _code_text(_cell(cells, code_col))
        in_year = _row_year(result, row, normalise_code(code_text), _cell(cells, year_col), year)
        if in_year is False:
            other_years += 1
            continue
        errors_before = len(result.errors)
        code, _kind = _code(result, row, code_text)
        name = cell_text(_cell(cells, key_col))
        key = indicator_key(name)
        if not key:
            result.errors.append(
                RowIssue(row, code, _("De indicator ontbreekt of bevat geen letters of cijfers."))
            )
        elif code and _duplicate(result, seen, (code, key), row, code, what=key):
            continue
        value = _value(result, row, code, header[value_col], _cell(cells, value_col), decimal)
        if len(result.errors) != errors_before or not in_year:
            continue
        result.indicators.setdefault(key, name)
        if value is None:
            result.rows_skipped += 1
            continue
        area_row = by_code.get(code)
        if area_row is None:
            area_row = by_code[code] = AreaRow(row=row, code=code)
            result.rows.append(area_row)
        area_row.values[key] = value
    result.own_keys = set(result.indicators)
    result.rows_skipped += other_years
    _warn_other_years(result, other_years, year)
    return result


READERS = {
    SourceKind.CBS_KWB: _read_kwb,
    SourceKind.LEEFBAAROMETER: _read_leefbaarometer,
    SourceKind.AEDES_VEERKRACHT: _read_aedes,
    SourceKind.GENERIC: _read_generic,
}


def read_indicator_file(
    path, *, file_format: str, year: int, name: str | None = None, max_bytes: int | None = None
) -> IndicatorFile:
    """Read and check an indicator file of ``file_format`` for the import ``year``.

    Raises ``IndicatorFileError`` when the file as a whole cannot be used. Problems with
    single rows are collected in ``errors`` (the import must then store nothing) and
    ``warnings`` (ignored columns, skipped rows). Missing or secret values ("." or empty)
    are left out without a message.
    """
    reader = READERS.get(file_format)
    if reader is None:
        raise IndicatorFileError(_("Onbekende bestandsvorm %(format)s.") % {"format": file_format})
    table = read_table(Path(path), name=name, max_bytes=max_bytes)
    if not table.rows:
        raise IndicatorFileError(_("Het bestand bevat alleen een kopregel en geen gegevens."))
    result = reader(table, year)
    if not result.rows and not result.errors:
        if result.rows_skipped:
            raise IndicatorFileError(
                _("Het bestand bevat geen rijen van %(year)s. Kies het jaar dat in het bestand staat.")
                % {"year": year}
            )
        raise IndicatorFileError(_("Het bestand bevat geen waarden om te importeren."))
    return result
