"""The sections of an area's page (``core.sections``, page ``"area"``), by area kind.

The area page is where the partners' work on a wijk meets: its urgency and team, its
interventions, the commitments that name it, its scores. Those belong to apps above
``areas``; each registers its section here with the kinds of area it applies to.
"""

from areas.models import Area, AreaKind
from core import sections

PAGE = "area"
WIJK_LIKE = frozenset({AreaKind.WIJK, AreaKind.GEBIED})
ALL_BUT_GEMEENTE = frozenset({AreaKind.WIJK, AreaKind.GEBIED, AreaKind.BUURT})


def register(*, key: str, order: int, render, kinds=WIJK_LIKE) -> None:
    """Add a section to the page of every area of one of ``kinds``."""
    kinds = frozenset(kinds)
    sections.register(page=PAGE, key=key, order=order, render=render, applies=lambda area: area.kind in kinds)


def sections_for(request, area: Area):
    return sections.sections_for(PAGE, request, area)
