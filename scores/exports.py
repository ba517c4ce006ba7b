"""CSV and Excel files of the score map's table, exactly as the page shows it.

The caller passes a ``MapTable`` read through ``restrict()`` with the person's choice, so
a file holds only what that person may see; licensed data carries its note in the file.
"""

import tablib
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core.exports import dated_filename, safe_text, sheets_bytes
from scores.selectors.maps import MapTable, licence_note


def _number(value, decimals: int, fmt: str):
    if value is None:
        return ""
    value = round(value, decimals)
    return value if fmt == "xlsx" else f"{value:.{decimals}f}"


def headers(table: MapTable) -> list[str]:
    columns = [_("Code"), _("Naam"), _("Ligt in"), _("Jaar")]
    if table.is_signal:
        # The signal's cell number means nothing on its own: the file gives the two
        # changes it crosses, the year they are measured from, the signal's name and
        # whether the area entered that cell since the previous measurement.
        return [
            *columns,
            _("Vergeleken met jaar"),
            _("Verandering kwetsbaarheid"),
            _("Verandering overlast"),
            _("Signaal (vak 1–9)"),
            _("Signaal"),
            _("Nieuw in dit vak"),
            _("Geen gegevens omdat"),
        ]
    if table.kind == "change":
        columns += [_("Score %(year)s") % {"year": table.compare}, _("Score %(year)s") % {"year": table.year}]
        columns += [_("Verandering"), _("Opnieuw ingedeeld")]
    elif table.kind == "model":
        columns += [_("Score"), _("Klasse"), _("Verandering sinds vorige meting"), _("Grens gewijzigd")]
    else:
        unit = f" ({table.unit})" if table.unit else ""
        columns += [_("Waarde") + unit, _("Klasse")]
    columns += [_("Klassenaam"), _("Geen gegevens omdat")]
    return columns


def export_row(table: MapTable, row, fmt: str = "csv") -> list:
    decimals = table.decimals
    values = [row.code, safe_text(row.name), safe_text(row.parent_name), table.year]
    if table.is_signal:
        return [
            *values,
            row.compared_year if row.compared_year is not None else "",
            _number(row.vulnerability, 2, fmt),
            _number(row.nuisance, 2, fmt),
            row.score_class if row.score_class is not None else "",
            safe_text(row.label) if row.score_class is not None else "",
            # Empty without a cell; "nee" also for an area without a previous measurement.
            (_("ja") if row.new_in_cell else _("nee")) if row.score_class is not None else "",
            safe_text(row.no_data_reason),
        ]
    if table.kind == "change":
        values += [
            _number(row.previous, decimals, fmt),
            _number(row.value, decimals, fmt),
            _number(row.change, decimals, fmt),
            _("ja") if row.redrawn else _("nee"),
        ]
    elif table.kind == "model":
        values += [
            _number(row.value, decimals, fmt),
            row.score_class if row.score_class is not None else "",
            _number(row.trend, decimals, fmt),
            # Only said of a change: without one no boundary change is compared across.
            (_("ja") if row.boundary_changed else _("nee")) if row.trend is not None else "",
        ]
    else:
        values += [_number(row.value, decimals, fmt), row.score_class if row.score_class is not None else ""]
    values += [safe_text(row.label) if row.score_class is not None else "", safe_text(row.no_data_reason)]
    return values


def dataset(table: MapTable, fmt: str = "csv", rows=None) -> tablib.Dataset:
    title = _("Scores") if table.kind != "indicator" else _("Indicator")
    data = tablib.Dataset(headers=headers(table), title=title)
    for row in table.rows if rows is None else rows:
        data.append(export_row(table, row, fmt))
    return data


def render(table: MapTable, fmt: str, rows=None) -> bytes:
    """The file contents for ``fmt`` (``csv`` or ``xlsx``); ``rows`` in the page's order."""
    sheets = [dataset(table, fmt, rows)]
    note = licence_note(table.subject)
    if note:
        # Excel gets a tab of its own with a header; CSV the note on a line below the table.
        about = tablib.Dataset(headers=[_("Bron")], title=_("Bron")) if fmt == "xlsx" else tablib.Dataset()
        about.append([safe_text(f"{table.subject.name}: {note}")])
        sheets.append(about)
    return sheets_bytes(sheets, fmt)


def filename(table: MapTable, fmt: str) -> str:
    return dated_filename(filename_stem(table), fmt)


def geopackage_columns(table: MapTable, rows) -> list:
    """The columns of the map's GeoPackage: the export's columns under names a GIS reads
    (no spaces), typed, one value per row in ``rows``."""
    from core.geopackage import BOOLEAN, INTEGER, REAL, TEXT, Column

    def col(name, kind, get):
        return Column(name, kind, [get(r) for r in rows])

    def classed(get):
        return lambda r: get(r) if r.score_class is not None else None

    columns = [
        col("code", TEXT, lambda r: r.code),
        col("name", TEXT, lambda r: r.name),
        col("parent_code", TEXT, lambda r: r.parent_code or None),
        col("parent_name", TEXT, lambda r: r.parent_name or None),
        col("year", INTEGER, lambda r: table.year),
    ]
    if table.is_signal:
        columns += [
            col("compared_year", INTEGER, lambda r: r.compared_year),
            col("change_kwetsbaarheid", REAL, lambda r: r.vulnerability),
            col("change_overlast", REAL, lambda r: r.nuisance),
        ]
    elif table.kind == "change":
        columns += [
            col("previous", REAL, lambda r: r.previous),
            col("value", REAL, lambda r: r.value),
            col("change", REAL, lambda r: r.change),
            col("redrawn", BOOLEAN, lambda r: r.redrawn),
        ]
    elif table.kind == "model":
        columns += [
            col("value", REAL, lambda r: r.value),
            col("change", REAL, lambda r: r.trend),
            # Only said of a change, as in the export.
            col("grens_gewijzigd", BOOLEAN, lambda r: r.boundary_changed if r.trend is not None else None),
        ]
    else:
        columns.append(col("value", REAL, lambda r: r.value))
    columns += [
        col("class", INTEGER, lambda r: r.score_class),
        col("label", TEXT, classed(lambda r: r.label)),
    ]
    if table.is_signal:
        columns.append(col("nieuw", BOOLEAN, classed(lambda r: r.new_in_cell)))
    columns.append(col("no_data_reason", TEXT, lambda r: r.no_data_reason or None))
    return columns


def geopackage(table: MapTable, rows, shapes: dict) -> bytes:
    """The map as a GeoPackage: one feature per row with its full-precision shape
    (``shapes``: area id → WKB, read through ``restrict()`` by the caller)."""
    from core.geopackage import geopackage_bytes

    rows = list(rows)
    note = licence_note(table.subject)
    description = f"{table.subject.name}: {note}" if note else table.subject.name
    return geopackage_bytes(
        layer=filename_stem(table).replace("-", "_"),
        shapes=[shapes.get(r.area_id) for r in rows],
        columns=geopackage_columns(table, rows),
        description=description,
    )


def filename_stem(table: MapTable) -> str:
    stem = slugify(f"{table.subject.name}-{table.level}-{table.year}")
    if table.compare:
        stem += f"-sinds-{table.compare}"
    return stem
