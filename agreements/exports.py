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

from agreements.models import Theme

DISPUTED = "GESCHIL"


@dataclass
class ExportData:
    agreement: object
    parties: list
    commitments: list  # with ``reports`` prefetched, ordered by theme

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


def _safe_text(value):
    # A cell that starts with = + - @ is a formula in a spreadsheet program; a commitment
    # text must never run as one.
    text = "" if value is None else str(value)
    if text[:1] in {"=", "+", "-", "@"}:
        return "'" + text
    return text


def workbook_bytes(data: ExportData) -> bytes:
    """The agreement as an .xlsx: sheets Afspraken, Monitoring and Partijen."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DDE6F0")
    disputed_fill = PatternFill("solid", fgColor="FCE4C4")
    wrap = Alignment(wrap_text=True, vertical="top")

    workbook = Workbook()
    themes = {value: str(label) for value, label in Theme.choices}

    def sheet(ws, headers, widths):
        ws.append(headers)
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
            cell = ws.cell(row=1, column=index)
            cell.font = bold
            cell.fill = header_fill
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}1"

    agreement = data.agreement
    ws = workbook.active
    ws.title = "Afspraken"
    sheet(
        ws,
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
        ws.append(
            [
                _safe_text(commitment.number),
                str(themes.get(commitment.theme, commitment.theme)),
                _safe_text(commitment.text),
                _safe_text(commitment.responsible.name),
                _number(commitment.target_value),
                _safe_text(commitment.target_unit),
                commitment.target_year,
                _number(latest.realised_value) if latest else None,
                latest.year if latest else None,
                str(latest.get_progress_display()) if latest else None,
                DISPUTED if commitment.is_disputed else "",
                _safe_text(commitment.dispute_note) if commitment.is_disputed else "",
            ]
        )
        row = ws.max_row
        ws.cell(row=row, column=3).alignment = wrap
        if commitment.is_disputed:
            for column in range(1, 13):
                ws.cell(row=row, column=column).fill = disputed_fill
    for row in ws.iter_rows(min_row=2, min_col=5, max_col=5):
        row[0].number_format = "#,##0.##"

    ws = workbook.create_sheet("Monitoring")
    sheet(
        ws,
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
        for report in sorted(commitment.reports.all(), key=lambda r: r.year):
            ws.append(
                [
                    _safe_text(commitment.number),
                    _safe_text(commitment.text),
                    report.year,
                    _number(commitment.target_value),
                    _number(report.realised_value),
                    _safe_text(commitment.target_unit),
                    str(report.get_progress_display()),
                    str(report.get_state_display()),
                    _safe_text(report.explanation),
                    _safe_text(report.review_comment),
                    DISPUTED if commitment.is_disputed else "",
                ]
            )

    ws = workbook.create_sheet("Partijen")
    sheet(ws, [_("Organisatie"), _("Rol"), _("Ondertekend op"), _("Ondertekend door")], [40, 30, 20, 30])
    for party in data.parties:
        signed_at = timezone.localtime(party.signed_at).replace(tzinfo=None) if party.signed_at else None
        ws.append(
            [
                _safe_text(party.organisation.name),
                str(party.get_role_display()),
                signed_at,
                _safe_text(party.signed_by) if party.signed_by_id else "",
            ]
        )
        if signed_at:
            ws.cell(row=ws.max_row, column=3).number_format = "dd-mm-yyyy hh:mm"

    workbook.properties.title = str(agreement)
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


def report_pdf_bytes(data: ExportData, *, request=None) -> bytes:
    """The agreement as a printable PDF (WeasyPrint from an HTML template)."""
    from weasyprint import HTML

    rows = []
    for commitment in data.commitments:
        reports = sorted(commitment.reports.all(), key=lambda r: r.year)
        commitment.latest_report = reports[-1] if reports else None
        rows.append(commitment)
    html = render_to_string(
        "agreements/report.pdf.html",
        {
            "agreement": data.agreement,
            "parties": data.parties,
            "themes": themed(rows),
            "disputed": [c for c in rows if c.is_disputed],
            "generated_at": timezone.now(),
        },
        request=request,
    )
    return HTML(string=html, base_url=None).write_pdf()
