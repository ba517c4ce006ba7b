"""The section "Scores in het kort" on the pages of wijken and gebieden: the latest score
of the area per model with its change since the previous measurement, the signal cell,
the buurten that moved a class, and the small map coloured by the chosen model.

The Leefbaarometer scores of the wijk are not stored by the test: the compute service
aggregates them from the buurten, as it does after an import, and the expected numbers
below are worked out by hand from the buurt scores.
"""

import copy
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from areas.models import Area, AreaKind
from areas.tests.helpers import make_area
from scores import versions
from scores.api import geojson
from scores.models import Score
from scores.services.compute import scores_recompute
from scores.tests.helpers import licensed_source, model, published_model, put_scores, score_world
from scores.views.maps import area_section
from tests.db import rolled_back

WIJK, OTHER_WIJK, GEBIED = "WK045300", "WK045301", "GB0453001"

# Leefbaarometer (value, class) of the buurten of Wijk 00 Centrum. No inhabitants are
# imported, so the compute service weighs every buurt equally.
LBM_2022 = {"BU04530000": (-0.20, 3), "BU04530001": (0.10, 5), "BU04530002": (0.00, 4)}
LBM_2023 = {"BU04530000": (0.10, 5), "BU04530001": (0.10, 5), "BU04530002": (0.20, 6)}
# Worked out by hand:
#   wijk 2022: value (-0.20 + 0.10 + 0.00) / 3 = -0.0333; class (3 + 5 + 4) / 3 = 4 (zwak)
#   wijk 2023: value (0.10 + 0.10 + 0.20) / 3 = 0.1333 → "0,13";
#              class (5 + 5 + 6) / 3 = 5.33, rounded 5 (voldoende)
#   change:    0.1333 - (-0.0333) = 0.1667 → "+0,17"; class 5 - 4 = +1 (zwak → voldoende)
#   buurten:   Dorpskern 3 → 5 (onvoldoende → voldoende, +2), Kriemhildebuurt 4 → 6
#              (zwak → ruim voldoende, +2); Zeeheldenbuurt stays 5.
# The gebied IJmuiden-Noord has Dorpskern, Zeeheldenbuurt and Havenkwartier; Havenkwartier
# has no score, so:
#   gebied 2022: value (-0.20 + 0.10) / 2 = -0.05; class (3 + 5) / 2 = 4 (zwak)
#   gebied 2023: value (0.10 + 0.10) / 2 = 0.10 → "0,10"; class 5 (voldoende)
#   change:      0.10 - (-0.05) = 0.15 → "+0,15"; class +1; only Dorpskern moved.

SEES_AEDES = ("corp_editor", "gemeente_reviewer")
NO_AEDES = ("tenant_rep", "partner_reader", "platform_admin")


def build_section_data(world):
    """Two years of Velsen with the Leefbaarometer of Wijk 00 recomputed, the signal of
    the wijk in 2023, and a licensed Aedes model of the corporation (shared with the
    gemeente) for both wijken in 2023."""
    sw = score_world(years=(2022, 2023))
    lbm = model("leefbaarometer")
    for year, scores in ((2022, LBM_2022), (2023, LBM_2023)):
        put_scores(lbm, {sw.area(year, code): pair for code, pair in scores.items()})
    scores_recompute(model_ids=[lbm.pk])
    Score.objects.create(
        model=model("signalen"),
        area=sw.area(2023, WIJK),
        year=2023,
        value=9,
        score_class=9,
        is_aggregated=True,
        contributions={"kwetsbaarheid": 0.6, "overlast": 0.8, "previous_year": 2022},
    )
    source = licensed_source(owner=world.corporatie, shared_with=[world.gemeente])
    aedes = published_model(source=source, key="aedes-test")
    put_scores(
        aedes,
        {
            sw.area(2023, WIJK): (3.0, 3),
            sw.area(2023, OTHER_WIJK): (2.0, 2),
            sw.area(2023, "BU04530000"): (4.0, 4),
            sw.area(2023, "BU04530100"): (2.0, 2),
        },
    )
    return sw


@pytest.fixture(scope="module")
def section_world(shared_world, django_db_blocker):
    """The personas world with the score data, built once for the module."""
    with rolled_back(django_db_blocker):
        world = copy.deepcopy(shared_world)
        build_section_data(world)
        yield world


@pytest.fixture
def world(section_world, db):
    return copy.deepcopy(section_world)


@pytest.fixture(autouse=True)
def _clean_memory():
    versions._local.clear()
    geojson.clear_memory()
    yield


def _page(client, user, code, year=2023, **params):
    client.force_login(user)
    response = client.get(reverse("areas:detail", args=[year, code]), params)
    assert response.status_code == 200
    return response.content.decode()


def _section(html):
    start = html.index('id="scores-in-het-kort"')
    return html[start : html.index("</section>", start)]


def _row(section, key):
    start = section.index(f'data-model="{key}"')
    return section[start : section.index("</tr>", start)]


