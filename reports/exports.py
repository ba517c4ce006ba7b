"""The year report as a file: a printable PDF (WeasyPrint) and an Excel workbook.

``render(report, fmt, *, user)`` takes a ``YearReport`` that ``reports.selectors`` read
through the reader's rights and reads nothing else but the stored shapes of its maps, so
a file shows exactly what that person may see. Both files are built from the same
tables (``sections(report)``): the six sections in order, each a list of captioned
tables, with the section's empty state when it has nothing. The PDF adds the maps.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from io import BytesIO

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.exports import safe_text
from core.templatetags.wijkkoers import number, signed

FORMATS = ("pdf", "xlsx")
# At most this many characters of source names in the footer of every PDF page; the
# sources section lists them all.
FOOTER_SOURCES_MAX = 160


# The PDF prints at most this many rows of a table (every row costs layout time); the
# workbook has them all, and the PDF says how many more there are.
PDF_ROWS = 60
# The printed width of a column of numbers, in percent of the table.
NUMBER_WIDTH = 11


@dataclass
class Table:
    """One captioned table of a section. ``decimals`` gives the columns that hold
    numbers and how many decimals the PDF shows; ``in_pdf`` False keeps long detail
    tables (every buurt of every model) to the workbook; ``pdf_columns`` and
    ``pdf_rows`` what the PDF prints of the others."""

    caption: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    decimals: dict[int, int] = field(default_factory=dict)
    signed: tuple[int, ...] = ()
    empty: str = ""
    in_pdf: bool = True
    # Row indexes the PDF marks (a mismatch, a dispute, "both rising").
    marked: set[int] = field(default_factory=set)
    # The score model a table of the scores section belongs to (its key).
    model: str = ""
    pdf_columns: tuple[int, ...] | None = None
    pdf_rows: int = PDF_ROWS
    # Widths of the printed columns in percent; by default numbers get a narrow column
    # and text columns share the rest.
    widths: tuple[int, ...] | None = None

    @property
    def _columns(self) -> list[int]:
        return list(self.pdf_columns) if self.pdf_columns is not None else list(range(len(self.headers)))

    @property
    def pdf_widths(self) -> list[float]:
        columns = self._columns
        if self.widths is not None and len(self.widths) == len(columns):
            return list(self.widths)
        numeric = [i in self.decimals for i in columns]
        narrow = NUMBER_WIDTH * sum(numeric)
        texts = len(columns) - sum(numeric)
        wide = (100 - narrow) / texts if texts else 0
        if not texts:
            return [100 / len(columns)] * len(columns)
        return [NUMBER_WIDTH if is_number else round(wide, 2) for is_number in numeric]

    @property
    def pdf_headers(self) -> list[tuple[str, bool]]:
        """(header, numeric) of the columns the PDF prints."""
        return [(self.headers[i], i in self.decimals) for i in self._columns]

    def pdf_cells(self):
        """The rows the PDF prints as (marked, [(text, numeric)]): numbers in Dutch
        notation, dates as dates."""
        columns = self._columns
        for index, row in enumerate(self.rows[: self.pdf_rows]):
            yield index in self.marked, [(self._cell(i, row[i]), i in self.decimals) for i in columns]

    @property
    def pdf_more(self) -> int:
        """How many rows the PDF leaves out."""
        return max(len(self.rows) - self.pdf_rows, 0)

    def _cell(self, index, value):
        if value is None:
            return ""
        if isinstance(value, bool):
            return _("ja") if value else _("nee")
        if isinstance(value, datetime.datetime):
            return date_format(timezone.localtime(value) if timezone.is_aware(value) else value, "j F Y")
        if isinstance(value, datetime.date):
            return date_format(value, "j F Y")
        if index in self.decimals and isinstance(value, int | float | Decimal):
            return (signed if index in self.signed else number)(value, self.decimals[index])
        return str(value)


@dataclass
class SectionTables:
    """One of the six sections: its heading, and its empty state or its tables."""

    key: str
    number: int
    title: str
    empty_text: str = ""
    tables: list[Table] = field(default_factory=list)
    # The short name of the section's worksheet (at most 31 characters).
    sheet: str = ""


def _area(code, name) -> str:
    return f"{name} ({code})" if code else name


# --- the six sections ----------------------------------------------------------------------


def _scores(section) -> list[Table]:
    tables = []
    for model in section.models:
        measured = "" if model.measured_in_report_year else _(" (meting %(year)s)") % {"year": model.year}
        title = f"{model.name}{measured}"
        compare = model.compare_year
        compare_text = str(compare) if compare else _("geen eerdere meting")
        headers = [
            _("Code"),
            _("Naam"),
            _("Wijk"),
            _("Score %(year)s") % {"year": model.year},
            _("Klasse %(year)s") % {"year": model.year},
            _("Score %(year)s") % {"year": compare_text},
            _("Klasse %(year)s") % {"year": compare_text},
            _("Verandering"),
            _("Klassen omhoog (+) of omlaag (−)"),
            _("Grens gewijzigd"),
            _("Nieuw signaal"),
        ]
        rows = []
        for row in ([model.area] if model.area else []) + list(model.buurten):
            rows.append(
                [
                    row.code,
                    row.name,
                    row.wijk,
                    row.value,
                    row.label or row.no_data_reason,
                    row.previous_value,
                    row.previous_label,
                    row.change,
                    row.class_change,
                    row.boundary_changed,
                    row.new_in_cell,
                ]
            )
        tables.append(
            Table(
                _("%(model)s: scores per buurt") % {"model": title},
                headers,
                rows,
                decimals={3: 2, 5: 2, 7: 2, 8: 0},
                signed=(7, 8),
                empty=_("Geen buurten met een score."),
                in_pdf=False,
                model=model.key,
            )
        )
        if model.is_signal:
            tables.append(
                Table(
                    _("%(model)s: nieuwe signalen") % {"model": title},
                    [_("Code"), _("Buurt"), _("Wijk"), _("Signaal"), _("Beide stijgen")],
                    [[r.code, r.name, r.wijk, r.label, r.new_both_rising] for r in model.new_signals],
                    empty=_("Geen buurten met een nieuw signaal."),
                    pdf_columns=(1, 2, 3),
                    widths=(30, 30, 40),
                    marked={i for i, r in enumerate(model.new_signals) if r.new_both_rising},
                    model=model.key,
                )
            )
            continue
        if not compare:
            # Without an earlier measurement no buurt can have moved.
            continue
        moved_headers = [
            _("Code"),
            _("Buurt"),
            _("Wijk"),
            _("Klasse %(year)s") % {"year": compare_text},
            _("Klasse %(year)s") % {"year": model.year},
            _("Grens gewijzigd"),
        ]
        for caption, rows, empty in (
            (
                _("%(model)s: buurten een klasse omhoog") % {"model": title},
                model.moved_up,
                _("Geen buurten die een klasse omhoog gingen."),
            ),
            (
                _("%(model)s: buurten een klasse omlaag") % {"model": title},
                model.moved_down,
                _("Geen buurten die een klasse omlaag gingen."),
            ),
        ):
            tables.append(
                Table(
                    caption,
                    moved_headers,
                    [[r.code, r.name, r.wijk, r.previous_label, r.label, r.boundary_changed] for r in rows],
                    empty=empty,
                    pdf_columns=(1, 2, 3, 4, 5),
                    widths=(28, 28, 16, 16, 12),
                    model=model.key,
                )
            )
    return tables


def _urgency(section) -> list[Table]:
    against = (
        _("tegenover %(model)s %(year)s") % {"model": section.model_name, "year": section.model_year or ""}
        if section.model_name
        else ""
    )
    rows = [
        [
            row.team,
            _area(row.area_code, row.area_name),
            row.urgency_label or row.urgency,
            row.rationale,
            row.class_label,
            row.change,
            row.new_strong_signals,
            row.mismatch_text or row.mismatch,
        ]
        for row in section.rows
    ]
    return [
        Table(
            " ".join(filter(None, [_("Urgentie per gebiedsteam"), against])),
            [
                _("Team"),
                _("Wijk of gebied"),
                _("Urgentie"),
                _("Toelichting"),
                _("Scoreklasse"),
                _("Verandering"),
                _("Nieuwe sterke signalen"),
                _("Afwijking"),
            ],
            rows,
            decimals={5: 2, 6: 0},
            signed=(5,),
            widths=(12, 13, 8, 22, 9, 11, 10, 15),
            pdf_rows=120,
            marked={i for i, row in enumerate(section.rows) if row.mismatch},
        )
    ]


def _interventions_by(caption, label, items, key, name) -> Table:
    """Interventions counted per stand under ``key`` (a wijk, a theme), with the sum of
    their budgets and the mean of their latest progress."""
    from reports.selectors import STANDS, stand_labels

    labels = stand_labels()
    groups: dict = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    rows = []
    for group_key in sorted(groups, key=lambda k: str(k)):
        group = groups[group_key]
        budgets = [item.budget for item in group if item.budget is not None]
        progress = [item.progress for item in group if item.progress is not None]
        rows.append(
            [name(group_key)]
            + [sum(1 for item in group if item.stand == stand) for stand in STANDS]
            + [sum(budgets) if budgets else None, sum(progress) / len(progress) if progress else None]
        )
    return Table(
        caption,
        [label] + [labels[stand] for stand in STANDS] + [_("Budget (€)"), _("Gemiddelde voortgang (%)")],
        rows,
        decimals=dict.fromkeys(range(1, 1 + len(STANDS) + 2), 0),
        pdf_rows=120,
        widths=(25, 9, 9, 9, 9, 9, 15, 15),
    )


def _interventions(section) -> list[Table]:
    from reports.selectors import STANDS, stand_labels

    labels = stand_labels()
    tables = [
        Table(
            _("Interventies per stand"),
            [_("Stand"), _("Aantal")],
            [[labels[stand], section.totals.get(stand, 0)] for stand in STANDS],
            decimals={1: 0},
        ),
        _interventions_by(
            _("Interventies per wijk of gebied"),
            _("Wijk of gebied"),
            section.items,
            lambda item: (item.area_name, item.area_code),
            lambda key: _area(key[1], key[0]),
        ),
        _interventions_by(
            _("Interventies per thema"),
            _("Thema"),
            section.items,
            lambda item: item.theme_label,
            str,
        ),
        Table(
            _("Interventies per wijk en thema"),
            [_("Wijk of gebied"), _("Thema")]
            + [labels[stand] for stand in STANDS]
            + [_("Budget (€)"), _("Gemiddelde voortgang (%)")],
            [
                [_area(g.area_code, g.area_name), g.theme_label]
                + [g.counts.get(stand, 0) for stand in STANDS]
                + [g.budget, g.progress]
                for g in section.groups
            ],
            decimals=dict.fromkeys(range(2, 2 + len(STANDS) + 2), 0),
            # The two tables above sum it up in print; the workbook has every pair.
            in_pdf=False,
        ),
        Table(
            _("Interventies"),
            [
                _("Interventie"),
                _("Wijk of gebied"),
                _("Thema"),
                _("Stand"),
                _("Status"),
                _("Trekker"),
                _("Start"),
                _("Einde"),
                _("Budget (€)"),
                _("Voortgang (%)"),
            ],
            [
                [
                    item.title,
                    _area(item.area_code, item.area_name),
                    item.theme_label,
                    item.stand_label,
                    item.status_label,
                    item.lead,
                    item.start_date,
                    item.end_date,
                    item.budget,
                    item.progress,
                ]
                for item in section.items
            ],
            decimals={8: 0, 9: 0},
            pdf_columns=(0, 1, 2, 3, 8, 9),
            widths=(34, 20, 14, 10, 12, 10),
        ),
    ]
    evaluation = Table(
        _("Evaluatie van de afgeronde interventies"),
        [
            _("Interventie"),
            _("Model"),
            _("Voor"),
            _("Na"),
            _("Verandering"),
            _("Verandering in vergelijkbare buurten"),
            _("Verschil"),
            _("Toelichting"),
        ],
        [
            [
                e.title,
                e.model_name,
                e.before_year,
                e.after_year,
                e.change,
                e.comparable_change,
                e.difference,
                e.message,
            ]
            for e in section.evaluations
        ],
        decimals={4: 2, 5: 2, 6: 2},
        signed=(4, 5, 6),
        empty=_("Er is geen evaluatie van een interventie die in dit jaar is afgerond."),
        widths=(22, 14, 7, 7, 11, 13, 9, 17),
    )
    tables.append(evaluation)
    return tables


def _agreements(section) -> list[Table]:
    from agreements.models import MonitoringReport

    progress = dict(MonitoringReport.Progress.choices)
    stands = []
    for theme in section.themes:
        for key in theme.stands:
            if key not in stands:
                stands.append(key)
    tables = [
        Table(
            _("Prestatieafspraken"),
            [_("Prestatieafspraak"), _("Status"), _("Looptijd")],
            [[a.title, a.status_label, f"{a.start_year}–{a.end_year}"] for a in section.agreements],
            empty=_("Er loopt dit jaar geen prestatieafspraak die u kunt zien."),
            widths=(60, 20, 20),
        ),
        Table(
            _("Afspraken per thema en stand"),
            [_("Thema"), _("Afspraken")] + [str(progress.get(key, key)) for key in stands],
            [[t.label, t.commitments] + [t.stands.get(key, 0) for key in stands] for t in section.themes],
            decimals=dict.fromkeys(range(1, 2 + len(stands)), 0),
            empty=_("Er zijn geen afspraken."),
        ),
        Table(
            _("Streefwaarden en realisatie per eenheid"),
            [_("Thema"), _("Eenheid"), _("Afspraken"), _("Doel"), _("Gerealiseerd"), _("Goedgekeurd")],
            [
                [t.label, unit.unit, unit.commitments, unit.target, unit.realised, unit.approved]
                for t in section.themes
                for unit in t.units
            ],
            decimals={2: 0, 3: -2, 4: -2, 5: -2},
            empty=_("Er zijn geen afspraken met een streefwaarde."),
            widths=(22, 18, 12, 16, 16, 16),
        ),
        Table(
            _("Afspraken in geschil"),
            [
                _("Nr."),
                _("Afspraak"),
                _("Prestatieafspraak"),
                _("Thema"),
                _("Verantwoordelijk"),
                _("Geschil gemeld door"),
                _("Toelichting"),
            ],
            [
                [c.number, c.text, c.agreement, c.theme_label, c.responsible, c.disputed_by, c.dispute_note]
                for c in section.disputed
            ],
            empty=_("Er zijn geen afspraken in geschil."),
            marked=set(range(len(section.disputed))),
            pdf_columns=(0, 1, 4, 5, 6),
            widths=(7, 38, 17, 15, 23),
        ),
        Table(
            _("Monitoring die wacht op beoordeling"),
            [_("Nr."), _("Afspraak"), _("Verantwoordelijk"), _("Jaar"), _("Stand"), _("Ingediend op")],
            [
                [r.number, r.text, r.responsible, r.year, r.progress_label, r.submitted_at]
                for r in section.awaiting_review
            ],
            empty=_("Er wacht geen monitoring op beoordeling."),
            widths=(7, 43, 18, 7, 10, 15),
        ),
        Table(
            _("Bod voor %(year)s") % {"year": section.bod_year} if section.bod_year else _("Bod"),
            [_("Corporatie"), _("Jaar"), _("Status"), _("Ingediend op"), _("Te laat ingediend")],
            [
                [b.corporation, b.year, b.status_label, b.submitted_at, b.submitted_late]
                for b in section.boden
            ],
            empty=_("Er is geen bod dat u kunt zien."),
            widths=(40, 10, 15, 20, 15),
        ),
    ]
    return tables


def _cooperation(section) -> list[Table]:
    return [
        Table(
            _("Wijkgesprekken en voortgangsberichten per team"),
            [_("Team"), _("Wijk of gebied"), _("Wijkgesprekken"), _("Voortgangsberichten")],
            [[t.name, _area(t.area_code, t.area_name), len(t.gesprekken), t.updates] for t in section.teams],
            decimals={2: 0, 3: 0},
        ),
        Table(
            _("Wijkgesprekken"),
            [_("Team"), _("Datum"), _("Deelnemende organisaties"), _("Duiding"), _("Besluiten")],
            [
                [t.name, g.date, ", ".join(g.participants), g.duiding, g.decisions]
                for t in section.teams
                for g in t.gesprekken
            ],
            empty=_("In dit jaar is geen wijkgesprek gehouden."),
            widths=(14, 10, 20, 30, 26),
        ),
        Table(
            _("Voortgangsberichten per organisatie"),
            [_("Organisatie"), _("Berichten"), _("Interventies")],
            [[o.organisation, o.updates, o.interventions] for o in section.organisations],
            decimals={1: 0, 2: 0},
            empty=_("In dit jaar is geen voortgangsbericht geschreven."),
        ),
        Table(
            _("Teams zonder wijkgesprek of voortgangsbericht"),
            [_("Team")],
            [[name] for name in section.quiet_teams],
            empty=_("Elk team hield een wijkgesprek of schreef een voortgangsbericht."),
        ),
    ]


def _sources(section) -> list[Table]:
    return [
        Table(
            _("Gebruikte bronnen"),
            [_("Bron"), _("Meetjaar"), _("Ingelezen op"), _("Licentie")],
            [[s.name, s.year, s.imported_at, s.licence] for s in section.sources],
        )
    ]


def sections(report) -> list[SectionTables]:
    """The six sections of the report as tables, always all six, in order."""
    parts = [
        ("scores", _("Scores"), _("Scores"), report.scores, _scores),
        ("urgency", _("Urgentie naast de cijfers"), _("Urgentie"), report.urgency, _urgency),
        ("interventions", _("Interventies"), _("Interventies"), report.interventions, _interventions),
        ("agreements", _("Prestatieafspraken"), _("Prestatieafspraken"), report.agreements, _agreements),
        ("cooperation", _("Samenwerking"), _("Samenwerking"), report.cooperation, _cooperation),
        ("sources", _("Bronnen"), _("Bronnen"), report.sources, _sources),
    ]
    result = []
    for index, (key, title, sheet, section, build) in enumerate(parts, start=1):
        empty = section.empty_text if section.is_empty else ""
        result.append(
            SectionTables(key, index, title, empty, [] if empty else build(section), sheet=str(sheet)[:31])
        )
    return result


# --- texts on every page -------------------------------------------------------------------


def report_title(report) -> str:
    return _("Jaarbeeld %(area)s %(year)s") % {"area": report.area.name, "year": report.year}


def sources_line(report) -> str:
    """The sources of the report in one line, for the foot of every page."""
    seen = []
    for source in report.sources.sources:
        text = f"{source.name} {source.year}"
        if text not in seen:
            seen.append(text)
    if not seen:
        return _("Bronnen: geen")
    line = _("Bronnen: %(list)s") % {"list": " · ".join(seen)}
    if len(line) > FOOTER_SOURCES_MAX:
        line = line[: FOOTER_SOURCES_MAX - 1].rsplit(" ", 1)[0] + "… " + _("(zie Bronnen)")
    return line


def hidden_parts_text() -> str:
    return _(
        "Dit jaarbeeld laat delen weg die u niet mag inzien. Wie meer rechten heeft, ziet een vollediger jaarbeeld."
    )


# --- PDF -------------------------------------------------------------------------------------


def local_fetcher():
    """WeasyPrint's fetcher for the report: local ``file:`` and ``data:`` URLs only, so
    the report never loads anything (a font, an image) over the network."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"file", "data"}, allow_redirects=False)


