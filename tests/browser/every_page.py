"""Every main page of the product, with data in it, through axe (no serious or critical
violation) at a desktop and a phone width: the pages, their data and the walk, shared by
``test_every_page.py`` (areas, scores, accounts, the API documentation, the error pages)
and ``test_every_page_work.py`` (interventions, agreements, the year report, the
portfolio, organisations), which a parallel run takes on at the same time.

The data is built once per module (the year report's Velsen, the corporation's portfolio
and a job of each import); each persona signs in once and walks its pages in one browser
page. The pages come from the URL configuration: a route that is neither walked nor named
in ``NOT_PAGES`` (with the reason) fails ``test_every_page.py``, so a new page cannot be
forgotten.
"""

import datetime
import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tests.browser.axe import assert_accessible
from tests.factories import PASSWORD

# Routes that are no page of their own: files, the parts a page loads or polls, and
# actions a form posts to (their pages are the ones the form is on), with the reason.
NOT_PAGES = {
    "favicon": "an image",
    "health": "the health check (JSON)",
    "logout": "a form's action (POST)",
    "password_reset_confirm": "a link from a mail, with a token",
    "set_language": "a form's action (POST)",
    "second-factor": "walked with the keyboard in test_two_factor",
    "second-factor-setup": "walked with the keyboard in test_two_factor",
    "areas:geopackage": "a file",
    "areas:import-status": "a part the import page polls",
    "scores:export": "a file",
    "scores:import-template": "a file",
    "scores:import-status": "a part the import page polls",
    "interventions:export": "a file",
    "interventions:import-template": "a file",
    "interventions:import-status": "a part the import page polls",
    "interventions:attachment": "a file",
    "interventions:evaluation": "a part the intervention's page loads",
    "interventions:gesprek-export": "a file",
    "interventions:gesprek-action-link": "a form's action (POST)",
    "interventions:gesprek-action-remove": "a form's action (POST)",
    "interventions:team-member-role": "a form's action (POST)",
    "interventions:team-member-remove": "a form's action (POST)",
    "agreements:transition": "a form's action (POST)",
    "agreements:sign": "a form's action (POST)",
    "agreements:document": "a file",
    "agreements:amendment-open": "a form's action (POST)",
    "agreements:amendment-close": "a form's action (POST)",
    "agreements:excel": "a file",
    "agreements:pdf": "a file",
    "agreements:commitment-dispute": "a form's action (POST)",
    "agreements:commitment-resolve": "a form's action (POST)",
    "agreements:proposal-adopt": "a form's action (POST)",
    "agreements:report-review": "a form's action (POST)",
    "agreements:report-comment": "a form's action (POST)",
    "agreements:bod-submit": "a form's action (POST)",
    "organisations:invitation-accept": "a link from a mail, with a token",
    "organisations:invitation-action": "a form's action (POST)",
    "organisations:membership-role": "a form's action (POST)",
    "organisations:membership-remove": "a form's action (POST)",
    "organisations:appoint-beheerder": "a form's action (POST)",
    "portfolio:import-template": "a file",
    "portfolio:import-status": "a part the import page polls",
    "portfolio:import-confirm": "a form's action (POST)",
    "portfolio:export": "a file",
    "ogc:conformance": "JSON for GIS programs (the landing page is walked)",
    "ogc:api": "JSON for GIS programs",
    "ogc:collections": "JSON for GIS programs",
    "ogc:collection": "JSON for GIS programs",
    "ogc:items": "JSON for GIS programs",
    "ogc:item": "JSON for GIS programs",
    "reports:export-detail": "the year report's file job, walked in test_year_report",
    "reports:export-request": "a form's action (POST)",
    "reports:export-status": "a part the job page polls",
    "reports:export-download": "a file",
}
# Prefixes of the machine interfaces: the REST API (its documentation is a page) and the
# framework's admin.
NOT_PAGE_PREFIXES = ("api/v1/", "beheer/django/")
API_PAGES = {"api-docs", "api-docs-tag"}


# The pages of the second module: the partners' work and their organisations.
WORK = ("interventions:", "agreements:", "reports:", "portfolio:", "organisations:")


@dataclass(frozen=True)
class Visit:
    name: str  # the route's name: namespace:name
    url: str
    status: int = 200

    @property
    def part(self) -> str:
        return "work" if self.name.startswith(WORK) else "places"


