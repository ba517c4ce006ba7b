"""CSV and Excel exports of interventions, in the columns the import reads back.

The caller passes interventions it has already read through ``restrict()`` with the
person's filters, so an export holds exactly what that person may see. An export is also
the import template: every column round-trips, and a row with an ID updates that
intervention (with its version), a row without one creates a new intervention.
"""

from dataclasses import dataclass
from decimal import Decimal

import tablib
from django.utils.translation import gettext_lazy as _

from core.exports import safe_text, sheets_bytes
from interventions.models import Intervention, Theme


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    help: str = ""


# The order of the file. Headers are Dutch, as people see them in their spreadsheet; the
# import also recognises them case-insensitively.
COLUMNS = [
    Column("id", "ID", _("leeg voor een nieuwe interventie")),
    Column("version", "Versie", _("de versie waarvan uw wijziging uitgaat; leeg voor een nieuwe")),
    Column("title", "Titel"),
    Column("description", "Omschrijving"),
    Column("theme", "Thema", _("bijvoorbeeld leefbaarheid of sociale cohesie")),
    Column("status", "Status", _("idee, gepland, in uitvoering, afgerond of gestopt")),
    Column("stop_reason", "Reden van stoppen", _("verplicht bij gestopt")),
    Column("team_area", "Teamgebied", _("code van de wijk of het gebied van het team")),
    Column("year", "Jaar indeling", _("jaar van de CBS-indeling van het team")),
    Column("areas", "Gebieden", _("codes, gescheiden door komma's")),
    Column("lead_organisation", "Trekker", _("naam van de organisatie")),
    Column("partner_organisations", "Partners", _("namen, gescheiden door puntkomma's")),
    Column("start_date", "Begindatum", _("JJJJ-MM-DD")),
    Column("end_date", "Einddatum", _("JJJJ-MM-DD")),
    Column("budget", "Budget (€)", _("een getal, bijvoorbeeld 12500,50")),
    Column("funder", "Financier"),
    Column(
        "indicators",
        "Indicatoren",
        _("sleutels (of namen) uit de indicatorencatalogus, gescheiden door komma's, bijvoorbeeld p_wcorpw"),
    ),
]
HEADERS = [column.header for column in COLUMNS]
HEADER_OF = {column.key: column.header for column in COLUMNS}

AREA_SEPARATOR = ", "
ORGANISATION_SEPARATOR = "; "

THEME_LABELS = dict(Theme.choices)
STATUS_LABELS = dict(Intervention.Status.choices)


def _budget(value: Decimal | None, fmt: str):
    if value is None:
        return ""
    if fmt == "xlsx":
        return int(value) if value == value.to_integral_value() else float(value)
    return f"{value:.2f}"


def export_row(intervention, fmt="csv") -> list:
    """One intervention as a row of the file. Expects areas, partners, lead organisation,
    team area and indicators to be loaded with the intervention (no queries per row)."""
    team_area = intervention.team.area
    return [
        intervention.pk,
        intervention.version,
        safe_text(intervention.title),
        safe_text(intervention.description),
        str(THEME_LABELS.get(intervention.theme, intervention.theme)),
        str(STATUS_LABELS.get(intervention.status, intervention.status)),
        safe_text(intervention.stop_reason),
        team_area.code,
        team_area.year,
        AREA_SEPARATOR.join(sorted(area.code for area in intervention.areas.all())),
        safe_text(intervention.lead_organisation.name),
        ORGANISATION_SEPARATOR.join(
            sorted(safe_text(org.name) for org in intervention.partner_organisations.all())
        ),
        intervention.start_date if fmt == "xlsx" else _iso(intervention.start_date),
        intervention.end_date if fmt == "xlsx" else _iso(intervention.end_date),
        _budget(intervention.budget, fmt),
        safe_text(intervention.funder),
        ", ".join(sorted(indicator.key for indicator in intervention.indicators.all())),
    ]


def _iso(value):
    return value.isoformat() if value else ""


def dataset(interventions, fmt="csv") -> tablib.Dataset:
    data = tablib.Dataset(headers=HEADERS, title="Interventies")
    for intervention in interventions:
        data.append(export_row(intervention, fmt))
    return data


def render(interventions, fmt: str) -> bytes:
    """The file contents for ``fmt`` (``csv`` or ``xlsx``)."""
    return sheets_bytes([dataset(interventions, fmt)], fmt)


def template(fmt: str) -> bytes:
    """An empty import file: only the header row."""
    return render([], fmt)


# --- wijkgesprekken ----------------------------------------------------------------------

GESPREK_HEADERS = [
    "ID",
    "Team",
    "Teamgebied",
    "Datum",
    "Meetjaar",
    "Deelnemers",
    "Duiding",
    "Besluiten",
    "Acties",
]


def gesprek_row(gesprek, fmt="csv") -> list:
    """One wijkgesprek as a row; its actions on one cell, one per line (with the
    intervention an action became). Expects participants and actions prefetched."""
    actions = [
        safe_text(action.text + (f" → {action.intervention.title}" if action.intervention else ""))
        for action in gesprek.actions.all()
    ]
    return [
        gesprek.pk,
        safe_text(gesprek.team.name),
        gesprek.team.area.code,
        gesprek.date if fmt == "xlsx" else _iso(gesprek.date),
        gesprek.year,
        ORGANISATION_SEPARATOR.join(safe_text(org.name) for org in gesprek.participants.all()),
        safe_text(gesprek.duiding),
        safe_text(gesprek.decisions),
        "\n".join(actions),
    ]


def render_gesprekken(gesprekken, fmt: str) -> bytes:
    data = tablib.Dataset(headers=GESPREK_HEADERS, title="Wijkgesprekken")
    for gesprek in gesprekken:
        data.append(gesprek_row(gesprek, fmt))
    return sheets_bytes([data], fmt)
