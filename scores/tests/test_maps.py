"""The score map: its selectors (classes, quantiles, fixed breaks, change between years
across a redrawn buurt) and its page for every persona, with a licensed Aedes model of
the corporation shared with the gemeente."""

from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from areas.models import AreaKind
from scores import versions
from scores.api import geojson
from scores.models import Direction, Score, ScoreModel
from scores.selectors import maps
from scores.templatetags import score_tags
from scores.tests.helpers import (
    indicator,
    licensed_source,
    model,
    published_model,
    put_scores,
    put_values,
    score_world,
)
from tests.matrix import AccessMatrix, Case

SEES_LICENSED = {"corp_editor", "org_admin", "gemeente_reviewer"}
HIDDEN_FROM = {"tenant_rep", "partner_reader", "outsider", "platform_admin"}
SIGNED_IN = SEES_LICENSED | HIDDEN_FROM


@dataclass
class MapData:
    sw: object
    index: ScoreModel
    aedes: ScoreModel
    corp_share: object


def build_map_data(world) -> MapData:
    """Two years of Velsen: the open veerkracht-index for both, the licensed Aedes model
    (corporation, shared with the gemeente) for 2023, and the share of corporation
    dwellings for 2023."""
    sw = score_world(years=(2022, 2023))
    index = model("wijkkoers-veerkracht")
    b22, b23 = sw[2022].by_code, sw[2023].by_code
    put_scores(
        index,
        {
            b22["BU04530000"]: (-1.0, 1),
            b22["BU04530001"]: (0.1, 3),
            b22["BU04530100"]: (0.4, 4),
            b22["BU04530101"]: (0.8, 5),
            b23["BU04530000"]: (-0.5, 2),
            b23["BU04530001"]: (0.1, 3),
            b23["BU04530100"]: (0.6, 4),
            b23["BU04530102"]: (1.2, 5),
        },
    )
    index.scores.filter(area=b23["BU04530000"]).update(
        trend=0.5,
        contributions={
            "p_hh_li": {"value": 20.0, "z": -1.2, "weight": 0.5, "contribution": -0.6},
            "p_wmo_t": {"value": 80.0, "z": 0.2, "weight": 0.5, "contribution": 0.1},
        },
    )
    source = licensed_source(
        owner=world.corporatie, shared_with=[world.gemeente], name="Aedes veerkrachtkaart"
    )
    aedes = published_model(source=source, key="aedes-test")
    put_scores(
        aedes,
        {
            b23["BU04530000"]: (2.0, 2),
            b23["BU04530001"]: (4.0, 4),
            b23["BU04530100"]: (5.0, 5),
            b23["BU04530102"]: (1.0, 1),
        },
    )
    corp_share = indicator("p_wcorpw")
    put_values(
        {
            "p_wcorpw": {
                b23["BU04530000"]: 10.0,
                b23["BU04530001"]: 20.0,
                b23["BU04530002"]: 30.0,
                b23["BU04530100"]: 40.0,
                b23["BU04530102"]: 50.0,
            },
            "a_inw": {b22["BU04530000"]: 1000, b23["BU04530000"]: 1100},
        }
    )
    return MapData(sw, index, aedes, corp_share)


def put_signals(sw) -> ScoreModel:
    """Signals of 2023 against 2022 for three Velsen buurten, as the compute service
    stores them: the cell (3·v + n + 1) and the two changes in the contributions."""
    signal = model("signalen")
    b23 = sw[2023].by_code
    for code, cell, vulnerability, nuisance in (
        ("BU04530000", 9, 0.6, 0.8),  # both rising: the strongest signal
        ("BU04530001", 5, 0.02, -0.05),  # both stable
        ("BU04530100", 2, -0.4, 0.0),  # vulnerability falling, overlast stable
    ):
        Score.objects.create(
            model=signal,
            area=b23[code],
            year=2023,
            value=cell,
            score_class=cell,
            contributions={"kwetsbaarheid": vulnerability, "overlast": nuisance, "previous_year": 2022},
        )
    return signal


@pytest.fixture(autouse=True)
def _clean_memory():
    versions._local.clear()
    geojson.clear_memory()
    yield


@pytest.fixture
def data(world):
    return build_map_data(world)


# Selectors


