"""Signing in and out in a real browser, and the keyboard basics of every page."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.personas import build_world

pytestmark = pytest.mark.browser


def test_sign_in_shows_dutch_home_with_organisation_and_role(page, sign_in):
    world = build_world()
    user = world.users["corp_editor"]

    sign_in(page, user.email, PASSWORD)

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.locator("html")).to_have_attribute("lang", "nl")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welkom, {user.get_short_name()}")
    expect(page.get_by_role("heading", name="Mijn organisaties")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Woningcorporatie Velserduin")
    expect(row.get_by_role("link", name="Woningcorporatie Velserduin")).to_be_visible()
    expect(row.get_by_test_id("role")).to_have_text("bewerker")
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()


def test_wrong_password_shows_dutch_error(page, sign_in):
    world = build_world()

    sign_in(page, world.users["corp_editor"].email, "niet-het-goede-wachtwoord")

    expect(page).to_have_url(re.compile(r"/account/inloggen/$"))
    expect(page.get_by_role("alert")).to_contain_text(
        "Deze combinatie van e-mailadres en wachtwoord kennen we niet."
    )
    expect(page.get_by_role("button", name="Uitloggen")).to_have_count(0)


def test_sign_out_returns_to_sign_in_page(page, sign_in):
    world = build_world()
    sign_in(page, world.users["partner_reader"].email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")

    page.get_by_role("button", name="Uitloggen").click()

    expect(page).to_have_url(re.compile(r"/account/inloggen/$"))
    expect(page.get_by_role("heading", name="Inloggen bij Wijkkoers")).to_be_visible()
    # The home page now asks to sign in again.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/account/inloggen/\?next=/$"))


def test_skip_link_is_first_and_moves_focus_to_content(page, sign_in):
    world = build_world()
    sign_in(page, world.users["corp_editor"].email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")

    page.keyboard.press("Tab")

    skip_link = page.get_by_role("link", name="Naar de inhoud")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main#inhoud")).to_be_focused()
