"""The rows of the intervention tables, written in Python.

A list page shows fifty rows with seven cells each, the area page twenty-five with six;
through the template engine that costs more than the whole database work of the page, so
the rows are built here with the same markup (and escaping) the template would give.
"""

from django import template
from django.template.defaultfilters import date, floatformat
from django.urls import reverse
from django.utils.dates import MONTHS_3
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from interventions.models import Intervention, Theme

register = template.Library()


def _period(start, end, months):
    if not start and not end:
        return "—"

    def day(value):
        return f"{value.day} {months[value.month]} {value.year}" if value else "…"

    return f"{day(start)} – {day(end)}"


CELL = '<td class="utrecht-table__cell">'


def _statuses() -> dict[str, str]:
    """The status labels in the active language, read once per table."""
    return {key: str(label) for key, label in Intervention.Status.choices}


def _url_prefix(name: str) -> str:
    """The URL of ``name`` without its id, once per table (an id and a slash follow)."""
    return reverse(name, args=[0])[: -len("0/")]


@register.simple_tag
def intervention_rows(interventions, hide_team=False):
    """``<tr>`` rows for the interventions (areas, lead and team loaded with them)."""
    themes = {key: str(label) for key, label in Theme.choices}
    statuses = _statuses()
    months = {number: str(name) for number, name in MONTHS_3.items()}
    detail = _url_prefix("interventions:detail")
    team_page = _url_prefix("interventions:team")
    cell = CELL
    rows = []
    for item in interventions:
        areas = ", ".join(conditional_escape(area.name) for area in item.areas.all())
        parts = [
            '<tr class="utrecht-table__row">',
            format_html(
                '{}<a class="utrecht-link" href="{}{}/">{}</a></td>',
                mark_safe(cell),
                detail,
                item.pk,
                item.title,
            ),
            format_html("{}{}</td>", mark_safe(cell), themes.get(item.theme, item.theme)),
            format_html(
                '<td class="utrecht-table__cell" data-testid="status">{}</td>',
                statuses.get(item.status, item.status),
            ),
            f"{cell}{areas}</td>",
            format_html("{}{}</td>", mark_safe(cell), item.lead_organisation.name),
            format_html("{}{}</td>", mark_safe(cell), _period(item.start_date, item.end_date, months)),
        ]
        if not hide_team:
            parts.append(
                format_html(
                    '{}<a class="utrecht-link" href="{}{}/">{}</a></td>',
                    mark_safe(cell),
                    team_page,
                    item.team_id,
                    item.team.name,
                )
            )
        parts.append("</tr>")
        rows.append("".join(parts))
    return mark_safe("\n".join(rows))


# An intervention of these has run its course: no progress to report any more.
CLOSED = frozenset({Intervention.Status.AFGEROND, Intervention.Status.GESTOPT})


@register.simple_tag
def area_intervention_rows(interventions):
    """``<tr>`` rows for the interventions of an area page: title (and a link to report
    progress where the person may), status, progress, lead, period and budget (the lead
    loaded with them, ``can_change`` set on each)."""
    statuses = _statuses()
    detail = _url_prefix("interventions:detail")
    report = gettext('Voortgang melden<span class="wk-visually-hidden"> bij %(title)s</span>')
    updated = gettext("bijgewerkt %(day)s")
    cell = CELL
    rows = []
    for item in interventions:
        title = conditional_escape(item.title)
        head = f'<a class="utrecht-link" href="{detail}{item.pk}/">{title}</a>'
        if item.can_change and item.status not in CLOSED:
            head += (
                f'<br><a class="utrecht-link wk-small" href="{detail}{item.pk}/#voortgang-toevoegen">'
                f"{report % {'title': title}}</a>"
            )
        progress = "—" if item.latest_progress is None else f"{item.latest_progress}%"
        if item.last_update_on:
            day = conditional_escape(date(item.last_update_on, "j F Y"))
            progress += f'<br><span class="wk-muted">{updated % {"day": day}}</span>'
        start, end = (date(value, "M Y") or "…" for value in (item.start_date, item.end_date))
        budget = "—" if item.budget is None else f"€&nbsp;{floatformat(item.budget, '-2g')}"
        rows.append(
            "\n".join(
                [
                    '    <tr class="utrecht-table__row">',
                    f'      <th class="utrecht-table__header-cell" scope="row">{head}</th>',
                    f"      {cell}{conditional_escape(statuses.get(item.status, item.status))}</td>",
                    f"      {cell}{progress}</td>",
                    f"      {cell}{conditional_escape(item.lead_organisation.name)}</td>",
                    f"      {cell}{conditional_escape(start)} – {conditional_escape(end)}</td>",
                    f'      <td class="utrecht-table__cell wk-number">{budget}</td>',
                    "    </tr>",
                ]
            )
        )
    return mark_safe("\n".join(rows))
