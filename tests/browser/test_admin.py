"""The Django admin (/beheer/django/) under the Content-Security-Policy: its pages load
only their own scripts and stylesheets, so the strict policy holds there too (the
``new_context`` fixture fails the test on any violation)."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD
from tests.personas import build_world

pytestmark = pytest.mark.browser


def test_admin_pages_work_under_the_policy(page, sign_in):
    world = build_world()
    admin = world.users["platform_admin"]
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    sign_in(page, admin.email, PASSWORD)

    page.goto("/beheer/django/")
    expect(page.locator("#site-name")).to_be_visible()
    # A list with its filters and actions, a change form, an add form and a history.
    page.goto("/beheer/django/core/user/?is_platform_admin__exact=1")
    expect(page.locator("#result_list")).to_contain_text(admin.email)
    page.goto(f"/beheer/django/core/user/{admin.pk}/change/")
    expect(page.get_by_label("E-mailadres")).to_have_value(admin.email)
    page.goto("/beheer/django/core/user/add/")
    expect(page.locator("#user_form")).to_be_visible()
    page.goto(f"/beheer/django/core/user/{admin.pk}/history/")
    expect(page).to_have_url(re.compile(r"/history/$"))
    expect(page.locator("#content h1")).to_be_visible()