def test_quantile_breaks_split_into_equal_groups_and_merge_equal_values():
    assert maps.quantile_breaks([1, 2, 3, 4, 5], 4) == [3, 4, 5]
    assert maps.quantile_breaks([5, 5, 5, 5, 9], 4) == [9]
    assert maps.quantile_breaks([3], 5) == []


@pytest.mark.parametrize(
    ("breaks", "code"),
    [
        (["10", "5"], "order"),
        (["10", "10"], "order"),
        (["tien"], "invalid"),
        ([], "required"),
        ([str(i) for i in range(9)], "too_many"),
        (["nan"], "invalid"),
    ],
)
def test_fixed_breaks_must_be_ascending_numbers(breaks, code):
    with pytest.raises(ValidationError) as exc:
        maps.validate_breaks(breaks)
    assert exc.value.code == code


def test_score_table_has_every_land_area_with_class_label_colour_and_legend(world, data):
    user = world.users["partner_reader"]
    table = maps.score_table(user=user, model=data.index, year=2023, level=AreaKind.BUURT, gemeente="GM0453")
    by_code = {row.code: row for row in table.rows}
    assert set(by_code) == {"BU04530000", "BU04530001", "BU04530002", "BU04530100", "BU04530102"}
    dorp = by_code["BU04530000"]
    assert (dorp.value, dorp.score_class, dorp.label, dorp.trend) == (-0.5, 2, "kwetsbaar", 0.5)
    assert dorp.color == data.index.classes[1]["color"]
    assert by_code["BU04530002"].value is None
    assert by_code["BU04530002"].label == "geen gegevens"
    legend = {entry.label: entry.count for entry in table.legend}
    assert legend["kwetsbaar"] == 1 and legend["zeer veerkrachtig"] == 1 and legend["geen gegevens"] == 1
    assert legend["zeer kwetsbaar"] == 0


def test_change_table_follows_a_redrawn_buurt_through_its_overlaps(world, data):
    user = world.users["partner_reader"]
    table = maps.change_table(
        user=user, model=data.index, year_from=2022, year_to=2023, level=AreaKind.BUURT, gemeente="GM0453"
    )
    by_code = {row.code: row for row in table.rows}
    assert by_code["BU04530000"].change == pytest.approx(0.5)
    assert not by_code["BU04530000"].redrawn
    nieuwe_haven = by_code["BU04530102"]
    # 75 % old Amstelhaven (0.8) and 25 % Havenkwartier (0.4).
    assert nieuwe_haven.previous == pytest.approx(0.7)
    assert nieuwe_haven.change == pytest.approx(0.5)
    assert nieuwe_haven.redrawn
    assert by_code["BU04530001"].change == pytest.approx(0.0)
    assert by_code["BU04530001"].label.startswith("ongeveer gelijk")
    assert by_code["BU04530000"].label.startswith("sterk gestegen")
    assert by_code["BU04530002"].change is None
    assert table.kind == "change" and table.compare == 2022


def test_indicator_table_in_quantile_and_fixed_classes(world, data):
    user = world.users["outsider"]
    table = maps.indicator_table(
        user=user, indicator=data.corp_share, year=2023, level=AreaKind.BUURT, gemeente="GM0453", n_classes=5
    )
    assert table.breaks == [20.0, 30.0, 40.0, 50.0]
    assert [r.score_class for r in sorted(table.rows, key=lambda r: r.value)] == [1, 2, 3, 4, 5]
    # Higher is worse: the highest share gets the red end of the ramp.
    top = max(table.rows, key=lambda r: r.value)
    assert top.color == maps.ramp(5, Direction.HIGHER_WORSE)[-1] == "#a50026"
    fixed = maps.indicator_table(
        user=user,
        indicator=data.corp_share,
        year=2023,
        level=AreaKind.BUURT,
        gemeente="GM0453",
        classing="fixed",
        breaks=[25, 45],
    )
    assert sorted((r.value, r.score_class) for r in fixed.rows) == [
        (10.0, 1),
        (20.0, 1),
        (30.0, 2),
        (40.0, 2),
        (50.0, 3),
    ]
    assert [e.count for e in fixed.legend] == [2, 2, 1]
    assert fixed.legend[0].label.startswith("lager dan 25")
    with pytest.raises(ValidationError):
        maps.indicator_table(
            user=user,
            indicator=data.corp_share,
            year=2023,
            level=AreaKind.BUURT,
            classing="fixed",
            breaks=[30, 20],
        )