def _route_names(patterns=None, prefix="", namespace=""):
    """(route, name) of every named route of the URL configuration."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _route_names(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}{pattern.name}" if pattern.name else str(pattern.pattern)
            yield route, name


def main_routes() -> set[str]:
    return {
        "favicon" if "favicon" in name else name
        for route, name in _route_names()
        if name in API_PAGES or not route.lstrip("^").startswith(NOT_PAGE_PREFIXES)
    }


def build_data():
    """The year report's Velsen (areas 2023–2025, scores, teams, urgency, interventions,
    wijkgesprekken, an agreement with monitoring and a bod), the corporation's portfolio
    on the shapes of 2022 and a finished job of each import."""
    from areas.models import BoundaryImport
    from interventions.models import InterventionImport
    from portfolio.models import ComplexImport
    from portfolio.tests.helpers import portfolio_world
    from reports.tests.helpers import build_report_world
    from scores.tests.helpers import install_catalogue
    from tests.personas import build_world

    install_catalogue()
    world = build_report_world(build_world())
    world.objects["portfolio"] = portfolio_world(world.corporatie)
    done = {
        "status": "klaar",
        "progress": 100,
        "finished_at": timezone.now() - datetime.timedelta(minutes=5),
        "original_name": "bestand.csv",
    }
    admin = world.platform_admin
    world.objects["boundary_import"] = BoundaryImport.objects.create(
        year=2025, file="imports/boundaries/b.geojson", started_by=admin, **done
    )
    world.objects["intervention_import"] = InterventionImport.objects.create(
        file="imports/interventions/i.xlsx", started_by=world.corp_editor, **done
    )
    world.objects["complex_import"] = ComplexImport.objects.create(
        year=2025,
        organisation=world.corporatie,
        file="imports/complexes/c.csv",
        started_by=world.corp_editor,
        **done,
    )
    return world


def visits(world) -> dict[str, list[Visit]]:
    """The pages each persona walks: the platform admin (who may open everything) the
    most, the others the pages that are theirs (the start page, the review queue, the
    bod, a refused page)."""
    from agreements.models import Agreement, Bod, Commitment
    from interventions.models import AreaTeam, Intervention, Wijkgesprek
    from scores.models import Indicator, ScoreImport, Source

    agreement = Agreement.objects.get()
    commitment = Commitment.objects.get(number="1.1")
    bod = Bod.objects.get()
    team = AreaTeam.objects.get(name="Gebiedsteam IJmuiden-Noord")
    intervention = Intervention.objects.get(title="Achter de voordeur")
    gesprek = Wijkgesprek.objects.filter(team=team).order_by("-date").first()
    source = Source.objects.get(name="Veerkrachtkaart Velserduin")
    indicator = Indicator.objects.order_by("pk").first()
    score_import = ScoreImport.objects.order_by("pk").first()
    corporatie = world.corporatie
    complex_ = world.portfolio.complexes["C1"]

    def v(name, *args, query="", status=200):
        return Visit(name, reverse(name, args=args) + query, status)

    admin = [
        v("home"),
        v("about"),
        v("notifications"),
        v("account-security"),
        v("second-factor-reset"),
        v("api-token"),
        v("password_change"),
        v("password_change_done"),
        v("api-docs"),
        v("api-docs-tag", "agreements"),
        # Areas: the list, the search, a gemeente, wijk, buurt and gebied, the imports.
        v("areas:index"),
        v("areas:search", query="?q=Velsen"),
        v("areas:detail", 2025, "GM0453"),
        v("areas:detail", 2025, "WK045301"),
        v("areas:detail", 2025, "BU04530100"),
        v("areas:detail", 2025, "GB0453001"),
        v("areas:gebied-create", 2025, "GM0453"),
        v("areas:gebied-edit", 2025, "GB0453001"),
        v("areas:gebied-delete", 2025, "GB0453001"),
        v("areas:import"),
        v("areas:fetch"),
        v("areas:import-detail", world.boundary_import.pk),
        # Scores: the map with shapes (2022) and without, an area's scores, the sources,
        # indicators, models and imports.
        v("scores:map"),
        v("scores:map", query="?kaart=model:wijkkoers-veerkracht&jaar=2022&niveau=buurt&gemeente=GM0453"),
        v("scores:area", 2025, "BU04530100"),
        v("scores:source-list"),
        v("scores:source-create"),
        v("scores:indicator-list"),
        v("scores:indicator-detail", indicator.pk),
        v("scores:model-list"),
        v("scores:model-detail", "test-index"),
        v("scores:model-update", "test-index"),
        v("scores:import-list"),
        v("scores:import-create"),
        v("scores:import-fetch"),
        v("scores:import-detail", score_import.pk),
        # Interventions, teams, urgency and wijkgesprekken.
        v("interventions:list"),
        v("interventions:create"),
        v("interventions:map"),
        v("interventions:import"),
        v("interventions:import-detail", world.intervention_import.pk),
        v("interventions:preferences"),
        v("interventions:detail", intervention.pk),
        v("interventions:edit", intervention.pk),
        v("interventions:status", intervention.pk),
        v("interventions:delete", intervention.pk),
        v("interventions:teams"),
        v("interventions:team-create"),
        v("interventions:team", team.pk),
        v("interventions:team-edit", team.pk),
        v("interventions:team-members", team.pk),
        v("interventions:urgency", team.pk),
        v("interventions:team-history", team.pk),
        v("interventions:gesprekken", team.pk),
        v("interventions:gesprek-create", team.pk),
        v("interventions:gesprek", gesprek.pk),
        v("interventions:gesprek-edit", gesprek.pk),
        v("interventions:gesprek-delete", gesprek.pk),
        # Agreements, commitments, monitoring, the calendar and the bod.
        v("agreements:list"),
        v("agreements:create"),
        v("agreements:calendar"),
        v("agreements:detail", agreement.pk),
        v("agreements:edit", agreement.pk),
        v("agreements:history", agreement.pk),
        v("agreements:progress", agreement.pk),
        v("agreements:commitment-create", agreement.pk),
        v("agreements:commitment", commitment.pk),
        v("agreements:commitment-edit", commitment.pk),
        v("agreements:commitment-delete", commitment.pk),
        v("agreements:bod-list"),
        v("agreements:bod-detail", bod.pk),
        # Organisations: the list, one organisation, its people (with the invitation
        # form) and its history.
        v("organisations:list"),
        v("organisations:create"),
        v("organisations:detail", corporatie.slug),
        v("organisations:edit", corporatie.slug),
        v("organisations:history", corporatie.slug),
        # The year report and the portfolio.
        v("reports:index"),
        v("reports:choose", "GM0453"),
        v("reports:report", "GM0453", 2025),
        v("portfolio:index"),
        v("portfolio:detail", corporatie.slug, query="?model=wijkkoers-veerkracht&jaar=2022"),
        v("portfolio:projection", corporatie.slug),
        v("portfolio:settings", corporatie.slug),
        v("portfolio:share", corporatie.slug),
        v("portfolio:complex-detail", complex_.pk),
        v("portfolio:strategy", complex_.pk),
        v("portfolio:import"),
        v("portfolio:import-detail", world.complex_import.pk),
        v("ogc:landing"),
        # The error pages: a page that does not exist, and a request with more fields
        # than a request may have.
        Visit("404", "/bestaat-niet/", 404),
        Visit("400", reverse("areas:search") + "?" + "&".join(f"v{n}=1" for n in range(1001)), 400),
    ]
    corp_editor = [
        v("home"),
        # The corporation's own licensed source.
        v("scores:source-detail", source.pk),
        v("scores:source-update", source.pk),
        v("agreements:bod-create"),
        v("agreements:monitoring", commitment.pk, 2025),
        v("agreements:bod-edit", bod.pk),
        v("agreements:proposal-create", bod.pk),
    ]
    # The corporation's beheerder: its people with the invitation form, sharing its source.
    org_admin = [
        v("organisations:members", corporatie.slug),
        v("scores:source-share", source.pk),
        v("scores:source-delete", source.pk),
    ]
    gemeente_reviewer = [v("home"), v("agreements:reviewer-queue")]
    # A reader may read an intervention but not change it.
    partner_reader = [v("interventions:edit", intervention.pk, status=403)]
    anonymous = [
        v("login"),
        v("password_reset"),
        v("password_reset_done"),
        v("password_reset_complete"),
        v("api-docs"),
    ]
    return {
        "anonymous": anonymous,
        "platform_admin": admin,
        "corp_editor": corp_editor,
        "org_admin": org_admin,
        "gemeente_reviewer": gemeente_reviewer,
        "partner_reader": partner_reader,
    }


def check_routes(planned: dict[str, list[Visit]]) -> None:
    """Every page of the URL configuration is walked, or named in NOT_PAGES with a reason."""
    names = {visit.name for pages in planned.values() for visit in pages}
    missing = main_routes() - names - set(NOT_PAGES)
    assert not missing, f"pages neither walked nor named in NOT_PAGES: {sorted(missing)}"
    stale = (names | set(NOT_PAGES)) - main_routes() - {"400", "404"}
    assert not stale, f"walked or named in NOT_PAGES, but no such route: {sorted(stale)}"


def walk(new_context, sign_in, world, planned: dict[str, list[Visit]], part: str) -> None:
    """Each persona signs in and opens its pages of ``part``; fails naming every page
    with the wrong status or an axe violation."""
    failures, walked = [], 0
    for persona, pages in planned.items():
        pages = [visit for visit in pages if visit.part == part]
        if not pages:
            continue
        page = new_context().new_page()
        # No external network in tests: a base map's tiles fail, as when PDOK is down.
        page.route(re.compile(r"^https?://(?!127\.0\.0\.1|localhost).*"), lambda route: route.abort())
        if persona != "anonymous":
            sign_in(page, world.users[persona].email, PASSWORD)
        for visit in pages:
            where = f"{visit.name} ({visit.url[:80]}) as {persona}"
            response = page.goto(visit.url)
            walked += 1
            if response is None or response.status != visit.status:
                failures.append(f"{where}: status {response and response.status}, expected {visit.status}")
                continue
            try:
                assert_accessible(page)
            except AssertionError as exc:
                failures.append(f"{where}: {exc}")
    assert not failures, f"{len(failures)} of {walked} pages:\n\n" + "\n\n".join(failures)
