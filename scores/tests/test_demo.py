"""The Velsen demo's scores: several years of generated figures on the real boundaries,
labelled as demo figures, with trends and signals, a licensed Aedes map that only the
corporation and the gemeente see, and a seed that changes nothing the second time."""

import pytest
from django.contrib.auth import get_user_model

from areas import demo as areas_demo
from areas.models import Area, AreaKind
from organisations import demo as organisations_demo
from scores import demo
from scores.models import IndicatorValue, Score, ScoreImport, ScoreModel, Source, SourceKind

DEMO_YEARS = (2022, 2023, 2024, 2025)


def _login(email):
    return get_user_model().objects.get(email=email)


def _snapshot():
    values = sorted(IndicatorValue.objects.values_list("indicator_id", "area_id", "value"))
    scores = sorted(
        Score.objects.values_list("model_id", "area_id", "value", "score_class", "trend", "previous_year")
    )
    return values, scores


def _value(key, year, code):
    return (
        IndicatorValue.objects.filter(indicator__key=key, indicator__source__kind=SourceKind.CBS_KWB)
        .filter(area__year=year, area__code=code)
        .values_list("value", flat=True)
        .first()
    )


@pytest.fixture
def seeded(db):
    lines = []
    organisations_demo.seed(log=lines.append)
    areas_demo.seed(log=lines.append)
    demo.seed(log=lines.append)
    return lines


def test_four_boundary_years_with_the_2022_indeling(seeded):
    for year in DEMO_YEARS:
        assert Area.objects.filter(year=year, kind=AreaKind.BUURT, gemeente_code="GM0453").count() == 63
    assert any("grenzen 2023 en 2024: de indeling van 2022" in line for line in seeded)
    assert Area.objects.get(year=2023, code="BU04530000").name == "Velsen-Dorp"


def test_generated_figures_for_every_area_and_year_labelled_as_demo(seeded):
    kwb = Source.objects.get(kind=SourceKind.CBS_KWB, is_licensed=False)
    lbm = Source.objects.get(kind=SourceKind.LEEFBAAROMETER, is_licensed=False)
    assert "geen CBS-cijfers" in kwb.licence and "Democijfers" in kwb.licence
    assert "geen Leefbaarometer-cijfers" in lbm.licence
    assert any("gegenereerde democijfers" in line for line in seeded)
    keys = {ind.key for ind in demo.catalogue.KWB_INDICATORS}
    for year in DEMO_YEARS:
        areas = Area.objects.filter(year=year, gemeente_code="GM0453").exclude(kind=AreaKind.GEBIED)
        assert areas.count() == 74
        stored = IndicatorValue.objects.filter(indicator__source=kwb, year=year, area__in=areas)
        assert set(stored.values_list("indicator__key", flat=True)) == keys
        assert stored.values("area").distinct().count() == 74
    # Counts add up; shares are weighted means that lie within their buurten's range.
    for year in (2022, 2025):
        buurten = Area.objects.filter(year=year, parent__code="WK045301")
        total = sum(_value("a_inw", year, b.code) for b in buurten)
        assert abs(_value("a_inw", year, "WK045301") - total) <= len(buurten)
        shares = [_value("p_wcorpw", year, b.code) for b in buurten]
        assert min(shares) - 0.5 <= _value("p_wcorpw", year, "WK045301") <= max(shares) + 0.5
    # IJmuiden has more corporation dwellings and lower incomes than Santpoort.
    assert _value("p_wcorpw", 2022, "WK045301") > 2 * _value("p_wcorpw", 2022, "WK045307")
    assert _value("g_ink_pi", 2022, "WK045301") < _value("g_ink_pi", 2022, "WK045307")
    # A tiny buurt: a handful of inhabitants, its shares secret as CBS keeps them.
    assert _value("a_inw", 2022, "BU04530901") < 50
    assert _value("p_hh_li", 2022, "BU04530901") is None
    inhabitants = [_value("a_inw", 2022, b.code) for b in Area.objects.filter(year=2022, kind=AreaKind.BUURT)]
    assert max(inhabitants) > 1000 and sorted(inhabitants)[5] > 200


