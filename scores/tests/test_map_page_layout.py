"""The score map page as a reader meets it: the score table leads with the name and the
chosen model's own columns and scrolls in a focusable, named region; "Kaart van" groups
the models apart from the indicators of each source; years read as years and changes
carry a plus or a true minus sign (U+2212) under Dutch number formatting.

The map data (``build_map_data``) is the veerkracht-index of Velsen in 2022 and 2023;
Dorpskern (BU04530000) scored -1.0 in 2022 and -0.5 in 2023 with a stored trend of 0.5.
"""

import re
from html import unescape

import pytest
from django.urls import reverse

from scores import versions
from scores.api import geojson
from scores.forms.maps import ScoreMapForm, subject_choices
from scores.models import Indicator, ScoreModel, Source
from scores.tests.test_maps import build_map_data, put_signals

MINUS = "\u2212"
VELSEN_2023 = "jaar=2023&niveau=buurt&gemeente=GM0453"


@pytest.fixture(autouse=True)
def _clean_memory():
    versions._local.clear()
    geojson.clear_memory()
    yield


@pytest.fixture
def data(world):
    return build_map_data(world)


def _page(client, user, query):
    client.force_login(user)
    response = client.get(f"{reverse('scores:map')}?{query}")
    assert response.status_code == 200
    return response.content.decode()


def _text(fragment):
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _score_table(html):
    start = html.index('<div class="wk-table-wrap"', html.index("data-score-table") - 300)
    return html[start : html.index("</table>", start)]


def _headers(table):
    head = table[table.index("<thead") : table.index("</thead>")]
    cells = re.findall(r'<th [^>]*scope="col"[^>]*>(.*?)</th>', head, re.S)
    return [_text(cell).rstrip("▲▼ ") for cell in cells]  # without the sort arrow


def _row(table, name):
    start = table.rindex("<tr", 0, table.index(f">{name}</a>"))
    row = table[start : table.index("</tr>", start)]
    return [_text(cell) for cell in re.findall(r"<t[hd] [^>]*>(.*?)</t[hd]>", row, re.S)]


def test_model_table_leads_with_the_name_and_the_models_score_class_and_trend(client, world, data):
    table = _score_table(
        _page(client, world.users["partner_reader"], f"kaart=model:wijkkoers-veerkracht&{VELSEN_2023}")
    )
    assert _headers(table) == ["Naam", "Waarde", "Klasse", "Sinds vorige meting", "Code", "Ligt in"]
    # Dorpskern 2023: value -0.5 (class 2, kwetsbaar), trend +0.5 since 2022.
    name, value, label, trend, code, parent = _row(table, "Dorpskern")
    assert (name, value, label, trend, code) == (
        "Dorpskern",
        f"{MINUS}0,50",
        "kwetsbaar",
        "+0,50",
        "BU04530000",
    )
    assert parent  # the wijk it lies in, last


def test_change_table_leads_with_the_change_and_its_class(client, world, data):
    html = _page(
        client,
        world.users["partner_reader"],
        f"kaart=model:wijkkoers-veerkracht&vergelijk=2022&{VELSEN_2023}",
    )
    table = _score_table(html)
    assert _headers(table) == ["Naam", "Verandering", "Klasse", "2022", "2023", "Code", "Ligt in"]
    # Dorpskern: -0.5 - (-1.0) = +0.5.
    row = _row(table, "Dorpskern")
    assert row[1] == "+0,50"
    assert row[3:6] == [f"{MINUS}1,00", f"{MINUS}0,50", "BU04530000"]


def test_signal_table_leads_with_the_signal_and_both_changes(client, world, data):
    put_signals(data.sw)
    table = _score_table(
        _page(client, world.users["gemeente_reviewer"], f"kaart=model:signalen&{VELSEN_2023}")
    )
    assert _headers(table) == [
        "Naam",
        "Signaal",
        "Verandering kwetsbaarheid",
        "Verandering overlast",
        "Code",
        "Ligt in",
    ]
    # Havenkwartier (BU04530100): vulnerability -0.4, overlast 0.0 (no sign for nought).
    assert _row(table, "Havenkwartier")[2:5] == [f"{MINUS}0,40", "0,00", "BU04530100"]


