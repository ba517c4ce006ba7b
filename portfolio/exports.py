"""CSV and Excel files of the portfolio: the complex register in the template's columns
(so an export re-imports unchanged) and the projection per gemeente and buurt.

The callers pass what they read through the selectors, so a file holds exactly what the
person may see; cells are made formula-safe by ``core.exports``.
"""

import tablib
from django.utils.translation import gettext as _

from core.exports import safe_text, sheets_bytes
from portfolio.importers import EXPORT_ONLY_COLUMNS, REGISTER_COLUMNS
from portfolio.selectors import strategy_of

REGISTER_HEADERS = [*REGISTER_COLUMNS, *EXPORT_ONLY_COLUMNS]


def _number(value, decimals: int, fmt: str):
    if value is None:
        return ""
    if fmt == "xlsx":
        return round(value, decimals)
    # A fixed number of decimals with a point: never read two ways on the way back.
    return f"{value:.{decimals}f}"


def register_row(complex, fmt: str = "csv") -> list:
    """One complex as a row of the register; expects its buurt and strategy loaded."""
    strategy = strategy_of(complex)
    rd = complex.x_rd is not None and complex.y_rd is not None
    return [
        safe_text(complex.number),
        safe_text(complex.name),
        safe_text(complex.street),
        safe_text(complex.house_number),
        safe_text(complex.postcode),
        safe_text(complex.city),
        _number(complex.x_rd, 2, fmt) if rd else "",
        _number(complex.y_rd, 2, fmt) if rd else "",
        "" if rd else _number(complex.lat, 7, fmt),
        "" if rd else _number(complex.lon, 7, fmt),
        complex.single_family,
        complex.multi_family,
        complex.social_rent,
        complex.mid_rent,
        complex.free_sector,
        complex.year_built if complex.year_built is not None else "",
        complex.energy_label,
        complex.buurt.code,
        safe_text(complex.buurt.name),
        str(strategy.get_kind_display()) if strategy else "",
        strategy.horizon_year if strategy else "",
    ]


def register_bytes(complexes, fmt: str) -> bytes:
    sheet = tablib.Dataset(headers=REGISTER_HEADERS, title=_("complexen"))
    for complex in complexes:
        sheet.append(register_row(complex, fmt))
    return sheets_bytes([sheet], fmt)


def register_text(complexes) -> str:
    """The register as CSV text (UTF-8 without byte-order mark), for standard output."""
    sheet = tablib.Dataset(headers=REGISTER_HEADERS)
    for complex in complexes:
        sheet.append(register_row(complex, "csv"))
    return sheet.export("csv")


def _pct(value):
    return "" if value is None else round(value, 1)


def _count(value):
    return "" if value is None else round(value)


def projection_bytes(gemeenten, *, horizon: int, fmt: str) -> bytes:
    """The table of today against the horizon: a row per gemeente, then its buurten."""
    headers = [
        _("gemeente"),
        _("buurtcode"),
        _("buurt"),
        _("woningen nu"),
        _("sociale huur nu"),
        _("aandeel nu (%)"),
        _("woningen %(year)s") % {"year": horizon},
        _("sociale huur %(year)s") % {"year": horizon},
        _("aandeel %(year)s (%%)") % {"year": horizon},
        _("onder druk"),
        _("markeringen"),
    ]
    sheet = tablib.Dataset(headers=headers, title=_("projectie"))
    for gemeente in gemeenten:
        sheet.append(
            [
                safe_text(gemeente.name),
                gemeente.code,
                _("(hele gemeente)"),
                _count(gemeente.stock_today),
                _count(gemeente.social_today),
                _pct(gemeente.share_today),
                _count(gemeente.stock_horizon),
                _count(gemeente.social_horizon),
                _pct(gemeente.share_horizon),
                "",
                gemeente.flag_count,
            ]
        )
        for buurt in gemeente.buurten:
            sheet.append(
                [
                    safe_text(gemeente.name),
                    buurt.code,
                    safe_text(buurt.name),
                    _count(buurt.stock_today),
                    _count(buurt.social_today),
                    _pct(buurt.share_today),
                    _count(buurt.stock_horizon),
                    _count(buurt.social_horizon),
                    _pct(buurt.share_horizon),
                    _("ja") if buurt.score.under_pressure else _("nee"),
                    safe_text(" | ".join(flag.text for flag in buurt.flags)),
                ]
            )
    return sheets_bytes([sheet], fmt)
