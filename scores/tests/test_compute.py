"""Computing scores: the index by hand, aggregation, published classes, the signal
typology, trends across years and redrawings, and the guard against licensed data."""

import logging
import math

import numpy as np
import pytest

from scores import versions
from scores.models import Score, ScoreImport, ScoreModel
from scores.services.compute import scores_recompute
from scores.services.score_kinds import classify
from scores.tests.helpers import (
    index_model,
    indicator,
    licensed_source,
    model,
    put_scores,
    put_table,
    put_values,
    score_world,
)
from tests import factories

pytestmark = pytest.mark.django_db

CUTOFFS = (-0.5, 0.0, 0.5)
# Buurten of 2022 in order: 0000, 0001, 0002, 0100, 0101.
INHABITANTS = [1000, 2000, 30, 1500, 500]
P_HH_LI = [10.0, 20.0, 5.0, 30.0, None]  # higher is worse, weight 1
P_ARB_PP = [70.0, 60.0, 80.0, 50.0, 65.0]  # higher is better, weight 2
G_WOZBAG = [300.0, 250.0, 400.0, 200.0, 280.0]  # higher is better, weight 1
COMPONENTS = (("p_hh_li", 1.0, -1), ("p_arb_pp", 2.0, 1), ("g_wozbag", 1.0, 1))


@pytest.fixture
def velsen():
    return score_world(years=(2022, 2023), shapes=False)


@pytest.fixture
def index(velsen):
    year = velsen[2022]
    put_table(
        year.buurten,
        {"a_inw": INHABITANTS, "p_hh_li": P_HH_LI, "p_arb_pp": P_ARB_PP, "g_wozbag": G_WOZBAG},
    )
    # Water: huge values and many inhabitants, which must not count anywhere.
    put_values({key: {year.water: 10_000.0} for key in ("a_inw", "p_hh_li", "p_arb_pp", "g_wozbag")})
    return index_model(
        components=[(indicator(key), weight) for key, weight, _sign in COMPONENTS], cutoffs=CUTOFFS
    )


def score(score_model, area):
    return Score.objects.get(model=score_model, area=area)


# The index worked out by hand. Eligible are the land buurten with at least 50
# inhabitants: 0000, 0001, 0100 and 0101 (0002 has 30, the water buurt never counts).
# z = (x - mean) / population std over the eligible buurten that have a value, turned
# round for p_hh_li (higher is worse).
#
# p_hh_li: 10, 20, 30 (0101 has none); mean 60 / 3 = 20;
#   variance (100 + 0 + 100) / 3 = 66.6667, std 8.164966;
#   z = -(x - 20) / 8.164966: 0000 +1.224745, 0001 0, 0100 -1.224745.
# p_arb_pp: 70, 60, 50, 65; mean 245 / 4 = 61.25;
#   variance (76.5625 + 1.5625 + 126.5625 + 14.0625) / 4 = 54.6875, std 7.395100;
#   z: 0000 8.75 / 7.3951 = 1.183216, 0001 -1.25 / 7.3951 = -0.169031,
#      0100 -11.25 / 7.3951 = -1.521278, 0101 3.75 / 7.3951 = 0.507093.
# g_wozbag: 300, 250, 200, 280; mean 1030 / 4 = 257.5;
#   variance (1806.25 + 56.25 + 3306.25 + 506.25) / 4 = 1418.75, std 37.666298;
#   z: 0000 42.5 / 37.6663 = 1.128330, 0001 -7.5 / 37.6663 = -0.199117,
#      0100 -57.5 / 37.6663 = -1.526564, 0101 22.5 / 37.6663 = 0.597351.
# Weights 1 : 2 : 1 give 1/4, 1/2, 1/4; 0101 lacks p_hh_li, so 2/3 and 1/3:
#   0000: 1.224745 / 4 + 1.183216 / 2 + 1.128330 / 4 = 0.306186 + 0.591608 + 0.282083 = 1.179877
#   0001: 0 / 4 - 0.169031 / 2 - 0.199117 / 4 = 0 - 0.084516 - 0.049779 = -0.134295
#   0100: -1.224745 / 4 - 1.521278 / 2 - 1.526564 / 4 = -0.306186 - 0.760639 - 0.381641 = -1.448466
#   0101: 0.507093 * 2/3 + 0.597351 / 3 = 0.338062 + 0.199117 = 0.537179
# Per buurt position: the index, and per indicator (value, z, weight).
HAND = {
    0: (
        1.179877,
        {
            "p_hh_li": (10.0, 1.224745, 1 / 4),
            "p_arb_pp": (70.0, 1.183216, 1 / 2),
            "g_wozbag": (300.0, 1.128330, 1 / 4),
        },
    ),
    1: (
        -0.134295,
        {
            "p_hh_li": (20.0, 0.0, 1 / 4),
            "p_arb_pp": (60.0, -0.169031, 1 / 2),
            "g_wozbag": (250.0, -0.199117, 1 / 4),
        },
    ),
    3: (
        -1.448466,
        {
            "p_hh_li": (30.0, -1.224745, 1 / 4),
            "p_arb_pp": (50.0, -1.521278, 1 / 2),
            "g_wozbag": (200.0, -1.526564, 1 / 4),
        },
    ),
    4: (0.537179, {"p_arb_pp": (65.0, 0.507093, 2 / 3), "g_wozbag": (280.0, 0.597351, 1 / 3)}),
}


