"""Who reaches the year report page, its year choice and its API, and what of it they see.

The world is the small Velsen of ``reports.tests.helpers``: boundaries and open scores are
public, so every signed-in persona gets a report; the licensed Aedes model is the
corporation's, shared with the gemeente (not with the platform admin); the IJmuiden-Zuid
team is the gemeente's (trekker) and the corporation's (partner), so the tenants, the
welzijn partner and the outsider do not see its interventions; the gebied's team is the
gemeente's alone. Only the gemeente sees everything: every other reader is told that
parts are left out.
"""

from django.urls import reverse

from reports.tests.helpers import AEDES_MODEL, ZUID_TITLE, build_report_world
from tests.matrix import AccessMatrix, Case

SIGNED_IN = {"corp_editor", "org_admin", "gemeente_reviewer", "tenant_rep", "partner_reader", "outsider"}
LICENSED = {"corp_editor", "org_admin", "gemeente_reviewer"}
ZUID_TEAM = {"corp_editor", "org_admin", "gemeente_reviewer"}
HIDDEN_NOTE = "laat delen weg"


def _report(code="GM0453", year=2025, query=""):
    return lambda w: build_report_world(w) and reverse("reports:report", args=[code, year]) + query


def _api(code="GM0453", year=2025, query=""):
    return lambda w: build_report_world(w) and reverse("year-report", args=[code, year]) + query


class TestReportPages(AccessMatrix):
    world_setup = staticmethod(build_report_world)
    cases = [
        Case("index", url=lambda w: reverse("reports:index"), allowed=SIGNED_IN),
        Case(
            "choose a year",
            url=lambda w: reverse("reports:choose", args=["GM0453"]) + "?jaar=2024",
            allowed=SIGNED_IN,
        ),
        Case("licensed model", url=_report(), allowed=LICENSED, admin_allowed=False, contains=AEDES_MODEL),
        Case("another team's intervention", url=_report(), allowed=ZUID_TEAM, contains=ZUID_TITLE),
        Case("wijk report", url=_report(code="WK045302"), allowed=ZUID_TEAM, contains=ZUID_TITLE),
        Case(
            "parts left out",
            url=_report(),
            allowed=SIGNED_IN - {"gemeente_reviewer"},
            contains=HIDDEN_NOTE,
        ),
        Case(
            "unknown code",
            url=lambda w: reverse("reports:report", args=["XX0000", 2025]),
            admin_allowed=False,
        ),
        Case("unknown year", url=_report(year=2019), admin_allowed=False),
    ]


class TestReportApi(AccessMatrix):
    world_setup = staticmethod(build_report_world)
    cases = [
        Case(
            "licensed model",
            url=_api(),
            api=True,
            allowed=LICENSED,
            admin_allowed=False,
            contains=AEDES_MODEL,
        ),
        Case("another team's intervention", url=_api(), api=True, allowed=ZUID_TEAM, contains=ZUID_TITLE),
        Case(
            "unknown code",
            url=lambda w: reverse("year-report", args=["XX0000", 2025]),
            api=True,
            admin_allowed=False,
        ),
    ]
