"""The wijk page where the partners' work meets: a team member reads the urgency, the
team's interventions and the commitments that name the wijk, records a wijkgesprek,
turns its action into an intervention and finds both back on the wijk page.

The team was formed on the 2022 boundaries of IJmuiden-Noord (WK045301); the page is
the wijk on the 2025 boundaries, which finds the team, its work and the commitment on
the 2022 Lagersbuurt by code.
"""

import re

import pytest
from playwright.sync_api import expect

from agreements.tests.test_services import add_commitment, make_agreement, sign_all, to_negotiation
from areas.tests.helpers import velsen
from interventions import services
from interventions.models import Intervention, WijkgesprekAction
from interventions.tests.helpers import build_intervention, build_team
from tests.browser.axe import assert_accessible
from tests.factories import PASSWORD
from tests.personas import build_world

pytestmark = pytest.mark.browser

SCREENSHOT = "/tmp/wijkkoers-wijk-page.png"
WIJK = "WK045301"
DUIDING = "De leefbaarheid in de Lagersbuurt blijft achter; bewoners melden veel overlast."
ACTION = "Buurtconciërge in de Lagersbuurt"


def _no_base_map(page):
    """No external network in tests: the base map's tiles fail, as when PDOK is down."""
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1|localhost).*"), lambda route: route.abort())


def _wijk_with_work(world):
    """Velsen on both boundary vintages; the team, its urgency and intervention on 2022's
    IJmuiden-Noord; a signed agreement with a commitment on 2022's Lagersbuurt."""
    old = velsen(2022)
    velsen(2025)
    wijk = next(w for w in old["wijken"] if w.code == WIJK)
    lagersbuurt = next(b for b in old["buurten"] if b.code == "BU04530100")
    team = build_team(world, wijk)
    services.urgency_record(
        actor=world.corp_editor, team=team, year=2025, urgency="hoog", rationale="Veel signalen van overlast."
    )
    intervention = build_intervention(world, team)
    agreement = make_agreement(world)
    add_commitment(
        world,
        agreement,
        number="1.1",
        text="Honderd sociale huurwoningen in de Lagersbuurt",
        target_value=100,
        areas=[lagersbuurt],
    )
    to_negotiation(world, agreement)
    sign_all(world, agreement)
    return team, intervention


def test_team_member_reads_the_wijk_and_records_a_wijkgesprek(page, sign_in, settings):
    settings.MAP_TILE_URL = ""
    world = build_world()
    team, intervention = _wijk_with_work(world)
    _no_base_map(page)

    # A bewerker of the team's trekker opens the wijk on the newer boundaries.
    sign_in(page, world.corp_editor.email, PASSWORD)
    page.goto(f"/gebieden/2025/{WIJK}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Wijk 01 IJmuiden-Noord")
    expect(page.get_by_role("heading", level=1)).to_contain_text("indeling 2025")

    urgency = page.get_by_role("region", name="Urgentie en team")
    expect(urgency).to_contain_text(re.compile(r"Urgentie:\s*hoog"))
    expect(urgency).to_contain_text("urgentie 2025")
    expect(urgency.get_by_role("link", name=team.name, exact=True)).to_be_visible()
    expect(urgency).to_contain_text("gevormd op de indeling 2022")

    interventions = page.get_by_role("region", name="Interventies", exact=True)
    row = interventions.get_by_role("row").filter(has_text=intervention.title)
    expect(row.get_by_role("link", name=intervention.title, exact=True)).to_be_visible()
    expect(row).to_contain_text("Woningcorporatie Velserduin")

    commitments = page.get_by_role("region", name="Afspraken in deze wijk")
    commitment = commitments.get_by_role("row").filter(has_text="Honderd sociale huurwoningen")
    expect(commitment).to_contain_text("Noemt Lagersbuurt (indeling 2022)")
    expect(commitment.get_by_role("link", name="Prestatieafspraken Velsen 2025–2028")).to_be_visible()
    expect(page.get_by_role("region", name="Wijkgesprek", exact=True)).to_contain_text(
        "Het team heeft nog geen wijkgesprek vastgelegd."
    )
    assert_accessible(page)

    # She records the team's wijkgesprek from the wijk page, with one action.
    urgency.get_by_role("link", name="Wijkgesprek vastleggen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Wijkgesprek over Wijk 01 IJmuiden-Noord vastleggen"
    )
    assert_accessible(page)
    page.get_by_label("Datum van het gesprek").fill("2025-11-12")
    page.get_by_label("Meetjaar").fill("2025")
    for organisation in ("Woningcorporatie Velserduin", "Gemeente Velsen", "Huurdersvereniging Velsen"):
        expect(page.get_by_label(organisation)).to_be_checked()
    page.get_by_label("Stichting Welzijn IJmond").uncheck()
    page.get_by_label("Duiding").fill(DUIDING)
    page.get_by_label("Acties").fill(ACTION)
    page.get_by_role("button", name="Vastleggen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Wijkgesprek van 12 november 2025")
    expect(page.get_by_role("status").filter(has_text="Het wijkgesprek is vastgelegd.")).to_be_visible()
    actions = page.get_by_role("region", name="Acties")
    expect(actions).to_contain_text(ACTION)

    # The action becomes an intervention: the form opens with the action filled in.
    actions.get_by_role("link", name="Maak er een interventie van").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Nieuwe interventie in {team.name}")
    expect(page.get_by_label("Titel")).to_have_value(ACTION)
    expect(page.get_by_label("Omschrijving")).to_have_value(
        f"Actie uit het wijkgesprek van 12 november 2025: {ACTION}"
    )
    expect(page.get_by_label("Wijk 01 IJmuiden-Noord (WK045301)")).to_be_checked()
    page.get_by_label("Thema").select_option(label="veiligheid")
    page.get_by_label("Trekker").select_option(label=world.corporatie.name)
    page.get_by_role("button", name="Vastleggen").click()

    made = Intervention.objects.get(title=ACTION)
    expect(page).to_have_url(re.compile(rf"/interventies/{made.pk}/$"))
    assert WijkgesprekAction.objects.get(text=ACTION).intervention_id == made.pk

    # Back on the wijk page: the duiding under "Wijkgesprek", the action pointing at the
    # new intervention, which also stands in the interventions.
    page.goto(f"/gebieden/2025/{WIJK}/")
    gesprek = page.get_by_role("region", name="Wijkgesprek", exact=True)
    expect(gesprek.get_by_role("heading", name="Wijkgesprek van 12 november 2025 over 2025")).to_be_visible()
    expect(gesprek).to_contain_text(DUIDING)
    expect(gesprek).to_contain_text("Gemeente Velsen, Huurdersvereniging Velsen, Woningcorporatie Velserduin")
    expect(
        gesprek.get_by_role("listitem").filter(has_text=ACTION).get_by_role("link", name=ACTION, exact=True)
    ).to_be_visible()
    interventions = page.get_by_role("region", name="Interventies", exact=True)
    expect(
        interventions.get_by_role("row").filter(has_text=ACTION).get_by_role("link", name=ACTION, exact=True)
    ).to_be_visible()
    expect(interventions.get_by_role("row").filter(has_text=intervention.title)).to_have_count(1)
    page.screenshot(path=SCREENSHOT, full_page=True)
    assert_accessible(page)