def hand_index(buurt: int) -> tuple[float, dict]:
    """The hand-worked index of the buurt at ``buurt`` (see ``HAND``) and its parts."""
    value, parts = HAND[buurt]
    return value, {key: {"value": v, "z": z, "weight": w} for key, (v, z, w) in parts.items()}


def hand_class(value: float) -> int:
    return 1 + sum(value >= c for c in CUTOFFS)


def test_index_of_one_buurt_is_reproducible_by_hand(velsen, index):
    report = scores_recompute(years=[2022], model_ids=[index.pk])
    assert report["models"] == [index.key]
    assert report["years"] == [2022]

    for position in (0, 1, 3):
        row = score(index, velsen[2022].buurten[position])
        expected, parts = hand_index(position)
        assert row.value == pytest.approx(expected, abs=1e-5)
        assert row.score_class == hand_class(expected)
        assert not row.is_aggregated
        assert row.no_data_reason == ""
        assert set(row.contributions) == set(parts)
        for key, part in parts.items():
            stored = row.contributions[key]
            assert stored["value"] == part["value"]
            assert stored["z"] == pytest.approx(part["z"], abs=1e-6)
            assert stored["weight"] == pytest.approx(part["weight"], abs=1e-6)
            assert stored["contribution"] == pytest.approx(part["weight"] * part["z"], abs=1e-5)
        # The score is the sum of its contributions.
        assert row.value == pytest.approx(
            sum(c["contribution"] for c in row.contributions.values()), abs=1e-12
        )


def test_missing_component_renormalises_the_weights(velsen, index):
    scores_recompute(years=[2022], model_ids=[index.pk])
    row = score(index, velsen[2022].buurten[4])  # no p_hh_li: 3 of 4 weight present
    expected, _parts = hand_index(4)
    assert "p_hh_li" not in row.contributions
    assert row.contributions["p_arb_pp"]["weight"] == pytest.approx(2 / 3, abs=1e-6)
    assert row.value == pytest.approx(expected, abs=1e-5)


def test_more_than_half_of_the_weight_missing_gives_no_score(velsen, index):
    buurt = velsen[2022].buurten[4]
    put_values({"p_arb_pp": {buurt: None}})  # now only g_wozbag: 1 of 4
    scores_recompute(years=[2022], model_ids=[index.pk])
    row = score(index, buurt)
    assert row.value is None
    assert row.score_class is None
    assert row.contributions is None
    assert row.no_data_reason == "ontbrekende gegevens"


