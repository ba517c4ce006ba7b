"""The score map as a GeoPackage: the same choice as the page, its table's fields under
names a GIS reads, and the full-precision shape of every area; licensed maps only for
those they are shared with.

The data are those of ``test_maps``: Velsen 2022 and 2023, the open veerkracht-index on
the buurten of both years, the licensed Aedes model (corporation, shared with the
gemeente) on those of 2023."""

import pyogrio
import pytest
from django.urls import reverse
from pyogrio.raw import read

from scores.tests.test_maps import HIDDEN_FROM, SEES_LICENSED, build_map_data, put_signals
from tests.matrix import AccessMatrix, Case

SIGNED_IN = SEES_LICENSED | HIDDEN_FROM
MAP = "kaart=model:{key}&jaar=2023&niveau=buurt&gemeente=GM0453&format=gpkg"


def _url(key, extra=""):
    return reverse("scores:export") + "?" + MAP.format(key=key) + extra


def _read(response, tmp_path):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geopackage+sqlite3"
    assert response["Content-Disposition"].endswith('.gpkg"')
    path = tmp_path / "map.gpkg"
    path.write_bytes(response.content)
    meta, _fids, geometry, fields = read(path)
    return meta, geometry, dict(zip(meta["fields"], fields, strict=True)), pyogrio.read_info(path)


@pytest.fixture
def data(world):
    return build_map_data(world)


def test_score_map_as_geopackage(client, world, data, tmp_path):
    client.force_login(world.tenant_rep)
    meta, geometry, columns, info = _read(client.get(_url("wijkkoers-veerkracht", "&sorteer=code")), tmp_path)
    assert meta["crs"] == "EPSG:4326"
    assert info["geometry_type"] == "MultiPolygon"
    assert list(columns) == [
        "code",
        "name",
        "parent_code",
        "parent_name",
        "year",
        "value",
        "change",
        "grens_gewijzigd",
        "class",
        "label",
        "no_data_reason",
    ]
    assert list(columns["code"]) == ["BU04530000", "BU04530001", "BU04530002", "BU04530100", "BU04530102"]
    assert list(columns["value"][:2]) == [-0.5, 0.1]
    assert list(columns["class"][:2]) == [2, 3]
    # Dorpskern's change since 2022 is 0.5 as put; the others have none.
    assert columns["change"][0] == 0.5
    # Dorpskern: the square of 0.01° at (4.60, 52.45), at full precision.
    assert pyogrio_bounds(geometry[0]) == pytest.approx((4.6, 52.45, 4.61, 52.46))


def pyogrio_bounds(wkb):
    import shapely

    return shapely.from_wkb(wkb).bounds


def test_change_map_as_geopackage(client, world, data, tmp_path):
    client.force_login(world.tenant_rep)
    _meta, _geometry, columns, _info = _read(
        client.get(_url("wijkkoers-veerkracht", "&vergelijk=2022&sorteer=code")), tmp_path
    )
    assert {"previous", "value", "change", "redrawn"} <= set(columns)
    # Dorpskern -1.0 in 2022, -0.5 in 2023: +0.5; Nieuwe Haven (1.2) continues Amstelhaven
    # (0.8) for 75 % and Havenkwartier (0.4) for 25 %: 0.75 × 0.8 + 0.25 × 0.4 = 0.7, so
    # +0.5, and it was redrawn.
    changes = dict(zip(columns["code"], columns["change"], strict=True))
    assert changes["BU04530000"] == pytest.approx(0.5)
    assert changes["BU04530102"] == pytest.approx(0.5)
    assert dict(zip(columns["code"], columns["redrawn"], strict=True))["BU04530102"] == 1


def test_signal_map_as_geopackage(client, world, data, tmp_path):
    put_signals(data.sw)
    client.force_login(world.tenant_rep)
    _meta, _geometry, columns, _info = _read(client.get(_url("signalen")), tmp_path)
    assert {"change_kwetsbaarheid", "change_overlast", "nieuw"} <= set(columns)


def test_licensed_map_carries_its_note(client, world, data, tmp_path):
    client.force_login(world.gemeente_reviewer)
    _meta, _geometry, columns, info = _read(client.get(_url("aedes-test")), tmp_path)
    assert "niet verder verspreiden" in info["layer_metadata"]["DESCRIPTION"]
    assert len(columns["code"]) == 5


class TestGeoPackageAccess(AccessMatrix):
    world_setup = staticmethod(lambda w: w.objects.update(map_data=build_map_data(w)))
    cases = [
        Case("open score map", url=lambda w: _url("wijkkoers-veerkracht"), allowed=SIGNED_IN),
        Case("change map", url=lambda w: _url("wijkkoers-veerkracht", "&vergelijk=2022"), allowed=SIGNED_IN),
        Case(
            "indicator map",
            url=lambda w: _url("x").replace("model:x", f"indicator:{w.map_data.corp_share.pk}"),
            allowed=SIGNED_IN,
        ),
        Case(
            "licensed score map", url=lambda w: _url("aedes-test"), allowed=SEES_LICENSED, admin_allowed=False
        ),
    ]


def test_the_map_page_offers_the_geopackage_beside_csv_and_excel(client, world, data):
    client.force_login(world.tenant_rep)
    page = client.get(reverse("scores:map") + "?kaart=model:wijkkoers-veerkracht&jaar=2023&gemeente=GM0453")
    html = page.content.decode()
    assert "Download als CSV" in html and "Download als GeoPackage" in html
    assert "format=gpkg" in html
