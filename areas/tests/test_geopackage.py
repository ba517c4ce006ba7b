"""The areas of a map on the area pages as a GeoPackage: the map's year, level and
scope, every land area with its full-precision shape (or none), for every signed-in
person."""

import pytest
import shapely
from django.urls import reverse
from pyogrio.raw import read

from areas.tests.helpers import small_gemeente
from tests.matrix import AccessMatrix, Case

SIGNED_IN = {"corp_editor", "org_admin", "gemeente_reviewer", "tenant_rep", "partner_reader", "outsider"}


def _url(query="year=2022&level=buurt&gemeente=GM0453"):
    return reverse("areas:geopackage") + "?" + query


def test_buurten_of_a_gemeente_as_geopackage(client, world, tmp_path):
    small_gemeente()
    client.force_login(world.outsider)
    page = client.get(reverse("areas:detail", args=[2022, "GM0453"]) + "?niveau=buurt").content.decode()
    assert "Download de kaart als GeoPackage" in page
    response = client.get(_url())
    assert response.status_code == 200
    path = tmp_path / "buurten.gpkg"
    path.write_bytes(response.content)
    meta, _fids, geometry, fields = read(path)
    columns = dict(zip(meta["fields"], fields, strict=True))
    assert list(columns) == ["code", "name", "parent_code", "parent_name", "gemeente", "year", "area_m2"]
    # Four land squares and the buurt without a shape; the water buurt is left out.
    assert len(columns["code"]) == 5
    shapes = dict(zip(columns["code"], geometry, strict=True))
    without = [code for code, wkb in shapes.items() if wkb is None]
    assert len(without) == 1
    assert all(shapely.from_wkb(wkb).is_valid for wkb in shapes.values() if wkb is not None)
    assert set(columns["gemeente"]) == {"GM0453"}


@pytest.mark.parametrize(
    "query", ["year=twee&level=buurt", "year=2022&level=provincie", "year=2022&gemeente=XX"]
)
def test_bad_choices_answer_400(client, world, query):
    small_gemeente()
    client.force_login(world.outsider)
    assert client.get(_url(query)).status_code == 400


def test_a_scope_without_areas_answers_404(client, world):
    small_gemeente()
    client.force_login(world.outsider)
    assert client.get(_url("year=1999&level=buurt&gemeente=GM0453")).status_code == 404


class TestAreaGeoPackageAccess(AccessMatrix):
    world_setup = staticmethod(lambda w: w.objects.update(areas=small_gemeente()))
    cases = [
        Case("buurten of a gemeente", url=lambda w: _url(), allowed=SIGNED_IN),
        Case(
            "wijken of a gemeente",
            url=lambda w: _url("year=2022&level=wijk&gemeente=GM0453"),
            allowed=SIGNED_IN,
        ),
        Case("gemeenten", url=lambda w: _url("year=2022&level=gemeente"), allowed=SIGNED_IN),
    ]