def test_exactly_half_of_the_weight_present_still_scores(velsen, index):
    buurt = velsen[2022].buurten[0]
    put_values({"p_hh_li": {buurt: None}, "g_wozbag": {buurt: None}})  # p_arb_pp: 2 of 4
    scores_recompute(years=[2022], model_ids=[index.pk])
    row = score(index, buurt)
    assert row.value is not None
    assert list(row.contributions) == ["p_arb_pp"]
    assert row.contributions["p_arb_pp"]["weight"] == 1.0


def test_buurt_under_the_minimum_population_has_no_data(velsen, index):
    scores_recompute(years=[2022], model_ids=[index.pk])
    row = score(index, velsen[2022].buurten[2])
    assert row.value is None
    assert row.score_class is None
    assert row.no_data_reason == "minder dan 50 inwoners"
    # Its values did not enter the national mean either (see the hand computation).
    expected, _ = hand_index(0)
    assert score(index, velsen[2022].buurten[0]).value == pytest.approx(expected, abs=1e-5)


def test_buurt_without_inhabitants_value_has_no_data(velsen, index):
    buurt = velsen[2022].buurten[1]
    put_values({"a_inw": {buurt: None}})
    scores_recompute(years=[2022], model_ids=[index.pk])
    assert score(index, buurt).no_data_reason == "minder dan 50 inwoners"


def test_water_is_left_out(velsen, index):
    scores_recompute(years=[2022], model_ids=[index.pk])
    assert not Score.objects.filter(model=index, area=velsen[2022].water).exists()
    buurten = Score.objects.filter(model=index, area__kind="buurt")
    assert buurten.count() == 5


def test_class_cut_off_edges():
    values = np.array([-0.500001, -0.5, -0.1, 0.0, 0.499999, 0.5, 3.0, np.nan])
    classes = classify(values, list(CUTOFFS))
    assert classes[:7].tolist() == [1, 2, 2, 3, 3, 4, 4]
    assert math.isnan(classes[7])
    assert math.isnan(classify(np.array([0.2]), [])[0])


def test_wijk_gemeente_and_gebied_are_weighted_by_inhabitants(velsen, index):
    scores_recompute(years=[2022], model_ids=[index.pk])
    year = velsen[2022]
    buurt_values = {i: hand_index(i)[0] for i in (0, 1, 3, 4)}

    def weighted(positions):
        total = sum(INHABITANTS[i] for i in positions)
        return sum(INHABITANTS[i] * buurt_values[i] for i in positions) / total

    # Wijk 00: 0000 and 0001 (0002 has too few inhabitants); gebied: 0000, 0001, 0100.
    for area, positions in (
        (year.wijken[0], (0, 1)),
        (year.wijken[1], (3, 4)),
        (year.gemeente, (0, 1, 3, 4)),
        (year.gebied, (0, 1, 3)),
    ):
        row = score(index, area)
        assert row.is_aggregated
        assert row.value == pytest.approx(weighted(positions), abs=1e-5)
        assert row.score_class == hand_class(row.value)
        assert row.value == pytest.approx(
            sum(c["contribution"] for c in row.contributions.values()), abs=1e-12
        )
    wijk = score(index, year.wijken[0])
    expected_raw = (1000 * P_ARB_PP[0] + 2000 * P_ARB_PP[1]) / 3000
    assert wijk.contributions["p_arb_pp"]["value"] == pytest.approx(expected_raw, abs=1e-5)


def test_aggregate_without_scored_buurten_says_why(velsen, index):
    year = velsen[2022]
    put_values({"a_inw": {year.buurten[3]: 10, year.buurten[4]: 10}})
    scores_recompute(years=[2022], model_ids=[index.pk])
    row = score(index, year.wijken[1])
    assert row.value is None
    assert row.no_data_reason == "geen buurten met een score"


