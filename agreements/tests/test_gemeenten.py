"""Gemeenten by name, not by CBS code: the lists, titles and filters of the agreement
pages, and the selects that replaced typing a code. (The API still takes the code:
``test_api.TestAgreements.test_create_with_parties``.)"""

import re

import pytest
from django.urls import reverse

from agreements import selectors
from agreements.models import Bod
from agreements.tests.test_services import make_agreement, make_bod
from areas.models import AreaKind
from areas.tests.helpers import make_area


@pytest.fixture
def boundaries(world):
    """Velsen's boundaries of two years (renamed in between, to tell them apart) and
    Haarlem's; Gemeente Haarlem's organisation (GM0392) is the outsider's."""
    make_area(year=2022, kind=AreaKind.GEMEENTE, code="GM0453", name="Velsen (oud)")
    make_area(year=2025, kind=AreaKind.GEMEENTE, code="GM0453", name="Velsen")
    make_area(year=2025, kind=AreaKind.GEMEENTE, code="GM0392", name="Haarlem")
    return world


def _text(response):
    assert response.status_code == 200
    return response.content.decode()


def _options(html, select_id):
    """The (value, text) of the options of the select with ``select_id``."""
    select = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)


class TestNames:
    def test_newest_boundary_year_names_the_gemeente(self, boundaries, django_assert_num_queries):
        with django_assert_num_queries(1):
            names = selectors.gemeente_names(user=boundaries.corp_editor, codes=["GM0453", "GM0392", ""])
        assert names == {"GM0453": "Velsen", "GM0392": "Haarlem"}

    def test_without_boundaries_the_gemeente_organisation_then_the_code(self, world):
        names = selectors.gemeente_names(user=world.corp_editor, codes={"GM0453", "GM0999"})
        assert names == {"GM0453": "Gemeente Velsen", "GM0999": "GM0999"}

    def test_choices_by_name(self, boundaries):
        choices = selectors.gemeente_choices(user=boundaries.corp_editor, codes=["GM0453", "GM0392"])
        assert choices == [("GM0392", "Haarlem"), ("GM0453", "Velsen")]


class TestLists:
    def test_agreement_list_shows_and_filters_gemeenten_by_name(self, client, boundaries):
        world = boundaries
        make_agreement(world)
        client.force_login(world.corp_editor)
        url = reverse("agreements:list")
        page = _text(client.get(url))
        assert '<td class="utrecht-table__cell">Velsen</td>' in page
        assert "GM0453</td>" not in page
        # The filter offers the gemeenten of the person's agreements, by name, value the code.
        assert _options(page, "gemeente") == [("", "Alle gemeenten"), ("GM0453", "Velsen")]
        filtered = _text(client.get(url, {"gemeente": "GM0453"}))
        assert '<option value="GM0453" selected>Velsen</option>' in filtered
        assert "Prestatieafspraken Velsen 2025–2028" in filtered
        assert "Prestatieafspraken Velsen" not in _text(client.get(url, {"gemeente": "GM0392"}))

    def test_bod_list_and_pages_name_the_gemeente(self, client, boundaries):
        world = boundaries
        bod = make_bod(world)
        agreement = make_agreement(world)
        client.force_login(world.corp_editor)
        assert '<td class="utrecht-table__cell">Velsen</td>' in _text(
            client.get(reverse("agreements:bod-list"))
        )
        for url in (
            reverse("agreements:bod-detail", args=[bod.pk]),
            reverse("agreements:detail", args=[agreement.pk]),
        ):
            page = _text(client.get(url))
            assert 'item-key">Gemeente</dt><dd class="utrecht-data-list__item-value">Velsen</dd>' in page
            assert "GM0453" not in page


class TestCalendar:
    def test_title_and_select_by_name(self, client, boundaries):
        world = boundaries
        client.force_login(world.gemeente_reviewer)
        page = _text(client.get(reverse("agreements:calendar")))
        assert "Termijnen van Velsen</h1>" in page
        # Only the gemeenten the person works with: their own (no agreements or boden yet).
        assert _options(page, "gemeente") == [("GM0453", "Velsen")]
        assert 'placeholder="GM0453"' not in page

    def test_options_follow_agreements_and_boden_and_the_address(self, client, boundaries):
        world = boundaries
        make_agreement(world)
        client.force_login(world.outsider)  # of Gemeente Haarlem, no party to Velsen's agreement
        page = _text(client.get(reverse("agreements:calendar")))
        assert _options(page, "gemeente") == [("GM0392", "Haarlem")]
        # Any gemeente's deadlines may be read: a code in the address is shown by name.
        page = _text(client.get(reverse("agreements:calendar"), {"gemeente": "GM0453"}))
        assert "Termijnen van Velsen</h1>" in page
        assert _options(page, "gemeente") == [("GM0392", "Haarlem"), ("GM0453", "Velsen")]
        client.force_login(world.tenant_rep)
        page = _text(client.get(reverse("agreements:calendar")))
        assert _options(page, "gemeente") == [("GM0453", "Velsen")]

    def test_platform_admin_chooses_among_every_gemeente(self, client, boundaries):
        client.force_login(boundaries.platform_admin)
        page = _text(client.get(reverse("agreements:calendar")))
        assert _options(page, "gemeente") == [
            ("", "Kies een gemeente"),
            ("GM0392", "Haarlem"),
            ("GM0453", "Velsen"),
        ]

    def test_a_code_that_is_none_gets_a_message(self, client, world):
        client.force_login(world.tenant_rep)
        response = client.get(reverse("agreements:calendar"), {"gemeente": "Velsen"}, follow=True)
        page = _text(response)
        assert "Kies een gemeente uit de lijst." in page
        assert "Termijnen van Gemeente Velsen</h1>" in page  # the person's own gemeente instead


class TestBodForm:
    def test_gemeente_chosen_by_name(self, client, boundaries):
        world = boundaries
        client.force_login(world.corp_editor)
        page = _text(client.get(reverse("agreements:bod-create")))
        # The gemeenten with a gemeente organisation (a bod goes to it), the corporation's own
        # chosen first.
        assert _options(page, "id_gemeente_code") == [
            ("", "Kies een gemeente"),
            ("GM0392", "Haarlem"),
            ("GM0453", "Velsen"),
        ]
        assert '<option value="GM0453" selected>Velsen</option>' in page
        response = client.post(
            reverse("agreements:bod-create"),
            {
                "corporation": world.corporatie.pk,
                "gemeente_code": "GM0453",
                "year": 2027,
                "recipients": [world.gemeente.pk, world.huurders.pk],
            },
        )
        assert response.status_code == 302
        assert Bod.objects.get().gemeente_code == "GM0453"

    def test_a_gemeente_without_organisation_is_refused(self, client, world):
        client.force_login(world.corp_editor)
        response = client.post(
            reverse("agreements:bod-create"),
            {
                "corporation": world.corporatie.pk,
                "gemeente_code": "GM0999",
                "year": 2027,
                "recipients": [world.gemeente.pk, world.huurders.pk],
            },
        )
        assert "Kies een gemeente uit de lijst." in _text(response)
        assert not Bod.objects.exists()

    def test_edit_shows_the_fixed_gemeente_by_name(self, client, boundaries):
        bod = make_bod(boundaries)
        client.force_login(boundaries.corp_editor)
        page = _text(client.get(reverse("agreements:bod-edit", args=[bod.pk])))
        assert _options(page, "id_gemeente_code") == [("", "Kies een gemeente"), ("GM0453", "Velsen")]
        assert '<option value="GM0453" selected>Velsen</option>' in page