def test_scores_over_several_years_with_trends_and_signals(seeded):
    index = ScoreModel.objects.get(key="wijkkoers-veerkracht")
    years = set(Score.objects.filter(model=index, value__isnull=False).values_list("year", flat=True))
    assert set(DEMO_YEARS) <= years
    assert Score.objects.filter(model=index, year=2025, trend__isnull=False).exists()
    # Too few inhabitants: no score.
    tiny = Score.objects.get(model=index, year=2022, area__code="BU04530901")
    assert tiny.value is None and tiny.no_data_reason

    signals = Score.objects.filter(model__key="signalen", area__gemeente_code="GM0453")
    both_rising = signals.filter(score_class=9)
    assert both_rising.exists()
    assert both_rising.filter(area__code__in=demo.WORSENING).exists()
    assert not signals.filter(area__code__in=demo.IMPROVING, score_class=9).exists()

    lbm = ScoreModel.objects.get(key="leefbaarometer")
    lbm_years = set(Score.objects.filter(model=lbm, score_class__isnull=False).values_list("year", flat=True))
    assert {2022, 2024} <= lbm_years
    assert set(
        Score.objects.filter(model=lbm, year=2022, area__kind=AreaKind.BUURT).values_list(
            "score_class", flat=True
        )
    ) <= set(range(1, 10))


def test_licensed_aedes_map_only_for_the_corporation_and_the_gemeente(seeded):
    source = Source.objects.get(name=demo.AEDES_SOURCE_NAME)
    assert source.is_licensed and source.owner_organisation.name == demo.CORPORATION
    assert list(source.shared_with.values_list("name", flat=True)) == ["Gemeente Velsen"]
    model = ScoreModel.objects.get(source=source)
    published = Score.objects.filter(model=model, year=demo.AEDES_YEAR, area__kind=AreaKind.BUURT)
    assert published.count() == 63 - len(demo.TINY)
    assert set(published.values_list("score_class", flat=True)) <= {1, 2, 3, 4, 5}

    for email in (
        "corporatie@demo.wijkkoers.nl",
        "beheerder@demo.wijkkoers.nl",
        "gemeente@demo.wijkkoers.nl",
    ):
        user = _login(email)
        assert ScoreModel.objects.restrict(user, "view").filter(pk=model.pk).exists(), email
        assert Score.objects.restrict(user, "view").filter(model=model).count() == model.scores.count(), email
    for email in (
        "huurders@demo.wijkkoers.nl",
        "partner@demo.wijkkoers.nl",
        "buiten@demo.wijkkoers.nl",
        "platform@demo.wijkkoers.nl",
    ):
        user = _login(email)
        assert not ScoreModel.objects.restrict(user, "view").filter(pk=model.pk).exists(), email
        assert not Score.objects.restrict(user, "view").filter(model=model).exists(), email
        assert not ScoreImport.objects.restrict(user, "view").filter(source=source).exists(), email
        # The open figures they do see.
        assert Score.objects.restrict(user, "view").filter(model__key="signalen").exists(), email


def test_seed_twice_changes_nothing(seeded):
    before = _snapshot()
    jobs = ScoreImport.objects.count()
    sources = list(Source.objects.order_by("pk").values_list("pk", "version", "licence"))
    lines = []
    areas_demo.seed(log=lines.append)
    demo.seed(log=lines.append)
    assert ScoreImport.objects.count() == jobs
    assert list(Source.objects.order_by("pk").values_list("pk", "version", "licence")) == sources
    assert _snapshot() == before
    assert any("al geladen" in line for line in lines)


def test_stored_figures_are_the_generated_ones(seeded):
    areas, _per_year = demo.demo_areas()
    generated = demo.generate_kwb(areas)
    for year, code, key in (
        (2022, "BU04530102", "p_hh_li"),
        (2025, "BU04530102", "a_vernoo"),
        (2024, "WK045305", "a_inw"),
        (2023, "GM0453", "g_wozbag"),
    ):
        decimals = demo.INDICATORS[key].decimals
        assert _value(key, year, code) == pytest.approx(round(generated[year][code][key], decimals)), (
            key,
            year,
        )