def test_published_rows_stay_and_missing_levels_are_aggregated(velsen):
    year = velsen[2022]
    lbm = model("leefbaarometer")
    put_table(year.buurten, {"a_inw": INHABITANTS})
    put_values({"a_inw": {year.water: 100_000}})
    classes = [3, 8, 5, 6, 4]
    values = [-0.2, 0.3, 0.0, 0.1, -0.1]
    put_scores(lbm, {b: (v, c) for b, v, c in zip(year.buurten, values, classes, strict=True)})
    put_scores(lbm, {year.water: (-5.0, 1), year.gemeente: (0.05, 5)})

    scores_recompute(years=[2022], model_ids=[lbm.pk])

    for buurt, value, cls in zip(year.buurten, values, classes, strict=True):
        row = score(lbm, buurt)
        assert (row.value, row.score_class, row.is_aggregated) == (value, cls, False)
    wijk = score(lbm, year.wijken[0])  # buurten 0000, 0001, 0002
    weights = INHABITANTS[:3]
    mean_class = sum(w * c for w, c in zip(weights, classes, strict=False)) / sum(weights)
    assert wijk.is_aggregated
    assert wijk.score_class == math.floor(mean_class + 0.5) == 6
    assert wijk.value == pytest.approx(
        sum(w * v for w, v in zip(weights, values, strict=False)) / sum(weights), abs=1e-6
    )
    gebied = score(lbm, year.gebied)
    assert gebied.is_aggregated
    assert gebied.score_class == round((1000 * 3 + 2000 * 8 + 1500 * 6) / 4500)
    # The file had the gemeente: it stays as published.
    gemeente = score(lbm, year.gemeente)
    assert (gemeente.value, gemeente.score_class, gemeente.is_aggregated) == (0.05, 5, False)


def test_published_aggregation_uses_equal_weights_without_inhabitants(velsen):
    year = velsen[2022]
    lbm = model("leefbaarometer")
    put_scores(lbm, {year.buurten[0]: (0.0, 2), year.buurten[1]: (0.0, 5)})
    scores_recompute(years=[2022], model_ids=[lbm.pk])
    assert score(lbm, year.wijken[0]).score_class == 4  # (2 + 5) / 2 = 3.5, rounded up


def _signal_model():
    signal = ScoreModel.objects.create(
        key="test-signalen",
        name="signalen",
        kind=ScoreModel.Kind.SIGNAL,
        stable_band=0.1,
        classes=[],
    )
    for key, role in (("p_hh_li", "kwetsbaarheid"), ("p_arb_pp", "kwetsbaarheid"), ("a_gewsek", "overlast")):
        signal.components.create(indicator=indicator(key), weight=1.0, role=role)
    return signal


def test_signal_typology(velsen):
    old, new = velsen[2022], velsen[2023]
    put_table(
        old.buurten,
        {
            "a_inw": [1000] * 5,
            "p_hh_li": [10, 20, 30, 40, 50],
            "p_arb_pp": [60, 62, 64, 66, 68],
            "a_gewsek": [5, 10, 15, 20, 25],
        },
    )
    # 2023: 0000 both rising, 0001 both falling, 0002 vulnerability rising through a
    # fall of a "higher is better" indicator, 0100 unchanged, 0102 (the redrawn 0101)
    # almost unchanged vulnerability against its predecessors and falling overlast.
    put_table(
        new.buurten,
        {
            "a_inw": [1000] * 5,
            "p_hh_li": [20, 10, 30, 40, 0.75 * 50 + 0.25 * 40 + 0.5],
            "p_arb_pp": [60, 62, 44, 66, 0.75 * 68 + 0.25 * 66],
            "a_gewsek": [10, 5, 15, 20, 0.75 * 25 + 0.25 * 20 - 5],
        },
    )
    signal = _signal_model()
    scores_recompute(model_ids=[signal.pk])

    assert not Score.objects.filter(model=signal, year=2022).exists()  # no earlier year
    classes = [score(signal, b).score_class for b in new.buurten]
    assert classes == [9, 1, 8, 5, 4]
    both_rising = score(signal, new.buurten[0])
    assert both_rising.value == 9
    assert both_rising.contributions["previous_year"] == 2022
    std = float(np.std([10, 20, 30, 40, 50]))
    assert both_rising.contributions["kwetsbaarheid"] == pytest.approx((10 / std + 0) / 2, abs=1e-5)
    stable = score(signal, new.buurten[4]).contributions
    assert abs(stable["kwetsbaarheid"]) <= 0.1
    # The wijk takes the inhabitants-weighted mean of its buurten's role changes.
    wijk = score(signal, new.wijken[0])
    assert wijk.is_aggregated
    mean = np.mean([score(signal, b).contributions["overlast"] for b in new.buurten[:3]])
    assert wijk.contributions["overlast"] == pytest.approx(mean, abs=1e-5)


