"""The map endpoint: a FeatureCollection joined from stored shape texts, cached, with
ETag / Last-Modified and gzip."""

import gzip
import json

import pytest
from django.urls import reverse

from areas import selectors
from areas.models import Area
from areas.tests.helpers import make_gebied, small_gemeente, velsen

pytestmark = pytest.mark.django_db

URL = "/api/v1/areas/geojson/"


@pytest.fixture
def reader(world, client):
    client.force_login(world.partner_reader)
    return client


def _get(client, **params):
    headers = params.pop("headers", {})
    return client.get(URL, params, **headers)


def _collection(response):
    body = response.content
    if response.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return json.loads(body)


def test_url_name_matches():
    assert reverse("area-geojson") == URL


def test_velsen_buurten_at_city_zoom(reader):
    velsen(2022)

    response = _get(reader, gemeente="GM0453", year=2022, level="buurt", zoom=13)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    data = _collection(response)
    assert data["type"] == "FeatureCollection"
    # 63 buurten, one without a shape (BU04530004).
    assert len(data["features"]) == 62
    assert response["X-Feature-Count"] == "62"
    codes = {f["properties"]["code"] for f in data["features"]}
    assert "BU04530004" not in codes
    feature = next(f for f in data["features"] if f["id"] == "BU04530100")
    area = Area.objects.get(year=2022, code="BU04530100")
    assert feature["geometry"] == json.loads(area.shape_stad)
    assert feature["properties"] == {"code": "BU04530100", "name": area.name, "parent": "WK045301"}


@pytest.mark.parametrize(
    ("zoom", "band"), [(7, "land"), (9, "land"), (10, "regio"), (11, "regio"), (12, "stad")]
)
def test_zoom_picks_the_band(reader, zoom, band):
    velsen(2022)
    data = _collection(_get(reader, gemeente="GM0453", year=2022, level="wijk", zoom=zoom))
    area = Area.objects.get(year=2022, code="WK045301")
    feature = next(f for f in data["features"] if f["id"] == "WK045301")
    assert feature["geometry"] == json.loads(getattr(area, f"shape_{band}"))


def test_water_is_never_drawn(reader):
    small_gemeente()
    data = _collection(_get(reader, gemeente="GM0453", year=2022, level="buurt", zoom=13))
    assert len(data["features"]) == 4
    assert all(not f["id"].endswith("9997") for f in data["features"])


def test_national_overview_at_land_band(reader):
    small_gemeente(2022)
    small_gemeente(2022, code="GM0392", name="Haarlem", origin=(4.6, 52.36))

    for gemeente in ("NL", None):
        params = {"year": 2022, "level": "gemeente", "zoom": 14}
        if gemeente:
            params["gemeente"] = gemeente
        data = _collection(_get(reader, **params))
        assert sorted(f["id"] for f in data["features"]) == ["GM0392", "GM0453"]
        area = Area.objects.get(year=2022, code="GM0392")
        assert data["features"][0]["geometry"] == json.loads(area.shape_land)

    data = _collection(_get(reader, year=2022))
    assert len(data["features"]) == 8  # all land buurten with a shape


def test_children_of_a_wijk_and_buurten_of_a_gebied(reader, world):
    data = small_gemeente()
    gebied = make_gebied(organisation=world.corporatie, buurten=data["buurten"][3:5])

    children = _collection(_get(reader, parent="WK045300", year=2022, level="buurt", zoom=14))
    assert sorted(f["id"] for f in children["features"]) == ["BU04530000", "BU04530001"]
    members = _collection(_get(reader, gebied=gebied.code, year=2022, level="buurt", zoom=14))
    assert sorted(f["id"] for f in members["features"]) == ["BU04530100", "BU04530101"]


@pytest.mark.parametrize("accept", ["application/geo+json", "application/json", "*/*"])
def test_accepts_geojson_and_json(reader, accept):
    small_gemeente()
    response = _get(reader, gemeente="GM0453", year=2022, headers={"HTTP_ACCEPT": accept})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"