def test_signal_table_has_the_two_changes_and_a_three_by_three_legend(world, data):
    signal = put_signals(data.sw)
    table = maps.score_table(
        user=world.users["tenant_rep"], model=signal, year=2023, level=AreaKind.BUURT, gemeente="GM0453"
    )
    assert table.is_signal
    by_code = {row.code: row for row in table.rows}
    dorp = by_code["BU04530000"]
    assert (dorp.vulnerability, dorp.nuisance, dorp.compared_year) == (0.6, 0.8, 2022)
    assert dorp.label == "kwetsbaarheid stijgt, overlast stijgt"
    assert by_code["BU04530002"].vulnerability is None
    assert table.compared_years == [2022]
    grid = table.signal_grid
    assert [row.vulnerability for row in grid] == ["daalt", "stabiel", "stijgt"]
    assert [cell.nuisance for cell in grid[0].cells] == ["daalt", "stabiel", "stijgt"]
    assert [[cell.count for cell in row.cells] for row in grid] == [[0, 1, 0], [0, 1, 0], [0, 0, 1]]
    assert grid[2].cells[2].label == "kwetsbaarheid stijgt, overlast stijgt"
    assert grid[2].cells[2].color == signal.classes[8]["color"]
    # Nieuwe Haven and Kriemhildebuurt have no signal.
    assert table.no_data.count == 2
    # Other maps have no grid.
    index = maps.score_table(
        user=world.users["tenant_rep"], model=data.index, year=2023, level=AreaKind.BUURT, gemeente="GM0453"
    )
    assert not index.is_signal and index.signal_grid == []
    rows = maps.sorted_rows(table.rows, "-overlast")
    assert [r.code for r in rows[:3]] == ["BU04530000", "BU04530100", "BU04530001"]


def test_licensed_model_and_its_scores_stay_with_the_organisations_it_is_shared_with(world, data):
    for persona in SIGNED_IN:
        user = world.users[persona]
        visible = set(maps.model_list(user=user).values_list("key", flat=True))
        assert ("aedes-test" in visible) == (persona in SEES_LICENSED), persona
        assert "wijkkoers-veerkracht" in visible
        table = maps.score_table(user=user, model=data.aedes, year=2023, level=AreaKind.BUURT)
        assert table.has_data == (persona in SEES_LICENSED), persona


def test_area_series_over_the_years_marks_the_redrawn_year(world, data):
    user = world.users["corp_editor"]
    series = maps.area_series(user=user, area=data.sw.area(2023, "BU04530000"))
    by_key = {s.key: s for s in series}
    index = by_key["wijkkoers-veerkracht"]
    assert [(p.year, p.value, p.score_class) for p in index.points] == [(2022, -1.0, 1), (2023, -0.5, 2)]
    assert [c.name for c in index.contributions] == [
        "Huishoudens met een laag inkomen",
        "Wmo-cliënten",
    ]
    assert by_key["aedes-test"].latest.value == 2.0
    inhabitants = by_key[str(indicator("a_inw").pk)]
    assert [p.value for p in inhabitants.points] == [1000, 1100]
    assert not any(p.redrawn for p in index.points)
    havenkwartier = maps.area_series(user=user, area=data.sw.area(2023, "BU04530100"))
    assert [p.redrawn for p in havenkwartier[0].points] == [False, True]
    hidden = maps.area_series(user=world.users["platform_admin"], area=data.sw.area(2023, "BU04530000"))
    assert "aedes-test" not in {s.key for s in hidden}


@pytest.mark.parametrize(
    ("color", "fill"),
    [
        ("#a50026", "#a50026"),
        ("rgb(10, 20, 30)", "rgb(10, 20, 30)"),
        ("red; position: fixed", maps.NO_DATA_COLOR),
        ('red" onload="x', maps.NO_DATA_COLOR),
        ("", maps.NO_DATA_COLOR),
    ],
)
def test_swatch_takes_only_a_colour_from_the_classes(color, fill):
    # An SVG presentation attribute, not a style: the Content-Security-Policy allows no
    # inline style.
    html = score_tags.swatch(color)
    assert html == (
        '<svg class="wk-score-swatch" viewBox="0 0 16 16" preserveAspectRatio="none" aria-hidden="true" '
        f'focusable="false"><rect width="16" height="16" fill="{fill}"/></svg>'
    )


# Pages


