"""Reading the CBS kerncijfers wijken en buurten from CBS StatLine's open OData (v3) API
into a KWB table, the same CSV the indicator import reads from an uploaded file.

This module only reads; the import pipeline (``scores.services.imports``) checks the
table against the boundaries of its year and stores it.

What StatLine publishes: ``https://opendata.cbs.nl/ODataApi/odata/<table>/DataProperties``
lists the columns (``Key``, ``Title``, ``Type``) and ``…/TypedDataSet`` the rows, one per
region (``WijkenEnBuurten`` is the region key, ``Codering_3`` the code such as
``BU04530000``, ``SoortRegio_2`` the level: Land, Gemeente, Wijk or Buurt). Column keys
carry a position suffix (``AantalInwoners_5``) that moves from year to year, so columns
are matched by the key without that suffix. StatLine gives at most 10,000 rows an
answer, so rows are asked page by page (``$top``/``$skip``), and an ``odata.nextLink``
in an answer is followed where the service sends one.

Verified against public code that calls the service: the base URL, ``TypedDataSet`` with
``$filter=startswith(WijkenEnBuurten,'BU0599')``, the keys ``WijkenEnBuurten``,
``AantalInwoners_5``, ``GemiddeldeWOZWaardeVanWoningen``, ``GemiddeldInkomenPerInwoner``,
``k_40PersonenMetLaagsteInkomen``, ``k_20PersonenMetHoogsteInkomen`` and the tables of
2023 (85618NED), 2024 (85984NED) and 2025 (86165NED). Not verified against the live
service (no network here): the table of 2022 (85318NED), the other column names in
``COLUMNS`` (marked below), ``$inlinecount`` giving ``odata.count``, and the
``Codering``/``SoortRegio`` keys. An unknown column is reported, never guessed.
"""

import csv
import io
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core.fetching import Fetch, FetchError, cut_off_message, get_json, shape_message
from core.imports import RowIssue

SERVICE = "CBS StatLine"
BASE_URL = "https://opendata.cbs.nl/ODataApi/odata"
# The table of the kerncijfers wijken en buurten per year (one table per year).
TABLES = {
    2022: "85318NED",  # not verified (from the product's own notes)
    2023: "85618NED",
    2024: "85984NED",
    2025: "86165NED",
}
PAGE_ROWS = 5000  # StatLine answers at most 10,000 rows per request
MAX_PAGES = 100  # a national table is some 17,000 rows: a loop this long is a fault
TABLE_ID = re.compile(r"^\d{5}[A-Z]{3}$")

# StatLine column (key without its position suffix) -> the KWB column of the catalogue.
COLUMNS = {
    "AantalInwoners": "a_inw",
    "HuishoudensTotaal": "a_hh",  # name not verified
    "GemiddeldeHuishoudensgrootte": "g_hhgro",  # name not verified
    "Bevolkingsdichtheid": "bev_dich",  # name not verified
    "Woningvoorraad": "a_woning",  # name not verified
    "GemiddeldeWOZWaardeVanWoningen": "g_wozbag",
    "PercentageEengezinswoning": "p_1gezw",  # name not verified
    "PercentageMeergezinswoning": "p_mgezw",  # name not verified
    "Koopwoningen": "p_koopw",  # name not verified
    "HuurwoningenTotaal": "p_huurw",  # name not verified
    "InBezitWoningcorporatie": "p_wcorpw",  # name not verified
    "InBezitOverigeVerhuurders": "p_ov_hw",  # name not verified
    "GemiddeldInkomenPerInwoner": "g_ink_pi",
    "k_40PersonenMetLaagsteInkomen": "p_ink_li",
    "k_20PersonenMetHoogsteInkomen": "p_ink_hi",
    "HuishoudensMetEenLaagInkomen": "p_hh_li",  # name not verified
    "HuishOnderOfRondSociaalMinimum": "p_hh_osm",  # name not verified
    "Nettoarbeidsparticipatie": "p_arb_pp",  # name not verified
    "PersonenPerSoortUitkeringBijstand": "a_soz_wb",  # name not verified
    "PersonenPerSoortUitkeringAO": "a_soz_ao",  # name not verified
    "PersonenPerSoortUitkeringWW": "a_soz_ww",  # name not verified
    "BedrijfsvestigingenTotaal": "a_bedv",  # name not verified
    "AfstandTotHuisartsenpraktijk": "g_afs_hp",  # name not verified
    "AfstandTotSchool": "g_afs_sc",  # name not verified
}
REGION_KEY = "WijkenEnBuurten"
CODE_KEY = "Codering"
LEVEL_KEY = "SoortRegio"
# Columns that describe the region rather than measure it: not reported as unmapped.
DESCRIPTIVE = {REGION_KEY, CODE_KEY, LEVEL_KEY, "ID", "Gemeentenaam", "IndelingswijzigingWijkenEnBuurten"}
SUFFIX = re.compile(r"_\d+$")

