"""The long tables of the year report (every buurt of every model, every wijk and theme)
as rows built in Python: the same cells as the template would write, without the cost
of the template engine per cell, so the report of a gemeente of 500 buurten stays quick.
Every value is escaped as in a template (``_e``: Django's ``conditional_escape`` without
its lazy-string wrapper, which costs more than the escaping over thousands of cells)."""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from agreements.formatting import format_amount
from core.templatetags.wijkkoers import number, signed

register = template.Library()

TH = '<th class="utrecht-table__header-cell" scope="row">'
TD = '<td class="utrecht-table__cell">'
NUM = '<td class="utrecht-table__cell utrecht-table__cell--numeric">'
TR = '<tr class="utrecht-table__row">'


def _joined(rows: list[str]) -> SafeString:
    # Each row is built from escaped values (``_e``) and fixed markup: joining them
    # keeps them safe.
    return mark_safe("\n".join(rows))


def _e(value) -> str:
    """``value`` escaped for HTML, as ``conditional_escape`` does: safe strings as they
    are, anything else as text with &, <, >, " and ' escaped."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return escape(str(value))


def _changed_mark() -> str:
    """The mark after a buurt whose boundary changed, in the page's language."""
    return f' <span class="wk-muted">({_e(_("grens gewijzigd"))})</span>'


@register.simple_tag
def score_rows(model):
    """The rows of a model's table of buurten: name, wijk, class, class then, change."""
    mark = _changed_mark()
    rows = []
    for r in model.buurten:
        row = f"{TR}{TH}{_e(r.name)}{mark if r.boundary_changed else ''}</th>{TD}{_e(r.wijk)}</td>{TD}{_e(r.label)}</td>"
        if model.compare_year:
            row += f"{TD}{_e(r.previous_label)}</td>"
            if not model.is_signal:
                row += f"{NUM}{_e(signed(r.change, 3))}</td>"
        rows.append(row + "</tr>")
    return _joined(rows)


@register.simple_tag
def signal_rows(model):
    """The rows of the new signals: buurt, wijk, signal now (bold for "beide stijgen"),
    signal before."""
    mark = _changed_mark()
    rows = []
    for r in model.new_signals:
        label = f"<strong>{_e(r.label)}</strong>" if r.new_both_rising else _e(r.label)
        rows.append(
            f"{TR}{TH}{_e(r.name)}{mark if r.boundary_changed else ''}</th>{TD}{_e(r.wijk)}</td>"
            f"{TD}{label}</td>{TD}{_e(r.previous_label)}</td></tr>"
        )
    return _joined(rows)


@register.simple_tag
def move_items(model):
    """The list items of the buurten that moved a class up or down."""
    mark = _changed_mark()
    items = []
    for rows, text in (
        (model.moved_up, _("%(name)s: een klasse omhoog, van “%(before)s” naar “%(after)s”")),
        (model.moved_down, _("%(name)s: een klasse omlaag, van “%(before)s” naar “%(after)s”")),
    ):
        for r in rows:
            line = text % {"name": r.name, "before": r.previous_label, "after": r.label}
            items.append(f"<li>{_e(line)}{mark if r.boundary_changed else ''}</li>")
    return _joined(items)


@register.simple_tag
def group_rows(section):
    """The rows of the interventions per wijk and theme: counts per stand, budget, progress."""
    rows = []
    for group in section.groups:
        counts = "\n".join(f"{NUM}{_e(n)}</td>" for n in group.counts.values())
        budget = format_amount(group.budget, "€") if group.budget is not None else "—"
        progress = f"{number(group.progress)}%" if group.progress is not None else "—"
        rows.append(
            f"{TR}{TH}{_e(group.area_name)}</th>{TD}{_e(group.theme_label)}</td>{counts}"
            f"{NUM}{_e(budget)}</td>{NUM}{_e(progress)}</td></tr>"
        )
    return _joined(rows)


