"""List pages run the same number of queries however many rows they show: a page that
grows a query per row (N+1) fails here."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from areas.models import AreaKind, BoundaryImport
from interventions.tests import helpers as intervention_helpers
from tests import factories


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), response.content.decode()


def _same_count_for_few_and_many(client, url, add_rows, shown):
    """``shown`` is a text of the last added row: the larger list really is on the page."""
    client.get(url)  # warm caches (content types, sessions) before counting
    few, _page = _queries(client, url)
    add_rows()
    many, page = _queries(client, url)
    assert shown in page, f"{url}: '{shown}' is not on the page"
    assert many == few, f"{url}: {few} queries with few rows, {many} with more"


def test_organisation_list(client, world):
    client.force_login(world.corp_editor)

    def add_rows():
        for n in range(25):
            organisation = factories.organisation(actor=world.platform_admin, name=f"Woonstichting {n}")
            factories.member(organisation, role="bewerker")

    _same_count_for_few_and_many(client, reverse("organisations:list"), add_rows, "Woonstichting 24")


def test_bod_list(client, world):
    from agreements.tests.test_services import make_bod

    client.force_login(world.corp_editor)
    make_bod(world, year=2026)
    _same_count_for_few_and_many(
        client,
        reverse("agreements:bod-list"),
        lambda: [make_bod(world, year=year) for year in (2027, 2028, 2029, 2030)],
        "2030",
    )


def test_team_list(client, world):
    client.force_login(world.corp_editor)
    velsen = intervention_helpers.velsen()
    intervention_helpers.build_team(world, velsen["wijk"])

    def add_rows():
        for n in range(3, 9):
            wijk = intervention_helpers.area(
                code=f"WK04530{n}", name=f"Wijk 0{n}", kind=AreaKind.WIJK, parent=velsen["gemeente"]
            )
            intervention_helpers.build_team(world, wijk, name=f"Gebiedsteam wijk 0{n}")

    _same_count_for_few_and_many(client, reverse("interventions:teams"), add_rows, "Gebiedsteam wijk 08")


def test_boundary_import_list(client, world):
    client.force_login(world.platform_admin)

    def add_imports(count):
        for n in range(count):
            BoundaryImport.objects.create(
                original_name=f"buurten_{n}.geojson",
                file="imports/x.geojson",
                year=2022,
                started_by=world.platform_admin,
            )

    add_imports(1)
    _same_count_for_few_and_many(
        client, reverse("areas:import"), lambda: add_imports(10), "buurten_9.geojson"
    )
