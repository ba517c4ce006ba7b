"""Every main page of the areas, scores, accounts, the API documentation and the error
pages, with data in them, passes axe at a desktop and a phone width; and
every page of the URL configuration is walked here or in ``test_every_page_work.py``, or
named in ``tests.browser.every_page.NOT_PAGES`` with the reason."""

import pytest

from tests.browser.every_page import build_data, check_routes, visits, walk

pytestmark = pytest.mark.browser


def test_every_page_is_walked_and_these_pass_axe(new_context, sign_in):
    world = build_data()
    planned = visits(world)
    check_routes(planned)
    walk(new_context, sign_in, world, planned, "places")
