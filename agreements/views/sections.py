"""The agreements' sections on the area page and the start page."""

from agreements import selectors
from core.sections import render_section


def area_section(request, area):
    """The commitments that name a wijk, gebied or buurt, as a section of the area's page
    (registered in ``AgreementsConfig.ready``). None for a person who reads no agreement
    of the area's gemeente: the page then shows no heading for it at all."""
    found = selectors.area_commitments(user=request.user, area=area)
    if not found.has_agreements:
        return None
    return render_section("agreements/_area_section.html", {"area": area, "found": found}, request)


# --- the start page ------------------------------------------------------------------------


def start_section(request, _subject=None):
    """What waits for this person in the prestatieafspraken, as a section of the start
    page (registered in ``AgreementsConfig.ready``); None when nothing waits."""
    work = selectors.start_work(user=request.user)
    if not work:
        return None
    return render_section("agreements/_start_section.html", {"work": work}, request)