def _map_url(query=""):
    return reverse("scores:map") + (f"?{query}" if query else "")


class TestMapPageAccess(AccessMatrix):
    cases = [
        Case(
            "open model map",
            url=lambda w: _map_url("kaart=model:wijkkoers-veerkracht&jaar=2023&niveau=buurt&gemeente=GM0453"),
            allowed=SIGNED_IN,
            setup=build_map_data,
        ),
        Case(
            "licensed model map",
            url=lambda w: _map_url("kaart=model:aedes-test&jaar=2023&niveau=buurt&gemeente=GM0453"),
            allowed=SEES_LICENSED,
            setup=build_map_data,
            admin_allowed=False,
        ),
        Case(
            "licensed model in the choice",
            url=lambda w: _map_url(),
            allowed=SEES_LICENSED,
            contains="Veerkracht (Aedes veerkrachtkaart)",
            setup=build_map_data,
            admin_allowed=False,
        ),
        Case(
            "area scores page",
            url=lambda w: reverse("scores:area", args=[2023, "BU04530000"]),
            allowed=SIGNED_IN,
            setup=build_map_data,
        ),
        Case(
            "licensed scores on the area page",
            url=lambda w: reverse("scores:area", args=[2023, "BU04530000"]),
            allowed=SEES_LICENSED,
            contains="Veerkracht (Aedes veerkrachtkaart)",
            setup=build_map_data,
            admin_allowed=False,
        ),
    ]


def test_map_page_shows_legend_table_and_geojson_url(client, world, data):
    client.force_login(world.users["tenant_rep"])
    response = client.get(_map_url("kaart=model:wijkkoers-veerkracht&jaar=2023&niveau=buurt&gemeente=GM0453"))
    assert response.status_code == 200
    table = response.context["table"]
    assert table.kind == "model" and len(response.context["rows"]) == 5
    html = response.content.decode()
    assert "zeer veerkrachtig" in html and "data-score-map" in html and "data-legend" in html
    assert reverse("areas:detail", args=[2023, "BU04530102"]) in html
    assert "model=wijkkoers-veerkracht" in response.context["map"]["geojson_url"]
    assert "sig=" in response.context["map"]["geojson_url"]
    assert response.context["note"] == ""  # the index has no source of its own


