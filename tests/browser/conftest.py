"""Headless Chromium for the end-to-end tests, through Playwright's sync API.

The browser starts once per session; every test gets a fresh context (its own cookies and
storage) and page. The live server runs in a thread of the test process, so tests can read
``django.core.mail.outbox`` and run tasks eagerly, like the other suites.
"""

import os

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# Every expectation waits at most this long (milliseconds); a page here renders in far less.
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser, live_server):
    """Open more browser contexts (separate people) in one test; all closed afterwards."""
    contexts = []

    def make():
        # A Dutch browser, like most users'; the interface is Dutch unless English is chosen.
        context = browser.new_context(base_url=live_server.url, locale="nl-NL")
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def context(new_context):
    return new_context()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture
def sign_in():
    """Sign in through the form, the way a person does: ``sign_in(page, email, password)``;
    a platform admin or beheerder then types the code of their app (``tests.two_factor``)."""

    def sign_in(page, email, password):
        page.goto("/account/inloggen/")
        page.get_by_label("E-mailadres").fill(email)
        page.get_by_label("Wachtwoord").fill(password)
        with page.expect_navigation():
            page.get_by_role("button", name="Inloggen", exact=True).click()
        if page.url.split("?")[0].endswith("/account/tweede-stap/"):
            from django_otp.plugins.otp_totp.models import TOTPDevice

            from tests.two_factor import code_now

            device = TOTPDevice.objects.get(user__email=email, confirmed=True)
            page.get_by_label("Code", exact=True).fill(code_now(device))
            page.get_by_role("button", name="Controleren").click()

    return sign_in