def test_score_table_scrolls_in_a_focusable_region_named_by_its_caption(client, world, data):
    table = _score_table(
        _page(client, world.users["tenant_rep"], f"kaart=model:wijkkoers-veerkracht&{VELSEN_2023}")
    )
    wrap = table[: table.index(">") + 1]
    assert 'role="region"' in wrap and 'tabindex="0"' in wrap and 'aria-labelledby="tabel-titel"' in wrap
    caption = re.search(r'<caption [^>]*id="tabel-titel"[^>]*>(.*?)</caption>', table, re.S)
    assert _text(caption.group(1)).startswith("Wijkkoers veerkracht-index, 2023")


def test_years_read_as_years_under_dutch_number_formatting(client, world, data):
    html = _page(
        client,
        world.users["partner_reader"],
        f"kaart=model:wijkkoers-veerkracht&vergelijk=2022&{VELSEN_2023}",
    )
    assert "2.023" not in html and "2.022" not in html
    assert '<option value="2023" selected>2023</option>' in html
    assert "<title>Wijkkoers veerkracht-index 2023 · Wijkkoers</title>" in html
    assert "verandering van 2022 tot 2023" in html


def test_kaart_van_groups_the_models_and_each_sources_indicators(client, world, data):
    html = _page(client, world.users["corp_editor"], f"kaart=model:wijkkoers-veerkracht&{VELSEN_2023}")
    select = html[html.index('name="kaart"') : html.index("</select>", html.index('name="kaart"'))]
    groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select, re.S)
    labels = [unescape(label) for label, _options in groups]
    assert labels[0] == "Modellen"
    source = data.corp_share.source.name
    assert f"Indicatoren: {source}" in labels
    models = groups[0][1]
    assert 'value="model:wijkkoers-veerkracht"' in models and 'value="model:aedes-test"' in models
    indicators = dict(groups)[f"Indicatoren: {source}"]
    option = re.search(rf'<option value="indicator:{data.corp_share.pk}"[^>]*>([^<]+)</option>', indicators)
    assert unescape(option.group(1)) == data.corp_share.name  # the group names the source
    assert "indicator:" not in models and "model:" not in indicators


def test_subject_choices_put_models_first_then_sources_and_indicators_by_name():
    zeta, alpha = Source(pk=1, name="Zeta-monitor"), Source(pk=2, name="alpha-cijfers")
    indicators = [
        Indicator(pk=11, name="Woningvoorraad", source=zeta),
        Indicator(pk=12, name="Inwoners", source=alpha),
        Indicator(pk=13, name="Bevolkingsdichtheid", source=zeta),
    ]
    models = [ScoreModel(key="lbm", name="Leefbaarometer"), ScoreModel(key="vk", name="Veerkracht")]
    assert [(str(label), options) for label, options in subject_choices(models, indicators)] == [
        ("Modellen", [("model:lbm", "Leefbaarometer"), ("model:vk", "Veerkracht")]),
        ("Indicatoren: alpha-cijfers", [("indicator:12", "Inwoners")]),
        (
            "Indicatoren: Zeta-monitor",
            [("indicator:13", "Bevolkingsdichtheid"), ("indicator:11", "Woningvoorraad")],
        ),
    ]
    # Without models there is no empty group.
    assert [str(label) for label, _options in subject_choices([], indicators[:1])] == [
        "Indicatoren: Zeta-monitor"
    ]


def test_year_choices_are_labelled_without_a_thousands_separator():
    form = ScoreMapForm(years=[2023, 2022], gemeenten=[("GM0453", "Velsen")])
    html = str(form["jaar"]) + str(form["vergelijk"])
    assert ">2023</option>" in html and ">2022</option>" in html
    assert "2.02" not in html