Progress = Callable[[int, str], None] | None


@dataclass
class KwbTable:
    """The fetched table as a KWB CSV, with what the fetch noticed."""

    csv: bytes
    rows: int
    table: str
    columns: list[str]
    warnings: list[RowIssue] = field(default_factory=list)


def table_for(year: int) -> str | None:
    return TABLES.get(year)


def base_key(key: str) -> str:
    """``AantalInwoners_5`` -> ``AantalInwoners``."""
    return SUFFIX.sub("", key)


def _url(table: str, part: str, params: dict) -> str:
    query = urllib.parse.urlencode(params, quote_via=urllib.parse.quote, safe="$,'()")
    return f"{BASE_URL}/{table}/{part}?{query}"


def _region_filter(gemeente: str) -> str:
    digits = gemeente[2:]
    return " or ".join(f"startswith({REGION_KEY},'{prefix}{digits}')" for prefix in ("GM", "WK", "BU"))


def _columns(table: str, fetch: Fetch | None) -> tuple[dict[str, str], list[tuple[str, str]], list[str]]:
    """(id keys by role, [(KWB column, StatLine key)], unmapped StatLine keys)."""
    data = get_json(_url(table, "DataProperties", {"$format": "json"}), service=SERVICE, fetch=fetch)
    properties = data.get("value")
    if not isinstance(properties, list) or not properties:
        raise FetchError(shape_message(SERVICE, _("de lijst met kolommen (DataProperties) ontbreekt")))
    # TopicGroup entries only group columns in StatLine's tree; they hold no values.
    keys = [
        p["Key"]
        for p in properties
        if isinstance(p, dict)
        and isinstance(p.get("Key"), str)
        and p["Key"]
        and p.get("Type") != "TopicGroup"
    ]
    by_base = {}
    for key in keys:
        by_base.setdefault(base_key(key), key)
    ids = {"code": by_base.get(CODE_KEY), "level": by_base.get(LEVEL_KEY)}
    missing = [name for name, role in ((CODE_KEY, "code"), (LEVEL_KEY, "level")) if not ids[role]]
    if missing:
        raise FetchError(
            shape_message(SERVICE, _("de kolommen %(columns)s ontbreken") % {"columns": ", ".join(missing)})
        )
    mapped = [(COLUMNS[base], key) for base, key in by_base.items() if base in COLUMNS]
    if not mapped:
        raise FetchError(
            shape_message(SERVICE, _("geen van de kerncijfers die Wijkkoers leest, zoals AantalInwoners"))
        )
    unmapped = [key for base, key in by_base.items() if base not in COLUMNS and base not in DESCRIPTIVE]
    return ids, mapped, unmapped


def number_text(value) -> str:
    """A value as the KWB reader reads it unambiguously: ``.`` for missing, whole numbers
    without decimals, other numbers with a decimal point and never exactly three
    decimals (which could be read as a thousands separator)."""
    if value is None:
        return "."
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(value)
    if float(value).is_integer():
        return str(int(value))
    text = f"{value:.6f}".rstrip("0")
    if len(text.split(".")[1]) == 3:
        text += "0"
    return text


