"""CSV and Excel exports hold exactly what the person may see with the current filters,
in the columns the import reads back."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from interventions.exports import HEADERS
from interventions.tests.helpers import build_intervention, build_team, haarlem, velsen
from organisations.models import Organisation
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(world):
    return build_team(world, velsen()["wijk"])


@pytest.fixture
def interventions(world, team):
    first = build_intervention(world, team, indicators=["p_wcorpw", "a_soz_wb"])
    second = build_intervention(
        world,
        team,
        title='=HYPERLINK("http://example.org")',
        theme="sociale_cohesie",
        areas=[team.area.children.get(code="BU04530101")],
        partner_organisations=[],
        start_date=None,
        end_date=None,
        budget=None,
        funder="",
    )
    return first, second


@pytest.fixture
def haarlem_intervention(world):
    """An intervention the Velsen personas may not see."""
    areas = haarlem()
    admin = world.platform_admin
    politie = factories.organisation(
        actor=admin, name="Politie Kennemerland", kind=Organisation.Kind.PARTNER, gemeente_code="GM0392"
    )
    team = build_team(
        world,
        areas["wijk"],
        name="Team Haarlem-Centrum",
        members=[(world.other_gemeente, "trekker"), (politie, "partner")],
    )
    return build_intervention(
        world,
        team,
        actor=admin,
        title="Geheim in Haarlem",
        areas=[areas["wijk"]],
        lead_organisation=world.other_gemeente,
        partner_organisations=[],
    )


def read_csv(response):
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_csv_holds_what_the_person_may_see(client, world, interventions, haarlem_intervention):
    first, second = interventions
    client.force_login(world.partner_reader)
    response = client.get(reverse("interventions:export", args=["csv"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="interventies-' in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == HEADERS
    by_id = {row[0]: dict(zip(HEADERS, row, strict=True)) for row in rows[1:]}
    assert set(by_id) == {str(first.pk), str(second.pk)}
    row = by_id[str(first.pk)]
    assert row == {
        "ID": str(first.pk),
        "Versie": "1",
        "Titel": "Achter de voordeur in de Lagersbuurt",
        "Omschrijving": "Huisbezoeken bij alle huurders van de Lagersbuurt.",
        "Thema": "leefbaarheid",
        "Status": "idee",
        "Reden van stoppen": "",
        "Teamgebied": "WK045301",
        "Jaar indeling": "2022",
        "Gebieden": "WK045301",
        "Trekker": "Woningcorporatie Velserduin",
        "Partners": "Gemeente Velsen",
        "Begindatum": "2025-03-01",
        "Einddatum": "2026-06-30",
        "Budget (€)": "25000.00",
        "Financier": "Woningcorporatie Velserduin",
        "Indicatoren": "a_soz_wb, p_wcorpw",
    }
    other = by_id[str(second.pk)]
    # A text that a spreadsheet would run as a formula is written as plain text.
    assert other["Titel"] == '\'=HYPERLINK("http://example.org")'
    assert other["Thema"] == "sociale cohesie"
    assert other["Gebieden"] == "BU04530101"
    assert other["Budget (€)"] == "" and other["Begindatum"] == ""


def test_filters_apply_to_the_export(client, world, interventions):
    first, second = interventions
    client.force_login(world.corp_editor)
    rows = read_csv(client.get(reverse("interventions:export", args=["csv"]), {"theme": "sociale_cohesie"}))
    assert [row[0] for row in rows[1:]] == [str(second.pk)]
    rows = read_csv(client.get(reverse("interventions:export", args=["csv"]), {"q": "voordeur"}))
    assert [row[0] for row in rows[1:]] == [str(first.pk)]


def test_outsider_exports_nothing_of_velsen(client, world, interventions):
    client.force_login(world.outsider)
    rows = read_csv(client.get(reverse("interventions:export", args=["csv"])))
    assert rows == [HEADERS]


def test_list_links_keep_the_filters(client, world, interventions):
    client.force_login(world.corp_editor)
    page = client.get(reverse("interventions:list"), {"theme": "leefbaarheid"}).content.decode()
    assert f"{reverse('interventions:export', args=['xlsx'])}?theme=leefbaarheid" in page


def test_excel(client, world, interventions):
    first, _second = interventions
    client.force_login(world.gemeente_reviewer)
    response = client.get(reverse("interventions:export", args=["xlsx"]), {"q": "voordeur"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    row = dict(zip(HEADERS, rows[1], strict=True))
    assert row["ID"] == first.pk
    assert row["Budget (€)"] == 25000
    assert row["Begindatum"].date().isoformat() == "2025-03-01"
    assert len(rows) == 2


def test_empty_templates(client, world):
    client.force_login(world.tenant_rep)
    csv_rows = read_csv(client.get(reverse("interventions:import-template", args=["csv"])))
    assert csv_rows == [HEADERS]
    response = client.get(reverse("interventions:import-template", args=["xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert list(next(sheet.iter_rows(values_only=True))) == HEADERS
    assert client.get(reverse("interventions:import-template", args=["pdf"])).status_code == 404
