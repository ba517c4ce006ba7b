"""The start page as the way into the monitoring: the gemeente's reviewer finds a
submitted report under "ter beoordeling", follows it to the commitment and returns it for
revision there; the corporation's editor then finds it under "Teruggestuurd" with a link
to the monitoring form. Both organisations are in the team of a wijk, so the start pages
also show the teams table; both pages pass axe at a desktop and a phone width."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from agreements import services
from agreements.models import MonitoringReport
from agreements.tests.test_services import signed_agreement
from interventions import services as team_services
from interventions.tests.helpers import build_team
from tests.browser.axe import assert_accessible
from tests.factories import PASSWORD
from tests.personas import build_world

pytestmark = pytest.mark.browser

SCREENSHOT = "/tmp/wijkkoers-start-page.png"
EXPLANATION = "48 woningen opgeleverd aan de Zeeweg."
REASON = "Het aantal wijkt af van de opleverlijst; tel de Zeeweg opnieuw."
LINK = "1.1 · Bouw van sociale huurwoningen"


def _listed_under(section, heading):
    """The list right below the heading of ``section`` whose text matches ``heading``."""
    return section.locator("h3").filter(has_text=heading).locator("xpath=following-sibling::*[1][self::ul]")


def test_reviewer_returns_a_report_from_the_start_page(new_context, page, sign_in, live_server):
    world = build_world()
    _agreement, (commitment,) = signed_agreement(world)
    # The corporation's editor has reported on 2025 and submitted it.
    draft = services.report_save_draft(
        actor=world.corp_editor,
        commitment=commitment,
        year=2025,
        realised_value=Decimal("48"),
        progress="op_koers",
        explanation=EXPLANATION,
    )
    report = services.report_submit(actor=world.corp_editor, report=draft)
    reviewer = world.gemeente_reviewer
    # The corporation (trekker) and the gemeente (partner) share the team of a wijk.
    team = build_team(world)
    team_services.urgency_record(
        actor=world.corp_editor, team=team, year=2025, urgency="hoog", rationale="Veel signalen van overlast."
    )

    # The gemeente's reviewer signs in and lands on her start page.
    sign_in(page, reviewer.email, PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")
    notifications = page.get_by_role("region", name=re.compile(r"^\d+ ongelezen melding"))
    expect(
        notifications.get_by_role(
            "link", name=re.compile("Woningcorporatie Velserduin heeft de monitoring 2025 .* ingediend")
        )
    ).to_be_visible()
    section = page.get_by_role("region", name="Prestatieafspraken")
    expect(section.get_by_role("heading", name="1 rapportage ter beoordeling")).to_be_visible()
    waiting = _listed_under(section, "ter beoordeling")
    expect(waiting.get_by_role("listitem")).to_have_count(1)
    expect(waiting).to_contain_text("monitoring 2025 van Woningcorporatie Velserduin, ingediend")
    expect(section.get_by_role("heading", name=re.compile("Teruggestuurd"))).to_have_count(0)
    teams = page.get_by_role("region", name="Mijn wijken en teams")
    expect(teams.get_by_role("row", name=re.compile("Wijk 01 IJmuiden-Noord"))).to_contain_text("hoog")
    assert_accessible(page)
    page.screenshot(path=SCREENSHOT, full_page=True)

    # The report's link opens the commitment at its year, where she returns it.
    waiting.get_by_role("link", name=LINK).click()
    expect(page).to_have_url(f"{live_server.url}/afspraken/afspraak/{commitment.pk}/#jaar-2025")
    expect(page.get_by_role("heading", level=1)).to_have_text("Afspraak 1.1")
    year = page.locator("#jaar-2025")
    expect(year).to_contain_text(EXPLANATION)
    review = year.get_by_role("form", name="Monitoring 2025 beoordelen")
    expect(review).to_be_visible()
    review.get_by_label("Terugsturen voor herziening").check()
    review.get_by_label("Opmerking").fill(REASON)
    review.get_by_role("button", name="Beoordeling opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("De monitoring is teruggestuurd voor herziening.")
    expect(year.get_by_text("teruggestuurd voor herziening", exact=True)).to_be_visible()
    expect(year).to_contain_text(REASON)
    expect(review).to_have_count(0)
    report.refresh_from_db()
    assert report.state == MonitoringReport.State.RETURNED
    assert report.reviewed_by == reviewer
    assert report.review_comment == REASON

    # Back on her start page the report no longer waits for her.
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")
    expect(page.get_by_role("heading", name=re.compile("ter beoordeling"))).to_have_count(0)
    expect(page.get_by_role("link", name=LINK)).to_have_count(0)

    # The corporation's editor, in her own browser, finds it returned on her start page.
    editor = new_context().new_page()
    sign_in(editor, world.corp_editor.email, PASSWORD)
    expect(editor).to_have_url(f"{live_server.url}/")
    section = editor.get_by_role("region", name="Prestatieafspraken")
    expect(section.get_by_role("heading", name=re.compile("ter beoordeling"))).to_have_count(0)
    returned = _listed_under(section, "Teruggestuurd: herzien en opnieuw indienen")
    expect(returned.get_by_role("listitem")).to_have_count(1)
    expect(returned).to_contain_text(f"teruggestuurd monitoring 2025, door {reviewer}")
    link = returned.get_by_role("link", name=LINK)
    expect(link).to_have_attribute("href", f"/afspraken/afspraak/{commitment.pk}/monitoring/2025/")
    teams = editor.get_by_role("region", name="Mijn wijken en teams")
    expect(teams.get_by_role("link", name=team.name)).to_be_visible()
    assert_accessible(editor)

    # The link opens the monitoring form with the gemeente's reason above it.
    link.click()
    expect(editor).to_have_url(f"{live_server.url}/afspraken/afspraak/{commitment.pk}/monitoring/2025/")
    expect(editor.get_by_role("heading", level=1)).to_contain_text("Monitoring 2025")
    expect(editor.get_by_text(f"Teruggestuurd door de gemeente: {REASON}")).to_be_visible()
    expect(editor.get_by_label("Toelichting")).to_have_value(EXPLANATION)
