"""A beheerder invites a colleague; the colleague follows the mailed link and joins."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from organisations.models import Invitation, Membership, Role
from tests.factories import PASSWORD
from tests.personas import build_world

pytestmark = pytest.mark.browser

NEW_COLLEAGUE = "nieuwe.collega@example.nl"
NEW_PASSWORD = "Duinpan-Zeewind-2026"
SCREENSHOT = "/tmp/wijkkoers-members-page.png"


def test_beheerder_invites_colleague_who_joins_through_mailed_link(
    new_context, page, sign_in, live_server, settings
):
    # Links in mails point at the site the colleague can reach: here the live server.
    settings.SITE_URL = live_server.url
    world = build_world()
    corporatie = world.orgs["corporatie"]
    mail.outbox.clear()

    # The beheerder goes from her overview to the organisation's people.
    sign_in(page, world.users["org_admin"].email, PASSWORD)
    page.get_by_role("row").filter(has_text=corporatie.name).get_by_role("link", name=corporatie.name).click()
    page.get_by_role("navigation", name="Onderdelen van de organisatie").get_by_role(
        "link", name="Mensen"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Mensen van {corporatie.name}")
    expect(page.get_by_text("Er staan geen uitnodigingen open.")).to_be_visible()

    # She invites a colleague as bewerker.
    invite = page.get_by_role("region", name="Collega uitnodigen")
    invite.get_by_label("E-mailadres").fill(NEW_COLLEAGUE)
    invite.get_by_label("Rol").select_option(label="bewerker")
    invite.get_by_role("button", name="Uitnodigen").click()

    expect(
        page.get_by_role("status").filter(has_text=f"Uitnodiging verstuurd naar {NEW_COLLEAGUE}.")
    ).to_be_visible()
    open_row = page.locator("#uitnodigingen").get_by_role("row").filter(has_text=NEW_COLLEAGUE)
    expect(open_row).to_have_count(1)
    expect(open_row.get_by_role("cell").nth(1)).to_have_text("bewerker")
    page.screenshot(path=SCREENSHOT, full_page=True)

    # The mail went out (tasks run inline) and holds a link to the live site.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [NEW_COLLEAGUE]
    assert corporatie.name in message.subject
    links = re.findall(r"https?://\S+", message.body)
    assert len(links) == 1
    link = links[0]
    assert link.startswith(f"{live_server.url}/organisaties/uitnodiging/")

    # The colleague, in a browser of her own, follows the link and makes her account.
    colleague = new_context().new_page()
    colleague.goto(link)
    expect(colleague.get_by_role("heading", level=1)).to_have_text(f"Uitnodiging van {corporatie.name}")
    expect(colleague.get_by_text(f"U bent uitgenodigd als bewerker ({NEW_COLLEAGUE}).")).to_be_visible()
    colleague.get_by_label("Uw naam").fill("Noor Nieuwenhuis")
    colleague.get_by_label("Wachtwoord", exact=True).fill(NEW_PASSWORD)
    colleague.get_by_label("Wachtwoord nogmaals").fill(NEW_PASSWORD)
    colleague.get_by_role("button", name="Account aanmaken en accepteren").click()

    # She lands on her overview, signed in, as bewerker of the corporation.
    expect(colleague).to_have_url(re.compile(r"/$"))
    welcome = f"Welkom bij {corporatie.name}. U bent nu bewerker."
    expect(colleague.get_by_role("status").filter(has_text=welcome)).to_be_visible()
    expect(colleague.get_by_role("heading", level=1)).to_have_text("Welkom, Noor")
    row = colleague.get_by_role("row").filter(has_text=corporatie.name)
    expect(row.get_by_test_id("role")).to_have_text("bewerker")
    membership = Membership.objects.get(organisation=corporatie, user__email=NEW_COLLEAGUE)
    assert membership.role == Role.BEWERKER

    # The link works once; the beheerder no longer sees the invitation as open.
    colleague.goto(link)
    expect(colleague.get_by_role("alert")).to_contain_text("Deze uitnodiging is al gebruikt.")
    assert Invitation.objects.get(email=NEW_COLLEAGUE).status == Invitation.Status.ACCEPTED
    page.reload()
    expect(page.get_by_text("Er staan geen uitnodigingen open.")).to_be_visible()
    expect(page.locator("#leden").get_by_role("row").filter(has_text=NEW_COLLEAGUE)).to_have_count(1)