def _map_url(section):
    start = section.index('data-geojson-url="') + len('data-geojson-url="')
    return section[start : section.index('"', start)].replace("&amp;", "&")


def test_wijk_shows_this_years_score_and_the_change_since_the_previous_measurement(client, world):
    section = _section(_page(client, world.users["partner_reader"], WIJK))
    assert '<h2 class="utrecht-heading-2" id="scores-in-het-kort-titel">Scores in het kort</h2>' in section
    row = _row(section, "leefbaarometer")
    assert "Leefbaarometer 3.0" in row
    assert ">2023</td>" in row
    assert "0,13" in row and "voldoende" in row
    assert "+0,17" in row and "sinds 2022" in row
    assert "+1: zwak" in row and "voldoende" in row.split("+1: zwak", 1)[1]


def test_wijk_lists_the_buurten_that_moved_a_class_with_links(client, world):
    section = _section(_page(client, world.users["partner_reader"], WIJK))
    start = section.index('data-moves="leefbaarometer"')
    moves = section[start : section.index("</table>", start)]
    assert "2022 tot 2023" in moves
    assert f'href="{reverse("areas:detail", args=[2023, "BU04530000"])}">Dorpskern</a>' in moves
    assert f'href="{reverse("areas:detail", args=[2023, "BU04530002"])}">Kriemhildebuurt</a>' in moves
    assert "Zeeheldenbuurt" not in moves
    dorp = moves[moves.index("Dorpskern") : moves.index("</tr>", moves.index("Dorpskern"))]
    assert dorp.index("onvoldoende") < dorp.index(">voldoende") and "+2" in dorp


def test_wijk_shows_its_signal_cell(client, world):
    section = _section(_page(client, world.users["partner_reader"], WIJK))
    start = section.index("data-signal")
    signal = section[start : section.index("</div>", start)]
    assert "Signaaltypologie 2023:" in signal
    assert "kwetsbaarheid stijgt, overlast stijgt" in signal
    assert "Sinds 2022" in signal and "+0,60" in signal and "+0,80" in signal


def test_gebied_summarises_its_own_buurten(client, world):
    section = _section(_page(client, world.users["tenant_rep"], GEBIED))
    row = _row(section, "leefbaarometer")
    assert "0,10" in row and "+0,15" in row and "+1: zwak" in row
    moves = section[section.index('data-moves="leefbaarometer"') :]
    moves = moves[: moves.index("</table>")]
    assert "Dorpskern" in moves
    assert "Kriemhildebuurt" not in moves  # moved, but not in this gebied


def test_map_is_coloured_by_the_chosen_model_through_the_scored_geojson(client, world):
    user = world.users["partner_reader"]
    html = _page(client, user, WIJK)
    section = _section(html)
    assert "data-score-map" in section and "scores/scoremap.js" in html
    params = parse_qs(urlsplit(_map_url(section)).query)
    assert params["model"] == ["leefbaarometer"] and params["year"] == ["2023"]
    assert params["level"] == ["buurt"] and params["parent"] == [WIJK] and "sig" in params
    features = json.loads(client.get(_map_url(section)).content)["features"]
    colours = {
        f["properties"]["code"]: (f["properties"]["label"], f["properties"]["color"]) for f in features
    }
    lbm = model("leefbaarometer")
    assert colours["BU04530000"] == ("voldoende", lbm.classes[4]["color"])
    assert colours["BU04530002"] == ("ruim voldoende", lbm.classes[5]["color"])
    # The same buurten as a table beside the map.
    start = section.index("data-map-table")
    table = section[start : section.index("</table>", start)]
    assert "Dorpskern" in table and "Zeeheldenbuurt" in table and "ruim voldoende" in table


def test_choosing_a_model_redraws_the_map_and_keeps_the_other_parameters(client, world):
    section = _section(_page(client, world.users["corp_editor"], WIJK, model="aedes-test", sorteer="-naam"))
    params = parse_qs(urlsplit(_map_url(section)).query)
    assert params["model"] == ["aedes-test"]
    assert "sig" not in params  # a licensed map needs the real session
    assert '<option value="aedes-test" selected>' in section
    assert '<input type="hidden" name="sorteer" value="-naam">' in section
    assert f'action="{reverse("areas:detail", args=[2023, WIJK])}#scores-in-het-kort"' in section
    # Gebied maps draw the buurten of the gebied.
    section = _section(_page(client, world.users["corp_editor"], GEBIED))
    assert parse_qs(urlsplit(_map_url(section)).query)["gebied"] == [GEBIED]


@pytest.mark.parametrize("persona", SEES_AEDES)
def test_licensed_model_is_shown_to_whom_it_is_shared_with(client, world, persona):
    section = _section(_page(client, world.users[persona], WIJK))
    row = _row(section, "aedes-test")
    assert "gelicentieerd" in row and ">2023</td>" in row and "gemiddeld" in row
    assert "gelicentieerde gegevens van Woningcorporatie Velserduin" in section


