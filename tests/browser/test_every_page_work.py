"""Every main page of the partners' work (interventions, teams and wijkgesprekken,
agreements and the bod, the year report, the portfolio) and of their organisations, with
data in it, passes axe at a desktop and a phone width. A module of its own, so that a
parallel run walks it beside ``test_every_page.py``."""

import pytest

from tests.browser.every_page import build_data, visits, walk

pytestmark = pytest.mark.browser


def test_every_page_of_the_work_passes_axe(new_context, sign_in):
    world = build_data()
    walk(new_context, sign_in, world, visits(world), "work")
