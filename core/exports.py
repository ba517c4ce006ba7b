"""Spreadsheet files for download, written the same way by every app.

Cells that a spreadsheet program would run as a formula are quoted; CSV files carry a
byte-order mark so Excel reads the accents right; file names carry the date; a download
is an HTTP response with the right content type. The apps decide the rows; this module
decides how they become a file.
"""

import tablib
from django.http import HttpResponse
from django.utils import timezone

FORMULA_STARTS = ("=", "+", "-", "@")

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
SHEET_FORMATS = ("csv", "xlsx")


def safe_text(value) -> str:
    """Text that a spreadsheet program will not run as a formula: a cell starting with
    = + - or @ gets a leading quote, which the program shows as text."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def unsafe_text(text: str) -> str:
    """The text ``safe_text`` quoted, read back from a file: the leading quote before a
    formula character is dropped again."""
    if text[:1] == "'" and text[1:2] in FORMULA_STARTS and len(text) > 1:
        return text[1:]
    return text


def sheets_bytes(sheets: list[tablib.Dataset], fmt: str) -> bytes:
    """The file for ``fmt``: an Excel workbook with one tab per dataset, or a CSV of the
    first dataset with the others' rows below it, after an empty line."""
    if fmt == "xlsx":
        if len(sheets) == 1:
            return sheets[0].export("xlsx")
        return tablib.Databook(sheets).export("xlsx")
    text = "\r\n".join(sheet.export("csv") for sheet in sheets)
    # A byte-order mark so that Excel opens the UTF-8 file with the right accents.
    return ("\ufeff" + text).encode("utf-8")


def dated_filename(stem: str, fmt: str) -> str:
    """``stem-YYYYMMDD.fmt`` with today's date, so downloads of different days differ."""
    return f"{stem}-{timezone.localdate():%Y%m%d}.{fmt}"


def download(body: bytes, fmt: str, filename: str) -> HttpResponse:
    """A response that downloads ``body`` as ``filename``."""
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
