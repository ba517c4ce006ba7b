"""CSV and Excel of the score map's table: exactly what the page shows, only what the
person may see."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from scores import versions
from scores.api import geojson
from scores.tests.test_maps import HIDDEN_FROM, SEES_LICENSED, build_map_data, put_signals


@pytest.fixture(autouse=True)
def _clean_memory():
    versions._local.clear()
    geojson.clear_memory()
    yield


@pytest.fixture
def data(world):
    return build_map_data(world)


def _url(query, fmt="csv"):
    return f"{reverse('scores:export')}?{query}&format={fmt}"


def _csv(response):
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_csv_holds_the_table_of_the_page(client, world, data):
    client.force_login(world.users["tenant_rep"])
    response = client.get(
        _url("kaart=model:wijkkoers-veerkracht&jaar=2023&niveau=buurt&gemeente=GM0453&sorteer=-waarde")
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    rows = _csv(response)
    assert rows[0][:5] == ["Code", "Naam", "Ligt in", "Jaar", "Score"]
    # Same order as the page's table sorted on value, the area without score last.
    assert [r[0] for r in rows[1:6]] == ["BU04530102", "BU04530100", "BU04530001", "BU04530000", "BU04530002"]
    dorp = rows[4]
    assert dorp[4:9] == ["-0.50", "2", "0.50", "nee", "kwetsbaar"]


def test_change_export_has_both_years_and_the_redrawn_buurt(client, world, data):
    client.force_login(world.users["outsider"])
    rows = _csv(
        client.get(
            _url("kaart=model:wijkkoers-veerkracht&jaar=2023&vergelijk=2022&niveau=buurt&gemeente=GM0453")
        )
    )
    assert rows[0][4:8] == ["Score 2022", "Score 2023", "Verandering", "Opnieuw ingedeeld"]
    nieuwe_haven = next(r for r in rows if r[0] == "BU04530102")
    assert nieuwe_haven[4:8] == ["0.70", "1.20", "0.50", "ja"]


def test_signal_export_gives_the_two_changes_the_compared_year_and_the_signal(client, world, data):
    put_signals(data.sw)
    client.force_login(world.users["tenant_rep"])
    rows = _csv(client.get(_url("kaart=model:signalen&jaar=2023&niveau=buurt&gemeente=GM0453")))
    assert rows[0] == [
        "Code",
        "Naam",
        "Ligt in",
        "Jaar",
        "Vergeleken met jaar",
        "Verandering kwetsbaarheid",
        "Verandering overlast",
        "Signaal (vak 1–9)",
        "Signaal",
        "Nieuw in dit vak",
        "Geen gegevens omdat",
    ]
    dorp = next(r for r in rows if r[0] == "BU04530000")
    # No previous signal is stored for Dorpskern, so it is not new in its cell.
    assert dorp[3:10] == ["2023", "2022", "0.60", "0.80", "9", "kwetsbaarheid stijgt, overlast stijgt", "nee"]
    kriemhilde = next(r for r in rows if r[0] == "BU04530002")
    assert kriemhilde[4:10] == ["", "", "", "", "", ""]
    book = openpyxl.load_workbook(
        io.BytesIO(
            client.get(_url("kaart=model:signalen&jaar=2023&niveau=buurt&gemeente=GM0453", "xlsx")).content
        )
    )
    values = {r[0]: r[4:8] for r in list(book.worksheets[0].values)[1:]}
    assert values["BU04530100"] == (2022, -0.4, 0, 2)


def test_excel_export_of_an_indicator_with_quantile_classes(client, world, data):
    client.force_login(world.users["partner_reader"])
    query = f"kaart=indicator:{data.corp_share.pk}&jaar=2023&niveau=buurt&gemeente=GM0453&aantal=5"
    response = client.get(_url(query, "xlsx"))
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = list(sheet.values)
    assert rows[0][4] == "Waarde (%)"
    values = {r[0]: (r[4], r[5]) for r in rows[1:]}
    assert values["BU04530000"] == (10, 1)
    assert values["BU04530102"] == (50, 5)
    # The open CBS source's own licence text goes with the data.
    assert "CC BY 4.0" in book.worksheets[1].cell(2, 1).value


@pytest.mark.parametrize("persona", sorted(SEES_LICENSED | HIDDEN_FROM))
def test_licensed_export_only_for_the_organisations_it_is_shared_with(client, world, data, persona):
    client.force_login(world.users[persona])
    response = client.get(_url("kaart=model:aedes-test&jaar=2023&niveau=buurt&gemeente=GM0453"))
    if persona in SEES_LICENSED:
        assert response.status_code == 200
        text = response.content.decode("utf-8-sig")
        assert "niet verder verspreiden" in text
        assert "BU04530000" in text
    else:
        assert response.status_code == 404


def test_export_needs_sign_in_and_a_known_format(client, world, data):
    query = "kaart=model:wijkkoers-veerkracht&jaar=2023&niveau=buurt&gemeente=GM0453"
    assert client.get(_url(query)).status_code == 302
    client.force_login(world.users["corp_editor"])
    assert client.get(_url(query, "pdf")).status_code == 404
    bad = client.get(_url(f"kaart=indicator:{data.corp_share.pk}&jaar=2023&klassen=fixed&grenzen=9;3"))
    assert bad.status_code == 400
    assert "van laag naar hoog" in bad.content.decode()
