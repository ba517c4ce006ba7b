"""The OGC API – Features service on the small Velsen of the score tests: two boundary
years (2022, 2023), the open veerkracht-index on the buurten of both, and the
corporation's licensed Aedes model on the buurten of 2023, shared with the gemeente.

The five land buurten of 2023 are squares of 0.01° from (4.60 E, 52.45 N): column 0 holds
BU04530000 (row 0), BU04530001 (row 1) and BU04530002 (row 2); column 1 holds
BU04530100 (row 0) and BU04530102 (row 1). The water buurt BU04539997 is left out.
"""

import json

import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from ogc import selectors
from scores.tests.test_maps import build_map_data

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
RD = "http://www.opengis.net/def/crs/EPSG/0/28992"
BUURTEN_2023 = ["BU04530000", "BU04530001", "BU04530002", "BU04530100", "BU04530102"]


@pytest.fixture
def data(world):
    return build_map_data(world)


def _get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def _items(collection_id):
    return reverse("ogc:items", args=[collection_id])


def _codes(body):
    return [f["properties"]["code"] for f in body["features"]]


def test_landing_conformance_and_api_definition(client, world):
    body = _get(client, world.tenant_rep, reverse("ogc:landing")).json()
    rels = {link["rel"] for link in body["links"]}
    assert {"self", "alternate", "service-desc", "conformance", "data"} <= rels
    conformance = client.get(reverse("ogc:conformance")).json()["conformsTo"]
    assert "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core" in conformance
    assert "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs" in conformance
    api = client.get(reverse("ogc:api"))
    assert api["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert "/collections/{collectionId}/items" in api.json()["paths"]


def test_collections_list_areas_per_year_and_level_and_visible_models(client, world, data):
    ids = [
        c["id"]
        for c in _get(client, world.gemeente_reviewer, reverse("ogc:collections")).json()["collections"]
    ]
    # 2 years × 3 levels of areas; the index scored the buurten of 2022 and 2023, the
    # licensed Aedes model those of 2023 (the gemeente is one it is shared with).
    assert ids == [
        "buurten-2023",
        "wijken-2023",
        "gemeenten-2023",
        "buurten-2022",
        "wijken-2022",
        "gemeenten-2022",
        "aedes-test-2023-buurten",
        "wijkkoers-veerkracht-2023-buurten",
        "wijkkoers-veerkracht-2022-buurten",
    ]
    hidden = [
        c["id"] for c in _get(client, world.tenant_rep, reverse("ogc:collections")).json()["collections"]
    ]
    assert "aedes-test-2023-buurten" not in hidden
    assert len(hidden) == 8


def test_collection_lists_crs_storage_crs_and_extent(client, world, data):
    body = _get(client, world.tenant_rep, reverse("ogc:collection", args=["buurten-2023"])).json()
    assert body["crs"] == [CRS84, RD]
    assert body["storageCrs"] == CRS84
    # Five buurten in two columns and three rows of 0.01°.
    assert body["extent"]["spatial"]["bbox"][0] == pytest.approx([4.6, 52.45, 4.62, 52.48])
    assert any(link["rel"] == "items" and link["type"] == "application/geo+json" for link in body["links"])


def test_area_items_with_their_fields(client, world, data):
    response = _get(client, world.tenant_rep, _items("buurten-2023"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert response["Content-Crs"] == f"<{CRS84}>"
    body = response.json()
    assert body["numberMatched"] == 5 and body["numberReturned"] == 5
    assert body["timeStamp"].endswith("Z")
    assert _codes(body) == BUURTEN_2023
    first = body["features"][0]
    assert first["id"] == "BU04530000"
    assert first["properties"] == {
        "code": "BU04530000",
        "name": "Dorpskern",
        "parent_code": "WK045300",
        "gemeente": "GM0453",
        "inhabitants": 1100,
    }
    assert first["geometry"]["type"] == "Polygon"
    assert not any(link["rel"] in {"next", "prev"} for link in body["links"])


def test_score_items_with_their_fields(client, world, data):
    body = _get(client, world.tenant_rep, _items("wijkkoers-veerkracht-2023-buurten")).json()
    assert _codes(body) == BUURTEN_2023
    by_code = {f["id"]: f["properties"] for f in body["features"]}
    label = data.index.classes[1]["label"]
    assert by_code["BU04530000"] == {
        "code": "BU04530000",
        "name": "Dorpskern",
        "value": -0.5,
        "class": 2,
        "label": label,
        "change": 0.5,
        "signal": None,
        "nieuw": None,
        "grens_gewijzigd": False,
    }
    # Kriemhildebuurt has no score: no value, class or label.
    assert by_code["BU04530002"]["value"] is None
    assert by_code["BU04530002"]["class"] is None
    assert by_code["BU04530002"]["label"] is None
    assert by_code["BU04530002"]["grens_gewijzigd"] is None


def test_signal_cells_go_with_every_score_collection(client, world, data):
    from scores.tests.test_maps import put_signals

    put_signals(data.sw)
    index = _get(client, world.tenant_rep, _items("wijkkoers-veerkracht-2023-buurten")).json()
    signal = _get(client, world.tenant_rep, _items("signalen-2023-buurten")).json()
    signals = {f["id"]: (f["properties"]["signal"], f["properties"]["nieuw"]) for f in signal["features"]}
    # The signal collection's own cell and the index's signal are the same, area by area.
    assert {
        f["id"]: (f["properties"]["signal"], f["properties"]["nieuw"]) for f in index["features"]
    } == signals
    assert sum(1 for s, _n in signals.values() if s is not None) == 3  # put_signals scores three buurten


def test_bbox_and_paging(client, world, data):
    url = _items("wijkkoers-veerkracht-2023-buurten")
    # Inside Dorpskern's square only.
    small = _get(client, world.tenant_rep, url, bbox="4.6025,52.4525,4.6075,52.4575").json()
    assert _codes(small) == ["BU04530000"]
    # Around the corner (4.61, 52.46) where four squares meet: all but Kriemhildebuurt.
    first = client.get(url, {"bbox": "4.605,52.455,4.615,52.465", "limit": 2}).json()
    assert first["numberMatched"] == 4 and first["numberReturned"] == 2
    assert _codes(first) == ["BU04530000", "BU04530001"]
    next_url = next(link["href"] for link in first["links"] if link["rel"] == "next")
    second = client.get(next_url).json()
    assert _codes(second) == ["BU04530100", "BU04530102"]
    assert not any(link["rel"] == "next" for link in second["links"])
    prev_url = next(link["href"] for link in second["links"] if link["rel"] == "prev")
    assert _codes(client.get(prev_url).json()) == ["BU04530000", "BU04530001"]
    # A limit above the maximum is served as the maximum, not refused.
    assert client.get(url, {"limit": 1_000_000}).json()["numberReturned"] == 5


def test_rd_new_output_and_bbox(client, world, data):
    url = _items("buurten-2023")
    response = _get(client, world.tenant_rep, url, crs=RD, limit=1)
    assert response["Content-Crs"] == f"<{RD}>"
    x, y = response.json()["features"][0]["geometry"]["coordinates"][0][0]
    # 4.60 E 52.45 N lies some 0.79° (≈ 53.6 km) west and 0.30° (≈ 33 km) north of
    # Amersfoort, the origin of RD New at (155000, 463000): about (101400, 496000).
    assert 100_000 < x < 103_000 and 495_000 < y < 498_000
    # 100 m by 100 m around (101750, 496350), well inside Dorpskern.
    inside = client.get(url, {"bbox": "101700,496300,101800,496400", "bbox-crs": RD}).json()
    assert _codes(inside) == ["BU04530000"]


def test_single_item(client, world, data):
    response = _get(client, world.tenant_rep, reverse("ogc:item", args=["buurten-2023", "BU04530001"]))
    body = response.json()
    assert body["type"] == "Feature" and body["id"] == "BU04530001"
    assert body["properties"]["name"] == "Zeeheldenbuurt"
    assert response["Content-Crs"] == f"<{CRS84}>"
    missing = client.get(reverse("ogc:item", args=["buurten-2023", "BU04539997"]))  # water
    assert missing.status_code == 404
    assert missing.json()["code"] == "NotFound"


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"bbox": "4.6,52.4"}, 400),
        ({"bbox": "a,b,c,d"}, 400),
        ({"bbox": "4.6,52.5,4.7,52.4"}, 400),
        ({"bbox": "4.6,52.4,4.7,nan"}, 400),
        ({"limit": "0"}, 400),
        ({"limit": "-5"}, 400),
        ({"limit": "tien"}, 400),
        ({"limit": "²"}, 400),
        ({"bbox": "1e400,52,5,53"}, 400),
        ({"offset": "-1"}, 400),
        ({"crs": "EPSG:4326"}, 400),
        ({"bbox-crs": "http://www.opengis.net/def/crs/EPSG/0/4326", "bbox": "1,2,3,4"}, 400),
        ({"f": "xml"}, 400),
        ({"filter": "code='BU04530000'"}, 400),
    ],
)
def test_bad_query_values_answer_400_with_an_ogc_exception(client, world, data, params, status):
    response = _get(client, world.tenant_rep, _items("buurten-2023"), **params)
    assert response.status_code == status
    body = response.json()
    assert body["code"] == "InvalidParameterValue" and body["description"]