def test_gzip_when_accepted(reader):
    velsen(2022)
    plain = _get(reader, gemeente="GM0453", year=2022, level="buurt", zoom=13)
    zipped = _get(
        reader, gemeente="GM0453", year=2022, level="buurt", zoom=13, headers={"HTTP_ACCEPT_ENCODING": "gzip"}
    )
    assert "Content-Encoding" not in plain
    assert zipped["Content-Encoding"] == "gzip"
    assert len(zipped.content) < len(plain.content) / 2
    assert gzip.decompress(zipped.content) == plain.content
    assert "Accept-Encoding" in zipped["Vary"]


def test_etag_last_modified_and_304(reader):
    velsen(2022)
    first = _get(reader, gemeente="GM0453", year=2022, level="buurt", zoom=13)
    etag = first["ETag"]
    assert etag.startswith('"') and first["Last-Modified"]
    assert first["Cache-Control"] == "private, max-age=60"

    again = _get(
        reader, gemeente="GM0453", year=2022, level="buurt", zoom=13, headers={"HTTP_IF_NONE_MATCH": etag}
    )
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag

    weak = _get(
        reader,
        gemeente="GM0453",
        year=2022,
        level="buurt",
        zoom=13,
        headers={"HTTP_IF_NONE_MATCH": f"W/{etag}"},
    )
    assert weak.status_code == 304
    since = _get(
        reader,
        gemeente="GM0453",
        year=2022,
        level="buurt",
        zoom=13,
        headers={"HTTP_IF_MODIFIED_SINCE": first["Last-Modified"]},
    )
    assert since.status_code == 304

    other_band = _get(
        reader, gemeente="GM0453", year=2022, level="buurt", zoom=10, headers={"HTTP_IF_NONE_MATCH": etag}
    )
    assert other_band.status_code == 200 and other_band["ETag"] != etag


def test_body_is_built_once_then_served_from_cache(reader, django_assert_max_num_queries):
    velsen(2022)
    _get(reader, gemeente="GM0453", year=2022, level="buurt", zoom=13)
    selectors._local.clear()  # another worker: only the shared cache has it
    # Session and user only: no area query, no version query.
    with django_assert_max_num_queries(2):
        response = _get(reader, gemeente="GM0453", year=2022, level="buurt", zoom=13)
    assert len(_collection(response)["features"]) == 62


def test_a_change_makes_a_new_version(reader, world):
    data = small_gemeente()
    first = _get(reader, gemeente="GM0453", year=2022, level="gebied", zoom=13)
    assert _collection(first)["features"] == []

    make_gebied(organisation=world.corporatie, buurten=data["buurten"][:2])
    selectors.map_data_changed(2022)

    second = _get(
        reader,
        gemeente="GM0453",
        year=2022,
        level="gebied",
        zoom=13,
        headers={"HTTP_IF_NONE_MATCH": first["ETag"]},
    )
    assert second.status_code == 200
    assert [f["properties"]["name"] for f in _collection(second)["features"]] == ["IJmuiden-Noord"]


def test_version_follows_the_database_after_its_short_lifetime(reader):
    small_gemeente()
    before = selectors.map_version(2022)
    small_gemeente(2022, code="GM0392", name="Haarlem", origin=(4.6, 52.36))
    assert selectors.map_version(2022) == before  # still cached
    from django.core.cache import cache

    cache.delete("areas:map-version:2022")  # as when VERSION_TTL has passed
    assert selectors.map_version(2022) == before  # still in this process's memory
    selectors._local_versions.clear()  # as when LOCAL_VERSION_TTL has passed
    assert selectors.map_version(2022).token != before.token


def test_names_are_escaped_properly(reader, world):
    data = small_gemeente()
    Area.objects.filter(pk=data["buurten"][0].pk).update(name='De "Ring" \\ Zuid')
    body = _collection(_get(reader, gemeente="GM0453", year=2022, level="buurt", zoom=13))
    assert 'De "Ring" \\ Zuid' in [f["properties"]["name"] for f in body["features"]]


