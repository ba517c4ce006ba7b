"""The score map in a real browser: coloured areas without a base map, the legend with
class names and the same data as a table; a click opens the area."""

import re

import pytest
from playwright.sync_api import expect

from scores import versions
from scores.api import geojson
from scores.tests.test_maps import build_map_data, put_signals
from tests.factories import PASSWORD
from tests.personas import build_world

pytestmark = pytest.mark.browser

SCREENSHOT = "/tmp/wijkkoers-score-map.png"


def test_score_map_draws_coloured_areas_with_legend_and_table(page, sign_in):
    versions._local.clear()
    geojson.clear_memory()
    world = build_world()
    data = build_map_data(world)
    blocked = []

    def abort(route):
        blocked.append(route.request.url)
        route.abort()

    page.route(re.compile(r"^https?://(?!127\.0\.0\.1|localhost).*"), abort)
    sign_in(page, world.users["gemeente_reviewer"].email, PASSWORD)
    page.goto("/scores/?kaart=model:wijkkoers-veerkracht&jaar=2023&niveau=buurt&gemeente=GM0453")

    score_map = page.get_by_role("region", name=re.compile("Kaart: Wijkkoers veerkracht-index, 2023"))
    expect(score_map).to_have_attribute("data-features", "5")
    areas = page.locator("path.wk-score-area")
    expect(areas).to_have_count(5)
    colour = data.index.classes[1]["color"]  # Dorpskern: class 2, kwetsbaar
    expect(page.locator("path.wk-area-BU04530000")).to_have_attribute("fill", colour)
    expect(page.locator("path.wk-area-BU04530002")).to_have_attribute("fill", "#d9d9d9")

    legend = page.locator("[data-legend]")
    expect(legend.get_by_text("zeer veerkrachtig")).to_be_visible()
    expect(legend.get_by_text("geen gegevens")).to_be_visible()

    table = page.get_by_role("table", name=re.compile("Wijkkoers veerkracht-index, 2023"))
    expect(table.get_by_role("row")).to_have_count(6)  # header + 5 buurten
    expect(table.get_by_role("row", name=re.compile("Dorpskern"))).to_contain_text("kwetsbaar")
    assert blocked == []  # no base map tiles are asked for at all
    page.screenshot(path=SCREENSHOT, full_page=True)

    # An area is reachable with the keyboard and opens its page with Enter.
    page.locator("path.wk-area-BU04530000").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/gebieden/2023/BU04530000/$"))


def test_signal_map_has_a_three_by_three_legend_and_a_full_width_table(page, sign_in):
    versions._local.clear()
    geojson.clear_memory()
    world = build_world()
    data = build_map_data(world)
    put_signals(data.sw)
    page.set_viewport_size({"width": 1300, "height": 1000})
    sign_in(page, world.users["tenant_rep"].email, PASSWORD)
    page.goto("/scores/?kaart=model:signalen&jaar=2023&niveau=buurt&gemeente=GM0453")

    score_map = page.get_by_role("region", name=re.compile("Kaart: Signaaltypologie, 2023"))
    expect(score_map).to_have_attribute("data-features", "5")
    # The map takes the width beside its legend and is about 520 pixels high.
    box = score_map.bounding_box()
    assert 500 <= box["height"] <= 540
    assert box["width"] >= 500

    legend = page.get_by_role("table", name=re.compile("Trend van kwetsbaarheid"))
    expect(legend.get_by_role("row")).to_have_count(4)  # header + three trends of vulnerability
    strongest = legend.get_by_role("row", name=re.compile("kwetsbaarheid stijgt"))
    expect(strongest.locator("[data-signal-cell='9']")).to_contain_text("1 gebied")
    expect(page.get_by_text("geen gegevens").first).to_be_visible()

    table = page.get_by_role("table", name=re.compile("Signaaltypologie, 2023 vergeleken met 2022"))
    dorp = table.get_by_role("row", name=re.compile("Dorpskern"))
    expect(dorp).to_contain_text("kwetsbaarheid stijgt, overlast stijgt")
    expect(dorp).to_contain_text("+0,60")
    # The table lies below the map over the full width, and nothing around it clips it:
    # a table wider than the page scrolls in its own box.
    table_box = table.bounding_box()
    assert table_box["y"] > box["y"] + box["height"]
    clipped = table.evaluate(
        """t => { const out = []; for (let e = t.parentElement; e; e = e.parentElement) {
               const s = getComputedStyle(e);
               if (s.overflowX === 'hidden' || s.overflow === 'hidden') out.push(e.className); }
             return out; }"""
    )
    assert clipped == []
    page.screenshot(path="/tmp/wijkkoers-signal-map.png", full_page=True)
