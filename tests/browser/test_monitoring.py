"""Yearly monitoring end to end: the corporation's editor reports on a commitment and
submits it; the gemeente's reviewer approves it from the dashboard."""

import re

import pytest
from playwright.sync_api import expect

from agreements.models import MonitoringReport
from agreements.tests.test_services import signed_agreement
from tests.factories import PASSWORD
from tests.personas import build_world

pytestmark = pytest.mark.browser

SCREENSHOT = "/tmp/wijkkoers-monitoring-review.png"


def test_corporation_reports_and_gemeente_approves(new_context, page, sign_in):
    world = build_world()
    agreement, (commitment,) = signed_agreement(world)

    # The corporation's editor finds the agreement and its commitment.
    sign_in(page, world.corp_editor.email, PASSWORD)
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Prestatieafspraken").click()
    page.get_by_role("link", name=agreement.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(agreement.title)
    page.get_by_role("link", name="Bouw van sociale huurwoningen").click()

    # She fills in the monitoring for 2025, saves a draft, then submits it.
    page.get_by_role("link", name="Monitoring 2025 invullen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Monitoring 2025")
    page.get_by_label("Gerealiseerd").fill("48")
    page.get_by_label("Stand").select_option(label="op koers")
    page.get_by_label("Toelichting").fill("48 woningen opgeleverd aan de Zeeweg.")
    page.get_by_role("button", name="Concept opslaan").click()
    expect(page.get_by_role("status")).to_contain_text("Het concept is opgeslagen.")
    page.get_by_role("link", name="Monitoring 2025 bijwerken").click()
    expect(page.get_by_label("Gerealiseerd")).to_have_value("48.00")
    page.get_by_role("button", name="Indienen ter beoordeling").click()
    expect(page.get_by_role("status")).to_contain_text(
        "De monitoring over 2025 is ingediend ter beoordeling."
    )
    year = page.locator("#jaar-2025")
    expect(year.get_by_text("ter beoordeling", exact=True)).to_be_visible()
    report = MonitoringReport.objects.get(commitment=commitment, year=2025)
    assert report.state == MonitoringReport.State.SUBMITTED

    # The gemeente's reviewer, in her own browser, approves it on her dashboard.
    reviewer = new_context().new_page()
    sign_in(reviewer, world.gemeente_reviewer.email, PASSWORD)
    reviewer.goto("/afspraken/")
    reviewer.get_by_role("link", name="Wacht op beoordeling").click()
    expect(reviewer.get_by_role("heading", level=1)).to_have_text("Wacht op beoordeling")
    row = reviewer.get_by_role("row").filter(has_text="48 woningen opgeleverd aan de Zeeweg.")
    expect(row).to_have_count(1)
    row.get_by_label("Goedkeuren").check()
    row.get_by_role("button", name="Opslaan").click()
    # The row updates in place (htmx): no page load, the new state is announced.
    done = reviewer.locator(f"#rapport-{report.pk}").get_by_role("status")
    expect(done).to_contain_text("De monitoring is goedgekeurd.")
    expect(reviewer).to_have_url(re.compile(r"/afspraken/beoordelen/$"))
    reviewer.screenshot(path=SCREENSHOT, full_page=True)
    report.refresh_from_db()
    assert report.state == MonitoringReport.State.APPROVED
    assert report.reviewed_by == world.gemeente_reviewer

    # Back on the corporation's side the commitment shows the approval.
    page.reload()
    expect(page.locator("#jaar-2025").get_by_text("goedgekeurd", exact=True)).to_be_visible()