@pytest.mark.parametrize(
    "params",
    [
        {"level": "provincie"},
        {"year": "twintig"},
        {"zoom": "ver"},
        {"gemeente": "Velsen"},
        {"parent": "WK 01; drop"},
    ],
)
def test_bad_parameters_get_a_dutch_400(reader, params):
    response = _get(reader, **params)
    assert response.status_code == 400
    assert list(response.json()) == list(params)


def test_anonymous_gets_no_map(client):
    assert _get(client, gemeente="GM0453").status_code in (401, 403)


def _signed_url_from_page(client, path):
    import html
    import re

    page = client.get(path).content.decode()
    return html.unescape(re.search(r'data-geojson-url="([^"]+)"', page).group(1))


def test_page_map_url_is_signed_and_needs_no_session(reader, world, django_assert_num_queries):
    from django.test import Client

    velsen(2022)
    url = _signed_url_from_page(reader, reverse("areas:detail", args=[2022, "GM0453"]) + "?niveau=buurt")
    assert "sig=" in url

    anonymous = Client()
    first = anonymous.get(url + "&zoom=13")
    assert first.status_code == 200
    assert len(_collection(first)["features"]) == 62
    # Warm: no session, no user, no area query.
    with django_assert_num_queries(0):
        again = anonymous.get(url + "&zoom=13")
    assert again.status_code == 200 and again.content == first.content


def test_bad_or_old_signature_falls_back_to_sign_in(world, reader):
    from datetime import date, timedelta

    from django.test import Client

    from areas.api.views import map_url_signature

    small_gemeente()
    anonymous = Client()
    good = map_url_signature(world.partner_reader)
    assert _get(anonymous, gemeente="GM0453", sig=good).status_code == 200
    assert _get(anonymous, gemeente="GM0453", sig=good[:-2] + "xx").status_code == 403
    old = map_url_signature(world.partner_reader, today=date.today() - timedelta(days=3))
    assert _get(anonymous, gemeente="GM0453", sig=old).status_code == 403
    # A bad signature does not lock out someone who is signed in.
    assert _get(reader, gemeente="GM0453", sig="rommel").status_code == 200


def test_signature_of_a_deactivated_user_builds_nothing(world):
    from django.test import Client

    from areas.api.views import map_url_signature

    small_gemeente()
    user = world.partner_reader
    signature = map_url_signature(user)
    user.is_active = False
    user.save()
    response = _get(Client(), gemeente="GM0453", year=2022, sig=signature)
    assert response.status_code == 403
    assert "Log opnieuw in" in response.json()["detail"]


def test_warm_signed_map_skips_session_user_and_api_framework(reader, world, monkeypatch):
    from django.test import Client

    from areas.api.views import AreaViewSet, map_url_signature

    velsen(2022)
    params = {
        "gemeente": "GM0453",
        "year": 2022,
        "level": "buurt",
        "zoom": 13,
        "sig": map_url_signature(world.partner_reader),
    }
    cold = Client().get(URL, params, HTTP_ACCEPT_ENCODING="gzip")
    assert cold.status_code == 200

    def no_framework(*args, **kwargs):
        raise AssertionError("the warm signed map went through the API view")

    monkeypatch.setattr(AreaViewSet, "initial", no_framework)
    warm = Client().get(URL, params, HTTP_ACCEPT_ENCODING="gzip")
    assert warm.status_code == 200
    assert warm.content == cold.content
    for header in ("ETag", "Last-Modified", "Cache-Control", "Content-Encoding", "X-Feature-Count", "Vary"):
        assert warm[header] == cold[header], header
    revalidated = Client().get(URL, params, HTTP_IF_NONE_MATCH=cold["ETag"])
    assert revalidated.status_code == 304