def fetch_kwb(
    *,
    year: int,
    gemeenten: list[str] | None = None,
    table: str | None = None,
    fetch: Fetch | None = None,
    progress: Progress = None,
) -> KwbTable:
    """Fetch a year of kerncijfers (all gemeenten, or the given ones) as a KWB CSV.

    Raises ``FetchError`` when StatLine cannot be reached, breaks off (broken JSON, fewer
    rows than it announced) or answers in another shape (columns or fields missing).
    """
    table = table or table_for(year)
    if not table:
        raise FetchError(
            _(
                "Wijkkoers kent de CBS-tabel van de kerncijfers van %(year)s niet. Geef de tabel op (bijvoorbeeld 85984NED)."
            )
            % {"year": year}
        )
    ids, mapped, unmapped = _columns(table, fetch)
    select = [ids["code"], ids["level"], *(key for _kwb, key in mapped)]
    rows: list[dict] = []
    groups = gemeenten or [None]
    for number, gemeente in enumerate(groups, start=1):
        rows.extend(_rows(table, gemeente, select, fetch))
        if progress:
            progress(
                5 + 25 * number // len(groups),
                _("%(n)s regio's opgehaald bij %(service)s") % {"n": len(rows), "service": SERVICE},
            )

    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["gwb_code_10", "recs", *(kwb for kwb, _key in mapped)])
    written = 0
    for row in rows:
        code = row.get(ids["code"])
        level = row.get(ids["level"])
        if not isinstance(code, str) or not isinstance(level, str):
            raise FetchError(
                shape_message(
                    SERVICE,
                    _("een rij zonder %(code)s of %(level)s") % {"code": ids["code"], "level": ids["level"]},
                )
            )
        try:
            values = [number_text(row.get(key)) for _kwb, key in mapped]
        except ValueError as exc:
            raise FetchError(
                shape_message(
                    SERVICE, _("%(code)s heeft een waarde die geen getal is") % {"code": code.strip()}
                )
            ) from exc
        writer.writerow([code.strip(), level.strip(), *values])
        written += 1
    warnings = []
    if unmapped:
        warnings.append(
            RowIssue(
                None,
                "",
                _(
                    "%(n)s kolommen van CBS-tabel %(table)s hebben (nog) geen plaats in Wijkkoers en zijn niet opgehaald: %(columns)s."
                )
                % {
                    "n": len(unmapped),
                    "table": table,
                    "columns": ", ".join(unmapped[:25]) + (" …" if len(unmapped) > 25 else ""),
                },
            )
        )
    return KwbTable(
        csv=out.getvalue().encode("utf-8"),
        rows=written,
        table=table,
        columns=[kwb for kwb, _key in mapped],
        warnings=warnings,
    )


def _rows(table: str, gemeente: str | None, select: list[str], fetch: Fetch | None) -> list[dict]:
    params = {"$format": "json", "$select": ",".join(select), "$inlinecount": "allpages", "$top": PAGE_ROWS}
    if gemeente:
        params["$filter"] = _region_filter(gemeente)
    rows: list[dict] = []
    announced = None
    skip = 0
    url = _url(table, "TypedDataSet", params)
    for _page in range(MAX_PAGES):
        data = get_json(url, service=SERVICE, fetch=fetch)
        page = data.get("value")
        if not isinstance(page, list) or not all(isinstance(row, dict) for row in page):
            raise FetchError(shape_message(SERVICE, _("de rijen (value) ontbreken")))
        if announced is None and str(data.get("odata.count", "")).isdigit():
            announced = int(data["odata.count"])
        rows.extend(page)
        next_link = data.get("odata.nextLink")
        if isinstance(next_link, str) and next_link:
            url = next_link if next_link.startswith("http") else f"{BASE_URL}/{table}/{next_link}"
            # A link may carry the filter's spaces and quotes as they are.
            url = urllib.parse.quote(url, safe=":/?&=$,'()%+~")
            continue
        if len(page) < PAGE_ROWS or (announced is not None and len(rows) >= announced):
            break
        skip += PAGE_ROWS
        url = _url(table, "TypedDataSet", {**params, "$skip": skip})
    else:
        raise FetchError(
            cut_off_message(SERVICE, _("Het ophalen stopte na %(n)s pagina's.") % {"n": MAX_PAGES})
        )
    if announced is not None and len(rows) < announced:
        raise FetchError(
            cut_off_message(
                SERVICE,
                _("Aangekondigd waren %(expected)s rijen, ontvangen %(got)s.")
                % {"expected": announced, "got": len(rows)},
            )
        )
    if gemeente and not rows:
        raise FetchError(
            _(
                "%(service)s heeft in tabel %(table)s geen cijfers van %(gemeente)s. Controleer de gemeentecode en het jaar."
            )
            % {"service": SERVICE, "table": table, "gemeente": gemeente}
        )
    return rows
