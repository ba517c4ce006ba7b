"""Wijkkoers on a phone (390 CSS pixels wide) and on a laptop (1280): the header folds
its menu behind a button on the phone and stays open without JavaScript; wide tables
scroll in a region the keyboard can reach, named after the table; the score table shows
the name and the score before it scrolls; select boxes show their arrow; the favicon
loads."""

import re

import pytest
from playwright.sync_api import expect

from scores import versions
from scores.api import geojson
from scores.tests.test_maps import build_map_data
from tests.browser.axe import assert_accessible
from tests.factories import PASSWORD
from tests.personas import build_world

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
SCORE_MAP = "/scores/?kaart=model:wijkkoers-veerkracht&jaar=2023&niveau=buurt&gemeente=GM0453"


@pytest.fixture
def map_world(settings):
    settings.MAP_TILE_URL = ""  # no base map: the tests have no network
    versions._local.clear()
    geojson.clear_memory()
    world = build_world()
    build_map_data(world)
    return world


def test_phone_header_folds_the_menu_behind_a_button(page, sign_in, map_world):
    page.set_viewport_size(PHONE)
    sign_in(page, map_world.users["corp_editor"].email, PASSWORD)
    page.goto(SCORE_MAP)

    menu_button = page.get_by_role("button", name=re.compile(r"^Menu"))
    navigation = page.get_by_role("navigation", name="Hoofdmenu")
    expect(menu_button).to_be_visible()
    expect(menu_button).to_have_attribute("aria-expanded", "false")
    expect(navigation).to_be_hidden()
    # The header is one row, so the page's own heading is on the first screen.
    header = page.locator("header.wk-header").bounding_box()
    assert header["height"] < 100
    expect(page.get_by_role("heading", level=1)).to_be_in_viewport()

    # Opened with the keyboard, the menu holds the navigation, search, language and logout.
    menu_button.focus()
    page.keyboard.press("Enter")
    expect(menu_button).to_have_attribute("aria-expanded", "true")
    expect(navigation.get_by_role("link", name="Scores")).to_be_visible()
    expect(page.get_by_role("searchbox", name=re.compile("Zoek een gemeente"))).to_be_visible()
    expect(page.get_by_role("combobox", name="Taal")).to_be_visible()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
    assert_accessible(page, widths={"phone": (PHONE["width"], PHONE["height"])})

    # Escape closes it again and gives the focus back to the button.
    navigation.get_by_role("link", name="Gebieden").focus()
    page.keyboard.press("Escape")
    expect(menu_button).to_have_attribute("aria-expanded", "false")
    expect(menu_button).to_be_focused()
    expect(navigation).to_be_hidden()

    # A wide window shows the navigation whatever the button said, and no button.
    page.set_viewport_size(LAPTOP)
    expect(navigation).to_be_visible()
    expect(menu_button).to_be_hidden()
    page.screenshot(path="/tmp/wijkkoers-narrow-header-wide.png")


def test_phone_header_without_javascript_keeps_the_menu_open(new_context, map_world):
    page = new_context(java_script_enabled=False, viewport=PHONE).new_page()
    page.goto("/account/inloggen/")
    page.get_by_label("E-mailadres").fill(map_world.users["partner_reader"].email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_label("Wachtwoord").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")
    expect(page.get_by_role("navigation", name="Hoofdmenu")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Menu"))).to_be_hidden()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()


def test_phone_score_table_shows_name_and_score_first_and_scrolls_with_the_keyboard(page, sign_in, map_world):
    page.set_viewport_size(PHONE)
    sign_in(page, map_world.users["tenant_rep"].email, PASSWORD)
    page.goto(SCORE_MAP)

    region = page.get_by_role("region", name=re.compile(r"^Wijkkoers veerkracht-index, 2023"))
    table = region.get_by_role("table")
    expect(table).to_be_visible()
    headers = table.get_by_role("columnheader")
    expect(headers.nth(0)).to_contain_text("Naam")
    expect(headers.nth(1)).to_contain_text("Waarde")
    expect(headers.nth(2)).to_contain_text("Klasse")
    # Name, score and class lie within the phone's width before anything scrolls.
    for index in range(3):
        box = headers.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], index
    dorp = table.get_by_role("row", name=re.compile("Dorpskern"))
    expect(dorp).to_contain_text("\u22120,50")  # the true minus sign

    # The region is in the tab order; the arrow keys scroll it sideways.
    assert region.evaluate("element => element.tabIndex") == 0
    assert region.evaluate("element => element.scrollWidth > element.clientWidth")
    region.focus()
    expect(region).to_be_focused()
    page.keyboard.press("End")
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    # Keyboard scrolling may be animated: wait for it rather than read it at once.
    page.wait_for_function("element => element.scrollLeft > 0", arg=region.element_handle(), timeout=5000)
    assert_accessible(page)
    page.screenshot(path="/tmp/wijkkoers-narrow-score-map.png")


def test_site_script_makes_any_overflowing_table_a_named_region(page, sign_in, map_world):
    """The sources list has no region of its own in its template: the site script makes
    its scroll box a region while the table overflows, and takes that back when it fits."""
    page.set_viewport_size(PHONE)
    sign_in(page, map_world.users["corp_editor"].email, PASSWORD)
    page.goto("/scores/bronnen/")
    wrap = page.locator(".wk-table-wrap").first
    caption = " ".join(wrap.locator("caption").text_content().split())
    # Make sure the table is wider than the phone, whatever its columns.
    wrap.locator("table").evaluate("table => { table.style.minWidth = '40rem'; }")
    expect(wrap).to_have_attribute("role", "region")
    expect(wrap).to_have_attribute("tabindex", "0")
    expect(wrap).to_have_attribute("aria-label", caption)
    expect(page.get_by_role("region", name=caption)).to_have_count(1)

    page.set_viewport_size(LAPTOP)
    expect(wrap).not_to_have_attribute("role", "region")
    expect(wrap).not_to_have_attribute("tabindex", "0")


def test_selects_show_their_arrow_and_the_favicon_loads(page, sign_in, map_world):
    missing = []
    page.on("response", lambda response: missing.append(response.url) if response.status == 404 else None)
    sign_in(page, map_world.users["corp_editor"].email, PASSWORD)
    page.goto(SCORE_MAP)

    kaart = page.get_by_label("Kaart van")
    expect(kaart).to_be_visible()
    image = kaart.evaluate("select => getComputedStyle(select).backgroundImage")
    assert "select-arrow.svg" in image
    arrow = page.request.get(re.search(r'url\("?([^")]+)"?\)', image).group(1))
    assert arrow.status == 200 and arrow.headers["content-type"].startswith("image/svg+xml")
    # "Kaart van" groups the models apart from the indicators.
    expect(kaart.locator("optgroup").first).to_have_attribute("label", "Modellen")

    icon = page.locator('link[rel="icon"]')
    expect(icon).to_have_attribute("type", "image/svg+xml")
    favicon = page.request.get(icon.get_attribute("href"))
    assert favicon.status == 200 and favicon.headers["content-type"].startswith("image/svg+xml")
    assert missing == []
