"""How the agreements show numbers and short texts: one rule for pages, the PDF report and
mails, so an amount or a minus sign looks the same wherever it appears."""

from core.templatetags.wijkkoers import number

# Units that mean an amount of money: the amount is shown as "€ 45.000".
EURO_UNITS = frozenset({"€", "eur", "euro", "euro's", "euros"})


def format_number(value) -> str:
    """A number in the active language with thousands grouped and at most two decimals,
    the decimals only when it has them: 45.000, 45.000,50, −12,5 in Dutch (the product's
    ``number`` filter)."""
    return number(value, -2)


def is_euro(unit: str) -> bool:
    return (unit or "").strip().casefold() in EURO_UNITS


def format_amount(value, unit: str = "") -> str:
    """A number in a column of ``unit``: the number alone, an amount of money with its
    sign, "€ 45.000" (a non-breaking space keeps the sign with its number)."""
    number = format_number(value)
    if number and is_euro(unit):
        return f"€\u00a0{number}"
    return number


def format_quantity(value, unit: str = "") -> str:
    """A number with its unit: "150 sociale huurwoningen", "€ 45.000"."""
    if is_euro(unit):
        return format_amount(value, unit)
    number = format_number(value)
    return f"{number} {(unit or '').strip()}".strip() if number else ""
