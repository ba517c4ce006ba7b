"""Signals that are new in their cell: computed over three years of Velsen and shown on
the map table, in the legend counts, in the area section, in the API, the GeoJSON and the
export of the map table."""

import csv
import gzip
import io
import json

import pytest
from django.urls import reverse

from scores import catalogue, versions
from scores.api import geojson
from scores.models import Score, ScoreModel
from scores.selectors import maps
from scores.services.compute import scores_recompute
from scores.tests.helpers import indicator, put_table, score_world

# Three buurten of Wijk 00 Centrum, one indicator per role, both "higher is worse", 1000
# inhabitants each (so the wijk takes the plain mean of their changes):
#
#   buurt             2022  2023  2024   (same values for p_hh_li and a_gewsek)
#   Dorpskern  0000     10    10    20
#   Zeehelden  0001     20    30    40
#   Kriemhilde 0002     30    40    20
#
# A change is divided by the population standard deviation of the earlier year:
#   2022: mean 20, variance (100 + 0 + 100) / 3 = 66.667, std 8.1650
#   2023: mean 26.667, variance (277.78 + 11.11 + 177.78) / 3 = 155.56, std 12.4722
# Signals of 2023 (against 2022), the first measurement of the typology:
#   0000:  0 / 8.1650 = 0      both stable  (cell 5)
#   0001: 10 / 8.1650 = +1.22  both rising  (cell 9)
#   0002: 10 / 8.1650 = +1.22  both rising  (cell 9)
#   no previous signal, so none of them is new.
# Signals of 2024 (against 2023):
#   0000: +10 / 12.4722 = +0.80  both rising  (9), was 5: enters both rising -> new
#   0001: +10 / 12.4722 = +0.80  both rising  (9), was 9: stays -> not new
#   0002: -20 / 12.4722 = -1.60  both falling (1), was 9: leaves both rising, and so is
#         new in "both falling"
# Wijk 00: 2023 (0 + 1.22 + 1.22) / 3 = +0.82 -> 9; 2024 (0.80 + 0.80 - 1.60) / 3 = 0.00
#   -> both stable (5), was 9: new.
VALUES = {2022: [10, 20, 30], 2023: [10, 30, 40], 2024: [20, 40, 20]}
ENTERS, STAYS, LEAVES = "BU04530000", "BU04530001", "BU04530002"
WIJK = "WK045300"


@pytest.fixture(autouse=True)
def _clean_memory():
    versions._local.clear()
    geojson.clear_memory()
    yield


@pytest.fixture
def signal(world):
    sw = score_world(years=(2022, 2023, 2024))
    for year, values in VALUES.items():
        buurten = [sw.area(year, code) for code in (ENTERS, STAYS, LEAVES)]
        put_table(buurten, {"a_inw": [1000] * 3, "p_hh_li": values, "a_gewsek": values})
    typology = ScoreModel.objects.create(
        key="test-signalen",
        name="Signalen",
        kind=ScoreModel.Kind.SIGNAL,
        stable_band=0.1,
        classes=catalogue.SIGNAL_CLASSES,
    )
    typology.components.create(indicator=indicator("p_hh_li"), weight=1.0, role="kwetsbaarheid")
    typology.components.create(indicator=indicator("a_gewsek"), weight=1.0, role="overlast")
    scores_recompute(model_ids=[typology.pk])
    return typology


def _table(world, signal, year):
    return maps.score_table(
        user=world.users["tenant_rep"], model=signal, year=year, level="buurt", gemeente="GM0453"
    )


def test_the_buurt_that_enters_both_rising_is_new_the_one_that_stays_is_not(world, signal):
    by_code = {row.code: row for row in _table(world, signal, 2024).rows}
    assert [(by_code[c].score_class, by_code[c].new_in_cell) for c in (ENTERS, STAYS, LEAVES)] == [
        (9, True),
        (9, False),
        (1, True),
    ]
    assert by_code[ENTERS].new_both_rising and not by_code[LEAVES].new_both_rising
    # The stored previous cells the mark is read from.
    stored = dict(
        Score.objects.filter(
            model=signal, year=2024, area__kind="buurt", score_class__isnull=False
        ).values_list("area__code", "previous_class")
    )
    assert stored == {ENTERS: 5, STAYS: 9, LEAVES: 9}


def test_the_first_measurement_has_nothing_new(world, signal):
    table = _table(world, signal, 2023)
    signalled = [r for r in table.rows if r.score_class is not None]
    assert {r.code: r.score_class for r in signalled} == {ENTERS: 5, STAYS: 9, LEAVES: 9}
    assert not any(r.new_in_cell for r in table.rows)
    assert sum(cell.new for row in table.signal_grid for cell in row.cells) == 0


