"""The scores of one area over the years: a chart with a table beside it per model and key
indicator, the contributions of the index, the signal, and the part for the area pages."""

import pytest
from django.urls import reverse

from scores import versions
from scores.api import geojson
from scores.selectors.maps import Point, Series
from scores.templatetags.score_tags import INSET, LEFT, RIGHT, WIDTH, series_chart
from scores.tests.test_maps import build_map_data, put_signals


@pytest.fixture(autouse=True)
def _clean_memory():
    versions._local.clear()
    geojson.clear_memory()
    yield


@pytest.fixture
def data(world):
    return build_map_data(world)


def _url(year, code, partial=False):
    return reverse("scores:area", args=[year, code]) + ("?partial=1" if partial else "")


def test_page_shows_each_model_and_key_indicator_as_chart_and_table(client, world, data):
    client.force_login(world.users["corp_editor"])
    response = client.get(_url(2023, "BU04530000"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Wijkkoers veerkracht-index" in html
    assert "Veerkracht (Aedes veerkrachtkaart)" in html
    assert "gelicentieerde gegevens van Woningcorporatie Velserduin" in html
    assert html.count("<svg") >= 3  # index, Aedes, inhabitants
    assert "Inwoners" in html and "1.100" in html
    # Contributions of the index for the latest year, largest first.
    assert "Wat elke indicator bijdroeg in 2023" in html
    assert html.index("Huishoudens met een laag inkomen") < html.index("Wmo-cliënten")
    assert "<title>2022: \u22121,00 (zeer kwetsbaar)</title>" in html  # the true minus sign


def test_partial_for_the_area_pages_has_no_page_around_it(client, world, data):
    client.force_login(world.users["tenant_rep"])
    response = client.get(_url(2023, "BU04530000", partial=True))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html and "Scores en kerncijfers door de jaren" in html
    assert "Aedes" not in html


def test_signal_per_year_is_a_table_with_the_two_changes_not_a_chart(client, world, data):
    put_signals(data.sw)
    client.force_login(world.users["partner_reader"])
    html = client.get(_url(2023, "BU04530000", partial=True)).content.decode()
    assert "Signaal 2023:" in html
    assert "kwetsbaarheid stijgt, overlast stijgt" in html
    start = html.index('data-series="model-signalen"')
    part = html[start : html.index("</section>", start)]
    assert "wk-score-chart" not in part  # no chart (the class swatches are small SVGs too)
    assert "data-signal-years" in part
    assert "Verandering kwetsbaarheid" in part and "+0,60" in part and "+0,80" in part
    assert ">2022</td>" in part  # compared with 2022
    # The year without a signal says so instead of showing a number.
    assert part.count("—") >= 4


def test_redrawn_year_is_marked(client, world, data):
    client.force_login(world.users["partner_reader"])
    html = client.get(_url(2023, "BU04530100")).content.decode()
    assert "herindeling" in html


def test_area_without_data_and_unknown_area(client, world, data):
    client.force_login(world.users["outsider"])
    response = client.get(_url(2023, "WK045301"))
    assert response.status_code == 200
    assert "nog geen scores of kerncijfers" in response.content.decode()
    assert client.get(_url(2023, "BU99999999")).status_code == 404


def test_area_page_queries_do_not_grow(client, world, data, django_assert_max_num_queries):
    client.force_login(world.users["corp_editor"])
    with django_assert_max_num_queries(14):
        assert client.get(_url(2023, "BU04530000")).status_code == 200


def test_area_and_gebied_pages_load_the_scores_part(client, world, data):
    client.force_login(world.users["partner_reader"])
    for code in ("BU04530000", "WK045300", "GB0453001"):
        html = client.get(reverse("areas:detail", args=[2023, code])).content.decode()
        assert f'hx-get="{_url(2023, code, partial=True)}"' in html, code


def test_chart_keeps_its_points_off_the_axis_labels():
    series = Series("indicator", "1", "Inwoners", "aantal", 0, "", [Point(2022, 900), Point(2024, 950)])
    chart = series_chart(series)
    xs = [dot["x"] for dot in chart["dots"]]
    assert xs == [LEFT + INSET, WIDTH - RIGHT - INSET]
