"""Sections that apps add to a page of an app below them.

Some pages are where the work of several apps meets: the area page (a wijk's urgency,
scores, interventions, commitments) and the start page (what waits for this person).
Those pages belong to apps low in the layering (``areas``, ``organisations``), which do
not import the domain apps above them. So each domain app registers its sections here,
in its ``AppConfig.ready``, and the page renders the registered sections in order.

A section's ``render(request, subject)`` returns its HTML, or None when it has nothing to
show to this person: a page never shows an empty heading.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

Render = Callable[[HttpRequest, object], SafeString | str | None]


@dataclass(frozen=True)
class Section:
    page: str
    key: str
    order: int
    render: Render
    applies: Callable[[object], bool] | None = None


_sections: dict[tuple[str, str], Section] = {}


def register(*, page: str, key: str, order: int, render: Render, applies=None) -> None:
    """Add (or, under the same page and key, replace) a section of ``page``;
    ``applies(subject)`` limits it to some subjects (for instance areas of some kinds)."""
    _sections[(page, key)] = Section(page=page, key=key, order=order, render=render, applies=applies)


def sections_for(page: str, request: HttpRequest, subject=None) -> list[SafeString]:
    """The HTML of the sections of ``page`` that have something to show."""
    rendered = []
    for section in sorted((s for s in _sections.values() if s.page == page), key=lambda s: (s.order, s.key)):
        if section.applies is not None and not section.applies(subject):
            continue
        html = section.render(request, subject)
        if html:
            rendered.append(html)
    return rendered


def render_section(template_name: str, context: dict, request: HttpRequest) -> SafeString:
    """A section's HTML. The page around it has run the context processors once (the
    notification count, the signed map URLs); a section gets only the request and the
    person, so each section costs no extra queries for the page's chrome."""
    return render_to_string(template_name, {"request": request, "user": request.user, **context})
