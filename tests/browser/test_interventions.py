"""A team member logs an intervention and adds a progress update with an attachment."""

import re

import pytest
from playwright.sync_api import expect

from interventions.models import Attachment, Intervention
from interventions.tests.helpers import build_team, velsen
from tests.factories import PASSWORD
from tests.personas import build_world

pytestmark = pytest.mark.browser

SCREENSHOT = "/tmp/wijkkoers-intervention-page.png"


def test_team_member_logs_intervention_and_adds_progress(page, sign_in, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world = build_world()
    team = build_team(world, velsen()["wijk"])
    report = tmp_path / "verslag-huisbezoeken.pdf"
    report.write_bytes(b"%PDF-1.7\n" + b"0" * 500)

    # The corporation's editor goes from the menu to the interventions and starts a new one.
    sign_in(page, world.corp_editor.email, PASSWORD)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Interventies").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Interventies")
    expect(page.get_by_text("Er zijn nog geen interventies in de teams van uw organisatie.")).to_be_visible()
    page.get_by_role("link", name="Nieuwe interventie").click()

    # She is in one team, so the form for that team opens at once.
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Nieuwe interventie in {team.name}")
    page.get_by_label("Titel").fill("Achter de voordeur in de Lagersbuurt")
    page.get_by_label("Omschrijving").fill("Huisbezoeken bij alle huurders.")
    page.get_by_label("Thema").select_option(label="sociale cohesie")
    expect(page.get_by_label("Wijk 01 IJmuiden-Noord (WK045301)")).to_be_checked()
    page.get_by_label("Lagersbuurt (BU04530100)").check()
    page.get_by_label("Trekker").select_option(label=world.corporatie.name)
    page.get_by_label(world.gemeente.name).check()
    page.get_by_label("Begindatum").fill("2025-03-01")
    page.get_by_label("Einddatum").fill("2025-02-01")
    page.get_by_label("Budget (€)").fill("25.000")
    page.get_by_role("button", name="Vastleggen").click()

    # An end before the start is refused with a Dutch message; her input stays.
    expect(page.get_by_text("De einddatum ligt vóór de begindatum.")).to_be_visible()
    expect(page.get_by_label("Titel")).to_have_value("Achter de voordeur in de Lagersbuurt")
    page.get_by_label("Einddatum").fill("2026-06-30")
    page.get_by_label("Budget (€)").fill("25000,00")
    page.get_by_role("button", name="Vastleggen").click()

    intervention = Intervention.objects.get(title="Achter de voordeur in de Lagersbuurt")
    expect(page).to_have_url(re.compile(rf"/interventies/{intervention.pk}/$"))
    expect(page.get_by_role("status").filter(has_text="is vastgelegd")).to_be_visible()
    details = page.locator("#gegevens")
    expect(details.get_by_test_id("status")).to_have_text("idee")
    expect(details).to_contain_text("Lagersbuurt")
    expect(details).to_contain_text(world.gemeente.name)
    expect(page.get_by_text("Er is nog geen voortgang gemeld.")).to_be_visible()

    # She adds a progress update with a report attached.
    update = page.get_by_role("region", name="Voortgang toevoegen")
    update.get_by_label("Wat is er gebeurd?").fill("Veertig huisbezoeken afgelegd.")
    update.get_by_label("Voortgang (%)").fill("40")
    update.get_by_label("Bijlagen").set_input_files(str(report))
    update.get_by_role("button", name="Voortgang toevoegen").click()

    expect(page.get_by_role("status").filter(has_text="De voortgang is toegevoegd")).to_be_visible()
    entry = page.locator("#tijdlijn li").first
    expect(entry).to_contain_text("Veertig huisbezoeken afgelegd.")
    expect(entry.get_by_test_id("progress")).to_have_text("40% klaar")
    link = entry.get_by_role("link", name="verslag-huisbezoeken.pdf")
    expect(link).to_be_visible()
    page.screenshot(path=SCREENSHOT, full_page=True)

    # The attachment downloads through the access check.
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == "verslag-huisbezoeken.pdf"
    assert Attachment.objects.get(update__intervention=intervention).size == 509

    # The intervention shows in the list, with its status.
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Interventies").click()
    row = page.get_by_role("row").filter(has_text="Achter de voordeur in de Lagersbuurt")
    expect(row.get_by_test_id("status")).to_have_text("idee")


def test_map_colours_wijken_by_urgency_beside_a_table(page, sign_in, settings):
    """The gemeente map draws the wijk of an acute team in the acute colour; the table
    beside it has the same facts."""
    from areas.tests.helpers import small_gemeente
    from interventions import services

    settings.MAP_TILE_URL = ""  # no base map from outside in tests
    world = build_world()
    areas = small_gemeente(year=2022)
    wijk = areas["wijken"][1]
    team = build_team(world, wijk)
    services.urgency_record(
        actor=world.corp_editor, team=team, year=2022, urgency="acuut", rationale="Veel signalen."
    )

    sign_in(page, world.tenant_rep.email, PASSWORD)
    page.goto("/interventies/kaart/?gemeente=GM0453&year=2022")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Interventies en urgentie per wijk in Velsen, 2022"
    )
    shape = page.locator(f"#kaart path.wk-area-{wijk.code}")
    expect(shape).to_have_count(1)
    assert shape.evaluate("el => getComputedStyle(el).fill") == "rgb(215, 48, 39)"
    other = page.locator(f"#kaart path.wk-area-{areas['wijken'][0].code}")
    assert other.evaluate("el => getComputedStyle(el).fill") != "rgb(215, 48, 39)"
    row = page.locator("#wijken").get_by_role("row").filter(has_text=wijk.code)
    expect(row).to_contain_text("acuut")
    expect(row.get_by_role("link", name=wijk.name)).to_be_visible()