def test_signal_all_nine_cells_are_reachable():
    from scores.catalogue import SIGNAL_CLASSES

    assert sorted(c["value"] for c in SIGNAL_CLASSES) == list(range(1, 10))
    band = 0.1
    changes = {0: -1.0, 1: 0.05, 2: 1.0}  # daalt, stabiel, stijgt
    for v, vc in changes.items():
        for n, nc in changes.items():
            step_v = 2 if vc > band else 0 if vc < -band else 1
            step_n = 2 if nc > band else 0 if nc < -band else 1
            assert 3 * step_v + step_n + 1 == 3 * v + n + 1


def _index_two_years(velsen, key="test-index"):
    for year in (2022, 2023):
        put_table(
            velsen[year].buurten,
            {
                "a_inw": [*INHABITANTS[:2], 300, *INHABITANTS[3:]],
                "p_arb_pp": [70, 60, 80, 50, 65] if year == 2022 else [72, 58, 80, 55, 70],
            },
        )
    return index_model(key=key, components=[(indicator("p_arb_pp"), 1.0)], cutoffs=CUTOFFS)


def test_trend_across_years_and_a_redrawn_buurt(velsen):
    index = _index_two_years(velsen)
    scores_recompute(model_ids=[index.pk])
    old = {b.code: score(index, b) for b in velsen[2022].buurten}
    for row in old.values():
        assert row.trend is None
        assert row.previous_year is None
    same = score(index, velsen.area(2023, "BU04530000"))
    assert same.trend == pytest.approx(same.value - old["BU04530000"].value, abs=1e-5)
    assert same.previous_year == 2022
    assert same.previous_class == old["BU04530000"].score_class

    redrawn = score(index, velsen.area(2023, "BU04530102"))
    before = 0.75 * old["BU04530101"].value + 0.25 * old["BU04530100"].value
    assert redrawn.trend == pytest.approx(redrawn.value - before, abs=1e-5)
    assert redrawn.previous_year == 2022
    expected_class = math.floor(
        0.75 * old["BU04530101"].score_class + 0.25 * old["BU04530100"].score_class + 0.5
    )
    assert redrawn.previous_class == expected_class
    gebied = score(index, velsen[2023].gebied)
    assert gebied.trend == pytest.approx(gebied.value - score(index, velsen[2022].gebied).value, abs=1e-5)


def test_recomputing_an_earlier_year_updates_the_next_years_trend(velsen):
    index = _index_two_years(velsen)
    scores_recompute(model_ids=[index.pk])
    buurt_2022 = velsen.area(2022, "BU04530000")
    put_values({"p_arb_pp": {buurt_2022: 10}})
    scores_recompute(years=[2022], model_ids=[index.pk])
    later = score(index, velsen.area(2023, "BU04530000"))
    assert later.trend == pytest.approx(later.value - score(index, buurt_2022).value, abs=1e-5)


def test_published_trend_uses_the_previous_measurement(velsen):
    lbm = model("leefbaarometer")
    put_scores(lbm, {velsen.area(2022, "BU04530000"): (0.1, 5)})
    put_scores(lbm, {velsen.area(2023, "BU04530000"): (0.3, 7)})
    scores_recompute(model_ids=[lbm.pk])
    row = score(lbm, velsen.area(2023, "BU04530000"))
    assert row.trend == pytest.approx(0.2)
    assert (row.previous_year, row.previous_class) == (2022, 5)


