"""The portfolio map in a real browser: the buurten coloured by their score, the
complexes as points coloured by strategy, the same complexes in the table beside it, and
the projection with its flag; both pages pass axe at a desktop and a phone width."""

import re

import pytest
from playwright.sync_api import expect

from portfolio.models import STRATEGY_COLORS, StrategyKind
from portfolio.tests.helpers import portfolio_world
from scores import versions
from scores.api import geojson
from tests.browser.axe import assert_accessible
from tests.factories import PASSWORD
from tests.personas import build_world

pytestmark = pytest.mark.browser


def test_portfolio_map_with_its_table_and_the_projection(page, sign_in):
    versions._local.clear()
    geojson.clear_memory()
    world = build_world()
    portfolio_world(world.orgs["corporatie"])
    blocked = []

    def abort(route):
        blocked.append(route.request.url)
        route.abort()

    page.route(re.compile(r"^https?://(?!127\.0\.0\.1|localhost).*"), abort)
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, world.users["corp_editor"].email, PASSWORD)
    page.goto(f"/portefeuille/{world.orgs['corporatie'].slug}/?model=wijkkoers-veerkracht&jaar=2022")

    portfolio_map = page.get_by_role("region", name=re.compile("Kaart van de complexen"))
    expect(portfolio_map).to_have_attribute("data-complexes", "5")
    # The four land buurten with a shape (Kriemhildebuurt has none) in their class colour,
    # complexes as points in their strategy's colour.
    expect(portfolio_map).to_have_attribute("data-features", "4")
    expect(page.locator("path.wk-score-area")).to_have_count(4)
    expect(page.locator("path.wk-complex")).to_have_count(5)
    expect(page.locator(f"path.wk-complex[fill='{STRATEGY_COLORS[StrategyKind.VERKOPEN]}']")).to_have_count(1)

    table = page.get_by_role("table", name="Complexen")
    expect(table.get_by_role("row")).to_have_count(6)  # header + 5 complexes
    expect(table.get_by_role("row", name=re.compile("C2 Complex C2"))).to_contain_text("verkopen")
    buurten = page.get_by_role("table", name=re.compile("Woningen van de corporatie per buurt"))
    expect(buurten.get_by_role("row", name=re.compile("Dorpskern"))).to_contain_text("50,0")
    assert blocked == []
    assert_accessible(page)

    # Filtering by strategy narrows the table and the points alike.
    page.get_by_label("Strategie", exact=True).select_option("verkopen")
    page.get_by_role("button", name="Toon").click()
    expect(table.get_by_role("row")).to_have_count(2)
    expect(page.get_by_role("region", name=re.compile("Kaart van de complexen"))).to_have_attribute(
        "data-complexes", "1"
    )

    page.get_by_role("link", name="Projectie en markeringen").click()
    expect(page.get_by_test_id("flag").first).to_be_visible()
    expect(page.get_by_test_id("flag-count")).to_contain_text("markeringen")
    assert_accessible(page)