def report_html(report, *, user, maps=None) -> str:
    """The printable report as HTML for WeasyPrint: the six sections with their maps."""
    from reports.maps import report_maps

    if maps is None:
        maps = report_maps(report, user=user, prefix="pdf-kaart")
    by_model = {entry.key: entry.images for entry in maps}
    parts = sections(report)
    score_tables = parts[0].tables
    models = [
        (model, by_model.get(model.key, []), [t for t in score_tables if t.model == model.key])
        for model in report.scores.models
    ]
    generated = report.generated_at or timezone.now()
    if timezone.is_aware(generated):
        generated = timezone.localtime(generated)
    return render_to_string(
        "reports/pdf/year_report.html",
        {
            "report": report,
            "title": report_title(report),
            "generated": date_format(generated, "j F Y"),
            "sources_line": sources_line(report),
            "hidden_text": hidden_parts_text() if report.parts_hidden else "",
            "sections": parts,
            "models": models,
        },
    )


def pdf_bytes(report, *, user, maps=None) -> bytes:
    """The year report as an A4 PDF: page numbers, the date and the sources on every page."""
    from weasyprint import HTML

    html = report_html(report, user=user, maps=maps)
    return HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=local_fetcher()).write_pdf()


# --- Excel -----------------------------------------------------------------------------------


