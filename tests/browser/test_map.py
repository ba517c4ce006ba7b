"""The gemeente map in a real browser: polygons drawn without a base map, a click on a
buurt opens its page, and the table beside the map holds the same buurten."""

import re

import pytest
from playwright.sync_api import expect

from areas.tests.helpers import velsen
from tests.factories import PASSWORD
from tests.personas import build_world

pytestmark = pytest.mark.browser

SCREENSHOT = "/tmp/wijkkoers-gemeente-map.png"


def _no_base_map(page, blocked):
    """No external network in tests: tile requests fail, as when PDOK is unreachable."""

    def abort(route):
        blocked.append(route.request.url)
        route.abort()

    page.route(re.compile(r"^https?://(?!127\.0\.0\.1|localhost).*"), abort)


def test_gemeente_map_draws_buurten_and_clicks_through_to_a_buurt(page, sign_in):
    world = build_world()
    data = velsen(2022)
    buurt = next(b for b in data["buurten"] if b.code == "BU04530100")
    blocked = []
    _no_base_map(page, blocked)
    sign_in(page, world.users["partner_reader"].email, PASSWORD)

    page.get_by_role("link", name="Gebieden", exact=True).click()
    page.get_by_role("link", name="Velsen").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Velsen")
    page.get_by_label("buurten").check()
    page.get_by_role("button", name="Toon", exact=True).click()
    expect(page).to_have_url(re.compile(r"/gebieden/2022/GM0453/\?niveau=buurt"))

    area_map = page.get_by_role("region", name=re.compile("Kaart van de buurten van Velsen"))
    expect(area_map).to_have_attribute("data-features", "62")
    expect(area_map).to_have_attribute("data-band", "stad")
    expect(page.locator("path.wk-area")).to_have_count(62)
    # The base map could not load; the polygons are there all the same.
    assert any("service.pdok.nl" in url for url in blocked)
    table = page.get_by_role("table", name=re.compile("De buurten van Velsen"))
    expect(table.get_by_role("row")).to_have_count(64)  # header + 63 buurten, one without shape
    expect(table.get_by_role("row", name=re.compile("Kriemhildebuurt"))).to_contain_text("geen vorm")
    page.screenshot(path=SCREENSHOT, full_page=True)

    # Click inside the buurt's polygon, at a point Leaflet says lies within it.
    point = page.evaluate(
        """() => {
            const el = document.querySelector('[data-area-map]');
            let found = null;
            el.wkMap.eachLayer(layer => {
                if (layer.feature && layer.feature.properties.code === 'BU04530100') {
                    const p = el.wkMap.latLngToContainerPoint(layer.getCenter());
                    const box = el.getBoundingClientRect();
                    found = {x: box.left + p.x, y: box.top + p.y};
                }
            });
            return found;
        }"""
    )
    expect(page.locator("path.wk-area-BU04530100")).to_be_visible()
    page.mouse.click(point["x"], point["y"])

    expect(page).to_have_url(re.compile(r"/gebieden/2022/BU04530100/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(buurt.name)
    crumbs = page.get_by_role("navigation", name="Kruimelpad")
    expect(crumbs.get_by_role("link", name="Velsen")).to_be_visible()
    expect(crumbs.get_by_role("link", name=re.compile("^Wijk 01"))).to_be_visible()
    # The buurt's own map highlights it among the other buurten of its wijk.
    expect(page.locator("[data-area-map]")).to_have_attribute("data-band", "stad")
    expect(page.locator("path.wk-area-BU04530100")).to_have_attribute("stroke", "#b3001e")


def test_table_is_the_keyboard_alternative_to_the_map(page, sign_in):
    world = build_world()
    velsen(2022)
    _no_base_map(page, [])
    sign_in(page, world.users["corp_editor"].email, PASSWORD)
    page.goto("/gebieden/2022/GM0453/")

    skip = page.get_by_role("link", name="Sla de kaart over: naar de tabel met dezelfde gebieden")
    skip.focus()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#tabel")).to_be_focused()
    page.get_by_role("link", name="Naam").click()
    expect(page.get_by_role("columnheader", name=re.compile("Naam"))).to_have_attribute(
        "aria-sort", "descending"
    )


def test_a_name_with_markup_shows_as_text_in_the_tooltip(page, sign_in):
    """Names come from files and from people (a gebied, a complex): a tooltip shows them as
    the text they are, never as HTML."""
    world = build_world()
    data = velsen(2022)
    buurt = next(b for b in data["buurten"] if b.code == "BU04530100")
    buurt.name = "<b>Vet</b> & co"
    buurt.save(update_fields=["name"])
    _no_base_map(page, [])
    sign_in(page, world.users["partner_reader"].email, PASSWORD)

    page.goto("/gebieden/2022/GM0453/?niveau=buurt")
    expect(page.locator("path.wk-area")).to_have_count(62)
    page.evaluate(
        """() => {
            const el = document.querySelector('[data-area-map]');
            el.wkMap.eachLayer(layer => {
                if (layer.feature && layer.feature.properties.code === 'BU04530100') layer.openTooltip();
            });
        }"""
    )
    tooltip = page.locator(".leaflet-tooltip")
    expect(tooltip).to_have_text("<b>Vet</b> & co (BU04530100)")
    expect(tooltip.locator("b")).to_have_count(0)
