"""The scores API: filters, writes through the services, stale versions (409) and query
counts that do not grow with the rows."""

import json

import pytest
from django.urls import reverse

from scores.models import IndicatorValue, Score, Source
from scores.tests.helpers import put_scores, put_values
from scores.tests.test_licensed import INDICATOR_KEY, MODEL_KEY, build

pytestmark = pytest.mark.django_db


def _patch(client, url, data):
    return client.patch(url, data=json.dumps(data), content_type="application/json")


def _post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


def test_source_create_and_share(client, world):
    client.force_login(world.org_admin)
    response = _post(
        client,
        reverse("score-source-list"),
        {
            "name": "Enquête Zeewijk",
            "kind": "generic",
            "is_licensed": True,
            "owner_organisation": world.corporatie.slug,
        },
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["owner_organisation"]["slug"] == world.corporatie.slug and data["shared_with"] == []
    response = _post(
        client,
        reverse("score-source-share", args=[data["id"]]),
        {"organisations": [world.gemeente.slug], "version": data["version"]},
    )
    assert response.status_code == 200, response.content
    assert [org["slug"] for org in response.json()["shared_with"]] == [world.gemeente.slug]


def test_source_create_errors_are_dutch(client, world):
    client.force_login(world.corp_editor)
    response = _post(
        client,
        reverse("score-source-list"),
        {
            "name": "Veerkracht",
            "kind": "aedes-veerkracht",
            "is_licensed": False,
            "owner_organisation": world.corporatie.slug,
        },
    )
    assert response.status_code == 400
    assert "altijd gelicentieerd" in response.json()["is_licensed"][0]


def test_source_patch_needs_the_current_version(client, world):
    source = build(world).source
    client.force_login(world.corp_editor)
    url = reverse("score-source-detail", args=[source.pk])
    assert _patch(client, url, {"description": "Zonder versie"}).status_code == 400
    assert _patch(client, url, {"description": "Eerst", "version": source.version}).status_code == 200
    response = _patch(client, url, {"description": "Te laat", "version": source.version})
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    source.refresh_from_db()
    assert source.description == "Eerst"


def test_score_model_patch_by_platform_admin(client, world):
    model = build(world).open_model
    client.force_login(world.platform_admin)
    url = reverse("score-model-detail", args=[model.key])
    components = [
        {"indicator": c.indicator_id, "weight": 2.0 if i == 0 else c.weight}
        for i, c in enumerate(model.components.all())
    ]
    response = _patch(
        client, url, {"cutoffs": [-1, -0.5, 0.5, 1], "components": components, "version": model.version}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["cutoffs"] == [-1, -0.5, 0.5, 1] and body["version"] == 2
    assert max(c["weight"] for c in body["components"]) == 2.0
    response = _patch(client, url, {"cutoffs": [1, 0, -1, -2], "version": 2})
    assert response.status_code == 400
    assert "van laag naar hoog" in response.json()["cutoffs"][0]
    response = _patch(
        client, url, {"components": [{"indicator": build(world).indicator.pk, "weight": 1}], "version": 2}
    )
    # The licensed indicator is not visible to the platform admin at all.
    assert response.status_code == 400 and "Onbekende indicator" in str(response.json())


def test_indicator_values_filters(client, world):
    w = build(world)
    other = w.sw.area(2022, "BU04530001")
    put_values({"a_inw": {other: 800, w.sw[2022].gemeente: 2000}})
    client.force_login(world.tenant_rep)
    url = reverse("indicator-value-list")
    rows = client.get(url, {"key": "a_inw", "level": "buurt"}).json()["results"]
    assert {row["area"]["code"] for row in rows} == {"BU04530000", "BU04530001"}
    rows = client.get(url, {"area": "bu04530001 "}).json()["results"]
    assert [(row["indicator"]["key"], row["value"]) for row in rows] == [("a_inw", 800)]
    rows = client.get(url, {"gemeente": "GM0392"}).json()["results"]
    assert rows == []
    indicator = w.cbs.indicators.get(key="a_inw")
    assert client.get(url, {"indicator": indicator.pk, "year": 2021}).json()["results"] == []


def test_scores_show_class_label_trend_and_contributions(client, world):
    w = build(world)
    score = Score.objects.get(model=w.open_model, area=w.buurt)
    score.trend = 0.2
    score.previous_year = 2020
    score.contributions = {"p_hh_li": {"z": 0.4, "weight": 1.0, "contribution": 0.1}}
    score.save()
    client.force_login(world.partner_reader)
    rows = client.get(reverse("score-list"), {"model": "wijkkoers-veerkracht", "gemeente": "GM0453"}).json()[
        "results"
    ]
    assert len(rows) == 1
    row = rows[0]
    assert row["class_label"] == "veerkrachtig"
    assert row["trend"] == 0.2 and row["contributions"]["p_hh_li"]["contribution"] == 0.1
    assert row["area"]["code"] == "BU04530000"


def test_indicator_search(client, world):
    build(world)
    client.force_login(world.corp_editor)
    rows = client.get(reverse("indicator-list"), {"q": "velserduin"}).json()["results"]
    assert [row["key"] for row in rows] == [INDICATOR_KEY]
    assert rows[0]["source"]["is_licensed"] is True


def test_list_query_counts_do_not_grow(client, world, django_assert_max_num_queries):
    w = build(world)
    buurten = w.sw[2022].buurten
    put_values({"a_inw": {area: 100 + i for i, area in enumerate(buurten)}})
    put_values({INDICATOR_KEY: dict.fromkeys(buurten, 2.0)}, source=w.source)
    put_scores(w.score_model, dict.fromkeys(buurten, (2.0, 3)))
    for number in range(4):
        Source.objects.create(
            name=f"Bron {number}", kind="generic", is_licensed=True, owner_organisation=w.corporatie
        )
    assert IndicatorValue.objects.count() > 10
    client.force_login(world.corp_editor)
    for name in (
        "score-source-list",
        "indicator-list",
        "indicator-value-list",
        "score-model-list",
        "score-list",
        "score-import-list",
    ):
        with django_assert_max_num_queries(8):
            response = client.get(reverse(name))
        assert response.status_code == 200, name
    body = client.get(reverse("score-list"), {"model": MODEL_KEY}).json()
    assert body["count"] == len(buurten)
