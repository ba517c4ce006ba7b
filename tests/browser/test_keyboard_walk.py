"""Keyboard only, after each page is opened: the score map's way past the map to the
table with the same data, a row read and a buurt opened from it with Enter; and an
intervention's edit form, field by field in the order they stand, typed in and saved with
the space bar on its button. Signing
in and setting up the second step with the keyboard are walked in ``test_two_factor``,
whose steps these walks reuse.
"""

import re

import pytest
from playwright.sync_api import expect

from interventions.tests.helpers import build_intervention, build_team
from scores import versions
from scores.api import geojson
from scores.tests.test_maps import build_map_data
from tests.browser.axe import assert_accessible
from tests.browser.test_two_factor import keyboard_sign_in
from tests.factories import PASSWORD
from tests.personas import build_world

pytestmark = pytest.mark.browser

FOCUSED = """() => {
  const element = document.activeElement;
  return {
    tag: element.tagName.toLowerCase(),
    type: element.type || "",
    id: element.id,
    name: element.getAttribute("name") || "",
    text: (element.innerText || element.value || "").trim(),
    href: element.getAttribute("href") || "",
    inTableBody: Boolean(element.closest("tbody")),
    inForm: element.form ? element.form.id || "form" : "",
  };
}"""


def focused(page) -> dict:
    return page.evaluate(FOCUSED)


def tab_until(page, wanted, limit=80) -> dict:
    """Press Tab until the focused element is ``wanted`` (a test of ``focused``)."""
    for _press in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        if wanted(now):
            return now
    raise AssertionError(f"Tab does not reach the element on {page.url}; last: {now}")


def _no_base_map(page):
    page.route(re.compile(r"^https?://(?!127\.0\.0\.1|localhost).*"), lambda route: route.abort())


def test_score_map_to_its_table_and_a_buurt_with_the_keyboard(page):
    versions._local.clear()
    geojson.clear_memory()
    world = build_world()
    build_map_data(world)
    _no_base_map(page)
    keyboard_sign_in(page, world.users["gemeente_reviewer"].email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")

    page.goto("/scores/?kaart=model:wijkkoers-veerkracht&jaar=2023&niveau=buurt&gemeente=GM0453")
    expect(page.get_by_role("region", name=re.compile("Kaart: "))).to_have_attribute("data-features", "5")

    # The first Tab reaches the page's skip link; the map's own skip link comes before the
    # map, and Enter on it puts the focus on the table.
    page.keyboard.press("Tab")
    assert focused(page)["href"] == "#inhoud"
    skip = tab_until(page, lambda f: f["href"] == "#tabel")
    assert skip["text"] == "Sla de kaart over: naar de tabel met dezelfde gegevens"
    page.keyboard.press("Enter")
    assert focused(page)["id"] == "tabel"

    # A row reads as on the map: the buurt, its score and class.
    row = page.get_by_role("row", name=re.compile("Dorpskern"))
    expect(row).to_contain_text("kwetsbaar")

    # Tab goes on through the table (the column headers sort it) to the buurten's links;
    # Enter opens the first buurt's page.
    link = tab_until(page, lambda f: f["tag"] == "a" and f["inTableBody"])
    assert re.search(r"/gebieden/2023/BU\d{8}/$", link["href"]), link
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(link["href"]) + "$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(link["text"])


def test_edit_an_intervention_with_the_keyboard(page):
    world = build_world()
    team = build_team(world)
    intervention = build_intervention(world, team)
    keyboard_sign_in(page, world.users["corp_editor"].email, PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")

    page.goto(f"/interventies/{intervention.pk}/bewerken/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    # Tab runs through the form's fields in the order they stand on the page (a group of
    # radio buttons is one stop), from the title to the save button.
    expected = page.evaluate(
        """() => {
          const stops = [];
          for (const e of document.querySelector("main form[method=post]").elements) {
            if (e.type === "hidden" || e.disabled || e.tabIndex < 0 || !e.getClientRects().length) continue;
            if (e.type === "radio" && stops.includes(e.name)) continue;
            stops.push(e.name || e.innerText.trim());
          }
          return stops;
        }"""
    )
    tab_until(page, lambda f: f["name"] == "title")
    order = ["title"]
    while True:
        page.keyboard.press("Tab")
        now = focused(page)
        if not now["inForm"]:
            break
        # A date field has a stop for the day, the month and the year.
        if now["type"] == "date" and order[-1] == now["name"]:
            continue
        order.append(now["name"] or now["text"])
    assert order == expected[expected.index("title") :], f"Tab: {order}\nthe form: {expected}"

    # The last stop of the form is its save button.
    assert order[-1] == "Opslaan"

    # Back to the title with Shift+Tab, type a new one, Tab on to the save button and
    # press it with the space bar.
    tab_back = 0
    while focused(page)["name"] != "title":
        page.keyboard.press("Shift+Tab")
        tab_back += 1
        assert tab_back < 80, "Shift+Tab does not reach the title"
    page.keyboard.press("Control+A")
    page.keyboard.type("Huisbezoeken Lagersbuurt")
    tab_until(page, lambda f: f["tag"] == "button" and f["text"] == "Opslaan")
    page.keyboard.press("Space")

    expect(page).to_have_url(re.compile(rf"/interventies/{intervention.pk}/$"))
    expect(page.locator(".wk-messages")).to_contain_text("De interventie is opgeslagen.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Huisbezoeken Lagersbuurt")
    # After saving, the first Tab is the page's skip link again.
    page.keyboard.press("Tab")
    assert focused(page)["href"] == "#inhoud"
    assert_accessible(page)
