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
# Every page (and frame) reports what the Content-Security-Policy blocked to the test, at
# once, so a page the test has already left still counts.
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.wkCspViolation(
    `${event.effectiveDirective} blocked ${event.blockedURI || "(inline)"}` +
      ` in ${event.sourceFile || event.documentURI}:${event.lineNumber}` +
      (event.sample ? ` (${event.sample})` : "")
  );
});
"""


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def watch_csp(context, found: list[str]) -> None:
    """Collect in ``found`` every Content-Security-Policy violation in ``context``: the
    page's own report of it and, also without JavaScript, the refusal Chromium logs."""

    def reported(text):
        found.append(text)

    def console(message):
        if "Content Security Policy" in message.text:
            found.append(f"console: {message.text}")

    context.expose_function("wkCspViolation", reported)
    context.add_init_script(CSP_LISTENER)
    context.on("console", console)


@pytest.fixture
def new_context(browser, live_server):
    """Open more browser contexts (separate people) in one test; all closed afterwards.
    Options (``java_script_enabled``, ``viewport``, ...) go to Playwright. A test during
    which the Content-Security-Policy blocked anything fails."""
    contexts = []
    violations = []

    def make(**options):
        # A Dutch browser, like most users'; the interface is Dutch unless English is chosen.
        context = browser.new_context(base_url=live_server.url, locale="nl-NL", **options)
        context.set_default_timeout(TIMEOUT_MS)
        watch_csp(context, violations)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()
    if violations:
        pytest.fail("The Content-Security-Policy blocked:\n" + "\n".join(dict.fromkeys(violations)))


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
