"""Reading interventions from a CSV or Excel file made from the export (or its template).

All or nothing: every row is checked and saved through the services inside one
transaction; when any row fails, the whole transaction is rolled back and the person
gets a report per row (row number, column, message in Dutch). A row with an ID updates
that intervention (its version must still be current); a row without one creates one.
The import runs as a job (``interventions.services.imports``), which keeps the report.

A row with an ID whose values are the intervention's current values, as the export wrote
them, is skipped and counted as unchanged: an unchanged export can be read back by anyone
who may see its interventions, and only the rows that really differ need the right to
change them.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

import tablib
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from areas.models import Area
from core.exceptions import ConflictError
from core.exports import unsafe_text
from core.files import UnsafeArchive, archive_check
from core.imports import RowIssue, cell_text, decode_text
from interventions import services
from interventions.exports import COLUMNS, HEADER_OF, STATUS_LABELS, THEME_LABELS
from interventions.forms import DATE_ORDER, team_areas
from interventions.models import AreaTeam, Intervention
from organisations.models import Organisation
from scores.models import Indicator

MAX_ROWS = 5000
MAX_MB = 10  # the largest file an upload may be

# Service field names → the column that holds them, for error messages.
FIELD_COLUMN = {
    "title": "title",
    "description": "description",
    "theme": "theme",
    "status": "status",
    "stop_reason": "stop_reason",
    "reason": "stop_reason",
    "date": "status",
    "team": "team_area",
    "areas": "areas",
    "lead_organisation": "lead_organisation",
    "partner_organisations": "partner_organisations",
    "start_date": "start_date",
    "end_date": "end_date",
    "budget": "budget",
    "funder": "funder",
    "indicators": "indicators",
    "version": "version",
}


@dataclass
class ImportResult:
    """The outcome of one file; each error is a ``RowIssue`` whose code is the column."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0  # rows with an ID whose values equal the stored intervention
    rows: int = 0
    errors: list[RowIssue] = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors


class ImportFileError(ValidationError):
    """The file as a whole cannot be read."""


def _choice_lookup(labels):
    lookup = {}
    for key, label in labels.items():
        lookup[key.lower()] = key
        lookup[str(label).lower()] = key
        lookup[key.replace("_", " ").lower()] = key
    return lookup


THEMES = _choice_lookup(THEME_LABELS)
STATUSES = _choice_lookup(STATUS_LABELS)
KEY_OF_HEADER = {column.header.lower(): column.key for column in COLUMNS}
KEY_OF_HEADER.update({column.key: column.key for column in COLUMNS})