def _excel_value(value):
    if value is None:
        return None
    if isinstance(value, bool):
        return _("ja") if value else _("nee")
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).replace(tzinfo=None)
    if isinstance(value, int | float | datetime.date):
        return value
    return safe_text(value)


def workbook_bytes(report) -> bytes:
    """The year report as an .xlsx: one sheet per section, always all six. A sheet holds
    the section's tables one below the other, each under its caption; an empty section
    has one row with its empty state, and so has an empty table."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font, PatternFill

    bold = Font(bold=True)
    caption_font = Font(bold=True, size=12)
    header_fill = PatternFill("solid", fgColor="DDE6F0")
    workbook = Workbook(write_only=True)
    heading = report_title(report)
    for section in sections(report):
        ws = workbook.create_sheet(section.sheet)
        ws.column_dimensions["A"].width = 34
        ws.column_dimensions["B"].width = 34
        title = WriteOnlyCell(ws, value=safe_text(f"{section.number}. {section.title} — {heading}"))
        title.font = caption_font
        ws.append([title])
        if report.parts_hidden:
            ws.append([safe_text(hidden_parts_text())])
        if section.empty_text:
            ws.append([safe_text(section.empty_text)])
            continue
        for table in section.tables:
            ws.append([])
            cell = WriteOnlyCell(ws, value=safe_text(table.caption))
            cell.font = bold
            ws.append([cell])
            header = []
            for text in table.headers:
                cell = WriteOnlyCell(ws, value=safe_text(text))
                cell.font = bold
                cell.fill = header_fill
                header.append(cell)
            ws.append(header)
            if not table.rows:
                ws.append([safe_text(table.empty or _("Geen gegevens."))])
            for row in table.rows:
                ws.append([_excel_value(value) for value in row])
    workbook.properties.title = heading
    workbook.properties.creator = "Wijkkoers"
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def render(report, fmt: str, *, user) -> bytes:
    """The year report as a file of ``fmt`` ("pdf" or "xlsx"); ``user`` is the reader
    the report was made for (the maps' shapes are read with their rights)."""
    if fmt == "pdf":
        return pdf_bytes(report, user=user)
    if fmt == "xlsx":
        return workbook_bytes(report)
    raise ValueError(f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def filename(code: str, year: int, compare: int | None, fmt: str) -> str:
    """``jaarbeeld-<code>-<year>[-<compare>].<fmt>``."""
    suffix = f"-{compare}" if compare else ""
    return f"jaarbeeld-{code.lower()}-{year}{suffix}.{fmt}"
