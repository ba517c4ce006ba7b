"""Score maps built ahead: the recompute job ends by building the open buurt maps people
open first (national, and every gemeente with scores at both gemeente zooms), so the
first request after an import or recomputation is answered from the cache. Licensed
maps are never built ahead."""

import gzip
import json
from unittest import mock

import pytest
from django.core.cache import cache
from django.urls import reverse

from areas.selectors import MapQuery
from scores import tasks, versions
from scores.api import geojson
from scores.tests.helpers import (
    index_model,
    indicator,
    licensed_source,
    published_model,
    put_scores,
    put_table,
    score_world,
)

pytestmark = pytest.mark.django_db

# The index data of ``test_compute``: buurten of 2022 in order 0000, 0001, 0002, 0100, 0101.
INHABITANTS = [1000, 2000, 30, 1500, 500]
P_HH_LI = [10.0, 20.0, 5.0, 30.0, None]
P_ARB_PP = [70.0, 60.0, 80.0, 50.0, 65.0]
G_WOZBAG = [300.0, 250.0, 400.0, 200.0, 280.0]
# Worked out by hand in ``test_compute`` (HAND): the index of buurt 0000 is
# 1.224745 / 4 + 1.183216 / 2 + 1.128330 / 4 = 1.179877, of 0100 -1.448466.
INDEX_0000, INDEX_0100 = 1.179877, -1.448466


@pytest.fixture(autouse=True)
def _clean_memory():
    versions._local.clear()
    geojson.clear_memory()
    yield


@pytest.fixture
def maps_data(world):
    sw = score_world(years=(2022,))
    put_table(
        sw[2022].buurten,
        {"a_inw": INHABITANTS, "p_hh_li": P_HH_LI, "p_arb_pp": P_ARB_PP, "g_wozbag": G_WOZBAG},
    )
    index = index_model(
        key="test-index",
        components=[(indicator("p_hh_li"), 1.0), (indicator("p_arb_pp"), 2.0), (indicator("g_wozbag"), 1.0)],
    )
    source = licensed_source(
        owner=world.corporatie, shared_with=[world.gemeente], name="Aedes veerkrachtkaart"
    )
    aedes = published_model(source=source, key="aedes-test")
    put_scores(aedes, {sw[2022].by_code["BU04530000"]: (2.0, 2), sw[2022].by_code["BU04530100"]: (5.0, 5)})
    return index, aedes


def _recompute(django_capture_on_commit_callbacks, **kwargs):
    before = versions.data_version()
    with django_capture_on_commit_callbacks(execute=True):
        tasks.scores_recompute.delay(**kwargs)
    versions._local.clear()
    assert versions.data_version() != before
    # Another process: nothing in this one's memory, only the shared cache.
    geojson.clear_memory()


def _url(**params):
    query = "&".join(f"{k}={v}" for k, v in {"year": 2022, "level": "buurt", **params}.items())
    return f"{reverse('score-geojson')}?{query}"


def _features(response):
    body = response.content
    if response.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    return {f["properties"]["code"]: f["properties"] for f in json.loads(body)["features"]}


def _cached(model_key, **map_params):
    query = geojson.ScoredQuery(
        map=MapQuery(year=2022, level="buurt", **map_params), kind=geojson.MODEL, key=model_key
    )
    return geojson.scored_geojson_cached(query=query, version=geojson.scored_version(query))


def test_first_map_request_after_a_recompute_does_not_build(
    client, world, maps_data, django_capture_on_commit_callbacks
):
    index, _aedes = maps_data
    _recompute(django_capture_on_commit_callbacks, years=[2022], model_ids=[index.pk])
    client.force_login(world.users["tenant_rep"])
    # Building a map now would fail the request: every answer comes from the cache.
    with mock.patch.object(geojson.maps, "map_table", side_effect=AssertionError("map built on request")):
        national = client.get(_url(model=index.key))
        # zoom 13 (a small gemeente) draws the city band, zoom 11 (a large one) the regional band.
        city = client.get(_url(model=index.key, gemeente="GM0453", zoom=13))
        region = client.get(_url(model=index.key, gemeente="GM0453", zoom=11))
    for response in (national, city, region):
        assert response.status_code == 200
        features = _features(response)
        assert features["BU04530000"]["value"] == pytest.approx(INDEX_0000, abs=0.005)
        assert features["BU04530100"]["value"] == pytest.approx(INDEX_0100, abs=0.005)


def test_the_body_built_ahead_is_what_a_signed_in_person_gets(
    client, world, maps_data, django_capture_on_commit_callbacks
):
    index, _aedes = maps_data
    _recompute(django_capture_on_commit_callbacks, years=[2022], model_ids=[index.pk])
    ahead = _cached(index.key, band="stad", gemeente="GM0453")
    assert ahead is not None
    # Built afresh for a real person, without the cache.
    cache.clear()
    geojson.clear_memory()
    client.force_login(world.users["outsider"])
    response = client.get(_url(model=index.key, gemeente="GM0453", zoom=13), HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert gzip.decompress(response.content) == gzip.decompress(ahead.gzipped)


def test_licensed_maps_are_not_built_ahead(maps_data, django_capture_on_commit_callbacks):
    index, aedes = maps_data
    # A recompute of every model, the licensed published one included.
    _recompute(django_capture_on_commit_callbacks, years=[2022])
    assert _cached(index.key, band="land") is not None
    assert _cached(aedes.key, band="land") is None
    assert _cached(aedes.key, band="stad", gemeente="GM0453") is None


def test_warm_builds_each_default_map_once(maps_data, django_capture_on_commit_callbacks):
    index, _aedes = maps_data
    _recompute(django_capture_on_commit_callbacks, years=[2022], model_ids=[index.pk])
    assert geojson.open_maps_warm(model_ids=[index.pk], years=[2022]) == 0
    cache.clear()
    geojson.clear_memory()
    # The national map plus Velsen at the regional and the city zoom: 1 + 2 = 3.
    assert geojson.open_maps_warm(model_ids=[index.pk], years=[2022]) == 3
    geojson.clear_memory()
    assert geojson.open_maps_warm(model_ids=[index.pk], years=[2022]) == 0
