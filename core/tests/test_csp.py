"""The Content-Security-Policy (django-csp): every response carries it, it allows no
inline script or style and no eval, and no template served to a browser holds what it
would block. The browser tests fail on any violation a page causes (tests/browser)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from config import settings as config_settings
from scores.templatetags import score_tags

HEADER = "Content-Security-Policy"
# The templates WeasyPrint turns into PDFs: never sent to a browser, so not under the policy.
PDF_TEMPLATES = ("reports/templates/reports/pdf/", "agreements/templates/agreements/report.pdf.html")
# What the policy blocks in a page: a style attribute or element, a script without a
# source (a JSON data block, as json_script writes, is data and not run), an event handler
# attribute and a javascript: URL.
BLOCKED = {
    "style attribute": re.compile(r"""<[^>]*\sstyle\s*=\s*["']""", re.IGNORECASE),
    "style element": re.compile(r"<style\b", re.IGNORECASE),
    "inline script": re.compile(
        r"""<script\b(?![^>]*\ssrc\s*=)(?![^>]*\stype\s*=\s*["']application/json["'])[^>]*>""",
        re.IGNORECASE,
    ),
    "event handler": re.compile(r"""<[^>]*\son[a-z]+\s*=\s*["']""", re.IGNORECASE),
    "javascript: URL": re.compile(r"javascript:", re.IGNORECASE),
}


def directives(header: str) -> dict[str, list[str]]:
    """The policy as {directive: [sources]}."""
    policy = {}
    for part in header.split(";"):
        name, *sources = part.split()
        policy[name] = sources
    return policy


def served_templates() -> list[Path]:
    """Every template of the project outside the PDF templates."""
    base = Path(settings.BASE_DIR)
    found = []
    for path in sorted(base.glob("**/templates/**/*")):
        relative = path.relative_to(base).as_posix()
        if not path.is_file() or relative.startswith((".venv/", "node_modules/", "staticfiles/")):
            continue
        if relative.startswith(PDF_TEMPLATES):
            continue
        found.append(path)
    return found


def test_a_page_carries_the_policy(client, world):
    client.force_login(world.corp_editor)
    response = client.get(reverse("about"))
    assert response.status_code == 200
    policy = directives(response[HEADER])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]


def test_the_sign_in_page_carries_the_policy(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200 and HEADER in response


def test_an_api_response_carries_the_policy(client, world):
    client.force_login(world.corp_editor)
    response = client.get(reverse("notification-list"))
    assert response.status_code == 200
    assert directives(response[HEADER])["default-src"] == ["'self'"]


def test_no_directive_allows_inline_code_or_eval(client):
    header = client.get(reverse("login"))[HEADER]
    for name, sources in directives(header).items():
        for unsafe in ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "http:", "https:"):
            assert unsafe not in sources, f"{name} allows {unsafe}"


def test_images_come_from_the_site_and_only_the_base_maps_tile_server():
    # The default base map is PDOK's; Leaflet blanks a tile it no longer needs with a
    # data: image, so data: comes with the base map.
    assert config_settings.tile_origin(
        "https://service.pdok.nl/brt/achtergrondkaart/wmts/v2_0/standaard/EPSG:3857/{z}/{x}/{y}.png"
    ) == ("https://service.pdok.nl")
    assert (
        config_settings.tile_origin("https://{s}.tile.example.org/{z}/{x}/{y}.png")
        == "https://*.tile.example.org"
    )
    assert config_settings.tile_origin("") == ""
    img = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]
    expected = ["'self'", settings.MAP_TILE_ORIGIN, "data:"] if settings.MAP_TILE_ORIGIN else ["'self'"]
    assert img == expected


@pytest.mark.parametrize(
    "snippet, what",
    [
        ('<span style="color: red">', "style attribute"),
        ("<style>p { color: red; }</style>", "style element"),
        ("<script>alert(1)</script>", "inline script"),
        ('<button type="button" onclick="go()">', "event handler"),
        ('<a href="javascript:go()">', "javascript: URL"),
    ],
)
def test_the_scan_finds_what_the_policy_blocks(snippet, what):
    assert [name for name, pattern in BLOCKED.items() if pattern.search(snippet)] == [what]


@pytest.mark.parametrize(
    "snippet",
    [
        '<script src="/static/js/wijkkoers.js" defer></script>',
        '<script id="kaart-klassen" type="application/json">{}</script>',
        '<svg viewBox="0 0 16 16"><rect fill="#d73027"/></svg>',
        '<p class="wk-muted">Klik op een wijk om haar pagina te openen.</p>',
    ],
)
def test_the_scan_lets_allowed_markup_pass(snippet):
    assert not [name for name, pattern in BLOCKED.items() if pattern.search(snippet)]


def test_no_served_template_holds_what_the_policy_blocks():
    templates = served_templates()
    assert len(templates) > 100  # the scan sees the project's templates
    found = []
    for path in templates:
        text = path.read_text(encoding="utf-8")
        for what, pattern in BLOCKED.items():
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(settings.BASE_DIR)}:{line}: {what}")
    assert not found, "\n".join(found)


def test_class_colours_are_svg_presentation_attributes_not_styles():
    swatch = score_tags.swatch("#a50026")
    assert 'fill="#a50026"' in swatch and "style" not in swatch

    class Scale:
        colors = ["#ffffcc", "#41b6c4", "#253494"]

    bar = score_tags.scale_bar(Scale())
    assert "style" not in bar
    # Three colours: stops at 0 %, 50 % and 100 % of the bar.
    stops = re.findall(r'<stop offset="([0-9.]+)%" stop-color="([^"]+)"/>', bar)
    assert stops == [("0", "#ffffcc"), ("50", "#41b6c4"), ("100", "#253494")]