@pytest.mark.parametrize("persona", NO_AEDES)
def test_licensed_model_is_hidden_without_the_licence(client, world, persona):
    user = world.users[persona]
    html = _page(client, user, WIJK, model="aedes-test")
    section = _section(html)
    assert "aedes-test" not in section and "Aedes" not in html
    # Asking for it by name falls back to an open model.
    assert parse_qs(urlsplit(_map_url(section)).query)["model"] == ["leefbaarometer"]
    # Wijk 01 has only the licensed score: there is nothing to show, not even the heading.
    assert "Scores in het kort" not in _page(client, user, OTHER_WIJK)


def test_other_wijk_shows_the_licensed_score_without_a_previous_measurement(client, world):
    section = _section(_page(client, world.users["corp_editor"], OTHER_WIJK))
    row = _row(section, "aedes-test")
    assert "eerste meting" in row
    assert "data-moves" not in section


def test_earlier_boundary_year_shows_its_own_measurement(client, world):
    section = _section(_page(client, world.users["partner_reader"], WIJK, year=2022))
    row = _row(section, "leefbaarometer")
    # 2022 is the first measurement: -0.0333 and class 4 (zwak), no change.
    assert ">2022</td>" in row and "\u22120,03" in row and "zwak" in row and "eerste meting" in row
    assert "Signaaltypologie" not in section  # the signal of 2023 is not shown on 2022


def test_tables_scroll_in_focusable_regions_named_by_their_captions(client, world):
    section = _section(_page(client, world.users["partner_reader"], WIJK))
    wraps = re.findall(r'<div class="wk-table-wrap"([^>]*)>', section)
    # The scores, the buurten that moved in the Leefbaarometer and the map's buurten.
    assert len(wraps) == 3
    for attributes in wraps:
        assert 'role="region"' in attributes and 'tabindex="0"' in attributes
        labelled_by = re.search(r'aria-labelledby="([^"]+)"', attributes).group(1)
        assert re.search(rf'<caption [^>]*id="{labelled_by}"', section), labelled_by


def test_years_and_changes_read_alike_under_dutch_number_formatting(client, world):
    section = _section(_page(client, world.users["partner_reader"], WIJK))
    assert "2.023" not in section and "2.022" not in section
    # The signal of the wijk: vulnerability +0.6 and overlast +0.8 standard deviations.
    assert "Sinds 2022 veranderde de kwetsbaarheid +0,60" in section
    # Wijk 00 in 2022: (-0.20 + 0.10 + 0.00) / 3 = -0.0333, shown with the true minus.
    section = _section(_page(client, world.users["partner_reader"], WIJK, year=2022))
    assert "\u22120,03" in _row(section, "leefbaarometer") and "-0,03" not in section


def _add_buurten(count):
    """``count`` more buurten in Wijk 00 for both years, each moving a Leefbaarometer
    class, with the scores recomputed."""
    lbm = model("leefbaarometer")
    for year in (2022, 2023):
        wijk = Area.objects.get(year=year, code=WIJK)
        for i in range(count):
            buurt = make_area(
                year=year, kind=AreaKind.BUURT, code=f"BU0453005{i}", name=f"Extra {i}", parent=wijk
            )
            put_scores(lbm, {buurt: (0.0, 2 if year == 2022 else 7)})
    scores_recompute(model_ids=[lbm.pk])


def _section_queries(user, code):
    """The number of queries of the section on its own, and its HTML, as after a change of
    the scores: the map table kept in the cache (``scores.views.maps._shared_table``) is
    built again."""
    versions.data_changed()
    area = Area.objects.get(year=2023, code=code)
    request = RequestFactory().get(reverse("areas:detail", args=[2023, code]))
    request.user = user
    with CaptureQueriesContext(connection) as queries:
        html = area_section(request, area)
    return len(queries), html


def _page_queries(client, code):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("areas:detail", args=[2023, code])).status_code == 200
    return len(queries)


def test_queries_are_bounded_and_do_not_grow_with_the_buurten(client, world, django_assert_max_num_queries):
    user = world.users["corp_editor"]
    client.force_login(user)
    _section_queries(user, WIJK)  # content types and other per-process lookups, once
    before, html = _section_queries(user, WIJK)
    # The data version (``scores.versions``, read again after a change), models, the
    # boundary years of the wijk's code (the key of the summary kept in the cache,
    # ``scores.selectors.summary._summary_key``), their latest scores, the buurten that
    # moved, the buurten on the map and their scores: 7 when built after a change.
    assert before == 7
    assert "Dorpskern" in html
    page_before = _page_queries(client, WIJK)

    _add_buurten(6)

    after, html = _section_queries(user, WIJK)
    assert "Extra 5" in html  # the new buurten moved a class and are listed
    assert after == before
    with django_assert_max_num_queries(page_before):
        html = client.get(reverse("areas:detail", args=[2023, WIJK])).content.decode()
    assert "Extra 5" in _section(html)
    with django_assert_max_num_queries(45):
        assert client.get(reverse("areas:detail", args=[2023, GEBIED])).status_code == 200