def _check_workbook_archive(content: bytes) -> None:
    """An Excel file is a zip archive: one that would unpack far beyond its size is
    refused from its directory, before the spreadsheet reader unpacks anything."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            archive_check(archive, archive_size=len(content))
    except UnsafeArchive as exc:
        raise ImportFileError(
            _("Het Excel-bestand is uitgepakt veel te groot. Sla het opnieuw op als .xlsx of als CSV.")
        ) from exc
    except zipfile.BadZipFile:
        pass  # not a zip at all: the reader reports it as a file it cannot read


def read_dataset(handle, *, name: str) -> tablib.Dataset:
    """The rows of a .csv or .xlsx file (``name`` tells which), with its headers checked."""
    name = (name or "").lower()
    content = handle.read()
    try:
        if name.endswith(".xlsx"):
            _check_workbook_archive(content)
            data = tablib.Dataset().load(io.BytesIO(content), format="xlsx")
        else:
            text = decode_text(content, ImportFileError)
            try:
                delimiter = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t").delimiter
            except csv.Error:
                delimiter = ","
            data = tablib.Dataset().load(text, format="csv", delimiter=delimiter)
    except ImportFileError:
        raise
    except Exception as exc:
        raise ImportFileError(
            _("Het bestand kon niet worden gelezen. Gebruik de export of het sjabloon als CSV of Excel.")
        ) from exc
    headers = [(header or "").strip().lower() for header in (data.headers or [])]
    missing = [column.header for column in COLUMNS if column.header.lower() not in headers]
    if missing:
        raise ImportFileError(
            _("Deze kolommen ontbreken: %(columns)s. Gebruik de export of het sjabloon als basis.")
            % {"columns": ", ".join(missing)}
        )
    if len(data) > MAX_ROWS:
        raise ImportFileError(
            _("Het bestand heeft meer dan %(max)s rijen. Splits het in kleinere bestanden.")
            % {"max": MAX_ROWS}
        )
    return data


def _text(value) -> str:
    # The export writes a quote before text that a spreadsheet would take for a formula.
    return unsafe_text(cell_text(value))


def _date(value):
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _same_text(value, stored) -> bool:
    # Spreadsheets and browsers differ in line endings; the services strip the ends.
    def plain(text):
        return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()

    return plain(value) == plain(stored)


def _same_indicators(values, stored) -> bool:
    """Whether the keys or names of a row name exactly the stored indicators (in any order
    and case, as the services read them)."""
    stored = list(stored)
    named = set()
    for value in values:
        text = value.strip().lower()
        matches = {i.pk for i in stored if text in (i.key.strip().lower(), i.name.strip().lower())}
        if not matches:
            return False
        named |= matches
    return named == {indicator.pk for indicator in stored}


def _pks(objects) -> set:
    return {obj.pk for obj in objects}


class _Row:
    def __init__(self, number, values):
        self.number = number
        self.values = values
        self.errors = []

    def get(self, key):
        return self.values.get(key)

    def text(self, key):
        return _text(self.values.get(key))

    def error(self, key, message):
        self.errors.append(RowIssue(self.number, HEADER_OF.get(key, key), str(message)))


class InterventionImporter:
    """Checks and saves the rows of one file for one person."""

    def __init__(self, *, actor):
        self.actor = actor
        # The relations as the export writes them: the indicators the person may see.
        self.visible = (
            Intervention.objects.restrict(actor, "view")
            .select_related("team__area", "lead_organisation")
            .prefetch_related(
                "areas",
                "partner_organisations",
                Prefetch("indicators", queryset=Indicator.objects.restrict(actor, "view")),
            )
        )
        self._teams = {}
        self._orgs = {}

    # -- look-ups, cached per file ----------------------------------------------------

    def team_for(self, code, year):
        key = (code, year)
        if key not in self._teams:
            teams = AreaTeam.objects.restrict(self.actor, "view").select_related("area")
            teams = teams.filter(area__code=code)
            if year:
                teams = teams.filter(area__year=year)
            found = list(teams.order_by("-area__year")[:2])
            self._teams[key] = found
        return self._teams[key]

    def organisation(self, name):
        key = name.lower()
        if key not in self._orgs:
            self._orgs[key] = Organisation.objects.filter(Q(name__iexact=name) | Q(slug=key)).first()
        return self._orgs[key]

    # -- one row ----------------------------------------------------------------------

    def parse(self, row: _Row):
        """The intervention a row updates (None for a new one), the service arguments of
        the row (None when the row has errors) and, for an update, the columns whose
        values differ from the stored ones (empty: the row is unchanged and is skipped)."""
        data = {}
        existing = None
        raw_id = row.text("id")
        if raw_id:
            if not raw_id.isdigit():
                row.error(
                    "id",
                    _("Het ID %(id)s is geen getal. Laat het leeg voor een nieuwe interventie.")
                    % {"id": raw_id},
                )
            else:
                existing = self.visible.filter(pk=int(raw_id)).first()
                if existing is None:
                    row.error(
                        "id", _("Interventie %(id)s bestaat niet of u mag haar niet zien.") % {"id": raw_id}
                    )
            version = row.text("version")
            if version.isdigit():
                data["version"] = int(version)

        title = row.text("title")
        if not title:
            row.error("title", _("Vul een titel in."))
        data["title"] = title
        data["description"] = row.text("description")

        theme = row.text("theme")
        if theme.lower() not in THEMES:
            row.error(
                "theme",
                _("Onbekend thema '%(value)s'. Kies uit: %(choices)s.")
                % {"value": theme, "choices": ", ".join(str(label) for label in THEME_LABELS.values())},
            )
        else:
            data["theme"] = THEMES[theme.lower()]

        status = row.text("status") or str(STATUS_LABELS[Intervention.Status.IDEE])
        if status.lower() not in STATUSES:
            row.error(
                "status",
                _("Onbekende status '%(value)s'. Kies uit: %(choices)s.")
                % {"value": status, "choices": ", ".join(str(label) for label in STATUS_LABELS.values())},
            )
        else:
            data["status"] = STATUSES[status.lower()]
        data["stop_reason"] = row.text("stop_reason")
        if data.get("status") == Intervention.Status.GESTOPT and not data["stop_reason"]:
            row.error("stop_reason", _("Geef een reden waarom de interventie is gestopt."))

        team = self._team(row, existing)
        data["team"] = team

        codes = [
            code.strip().upper() for code in row.text("areas").replace(";", ",").split(",") if code.strip()
        ]
        if not codes:
            row.error("areas", _("Vul minstens één gebiedscode in, bijvoorbeeld de code van de wijk."))
        elif team is not None:
            data["areas"] = self._areas(row, team, codes)

        lead_name = row.text("lead_organisation")
        if not lead_name:
            row.error("lead_organisation", _("Vul de trekker in: de naam van een organisatie in het team."))
        else:
            lead = self.organisation(lead_name)
            if lead is None:
                row.error("lead_organisation", _("Onbekende organisatie '%(name)s'.") % {"name": lead_name})
            data["lead_organisation"] = lead
        partners = []
        for name in (n.strip() for n in row.text("partner_organisations").split(";")):
            if not name:
                continue
            partner = self.organisation(name)
            if partner is None:
                row.error("partner_organisations", _("Onbekende organisatie '%(name)s'.") % {"name": name})
            else:
                partners.append(partner)
        data["partner_organisations"] = partners

        for key in ("start_date", "end_date"):
            try:
                data[key] = _date(row.get(key))
            except ValueError:
                row.error(
                    key,
                    _("'%(value)s' is geen datum. Schrijf de datum als JJJJ-MM-DD, bijvoorbeeld 2025-03-01.")
                    % {"value": row.text(key)},
                )
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            row.error("end_date", DATE_ORDER)

        budget = row.get("budget")
        try:
            data["budget"] = services.parse_budget(
                budget if isinstance(budget, int | float) else row.text("budget")
            )
        except ValidationError as exc:
            message = exc.message_dict.get("budget", [""])[0]
            row.error(
                "budget",
                _("Het budget '%(value)s' is geen geldig bedrag: %(message)s")
                % {"value": row.text("budget"), "message": message},
            )
        data["funder"] = row.text("funder")
        # Keys or names; the services check them against the catalogue the person may see.
        data["indicators"] = [
            key.strip() for key in row.text("indicators").replace(";", ",").split(",") if key.strip()
        ]
        changes = None
        if existing is not None:
            # A row with errors cannot hold the stored values: it changes the intervention.
            changes = self.changes(existing, data) if not row.errors else None
            if changes != []:
                self._check_change(row, existing, data, changes or [])
        return (existing, data, changes) if not row.errors else (existing, None, changes)

    def changes(self, existing, data) -> list[str]:
        """The columns of a checked row whose values differ from ``existing``, compared as
        the import reads the file: formatting the export or a spreadsheet adds (an amount
        with cents, a date cell, another order of areas, partners or indicators) is no
        change. The team is compared by ``_team``, the version is not a value."""
        differs = {
            "title": not _same_text(data["title"], existing.title),
            "description": not _same_text(data["description"], existing.description),
            "theme": data["theme"] != existing.theme,
            "status": data["status"] != existing.status,
            "stop_reason": not _same_text(data["stop_reason"], existing.stop_reason),
            "areas": _pks(data["areas"]) != _pks(existing.areas.all()),
            "lead_organisation": data["lead_organisation"].pk != existing.lead_organisation_id,
            "partner_organisations": _pks(data["partner_organisations"])
            != _pks(existing.partner_organisations.all()),
            "start_date": data["start_date"] != existing.start_date,
            "end_date": data["end_date"] != existing.end_date,
            "budget": data["budget"] != existing.budget,
            "funder": not _same_text(data["funder"], existing.funder),
            "indicators": not _same_indicators(data["indicators"], existing.indicators.all()),
        }
        return [key for key, differ in differs.items() if differ]

    def _check_change(self, row, existing, data, changes):
        """The errors of a row that changes ``existing``: the person's right to change it
        first, then the version the change starts from."""
        errors, row.errors = row.errors, []
        if not Intervention.objects.restrict(self.actor, "change").filter(pk=existing.pk).exists():
            row.error(
                "id",
                _("U mag interventie %(id)s (%(title)s) niet wijzigen.")
                % {"id": existing.pk, "title": existing.title},
            )
        if "version" not in data:
            row.error("version", _("Vul de versie in waarvan uw wijziging uitgaat (staat in de export)."))
        if not errors and "stop_reason" in changes and "status" not in changes:
            row.error(
                "stop_reason",
                _(
                    "De reden van stoppen wijzigt alleen samen met de status. Laat deze cel zoals "
                    "in de export, of zet de status op gestopt."
                ),
            )
        row.errors.extend(errors)

    def _team(self, row, existing):
        code = row.text("team_area").upper()
        year_text = row.text("year")
        if not code:
            if existing is not None:
                return existing.team
            row.error("team_area", _("Vul de code van het teamgebied in, bijvoorbeeld WK045301."))
            return None
        year = int(year_text) if year_text.isdigit() else None
        if year_text and year is None:
            row.error("year", _("Het jaar van de indeling is een getal, bijvoorbeeld 2022."))
            return None
        teams = self.team_for(code, year)
        if not teams:
            row.error(
                "team_area",
                _("Er is geen team voor gebied %(code)s waar uw organisatie in zit.") % {"code": code},
            )
            return None
        if len(teams) > 1:
            row.error(
                "year", _("Er zijn teams voor %(code)s in meer jaren; vul het jaar in.") % {"code": code}
            )
            return None
        team = teams[0]
        if existing is not None and existing.team_id != team.pk:
            row.error(
                "team_area",
                _("Een interventie verhuist niet naar een ander team; maak een nieuwe aan."),
            )
            return None
        return team

    def _areas(self, row, team, codes):
        inside = {area.code: area for area in team_areas(team)}
        found = []
        for code in codes:
            if code in inside:
                found.append(inside[code])
            elif Area.objects.filter(code=code).exists():
                row.error(
                    "areas",
                    _("Gebied %(code)s ligt buiten het gebied van het team (%(team)s).")
                    % {"code": code, "team": team.area.code},
                )
            else:
                row.error("areas", _("Onbekende gebiedscode %(code)s.") % {"code": code})
        return found

    def save(self, row, existing, data) -> str:
        """Create or update through the services; a changed status goes through the
        status workflow (so it is on the timeline too). Returns ``created``, ``updated``
        or, when the services found nothing to save, ``unchanged``."""
        if existing is None:
            data.pop("version", None)
            services.intervention_create(actor=self.actor, **data)
            return "created"
        stored_version = existing.version
        status = data.pop("status")
        stop_reason = data.pop("stop_reason")
        data.pop("team")
        intervention = services.intervention_update(actor=self.actor, intervention=existing, **data)
        if status != intervention.status:
            intervention = services.intervention_change_status(
                actor=self.actor,
                intervention=intervention,
                to_status=status,
                reason=stop_reason,
                version=intervention.version,
            )
        return "updated" if intervention.version != stored_version else "unchanged"

    def report_service_error(self, row, exc):
        if isinstance(exc, ConflictError):
            row.error("version", exc.message)
        elif isinstance(exc, PermissionDenied):
            message = str(exc.args[0]) if exc.args else _("U mag dit niet doen.")
            row.error("team_area", message)
        elif hasattr(exc, "error_dict"):
            for name, errors in exc.message_dict.items():
                column = FIELD_COLUMN.get(name, "")
                for message in errors:
                    row.error(column, message)
        else:
            for message in exc.messages:
                row.error("", message)


def import_interventions(*, actor, data: tablib.Dataset) -> ImportResult:
    """Check and save every row of ``data`` (from ``read_dataset``); nothing is saved when
    any row fails."""
    keys = [KEY_OF_HEADER.get((header or "").strip().lower()) for header in data.headers]
    importer = InterventionImporter(actor=actor)
    result = ImportResult()
    with transaction.atomic():
        for index, values in enumerate(data, start=2):
            record = {key: value for key, value in zip(keys, values, strict=False) if key}
            if all(_text(value) == "" for value in record.values()):
                continue  # an empty line
            result.rows += 1
            row = _Row(index, record)
            existing, parsed, changes = importer.parse(row)
            if parsed is not None and existing is not None and not changes:
                result.unchanged += 1
            elif parsed is not None:
                try:
                    with transaction.atomic():
                        outcome = importer.save(row, existing, parsed)
                except (ValidationError, PermissionDenied, ConflictError) as exc:
                    importer.report_service_error(row, exc)
                else:
                    setattr(result, outcome, getattr(result, outcome) + 1)
            result.errors.extend(row.errors)
        if result.errors:
            # Nothing is saved; the unchanged rows stay counted for the report.
            transaction.set_rollback(True)
            result.created = result.updated = 0
    return result
