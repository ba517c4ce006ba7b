"""Numbers and the small server-drawn charts of the score pages."""

import itertools
import re

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join

from scores.models import Source
from scores.selectors.maps import NO_DATA_COLOR

register = template.Library()

# Chart geometry in SVG user units; the SVG scales to its box.
WIDTH, HEIGHT = 360, 160
LEFT, RIGHT, TOP, BOTTOM = 48, 12, 12, 28
# Room between the axis and the first and last year, so no point sits on a tick label.
INSET = 16


@register.filter
def score_number(value, decimals=2):
    """A value in the page's locale with ``decimals`` decimals; empty when missing."""
    if value is None or value == "":
        return ""
    return number_format(round(float(value), int(decimals)), int(decimals), force_grouping=True)


@register.filter
def signed_number(value, decimals=2):
    """A change with its sign: +0,25 or −0,25."""
    if value is None or value == "":
        return ""
    text = score_number(abs(value), decimals)
    if round(float(value), int(decimals)) == 0:
        return text
    return ("+" if value > 0 else "−") + text


def _ticks(low, high):
    return [low, (low + high) / 2, high]


@register.simple_tag
def series_chart(series):
    """Line chart geometry for a ``Series``: points at their value, coloured by class
    (models), with the years along the bottom. Years without a value leave a gap."""
    known = [p.value for p in series.points if p.value is not None]
    if not known:
        return None
    low, high = min(known), max(known)
    if low == high:
        low, high = low - 1, high + 1
    if low > 0 and series.kind == "indicator":
        low = 0.0
    n = len(series.points)
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    plot_w = inner_w - 2 * INSET

    def x_of(i):
        return LEFT + INSET + (plot_w / 2 if n == 1 else i * plot_w / (n - 1))

    def y_of(v):
        return TOP + inner_h - (v - low) / (high - low) * inner_h

    dots, segments, current = [], [], []
    for i, point in enumerate(series.points):
        if point.value is None:
            if len(current) > 1:
                segments.append(current)
            current = []
            continue
        x, y = round(x_of(i), 1), round(y_of(point.value), 1)
        current.append(f"{x},{y}")
        dots.append({"x": x, "y": y, "point": point, "color": point.color or "#154273"})
    if len(current) > 1:
        segments.append(current)
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "base": TOP + inner_h,
        "label_y": HEIGHT - 8,
        "lines": [" ".join(s) for s in segments],
        "dots": dots,
        "years": [{"x": round(x_of(i), 1), "year": p.year} for i, p in enumerate(series.points)],
        "ticks": [{"y": round(y_of(v), 1), "value": v} for v in _ticks(low, high)],
        "zero": round(y_of(0), 1) if low < 0 < high else None,
    }


# A colour straight from a model's classes goes into an SVG presentation attribute (not
# CSS, so the page's Content-Security-Policy allows it): only plain colour notations pass.
COLOR = re.compile(r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20}|rgba?\([0-9., %]+\)|hsla?\([0-9., %deg]+\))$")

# Gradient ids of the scale bars drawn in this process: unique on any page that shows
# several bars.
_scale_ids = itertools.count(1)


def plain_color(color) -> str:
    """``color`` when it is a plain colour notation, else the colour of no data."""
    color = str(color or "").strip()
    return color if COLOR.match(color) else NO_DATA_COLOR


@register.simple_tag
def swatch(color, shape="square"):
    """The colour square of a class (``shape="point"``: a dot, as on the portfolio map),
    hidden from screen readers (the class name beside it says the same)."""
    fill = plain_color(color)
    if shape == "point":
        return format_html(
            '<svg class="wk-score-swatch wk-score-swatch--point" viewBox="0 0 16 16" aria-hidden="true" '
            'focusable="false"><circle cx="8" cy="8" r="7.5" fill="{}" stroke="#000000"/></svg>',
            fill,
        )
    return format_html(
        '<svg class="wk-score-swatch" viewBox="0 0 16 16" preserveAspectRatio="none" aria-hidden="true" '
        'focusable="false"><rect width="16" height="16" fill="{}"/></svg>',
        fill,
    )


@register.simple_tag
def scale_bar(scale):
    """The bar of a continuous legend: the ramp from the lowest to the highest value,
    hidden from screen readers (the text beside it names both ends)."""
    colors = [c for c in scale.colors if COLOR.match(str(c))] or [NO_DATA_COLOR]
    if len(colors) == 1:
        colors = colors * 2
    gradient = f"wk-scale-{next(_scale_ids)}"
    last = len(colors) - 1
    stops = format_html_join(
        "",
        '<stop offset="{}%" stop-color="{}"/>',
        ((f"{round(100 * i / last, 2):g}", color) for i, color in enumerate(colors)),
    )
    return format_html(
        '<svg class="wk-score-scale__bar" viewBox="0 0 100 10" preserveAspectRatio="none" '
        'aria-hidden="true" focusable="false" data-scale-bar><defs><linearGradient id="{}">{}'
        '</linearGradient></defs><rect width="100" height="10" fill="url(#{})"/></svg>',
        gradient,
        stops,
        gradient,
    )


@register.simple_tag(takes_context=True)
def may_import_scores(context) -> bool:
    """Whether the person may import into some source (then the scores navigation shows
    Imports). Asked once per request, however often the navigation is drawn."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    if not hasattr(request, "_may_import_scores"):
        request._may_import_scores = Source.objects.restrict(user, "import").exists()
    return request._may_import_scores