@register.simple_tag
def team_sections(section):
    """The teams of the cooperation section: per team its counts and its wijkgesprekken,
    each with the organisations present, the duiding and the decisions."""
    from django.template.defaultfilters import linebreaksbr
    from django.urls import reverse
    from django.utils.formats import date_format
    from django.utils.translation import ngettext

    present, reading, decided = _("Aanwezig"), _("Duiding"), _("Besluiten")
    parts = []
    for team in section.teams:
        counts = ngettext("%(n)s wijkgesprek", "%(n)s wijkgesprekken", len(team.gesprekken)) % {
            "n": len(team.gesprekken)
        }
        updates = ngettext("%(n)s voortgangsbericht", "%(n)s voortgangsberichten", team.updates) % {
            "n": team.updates
        }
        parts.append(
            f'<section class="wk-report__team" aria-labelledby="team-{team.id}">\n'
            f'<h3 class="utrecht-heading-3" id="team-{team.id}"><a class="utrecht-link" '
            f'href="{_e(reverse("interventions:team", args=[team.id]))}">{_e(team.name)}</a> '
            f'<span class="wk-muted">{_e(team.area_name)}</span></h3>\n'
            f'<p class="utrecht-paragraph">{_e(counts)}, {_e(updates)}.</p>\n'
        )
        for g in team.gesprekken:
            title = _("Wijkgesprek van %(date)s") % {"date": date_format(g.date, "j F Y")}
            about = _("over de cijfers van %(year)s") % {"year": g.year}
            decisions = (
                f'<p class="utrecht-paragraph"><strong>{_e(decided)}:</strong> {linebreaksbr(g.decisions)}</p>'
                if g.decisions
                else ""
            )
            parts.append(
                '<div class="wk-card">\n'
                f'  <h4 class="utrecht-heading-4"><a class="utrecht-link" '
                f'href="{_e(reverse("interventions:gesprek", args=[g.id]))}">{_e(title)}</a> '
                f'<span class="wk-muted">{_e(about)}</span></h4>\n'
                f'  <p class="utrecht-paragraph"><strong>{_e(present)}:</strong> '
                f"{', '.join(_e(name) for name in g.participants)}</p>\n"
                f'  <p class="utrecht-paragraph"><strong>{_e(reading)}:</strong> {linebreaksbr(g.duiding)}</p>\n'
                f"  {decisions}\n"
                "</div>\n"
            )
        parts.append("</section>\n")
    return mark_safe("".join(parts))


@register.simple_tag
def item_rows(items):
    """The rows of the interventions one by one: title (a link), area, theme, stand,
    lead, budget, progress."""
    from django.urls import reverse

    rows = []
    for item in items:
        budget = format_amount(item.budget, "€") if item.budget is not None else "—"
        progress = f"{item.progress}%" if item.progress is not None else "—"
        rows.append(
            f'<tr class="utrecht-table__row">\n'
            f'    {TH}<a class="utrecht-link" href="{_e(reverse("interventions:detail", args=[item.id]))}">'
            f"{_e(item.title)}</a></th>\n"
            f"    {TD}{_e(item.area_name)}</td>\n"
            f"    {TD}{_e(item.theme_label)}</td>\n"
            f"    {TD}{_e(item.stand_label)}</td>\n"
            f"    {TD}{_e(item.lead)}</td>\n"
            f"    {NUM}{_e(budget)}</td>\n"
            f"    {NUM}{_e(progress)}</td>\n"
            "  </tr>"
        )
    return _joined(rows)


@register.simple_tag
def review_rows(section):
    """The rows of the monitoring waiting for review: the commitment (a link, its text
    cut at twelve words), year, responsible party, stand, date submitted."""
    from django.urls import reverse
    from django.utils.formats import date_format
    from django.utils.text import Truncator
    from django.utils.timezone import template_localtime

    rows = []
    for r in section.awaiting_review:
        text = Truncator(r.text).words(12, truncate=" …")
        submitted = date_format(template_localtime(r.submitted_at), "j F Y") if r.submitted_at else "—"
        rows.append(
            f'<tr class="utrecht-table__row">\n'
            f'    {TH}<a class="utrecht-link" href="{_e(reverse("agreements:commitment", args=[r.commitment_id]))}">'
            f"{_e(r.number)} {_e(text)}</a></th>\n"
            f"    {TD}{r.year}</td>\n"
            f"    {TD}{_e(r.responsible)}</td>\n"
            f"    {TD}{_e(r.progress_label)}</td>\n"
            f"    {TD}{_e(submitted)}</td>\n"
            "  </tr>"
        )
    return _joined(rows)
