"""The areas API: lists with filters, detail with lineage, flat query counts."""

import pytest

from areas.models import Area
from areas.tests.helpers import overlap, small_gemeente, velsen

pytestmark = pytest.mark.django_db

URL = "/api/v1/areas/"


@pytest.fixture
def reader(world, client):
    client.force_login(world.partner_reader)
    return client


def _codes(response):
    assert response.status_code == 200, response.content
    return [row["code"] for row in response.json()["results"]]


def test_list_filters_by_kind_gemeente_year_and_parent(reader):
    velsen(2022)
    velsen(2025)
    small_gemeente(2022, code="GM0392", name="Haarlem", origin=(4.6, 52.36))

    assert _codes(reader.get(URL, {"kind": "gemeente", "year": 2022})) == ["GM0392", "GM0453"]
    wijken = _codes(reader.get(URL, {"kind": "wijk", "gemeente": "GM0453", "year": 2025}))
    assert len(wijken) == 10 and wijken[0] == "WK045300"
    buurten = _codes(reader.get(URL, {"parent": "WK045301", "year": 2022}))
    assert buurten and all(code.startswith("BU045301") for code in buurten)
    assert _codes(reader.get(URL, {"search": "ijmuiden-noord", "year": 2022})) == ["WK045301"]
    assert _codes(reader.get(URL, {"search": "GM03"})) == ["GM0392"]
    assert _codes(reader.get(URL, {"is_water": "true"})) == ["BU03929997"]


def test_list_is_paginated_and_light(reader):
    velsen(2022)
    data = reader.get(URL, {"year": 2022, "page_size": 20}).json()
    assert data["count"] == 74
    assert len(data["results"]) == 20 and data["next"]
    row = data["results"][0]
    assert "geometry" not in row and "shape_stad" not in row
    assert set(row) >= {
        "code",
        "name",
        "kind",
        "year",
        "parent",
        "area_km2",
        "bbox",
        "children_count",
        "page_url",
    }


def test_list_query_count_is_flat(reader, django_assert_max_num_queries):
    velsen(2022)
    velsen(2025)
    with django_assert_max_num_queries(5):
        response = reader.get(URL, {"page_size": 200})
    assert len(response.json()["results"]) == 148


def test_detail_has_parent_children_and_lineage(reader):
    old = velsen(2022)
    new = velsen(2025)
    old_wijk = next(w for w in old["wijken"] if w.code == "WK045301")
    new_wijk = next(w for w in new["wijken"] if w.code == "WK045301")
    overlap(old_wijk, new_wijk, 1.0, 1.0)

    data = reader.get(f"{URL}{new_wijk.pk}/").json()
    assert data["code"] == "WK045301" and data["year"] == 2025
    assert data["parent"]["code"] == "GM0453"
    assert data["children_count"] == new_wijk.children.count()
    assert data["predecessors"] == [
        {
            "year": 2022,
            "code": "WK045301",
            "name": old_wijk.name,
            "kind": "wijk",
            "share_of_this": 1.0,
            "share_of_other": 1.0,
        }
    ]
    assert data["successors"] == []
    assert data["page_url"] == "/gebieden/2025/WK045301/"
    old_data = reader.get(f"{URL}{old_wijk.pk}/").json()
    assert [n["year"] for n in old_data["successors"]] == [2025]


def test_detail_of_shapeless_buurt(reader):
    velsen(2022)
    from areas.models import Area

    buurt = Area.objects.get(year=2022, code="BU04530004")
    data = reader.get(f"{URL}{buurt.pk}/").json()
    assert data["has_shape"] is False and data["bbox"] is None and data["area_km2"] is None


def test_areas_are_read_only_except_creating_a_gebied(reader, world, client):
    small_gemeente()
    client.force_login(world.platform_admin)
    gemeente = Area.objects.get(year=2022, code="GM0453")
    # A POST makes a gebied (see test_api_writes); a CBS area cannot be made this way.
    assert set(client.post(URL, {"code": "GM0001"}).json()) >= {"organisation", "name", "buurten"}
    assert (
        client.patch(f"{URL}{gemeente.pk}/", {"name": "X"}, content_type="application/json").status_code
        == 405
    )
    assert client.delete(f"{URL}{gemeente.pk}/").status_code == 405
    assert not Area.objects.filter(code="GM0001").exists()