def test_recompute_twice_gives_the_same_rows(velsen, index):
    _index_two_years(velsen, key="second-index")
    put_values({"a_gewsek": {b: 3.0 + i for i, b in enumerate(velsen[2023].buurten)}})

    def rows():
        return sorted(
            Score.objects.values_list(
                "model_id",
                "area_id",
                "year",
                "value",
                "score_class",
                "trend",
                "previous_year",
                "previous_class",
                "contributions",
                "is_aggregated",
                "no_data_reason",
            ),
            key=lambda r: (r[0], r[1]),
        )

    scores_recompute()
    first = rows()
    assert first
    report = scores_recompute()
    assert rows() == first
    assert report["scores_written"] == len([r for r in first if r[0] != model("leefbaarometer").pk])


def test_licensed_component_is_skipped(velsen, caplog):
    year = velsen[2022]
    owner = factories.organisation(name="Woningcorporatie Licentie")
    source = licensed_source(owner=owner)
    put_table(year.buurten, {"a_inw": [1000] * 5, "p_arb_pp": [70, 60, 80, 50, 65]})
    put_table(year.buurten, {"veerkracht": [1, 2, 3, 4, 5]}, source=source)
    mixed = index_model(
        components=[(indicator("p_arb_pp"), 1.0), (indicator("veerkracht", source), 5.0)], cutoffs=CUTOFFS
    )
    with caplog.at_level(logging.WARNING, logger="scores.services.compute"):
        scores_recompute(years=[2022], model_ids=[mixed.pk])
    assert "veerkracht" in caplog.text
    row = score(mixed, year.buurten[0])
    assert list(row.contributions) == ["p_arb_pp"]
    assert row.value is not None  # the open component alone carries the whole weight


def test_import_marked_recomputed_and_data_version_changes(velsen, index, django_capture_on_commit_callbacks):
    job = ScoreImport.objects.create(
        source=velsen.cbs,
        file_format="cbs-kwb",
        file="imports/scores/kwb.csv",
        original_name="kwb.csv",
        year=2022,
        status=ScoreImport.Status.DONE,
    )
    other_year = ScoreImport.objects.create(
        source=velsen.cbs,
        file_format="cbs-kwb",
        file="imports/scores/kwb.csv",
        original_name="kwb.csv",
        year=2023,
        status=ScoreImport.Status.DONE,
    )
    before = versions.data_version()
    with django_capture_on_commit_callbacks(execute=True):
        scores_recompute(years=[2022])
    job.refresh_from_db()
    other_year.refresh_from_db()
    assert job.recomputed_at is not None
    assert other_year.recomputed_at is None
    assert versions.data_version() != before


def test_inactive_models_are_left_alone(velsen, index):
    index.is_active = False
    index.save()
    report = scores_recompute(years=[2022])
    assert index.key not in report["models"]
    assert not Score.objects.filter(model=index).exists()


def test_default_models_run_on_the_catalogue(velsen):
    veerkracht = model("wijkkoers-veerkracht")
    keys = [c.indicator.key for c in veerkracht.components.all()]
    rng = np.random.default_rng(7)
    for year in (2022, 2023):
        put_table(velsen[year].buurten, {"a_inw": [800] * 5})
        put_table(velsen[year].buurten, {key: rng.uniform(1, 50, 5) for key in keys})
        put_table(velsen[year].buurten, {"a_diefst": rng.uniform(1, 50, 5)})
    report = scores_recompute()
    assert set(report["models"]) >= {"wijkkoers-veerkracht", "signalen", "leefbaarometer"}
    assert Score.objects.filter(model=veerkracht, year=2023, value__isnull=False).count() == 5 + 2 + 1 + 1
    assert Score.objects.filter(model__key="signalen", year=2023, area__kind="buurt").count() == 5
