"""The map table kept in the cache (``scores.views.maps._table_key``): the same table for
everyone who may see its subject, new at once after new scores, and never served to
someone who may not see the subject. The data: ``test_maps.build_map_data`` (Velsen in
2022 and 2023, the open index, the corporation's licensed Aedes model shared with the
gemeente)."""

import pytest
from django.urls import reverse

from scores import versions
from scores.api import geojson
from scores.tests.test_maps import build_map_data

pytestmark = pytest.mark.django_db

INDEX_URL = reverse("scores:map") + "?kaart=model:wijkkoers-veerkracht&jaar=2023&niveau=buurt&gemeente=GM0453"
AEDES_URL = reverse("scores:map") + "?kaart=model:aedes-test&jaar=2023&niveau=buurt&gemeente=GM0453"


@pytest.fixture
def data(world):
    versions._local.clear()
    geojson.clear_memory()
    return build_map_data(world)


def _get(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response


def _values(response) -> dict:
    return {row.code: row.value for row in response.context["rows"]}


def _table_html(response) -> str:
    html = response.content.decode()
    return html[html.index('<table class="utrecht-table') : html.index("</table>")]


def test_a_kept_table_is_the_table(client, world, data):
    first = _get(client, world.tenant_rep, INDEX_URL)
    again = _get(client, world.partner_reader, INDEX_URL)
    assert _values(again) == _values(first)
    assert _table_html(again) == _table_html(first)
    assert reverse("areas:detail", args=[2023, "BU04530102"]) in _table_html(again)


def test_new_scores_show_at_once(client, world, data):
    b23 = data.sw[2023].by_code
    assert _values(_get(client, world.tenant_rep, INDEX_URL))["BU04530102"] == pytest.approx(1.2)
    data.index.scores.filter(area=b23["BU04530102"]).update(value=1.7)
    versions.data_changed()  # what every import and recomputation does
    response = _get(client, world.tenant_rep, INDEX_URL)
    assert _values(response)["BU04530102"] == pytest.approx(1.7)
    assert "1,70" in _table_html(response)


def test_a_person_who_may_not_see_the_subject_never_gets_its_table(client, world, data):
    shown = _get(client, world.gemeente_reviewer, AEDES_URL)
    assert _values(shown)["BU04530100"] == pytest.approx(5.0)
    for persona in ("tenant_rep", "partner_reader", "outsider", "platform_admin"):
        client.force_login(world.users[persona])
        assert client.get(AEDES_URL).status_code == 404, persona


def test_the_default_gemeente_is_each_persons_own(client, world, data):
    url = reverse("scores:map") + "?kaart=model:wijkkoers-veerkracht&jaar=2023&niveau=buurt"
    own = _get(client, world.corp_editor, url)
    assert own.context["form"].cleaned_data["gemeente"] == "GM0453"
    assert "BU04530102" in _values(own)
    client.force_login(world.outsider)
    other = client.get(url)
    assert other.status_code == 200
    # The outsider's own gemeente has no scores: no table, and certainly not Velsen's.
    assert other.context["form"].cleaned_data.get("gemeente") != "GM0453"
    assert "BU04530102" not in other.content.decode()
