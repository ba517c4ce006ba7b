"""Exports of one agreement: an Excel workbook and a printable PDF report.

The builders take data that the caller has already read through ``restrict()`` (the
agreement, its parties, its commitments with their monitoring reports prefetched); they
read nothing themselves, so an export shows exactly what the person may see.
"""

from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import MonitoringReport, PartyRole, Theme
from core.exports import safe_text

DISPUTED = "GESCHIL"


@dataclass
class ExportData:
    agreement: object
    parties: list
    commitments: list  # with ``reports`` prefetched, ordered by theme
    gemeente_name: str = ""  # the name of the agreement's gemeente (``selectors.gemeente_names``)

    @property
    def years(self):
        return list(range(self.agreement.start_year, self.agreement.end_year + 1))


def _number(value):
    """Decimals as numbers a spreadsheet can sum; whole numbers as integers."""
    if value is None:
        return None
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return float(value)


def workbook_bytes(data: ExportData) -> bytes:
    """The agreement as an .xlsx: sheets Afspraken, Monitoring and Partijen.

    Written in openpyxl's write-only mode: rows stream out once, so a large agreement
    exports in a fraction of the time (and memory) of a workbook kept whole.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDE6F0")
    disputed_fill = PatternFill("solid", fgColor="FCE4C4")
    wrap = Alignment(wrap_text=True, vertical="top")
    themes = {value: str(label) for value, label in Theme.choices}
    progress = {value: str(label) for value, label in MonitoringReport.Progress.choices}
    states = {value: str(label) for value, label in MonitoringReport.State.choices}
    roles = {value: str(label) for value, label in PartyRole.choices}

    workbook = Workbook(write_only=True)

    def sheet(title, headers, widths):
        ws = workbook.create_sheet(title)
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}1"
        row = []
        for header in headers:
            cell = WriteOnlyCell(ws, value=header)
            cell.font = bold
            cell.fill = header_fill
            row.append(cell)
        ws.append(row)
        return ws

    def styled(ws, values, *, fill=None, wrap_columns=(), formats=None):
        if fill is None and not wrap_columns and not formats:
            return values
        row = []
        for index, value in enumerate(values):
            cell = WriteOnlyCell(ws, value=value)
            if fill is not None:
                cell.fill = fill
            if index in wrap_columns:
                cell.alignment = wrap
            if formats and index in formats and value is not None:
                cell.number_format = formats[index]
            row.append(cell)
        return row

    ws = sheet(
        "Afspraken",
        [
            _("Nummer"),
            _("Thema"),
            _("Afspraak"),
            _("Verantwoordelijke partij"),
            _("Streefwaarde"),
            _("Eenheid"),
            _("Streefjaar"),
            _("Laatst gerealiseerd"),
            _("Jaar"),
            _("Stand"),
            _("Geschil"),
            _("Toelichting geschil"),
        ],
        [10, 26, 60, 30, 14, 22, 11, 16, 8, 14, 11, 40],
    )
    for commitment in data.commitments:
        reports = sorted(commitment.reports.all(), key=lambda r: r.year)
        latest = reports[-1] if reports else None
        values = [
            safe_text(commitment.number),
            themes.get(commitment.theme, commitment.theme),
            safe_text(commitment.text),
            safe_text(commitment.responsible.name),
            _number(commitment.target_value),
            safe_text(commitment.target_unit),
            commitment.target_year,
            _number(latest.realised_value) if latest else None,
            latest.year if latest else None,
            progress.get(latest.progress) if latest else None,
            DISPUTED if commitment.is_disputed else "",
            safe_text(commitment.dispute_note) if commitment.is_disputed else "",
        ]
        ws.append(
            styled(
                ws,
                values,
                fill=disputed_fill if commitment.is_disputed else None,
                wrap_columns=(2,),
                formats={4: "#,##0.##"},
            )
        )

    ws = sheet(
        "Monitoring",
        [
            _("Nummer"),
            _("Afspraak"),
            _("Jaar"),
            _("Streefwaarde"),
            _("Gerealiseerd"),
            _("Eenheid"),
            _("Stand"),
            _("Status"),
            _("Toelichting"),
            _("Opmerking van de gemeente"),
            _("Geschil"),
        ],
        [10, 50, 8, 14, 14, 22, 14, 24, 50, 40, 11],
    )
    for commitment in data.commitments:
        number = safe_text(commitment.number)
        text = safe_text(commitment.text)
        target = _number(commitment.target_value)
        unit = safe_text(commitment.target_unit)
        disputed = DISPUTED if commitment.is_disputed else ""
        for report in sorted(commitment.reports.all(), key=lambda r: r.year):
            ws.append(
                [
                    number,
                    text,
                    report.year,
                    target,
                    _number(report.realised_value),
                    unit,
                    progress.get(report.progress, report.progress),
                    states.get(report.state, report.state),
                    safe_text(report.explanation),
                    safe_text(report.review_comment),
                    disputed,
                ]
            )

    ws = sheet(
        "Partijen", [_("Organisatie"), _("Rol"), _("Ondertekend op"), _("Ondertekend door")], [40, 30, 20, 30]
    )
    for party in data.parties:
        signed_at = timezone.localtime(party.signed_at).replace(tzinfo=None) if party.signed_at else None
        values = [
            safe_text(party.organisation.name),
            roles.get(party.role, party.role),
            signed_at,
            safe_text(party.signed_by) if party.signed_by_id else "",
        ]
        ws.append(styled(ws, values, formats={2: "dd-mm-yyyy hh:mm"}))

    workbook.properties.title = str(data.agreement)
    workbook.properties.creator = "Wijkkoers"
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


def themed(commitments):
    """Commitments grouped by theme in the fixed theme order: [(label, [commitments])]."""
    groups = {}
    for commitment in commitments:
        groups.setdefault(commitment.theme, []).append(commitment)
    return [(label, groups[value]) for value, label in Theme.choices if value in groups]


def report_html(data: ExportData, *, request=None) -> str:
    """The printable report of the agreement as HTML, for ``report_pdf_bytes``."""
    rows = []
    for commitment in data.commitments:
        reports = sorted(commitment.reports.all(), key=lambda r: r.year)
        commitment.latest_report = reports[-1] if reports else None
        rows.append(commitment)
    return render_to_string(
        "agreements/report.pdf.html",
        {
            "agreement": data.agreement,
            "gemeente_name": data.gemeente_name or data.agreement.gemeente_code,
            "parties": data.parties,
            "themes": themed(rows),
            "disputed": [c for c in rows if c.is_disputed],
            "generated_at": timezone.now(),
        },
        request=request,
    )


def report_pdf_bytes(data: ExportData, *, request=None) -> bytes:
    """The agreement as a printable PDF (WeasyPrint from an HTML template)."""
    from weasyprint import HTML

    return HTML(string=report_html(data, request=request), base_url=None).write_pdf()