@pytest.mark.parametrize("collection_id", ["buurten-1999", "buurt-2023", "onbekend-2023-buurten", "x" * 300])
def test_unknown_collections_answer_404(client, world, data, collection_id):
    response = _get(client, world.tenant_rep, _items(collection_id))
    assert response.status_code == 404
    assert response.json()["code"] == "NotFound"


def test_licensed_collection_only_for_those_it_is_shared_with(client, world, data):
    url = _items("aedes-test-2023-buurten")
    body = _get(client, world.gemeente_reviewer, url).json()
    # Aedes classes as put: Dorpskern 2, Zeeheldenbuurt 4, Havenkwartier 5, Nieuwe Haven 1.
    assert [f["properties"]["class"] for f in body["features"]] == [2, 4, None, 5, 1]
    for persona in ("tenant_rep", "outsider", "platform_admin"):
        assert _get(client, world.users[persona], url).status_code == 404, persona


def test_token_header_signs_in(client, world, data):
    token = Token.objects.create(user=world.tenant_rep)
    url = _items("buurten-2023")
    assert client.get(url, HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 200
    wrong = client.get(url, HTTP_AUTHORIZATION="Token 0123456789abcdef")
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "Unauthorized"
    assert client.get(url).status_code == 401


def test_html_pages(client, world, data):
    client.force_login(world.tenant_rep)
    for url in (
        reverse("ogc:landing"),
        reverse("ogc:collections"),
        reverse("ogc:collection", args=["buurten-2023"]),
        _items("wijkkoers-veerkracht-2023-buurten"),
        reverse("ogc:item", args=["buurten-2023", "BU04530000"]),
    ):
        response = client.get(url, {"f": "html"})
        assert response.status_code == 200, url
        assert response["Content-Type"].startswith("text/html")
    page = client.get(_items("buurten-2023"), {"f": "html", "limit": 2}).content.decode()
    assert "Dorpskern" in page and "Volgende pagina" in page
    # A browser that asks for HTML gets HTML without f=html.
    assert client.get(reverse("ogc:landing"), HTTP_ACCEPT="text/html,*/*")["Content-Type"].startswith(
        "text/html"
    )


def test_features_are_built_once_and_pages_read_no_more_rows(
    client, world, data, django_assert_max_num_queries
):
    url = _items("wijkkoers-veerkracht-2023-buurten")
    client.force_login(world.tenant_rep)
    client.get(url)
    # Warm: the session and the user; the open model and the features are kept.
    with django_assert_max_num_queries(2):
        assert client.get(url, {"limit": 2}).status_code == 200
    assert json.loads(client.get(url).content)["numberReturned"] == 5
    assert selectors._layers.items  # kept in process memory
    # A licensed model is looked up for the person on every request, with their memberships
    # and grants (read once: core.permissions.rules_remembered).
    client.force_login(world.gemeente_reviewer)
    licensed = _items("aedes-test-2023-buurten")
    client.get(licensed)
    with django_assert_max_num_queries(5):
        assert client.get(licensed).status_code == 200


def test_a_bbox_far_outside_the_country_finds_nothing(client, world, data):
    for params in ({"bbox": "1e20,1e20,1e21,1e21", "bbox-crs": RD}, {"bbox": "-10,-10,-9,-9"}):
        response = _get(client, world.tenant_rep, _items("buurten-2023"), **params)
        assert response.status_code == 200
        assert response.json()["numberMatched"] == 0


def test_only_get(client, world, data):
    client.force_login(world.tenant_rep)
    response = client.post(_items("buurten-2023"))
    assert response.status_code == 405
    assert response.json()["code"] == "MethodNotAllowed"
