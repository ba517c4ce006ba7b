"""Two-factor sign-in in a real browser, with the keyboard only: a new beheerder signs in,
sets up the app, keeps the recovery codes, signs in again with the code; each page passes
axe at desktop and phone width."""

import base64
import re

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from organisations.models import Role
from tests import factories
from tests.browser.axe import assert_accessible
from tests.factories import PASSWORD
from tests.personas import build_world
from tests.two_factor import code_now

pytestmark = pytest.mark.browser


def tab_to(page, target, limit=60):
    """Press Tab until ``target`` has the focus, as a keyboard user moves through a page."""
    for _press in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{target} cannot be reached with Tab on {page.url}")


def keyboard_sign_in(page, email, password):
    page.goto("/account/inloggen/")
    tab_to(page, page.get_by_label("E-mailadres"))
    page.keyboard.type(email)
    tab_to(page, page.get_by_label("Wachtwoord"))
    page.keyboard.type(password)
    page.keyboard.press("Enter")


def test_keyboard_only_set_up_and_sign_in_with_the_code(page):
    world = build_world()
    person = factories.member(
        world.orgs["corporatie"], role=Role.BEHEERDER, email="nieuwe.beheerder@example.nl"
    )

    keyboard_sign_in(page, person.email, PASSWORD)

    # A beheerder without an app is sent to set one up before anything else.
    expect(page).to_have_url(re.compile(r"/account/tweede-stap/instellen/\?next=/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tweede stap instellen")
    expect(page.get_by_role("img", name="QR-code met de sleutel voor uw authenticator-app")).to_be_visible()
    assert_accessible(page)
    secret = page.get_by_test_id("totp-secret").inner_text()
    code = f"{TOTP(base64.b32decode(secret)).token():06d}"
    tab_to(page, page.get_by_label("Code uit de app"))
    page.keyboard.type(code)
    page.keyboard.press("Enter")

    # The recovery codes, shown once.
    expect(page.get_by_role("heading", level=1)).to_have_text("Uw herstelcodes")
    expect(page.get_by_test_id("recovery-codes").get_by_role("listitem")).to_have_count(10)
    assert_accessible(page)
    tab_to(page, page.get_by_role("link", name="Ik heb de codes bewaard, verder"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")

    # The account's security page says the second step is on.
    tab_to(page, page.get_by_role("link", name="Beveiliging"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Beveiliging van uw account")
    expect(page.get_by_text("U heeft nog 10 herstelcodes.")).to_be_visible()
    assert_accessible(page)
    tab_to(page, page.get_by_role("button", name="Uitloggen"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/account/inloggen/$"))

    # Next time: the password, then the code page, where the code field has the focus.
    keyboard_sign_in(page, person.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/account/tweede-stap/\?next=/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Tweede stap: uw code")
    assert_accessible(page)
    expect(page.get_by_label("Code", exact=True)).to_be_focused()
    page.keyboard.type("000000" if code_now(TOTPDevice.objects.get(user=person)) != "000000" else "111111")
    page.keyboard.press("Enter")
    expect(page.get_by_text("Deze code klopt niet.")).to_be_visible()
    # The field with its error is described by the message.
    expect(page.get_by_label("Code", exact=True)).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    page.wait_for_timeout(1100)  # the app refuses tries within a second of a wrong one
    tab_to(page, page.get_by_label("Code", exact=True))
    page.keyboard.press("Control+A")
    page.keyboard.type(code_now(TOTPDevice.objects.get(user=person)))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")


def test_the_platform_admin_signs_in_with_the_code_and_reaches_the_reset_page(page, sign_in):
    world = build_world()
    admin = world.users["platform_admin"]

    sign_in(page, admin.email, PASSWORD)

    expect(page).to_have_url(re.compile(r"/$"))
    page.goto("/account/beveiliging/terugzetten/")
    expect(page.get_by_role("heading", level=1)).to_have_text("De tweede stap van iemand terugzetten")
    assert_accessible(page)