def test_legend_counts_the_new_ones_per_cell(world, signal):
    grid = _table(world, signal, 2024).signal_grid
    counts = [[(cell.count, cell.new) for cell in row.cells] for row in grid]
    # Rows: vulnerability falling, stable, rising; columns: overlast falling, stable, rising.
    assert counts == [
        [(1, 1), (0, 0), (0, 0)],
        [(0, 0), (0, 0), (0, 0)],
        [(0, 0), (0, 0), (2, 1)],
    ]


def test_map_page_marks_the_new_ones_and_the_new_both_rising_stands_out(client, world, signal):
    client.force_login(world.users["tenant_rep"])
    response = client.get(
        f"{reverse('scores:map')}?kaart=model:test-signalen&jaar=2024&niveau=buurt&gemeente=GM0453"
    )
    html = response.content.decode()
    legend = html[html.index("data-signal-grid") : html.index("</table>", html.index("data-signal-grid"))]
    both_rising = legend[
        legend.index('data-signal-cell="9"') : legend.index("</td>", legend.index('data-signal-cell="9"'))
    ]
    assert "2 gebieden" in both_rising and "(1 nieuw)" in both_rising
    assert "wk-new-in-cell--both-rising" in both_rising
    both_falling = legend[
        legend.index('data-signal-cell="1"') : legend.index("</td>", legend.index('data-signal-cell="1"'))
    ]
    assert "1 gebied" in both_falling and "(1 nieuw)" in both_falling
    assert "wk-new-in-cell--both-rising" not in both_falling

    table = html[html.index("data-score-table") :]
    rows = {
        code: table[table.rfind("<tr", 0, table.index(code)) : table.index("</tr>", table.index(code))]
        for code in (ENTERS, STAYS, LEAVES)
    }
    assert "data-new-both-rising" in rows[ENTERS] and "nieuw: sterkste signaal" in rows[ENTERS]
    assert "data-new-in-cell" not in rows[STAYS]
    assert "data-new-in-cell" in rows[LEAVES] and "data-new-both-rising" not in rows[LEAVES]


def test_area_section_marks_the_wijks_new_cell_and_its_new_buurten(client, world, signal):
    client.force_login(world.users["partner_reader"])
    html = client.get(reverse("areas:detail", args=[2024, WIJK]), {"model": "test-signalen"}).content.decode()
    start = html.index('id="scores-in-het-kort"')
    section = html[start : html.index("</section>", start)]
    cell = section[section.index("data-signal>") : section.index("</p>", section.index("data-signal>"))]
    assert "kwetsbaarheid stabiel, overlast stabiel" in cell
    assert "data-new-in-cell" in cell and "data-new-both-rising" not in cell
    assert "in 2023: kwetsbaarheid stijgt, overlast stijgt" in cell


def test_api_has_new_in_cell_on_every_score(client, world, signal):
    client.force_login(world.users["tenant_rep"])
    url = reverse("score-list")
    rows = client.get(url, {"model": "test-signalen", "year": 2024, "level": "buurt"}).json()["results"]
    new = {r["area"]["code"]: r["new_in_cell"] for r in rows}
    # 0100 and 0102 have no values, so a score row without a cell, never new.
    assert new == {ENTERS: True, STAYS: False, LEAVES: True, "BU04530100": False, "BU04530102": False}
    first = client.get(url, {"model": "test-signalen", "year": 2023, "level": "buurt"}).json()["results"]
    assert len(first) == 5 and not any(r["new_in_cell"] for r in first)
    # Models without cells never mark anything.
    other = client.get(url, {"model": "leefbaarometer"}).json()["results"]
    assert all(r["new_in_cell"] is False for r in other)


def test_geojson_has_new_in_cell_per_feature(client, world, signal):
    client.force_login(world.users["tenant_rep"])
    response = client.get(
        f"{reverse('score-geojson')}?model=test-signalen&year=2024&level=buurt&gemeente=GM0453"
    )
    body = response.content
    if response.get("Content-Encoding") == "gzip":
        body = gzip.decompress(body)
    props = {f["properties"]["code"]: f["properties"] for f in json.loads(body)["features"]}
    assert [props[c]["new_in_cell"] for c in (ENTERS, STAYS, LEAVES)] == [True, False, True]
    assert props["BU04530100"]["new_in_cell"] is False  # no signal at all


def test_export_has_a_new_in_cell_column(client, world, signal):
    client.force_login(world.users["tenant_rep"])
    response = client.get(
        f"{reverse('scores:export')}?kaart=model:test-signalen&jaar=2024&niveau=buurt&gemeente=GM0453&format=csv"
    )
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    column = lines[0].index("Nieuw in dit vak")
    by_code = {line[0]: line[column] for line in lines[1:] if line}
    assert (by_code[ENTERS], by_code[STAYS], by_code[LEAVES]) == ("ja", "nee", "ja")
    assert by_code["BU04530100"] == ""  # no cell, so neither new nor not new
