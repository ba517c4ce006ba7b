from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

register = template.Library()

# The true minus sign, as wide as the plus: columns of numbers line up and every negative
# number in the product reads alike.
MINUS = "\u2212"


@register.filter
def minutes(value):
    """Whole minutes of a timedelta (rounded up), for texts such as a lock-out period."""
    if value is None:
        return ""
    seconds = value.total_seconds()
    return int(-(-seconds // 60))


def _rounded(value, decimals):
    """``value`` as a Decimal rounded half up (as people round by hand) and the number of
    decimals to show, or None when it is not a finite number. As with ``floatformat``, a
    negative ``decimals`` shows that many decimals only when the value is not whole."""
    try:
        places = int(decimals)
        number = Decimal(str(value)).quantize(Decimal(1).scaleb(-abs(places)), rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError):
        return None
    if not number.is_finite():
        return None
    if places < 0:
        places = 0 if number == number.to_integral_value() else -places
    return number.quantize(Decimal(1).scaleb(-places)), places


def _format(value, decimals, plus):
    if value is None or value == "":
        return ""
    rounded = _rounded(value, decimals)
    if rounded is None:
        return value
    number, places = rounded
    # Amounts are grouped in thousands (45.000) whatever the site-wide setting, which
    # stays off so that years, codes and ids print as they are.
    text = number_format(abs(number), places, force_grouping=True)
    if number > 0 and plus:
        return "+" + text
    if number < 0:
        return MINUS + text
    # A value that rounds to zero has no sign.
    return text


@register.filter
def number(value, decimals=0):
    """A number in the page's language with ``decimals`` decimals and the true minus
    sign: ``45.000,00``, ``−0,25``; ``number:-2`` gives ``45.000`` and ``45.000,50``.
    Empty for a missing value; something that is not a number is shown as it is."""
    return _format(value, decimals, plus=False)


@register.filter
def signed(value, decimals=0):
    """A change with its sign, in the page's language: ``+1.250,5``, ``−0,25``; a change
    that rounds to zero has no sign. Otherwise as ``number``."""
    return _format(value, decimals, plus=True)
