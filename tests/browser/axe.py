"""Accessibility checks with axe-core (the npm development package) in the browser tests.

``assert_accessible(page)`` runs every axe rule on the page as it stands and fails on
violations with impact "serious" or "critical"; lesser findings are left to review. The
page is checked at the widths people use: a desktop and a phone.
"""

from django.conf import settings

AXE_SCRIPT = settings.NODE_MODULES / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
# A laptop screen and a common phone (CSS pixels).
WIDTHS = {"desktop": (1280, 800), "phone": (390, 844)}
NEXT_FRAME = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"


def violations(page, impacts=BLOCKING) -> list[dict]:
    """The axe violations on the page with one of ``impacts``."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the browser's DevTools protocol, which the page's
        # Content-Security-Policy does not govern: a <script> tag holding axe would be an
        # inline script, which the policy blocks.
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await window.axe.run(document, {resultTypes: ['violations']})")
    return [violation for violation in result["violations"] if violation["impact"] in impacts]


def describe(found: list[dict]) -> str:
    """One paragraph per violation: the rule, its impact, what it asks and where it fails."""
    lines = []
    for violation in found:
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']} — {violation['helpUrl']}"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    {target}: {node.get('failureSummary', '').strip()}".replace("\n", " "))
    return "\n".join(lines)


def assert_accessible(page, widths=WIDTHS) -> None:
    """No serious or critical axe violation on the page at any of ``widths``; the
    viewport is set back to what it was afterwards."""
    before = page.viewport_size
    try:
        for name, (width, height) in widths.items():
            page.set_viewport_size({"width": width, "height": height})
            # The page's own answers to the new width (a table box that starts to scroll
            # becomes focusable) run in the next frame: check after that.
            page.evaluate(NEXT_FRAME)
            found = violations(page)
            assert not found, f"{page.url} at {width} px ({name}):\n{describe(found)}"
    finally:
        if before:
            page.set_viewport_size(before)
