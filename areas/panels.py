"""Sections the domain apps add to an area's page.

The area page is where the partners' work on a wijk meets: its urgency and team, its
interventions, the commitments that name it, its scores. Those belong to apps that sit
above ``areas``, so ``areas`` does not import them: each app registers a section here
(in its ``AppConfig.ready``), and the page renders the registered sections in order.

A section's ``render(request, area)`` returns the section's HTML, or None when it has
nothing to show to this person (no team, no access): the page never shows an empty
heading.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.utils.safestring import SafeString

from areas.models import Area, AreaKind

Render = Callable[[HttpRequest, Area], SafeString | str | None]


@dataclass(frozen=True)
class Section:
    key: str
    order: int
    kinds: frozenset[str]
    render: Render


_sections: dict[str, Section] = {}

WIJK_LIKE = frozenset({AreaKind.WIJK, AreaKind.GEBIED})
ALL_BUT_GEMEENTE = frozenset({AreaKind.WIJK, AreaKind.GEBIED, AreaKind.BUURT})


def register(*, key: str, order: int, render: Render, kinds=WIJK_LIKE) -> None:
    """Add (or, under the same key, replace) a section of the area page."""
    _sections[key] = Section(key=key, order=order, kinds=frozenset(kinds), render=render)


def sections_for(request: HttpRequest, area: Area) -> list[SafeString]:
    """The HTML of the sections that have something to show on this area's page."""
    rendered = []
    for section in sorted(_sections.values(), key=lambda s: (s.order, s.key)):
        if area.kind not in section.kinds:
            continue
        html = section.render(request, area)
        if html:
            rendered.append(html)
    return rendered
