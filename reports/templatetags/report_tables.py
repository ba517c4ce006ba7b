"""The long tables of the year report (every buurt of every model, every wijk and theme)
as rows built in Python: the same cells as the template would write, without the cost
of the template engine per cell, so the report of a gemeente of 500 buurten stays quick.
Every value goes through ``format_html``, so it is escaped as in a template."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from agreements.formatting import format_amount
from core.templatetags.wijkkoers import number, signed

register = template.Library()

TH = '<th class="utrecht-table__header-cell" scope="row">'
TD = '<td class="utrecht-table__cell">'
NUM = '<td class="utrecht-table__cell utrecht-table__cell--numeric">'
TR = '<tr class="utrecht-table__row">'


def _joined(rows: list[SafeString]) -> SafeString:
    # Each row is the output of format_html: joining them keeps them safe.
    return mark_safe("\n".join(rows))


def _changed(row) -> SafeString | str:
    """The mark after a buurt whose boundary changed."""
    if row.boundary_changed:
        return format_html(' <span class="wk-muted">({})</span>', _("grens gewijzigd"))
    return ""


@register.simple_tag
def score_rows(model):
    """The rows of a model's table of buurten: name, wijk, class, class then, change."""
    if not model.compare_year:
        html = TR + TH + "{}{}</th>" + TD + "{}</td>" + TD + "{}</td></tr>"
        return _joined([format_html(html, r.name, _changed(r), r.wijk, r.label) for r in model.buurten])
    if model.is_signal:
        html = TR + TH + "{}{}</th>" + TD + "{}</td>" + TD + "{}</td>" + TD + "{}</td></tr>"
        return _joined(
            [format_html(html, r.name, _changed(r), r.wijk, r.label, r.previous_label) for r in model.buurten]
        )
    html = TR + TH + "{}{}</th>" + TD + "{}</td>" + TD + "{}</td>" + TD + "{}</td>" + NUM + "{}</td></tr>"
    return _joined(
        [
            format_html(html, r.name, _changed(r), r.wijk, r.label, r.previous_label, signed(r.change, 3))
            for r in model.buurten
        ]
    )


@register.simple_tag
def signal_rows(model):
    """The rows of the new signals: buurt, wijk, signal now (bold for "beide stijgen"),
    signal before."""
    html = TR + TH + "{}{}</th>" + TD + "{}</td>" + TD + "{}</td>" + TD + "{}</td></tr>"
    return _joined(
        [
            format_html(
                html,
                r.name,
                _changed(r),
                r.wijk,
                format_html("<strong>{}</strong>", r.label) if r.new_both_rising else r.label,
                r.previous_label,
            )
            for r in model.new_signals
        ]
    )


@register.simple_tag
def move_items(model):
    """The list items of the buurten that moved a class up or down."""
    items = []
    for rows, text in (
        (model.moved_up, _("%(name)s: een klasse omhoog, van “%(before)s” naar “%(after)s”")),
        (model.moved_down, _("%(name)s: een klasse omlaag, van “%(before)s” naar “%(after)s”")),
    ):
        for r in rows:
            line = text % {"name": r.name, "before": r.previous_label, "after": r.label}
            items.append(format_html("<li>{}{}</li>", line, _changed(r)))
    return _joined(items)


@register.simple_tag
def group_rows(section):
    """The rows of the interventions per wijk and theme: counts per stand, budget, progress."""
    rows = []
    for group in section.groups:
        counts = [format_html(NUM + "{}</td>", n) for n in group.counts.values()]
        budget = format_amount(group.budget, "€") if group.budget is not None else "—"
        progress = f"{number(group.progress)}%" if group.progress is not None else "—"
        rows.append(
            format_html(
                TR + TH + "{}</th>" + TD + "{}</td>{}" + NUM + "{}</td>" + NUM + "{}</td></tr>",
                group.area_name,
                group.theme_label,
                _joined(counts),
                budget,
                progress,
            )
        )
    return _joined(rows)