def test_licensed_map_carries_the_licence_note_and_no_signature(client, world, data):
    client.force_login(world.users["gemeente_reviewer"])
    response = client.get(_map_url("kaart=model:aedes-test&jaar=2023&niveau=buurt&gemeente=GM0453"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "gelicentieerde gegevens van Woningcorporatie Velserduin, niet verder verspreiden" in html
    assert "sig=" not in response.context["map"]["geojson_url"]


def test_map_page_defaults_to_the_users_gemeente_and_the_newest_year(client, world, data):
    client.force_login(world.users["corp_editor"])
    response = client.get(_map_url("kaart=model:wijkkoers-veerkracht"))
    form = response.context["form"]
    assert form.cleaned_data["gemeente"] == "GM0453"
    assert form.cleaned_data["jaar"] == 2023
    assert form.cleaned_data["niveau"] == AreaKind.BUURT


def test_change_map_page_shows_both_years_and_the_redrawn_buurt(client, world, data):
    client.force_login(world.users["partner_reader"])
    response = client.get(
        _map_url("kaart=model:wijkkoers-veerkracht&jaar=2023&vergelijk=2022&niveau=buurt&gemeente=GM0453")
    )
    html = response.content.decode()
    assert response.context["table"].kind == "change"
    assert "verandering van 2022 tot 2023" in html
    assert "herindeling" in html
    assert "compare=2022" in response.context["map"]["geojson_url"]


def test_signal_map_page_shows_the_grid_legend_and_the_two_changes(client, world, data):
    put_signals(data.sw)
    client.force_login(world.users["gemeente_reviewer"])
    response = client.get(
        _map_url("kaart=model:signalen&jaar=2023&vergelijk=2022&niveau=buurt&gemeente=GM0453")
    )
    assert response.status_code == 200
    # A signal is a change already: no comparison between years is offered or made.
    assert response.context["table"].kind == "model"
    assert "vergelijk" not in response.context["form"].fields
    assert "compare=" not in response.context["map"]["geojson_url"]
    html = response.content.decode()
    assert "data-signal-grid" in html and 'data-signal="1"' in html
    assert '<th class="utrecht-table__header-cell" scope="row">kwetsbaarheid stijgt</th>' in html
    assert 'scope="col">overlast daalt</th>' in html
    assert 'data-signal-cell="9"' in html
    assert "Signaaltypologie, 2023 vergeleken met 2022" in html
    assert "Verandering kwetsbaarheid" in html and "Verandering overlast" in html
    assert "+0,60" in html and "+0,80" in html
    # The cell number is not shown as a value, nor its change as a trend.
    assert "Waarde" not in html and "Sinds vorige meting" not in html
    assert "Rechtsonder (beide stijgen) is het sterkste signaal" in html


def test_indicator_map_with_fixed_breaks_and_a_clear_error_for_bad_ones(client, world, data):
    client.force_login(world.users["outsider"])
    base = f"kaart=indicator:{data.corp_share.pk}&jaar=2023&niveau=buurt&gemeente=GM0453&klassen=fixed"
    response = client.get(_map_url(base + "&grenzen=25%3B+45"))
    assert [e.count for e in response.context["table"].legend] == [2, 2, 1]
    assert "breaks=25%3B45" in response.context["map"]["geojson_url"]
    response = client.get(_map_url(base + "&grenzen=45%3B+25"))
    assert response.context["table"] is None
    assert "Zet de grenzen van laag naar hoog" in response.content.decode()


def test_empty_state_when_a_year_has_no_scores_for_the_choice(client, world, data):
    client.force_login(world.users["corp_editor"])
    response = client.get(
        _map_url("kaart=model:wijkkoers-veerkracht&jaar=2023&niveau=gemeente&gemeente=GM0453")
    )
    assert response.status_code == 200
    assert "Er zijn voor deze keuze nog geen gegevens" in response.content.decode()
    assert "data-score-map" not in response.content.decode()


def test_unknown_subject_is_a_404(client, world, data):
    client.force_login(world.users["corp_editor"])
    assert client.get(_map_url("kaart=model:bestaat-niet")).status_code == 404
    assert client.get(_map_url("kaart=indicator:abc")).status_code == 404


def test_table_sorts_by_value(client, world, data):
    client.force_login(world.users["corp_editor"])
    query = "kaart=model:wijkkoers-veerkracht&jaar=2023&niveau=buurt&gemeente=GM0453"
    rows = client.get(_map_url(query + "&sorteer=-waarde")).context["rows"]
    assert [r.code for r in rows] == ["BU04530102", "BU04530100", "BU04530001", "BU04530000", "BU04530002"]


def test_national_table_paginates(client, world, data, monkeypatch):
    from scores.views import maps as views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client.force_login(world.users["corp_editor"])
    response = client.get(_map_url("kaart=model:wijkkoers-veerkracht&jaar=2023&niveau=buurt&gemeente=NL"))
    assert response.context["page"].paginator.num_pages == 3
    assert len(response.context["rows"]) == 2
    assert "Pagina 1 van 3" in response.content.decode()


def test_map_page_queries_do_not_grow_with_areas(client, world, data, django_assert_max_num_queries):
    client.force_login(world.users["corp_editor"])
    url = _map_url("kaart=model:wijkkoers-veerkracht&jaar=2023&vergelijk=2022&niveau=buurt&gemeente=GM0453")
    # The first request of a table also reads the boundary version of each of its years
    # (the key of the kept table, scores.views.maps._table_key): two here, one below; and
    # the first request of the test reads the scores' data version (scores.versions). Each
    # read takes the person's memberships and grants once (core.permissions.rules_remembered).
    with django_assert_max_num_queries(21):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(17):
        client.get(_map_url(f"kaart=indicator:{data.corp_share.pk}&jaar=2023&niveau=buurt&gemeente=GM0453"))


def test_stored_no_data_reasons_show_in_the_interface_language():
    from django.utils import translation

    from scores.catalogue import NO_DATA_MISSING, NO_DATA_POPULATION, no_data_text

    stored = NO_DATA_POPULATION % {"count": 50}
    assert no_data_text(stored) == "minder dan 50 inwoners"
    with translation.override("en"):
        assert no_data_text(stored) == "fewer than 50 residents"
        assert no_data_text(NO_DATA_MISSING) == "missing data"
        assert no_data_text("iets anders") == "iets anders"
    assert no_data_text("") == ""
