"""The scored GeoJSON: scores joined into the area features, access checked on every
request before the cache (licensed maps never leak, a page signature never stands in for
a licensed map), ETag/304, and a new body after the scores data changed."""

import gzip
import json

import pytest
from django.test import RequestFactory
from django.urls import reverse

from areas.api.views import map_url_signature
from scores import versions
from scores.api import geojson
from scores.tests.test_maps import HIDDEN_FROM, SEES_LICENSED, build_map_data


@pytest.fixture(autouse=True)
def _clean_memory():
    versions._local.clear()
    geojson.clear_memory()
    yield


@pytest.fixture
def data(world):
    return build_map_data(world)


def _url(**params):
    params.setdefault("year", 2023)
    params.setdefault("level", "buurt")
    params.setdefault("gemeente", "GM0453")
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{reverse('score-geojson')}?{query}"


def _features(response):
    body = response.content
    if response.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return {f["properties"]["code"]: f["properties"] for f in json.loads(body)["features"]}


def test_features_carry_value_class_label_colour_and_trend(client, world, data):
    client.force_login(world.users["tenant_rep"])
    response = client.get(_url(model="wijkkoers-veerkracht"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    features = _features(response)
    # Water is left out; Kriemhildebuurt has no score and is drawn as such.
    assert set(features) == {"BU04530000", "BU04530001", "BU04530002", "BU04530100", "BU04530102"}
    assert features["BU04530002"]["value"] is None
    assert features["BU04530002"]["label"] == "geen gegevens"
    dorp = features["BU04530000"]
    assert dorp["value"] == -0.5 and dorp["class"] == 2 and dorp["label"] == "kwetsbaar"
    assert dorp["color"] == data.index.classes[1]["color"]
    assert dorp["trend"] == 0.5
    assert response["X-Feature-Count"] == "5"


def test_change_map_has_change_per_feature(client, world, data):
    client.force_login(world.users["outsider"])
    features = _features(client.get(_url(model="wijkkoers-veerkracht", compare=2022)))
    assert features["BU04530102"]["change"] == pytest.approx(0.5)
    assert features["BU04530102"]["previous"] == pytest.approx(0.7)
    assert features["BU04530000"]["label"].startswith("sterk gestegen")


def test_indicator_map_with_fixed_breaks(client, world, data):
    client.force_login(world.users["partner_reader"])
    features = _features(client.get(_url(indicator=data.corp_share.pk, classing="fixed", breaks="25;45")))
    assert {code: p["class"] for code, p in features.items()} == {
        "BU04530000": 1,
        "BU04530001": 1,
        "BU04530002": 2,
        "BU04530100": 2,
        "BU04530102": 3,
    }
    response = client.get(_url(indicator=data.corp_share.pk, classing="fixed", breaks="45;25"))
    assert response.status_code == 400
    assert "van laag naar hoog" in response.content.decode()


def test_year_defaults_to_the_newest_with_scores(client, world, data):
    client.force_login(world.users["corp_editor"])
    url = f"{reverse('score-geojson')}?model=wijkkoers-veerkracht&level=buurt&gemeente=GM0453"
    assert "BU04530102" in _features(client.get(url))


@pytest.mark.parametrize("persona", sorted(SEES_LICENSED | HIDDEN_FROM | {"anonymous"}))
def test_licensed_map_only_for_the_organisations_it_is_shared_with(client, world, data, persona):
    # The owner builds (and caches) the body first; nobody else may get it from the cache.
    client.force_login(world.users["corp_editor"])
    assert client.get(_url(model="aedes-test")).status_code == 200
    client.logout()
    if persona != "anonymous":
        client.force_login(world.users[persona])
    response = client.get(_url(model="aedes-test"))
    if persona == "anonymous":
        assert response.status_code in (401, 403)
    elif persona in SEES_LICENSED:
        assert response.status_code == 200
        assert _features(response)["BU04530000"]["class"] == 2
    else:
        assert response.status_code == 404
        assert b"BU04530000" not in response.content


def test_signature_never_opens_a_licensed_map(client, world, data):
    corp = world.users["corp_editor"]
    client.force_login(corp)
    assert client.get(_url(model="aedes-test")).status_code == 200  # warm
    client.logout()
    # Even the owner's own signature is not enough without a session.
    response = client.get(_url(model="aedes-test", sig=map_url_signature(corp)))
    assert response.status_code in (401, 403)
    outsider = world.users["outsider"]
    client.force_login(outsider)
    response = client.get(_url(model="aedes-test", sig=map_url_signature(corp)))
    assert response.status_code == 404
    request = RequestFactory().get(_url(model="aedes-test", sig=map_url_signature(corp)))
    assert geojson.signed_scored_response(request) is None


def test_signature_serves_a_warm_open_map_without_session(client, world, data, django_assert_max_num_queries):
    user = world.users["partner_reader"]
    url = _url(model="wijkkoers-veerkracht", sig=map_url_signature(user))
    cold = client.get(url)  # builds with the signature's user
    assert cold.status_code == 200
    request = RequestFactory().get(url, HTTP_ACCEPT_ENCODING="gzip")
    with django_assert_max_num_queries(1):  # only "is this subject open?"
        warm = geojson.signed_scored_response(request)
    assert warm is not None and warm.status_code == 200
    assert warm["ETag"] == cold["ETag"]
    assert gzip.decompress(warm.content) == cold.content


def test_etag_gives_304_and_changes_with_the_scores_data(client, world, data):
    client.force_login(world.users["gemeente_reviewer"])
    url = _url(model="wijkkoers-veerkracht")
    first = client.get(url)
    etag = first["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    # Another query has another ETag.
    assert client.get(_url(model="wijkkoers-veerkracht", compare=2022))["ETag"] != etag
    data.index.scores.filter(area__code="BU04530000", year=2023).update(value=-0.9, score_class=1)
    # Without a data change the cached body is served: nothing is rebuilt per request.
    assert _features(client.get(url))["BU04530000"]["value"] == -0.5
    versions.data_changed()
    response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert _features(response)["BU04530000"]["value"] == -0.9


def test_licence_check_runs_on_every_request_even_when_warm(client, world, data):
    client.force_login(world.users["gemeente_reviewer"])
    url = _url(model="aedes-test")
    etag = client.get(url)["ETag"]
    # The corporation stops sharing: the very next request is refused, cache or not.
    data.aedes.source.shared_with.clear()
    assert client.get(url).status_code == 404
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 404


def test_bad_parameters_are_explained(client, world, data):
    client.force_login(world.users["corp_editor"])
    response = client.get(f"{reverse('score-geojson')}?year=2023")
    assert response.status_code == 400
    assert "Kies een scoremodel" in response.content.decode()
    assert client.get(_url(model="wijkkoers-veerkracht", level="provincie")).status_code == 400
    assert client.get(_url(model="bestaat-niet")).status_code == 404


def test_middleware_answers_warm_open_maps_and_passes_the_rest_on(client, world, data):
    from core.middleware import SignedMapMiddleware

    user = world.users["tenant_rep"]
    passed_on = []

    def view(request):
        passed_on.append(request.get_full_path())
        return None

    middleware = SignedMapMiddleware(view)
    open_url = _url(model="wijkkoers-veerkracht", sig=map_url_signature(user))
    middleware(RequestFactory().get(open_url))  # cold: the view builds it
    assert len(passed_on) == 1
    client.get(open_url)
    response = middleware(RequestFactory().get(open_url))
    assert response is not None and response.status_code == 200 and len(passed_on) == 1
    middleware(RequestFactory().get(_url(model="aedes-test", sig=map_url_signature(user))))
    assert len(passed_on) == 2


def test_a_map_that_turns_licensed_stops_answering_signed_urls_at_once(client, world, data):
    """``is_open`` is remembered per data version; every service that changes a source's
    licence changes that version (simulated here), so a signature stops working at once."""
    user = world.users["gemeente_reviewer"]
    source = data.aedes.source
    source.is_licensed = False
    source.save()
    versions.data_changed()
    url = _url(model="aedes-test", sig=map_url_signature(user))
    assert client.get(url).status_code == 200
    assert geojson.signed_scored_response(RequestFactory().get(url)) is not None

    source.is_licensed = True
    source.save()
    versions.data_changed()
    assert geojson.signed_scored_response(RequestFactory().get(url)) is None
    assert client.get(url).status_code in (401, 403)
