"""The pages a new user struggled with pass axe at a desktop and a phone width: the
urgency form (a radio group), the intervention form (grouped multi-selects), the list of
prestatieafspraken and the wijkgesprek list of a team."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from agreements.tests.test_services import add_commitment, make_agreement
from areas.tests.helpers import velsen
from interventions.tests.helpers import build_intervention, build_team
from tests.browser.axe import assert_accessible
from tests.factories import PASSWORD
from tests.personas import build_world

pytestmark = pytest.mark.browser


def test_forms_and_lists_have_no_serious_accessibility_problems(page, sign_in):
    world = build_world()
    team = build_team(world, next(w for w in velsen(2022)["wijken"] if w.code == "WK045301"))
    build_intervention(world, team)
    agreement = make_agreement(world)
    add_commitment(world, agreement, number="1.1", text="Honderd sociale huurwoningen")
    sign_in(page, world.corp_editor.email, PASSWORD)

    page.goto(reverse("interventions:urgency", args=[team.pk]))
    expect(page.get_by_role("group", name="Urgentie")).to_be_visible()
    assert_accessible(page)

    page.goto(reverse("interventions:create") + f"?team={team.pk}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nieuwe interventie")
    assert_accessible(page)

    page.goto(reverse("agreements:list"))
    expect(page.get_by_role("link", name=agreement.title)).to_be_visible()
    assert_accessible(page)

    page.goto(reverse("interventions:gesprekken", args=[team.pk]))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Wijkgesprekken")
    assert_accessible(page)
