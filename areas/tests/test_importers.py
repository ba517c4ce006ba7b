"""Reading boundary files: the real Velsen extracts, RD New GeoPackage and Shapefile with
CBS attribute names, and every kind of bad input with its Dutch message."""

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
import shapely
from pyogrio import raw as ogr_raw

from areas.demo import data_dir
from areas.importers import (
    RD_NEW,
    WGS84,
    BoundaryFileError,
    _reproject,
    normalise_code,
    parent_code_of,
    read_boundary_file,
    shape_fields,
)
from areas.models import ZOOM_BANDS

VELSEN = data_dir()


def velsen_features(name):
    return json.loads((VELSEN / name).read_text(encoding="utf-8"))["features"]


def write_geojson(path, features, crs=None):
    data = {"type": "FeatureCollection", "features": features}
    if crs:
        data["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def feature(code, name="Buurt", geometry=None, **props):
    if geometry is None:
        geometry = shapely.box(4.60, 52.45, 4.61, 52.46)
    return {
        "type": "Feature",
        "geometry": json.loads(shapely.to_geojson(geometry)) if geometry != "null" else None,
        "properties": {"statcode": code, "statnaam": name, **props},
    }


def write_cbs_rd(directory: Path, driver: str) -> Path:
    """Velsen's 2022 buurten in RD New with CBS attribute names, padded codes and one
    water buurt, as a GeoPackage or a zipped Shapefile."""
    feats = velsen_features("buurten_2022.geojson")
    geoms = np.array(
        [shapely.geometry.shape(f["geometry"]) if f["geometry"] else None for f in feats], dtype=object
    )
    rd = _reproject(geoms, WGS84, RD_NEW)
    codes = [f["properties"]["statcode"] for f in feats]
    bu_code = np.array([f" {c}  " for c in codes], dtype=object)
    bu_naam = np.array([f["properties"]["statnaam"] for f in feats], dtype=object)
    wk_code = np.array([f"WK{c[2:8]}" for c in codes], dtype=object)
    gm_code = np.array(["GM0453"] * len(codes), dtype=object)
    gm_naam = np.array(["Velsen"] * len(codes), dtype=object)
    water = np.array(["NEE"] * len(codes), dtype=object)
    water[codes.index("BU04530900")] = "JA"
    fields = ["BU_CODE", "BU_NAAM", "WK_CODE", "GM_CODE", "GM_NAAM", "WATER"]
    arrays = [bu_code, bu_naam, wk_code, gm_code, gm_naam, water]
    wkb = shapely.to_wkb(rd)
    if driver == "GPKG":
        path = directory / "buurten_rd.gpkg"
        ogr_raw.write(
            str(path), wkb, arrays, fields, driver="GPKG", geometry_type="Polygon", crs="EPSG:28992"
        )
        return path
    shp_dir = directory / "shp"
    shp_dir.mkdir()
    ogr_raw.write(
        str(shp_dir / "buurt_2022.shp"),
        wkb,
        arrays,
        fields,
        driver="ESRI Shapefile",
        geometry_type="Polygon",
        crs="EPSG:28992",
        encoding="UTF-8",
    )
    path = directory / "buurten_rd.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for part in shp_dir.iterdir():
            archive.write(part, f"wijkbuurtkaart/{part.name}")
    return path


# --- the real Velsen files --------------------------------------------------------------


def test_velsen_buurten_2022():
    result = read_boundary_file(VELSEN / "buurten_2022.geojson", year=2022)
    assert result.errors == []
    assert result.crs == WGS84
    assert result.style == "vereenvoudigd"
    assert len(result.records) == 63
    by_code = {r.code: r for r in result.records}
    kriemhilde = by_code["BU04530004"]
    assert kriemhilde.geometry is None
    assert kriemhilde.shapes == {}
    assert [w.as_dict() for w in result.warnings] == [
        {"row": 5, "code": "BU04530004", "message": "Geen vorm in het bestand: opgeslagen zonder kaartvorm."}
    ]
    dorp = by_code["BU04530000"]
    assert (dorp.name, dorp.kind, dorp.parent_code, dorp.gemeente_code) == (
        "Velsen-Dorp",
        "buurt",
        "WK045300",
        "GM0453",
    )
    assert 10_000 < dorp.area_m2 < 1_000_000
    assert dorp.bbox == pytest.approx((4.644, 52.46, 4.648, 52.464))
    assert set(dorp.shapes) == set(ZOOM_BANDS)
    assert json.loads(dorp.shapes["stad"])["type"] == "Polygon"
    assert shapely.from_wkb(dorp.geometry).equals(
        shapely.Polygon([(4.648, 52.464), (4.644, 52.464), (4.647, 52.46)])
    )
    assert {r.parent_code for r in result.records} == {f"WK04530{i}" for i in range(10)}


def test_velsen_gemeente_wijken_and_2025():
    gemeente = read_boundary_file(VELSEN / "gemeente_2022.geojson", year=2022)
    assert [(r.code, r.name, r.kind, r.parent_code) for r in gemeente.records] == [
        ("GM0453", "Velsen", "gemeente", None)
    ]
    wijken = read_boundary_file(VELSEN / "wijken_2022.geojson", year=2022)
    assert len(wijken.records) == 10
    assert {r.parent_code for r in wijken.records} == {"GM0453"}
    assert all(r.kind == "wijk" and r.geometry for r in wijken.records)
    buurten_2025 = read_boundary_file(VELSEN / "buurten_2025.geojson", year=2025)
    assert len(buurten_2025.records) == 63
    assert buurten_2025.errors == []
    assert len(buurten_2025.warnings) == 1


def test_year_in_file_differs_from_chosen_year_is_a_warning():
    result = read_boundary_file(VELSEN / "buurten_2025.geojson", year=2022)
    assert result.errors == []
    assert "is dit bestand van 2025; het wordt geïmporteerd als 2022" in result.warnings[0].message


# --- RD New with CBS attribute names ----------------------------------------------------


@pytest.mark.parametrize("driver", ["GPKG", "ESRI Shapefile"])
def test_rd_new_with_cbs_names(tmp_path, driver):
    path = write_cbs_rd(tmp_path, driver)
    result = read_boundary_file(path, year=2022)
    assert result.errors == []
    assert result.crs == RD_NEW
    assert result.style == "cbs"
    assert len(result.records) == 63
    by_code = {r.code: r for r in result.records}
    assert "BU04530000" in by_code  # padding stripped
    assert by_code["BU04530900"].is_water
    assert sum(r.is_water for r in result.records) == 1
    assert by_code["BU04530004"].geometry is None
    # Transformed back to WGS84 the shape matches the original within centimetres.
    original = read_boundary_file(VELSEN / "buurten_2022.geojson", year=2022)
    for rec in original.records:
        if rec.geometry is None:
            continue
        back = shapely.from_wkb(by_code[rec.code].geometry)
        assert shapely.hausdorff_distance(back, shapely.from_wkb(rec.geometry)) < 1e-6
        assert by_code[rec.code].area_m2 == pytest.approx(rec.area_m2, rel=1e-6)
    messages = {w.message for w in result.warnings}
    assert "Water: opgeslagen, maar buiten kaarten en gemiddelden gehouden." in messages


def test_cbs_wijk_file_level_from_columns(tmp_path):
    geom = shapely.box(4.6, 52.45, 4.62, 52.47)
    path = tmp_path / "wijken.geojson"
    write_geojson(
        path,
        [
            {
                "type": "Feature",
                "geometry": json.loads(shapely.to_geojson(geom)),
                "properties": {
                    "WK_CODE": "wk045301",
                    "WK_NAAM": "Wijk 01",
                    "GM_CODE": "GM0453",
                    "GM_NAAM": "Velsen",
                },
            }
        ],
    )
    result = read_boundary_file(path, year=2022)
    assert [(r.code, r.kind, r.parent_code) for r in result.records] == [("WK045301", "wijk", "GM0453")]


def test_code_of_another_level_in_a_cbs_column(tmp_path):
    path = tmp_path / "buurten.geojson"
    square = json.loads(shapely.to_geojson(shapely.box(4.6, 52.45, 4.61, 52.46)))
    write_geojson(
        path,
        [
            {"type": "Feature", "geometry": square, "properties": {"BU_CODE": "BU04530000", "BU_NAAM": "A"}},
            {"type": "Feature", "geometry": square, "properties": {"BU_CODE": "WK045300", "BU_NAAM": "B"}},
        ],
    )
    result = read_boundary_file(path, year=2022)
    assert [e.message for e in result.errors] == [
        "Ongeldige code 'WK045300' in de kolom BU_CODE: verwacht BU + 8 tekens, bijvoorbeeld BU04530000."
    ]


def test_codes_normalised_and_derived():
    assert normalise_code(" bu04530001 ") == "BU04530001"
    assert parent_code_of("BU0453AB01") == "WK0453AB"
    assert parent_code_of("WK045301") == "GM0453"
    assert parent_code_of("GM0453") is None


def test_water_code_suffix(tmp_path):
    path = write_geojson(
        tmp_path / "b.geojson", [feature("WK045399"), feature("BU04539997"), feature("BU04530001")]
    )
    result = read_boundary_file(path, year=2022)
    water = {r.code: r.is_water for r in result.records}
    assert water == {"WK045399": False, "BU04539997": True, "BU04530001": False}


# --- repaired and simplified shapes -----------------------------------------------------


def test_self_intersecting_polygon_is_repaired_with_warning(tmp_path):
    bowtie = shapely.Polygon([(4.60, 52.45), (4.62, 52.47), (4.62, 52.45), (4.60, 52.47), (4.60, 52.45)])
    assert not bowtie.is_valid
    path = write_geojson(tmp_path / "bowtie.geojson", [feature("BU04530001", geometry=bowtie)])
    result = read_boundary_file(path, year=2022)
    assert result.errors == []
    [rec] = result.records
    assert shapely.from_wkb(rec.geometry).is_valid
    assert shapely.from_wkb(rec.geometry).area > 0
    assert "hersteld" in result.warnings[0].message


def test_tiny_polygon_keeps_a_shape_at_country_zoom():
    tiny = shapely.box(4.6, 52.45, 4.6001, 52.4501)
    fields = shape_fields(np.array([tiny, None], dtype=object))
    land = json.loads(fields["land"][0])
    assert land["type"] == "Polygon" and len(land["coordinates"][0]) >= 4
    assert fields["land"][1] is None
    assert fields["wkb"][1] is None


def test_zoom_bands_round_coordinates():
    ring = [(4.6 + 0.01 * np.cos(a), 52.45 + 0.01 * np.sin(a)) for a in np.linspace(0, 2 * np.pi, 200)]
    fields = shape_fields(np.array([shapely.Polygon(ring)], dtype=object))
    land = json.loads(fields["land"][0])["coordinates"][0]
    stad = json.loads(fields["stad"][0])["coordinates"][0]
    assert len(land) < len(stad) <= 200
    assert all(round(x, 4) == x and round(y, 4) == y for x, y in land)


# --- bad input --------------------------------------------------------------------------


def refused(path, **kwargs):
    with pytest.raises(BoundaryFileError) as info:
        read_boundary_file(path, **kwargs)
    return info.value.message


def test_not_a_geo_file(tmp_path):
    path = tmp_path / "notities.txt"
    path.write_text("Dit is gewoon tekst.\n")
    assert refused(path).startswith("Dit is geen geodata-bestand")


def test_csv_is_not_a_geo_file(tmp_path):
    path = tmp_path / "codes.geojson"
    path.write_text("statcode,statnaam\nBU04530000,Velsen-Dorp\n")
    assert refused(path).startswith("Dit is geen geodata-bestand")


def test_broken_json_is_not_a_geo_file(tmp_path):
    path = tmp_path / "kapot.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [')
    assert "geen geodata-bestand" in refused(path)


def test_empty_files(tmp_path):
    empty = tmp_path / "leeg.geojson"
    empty.write_bytes(b"")
    assert refused(empty) == "Het bestand is leeg."
    no_features = write_geojson(tmp_path / "geen.geojson", [])
    assert refused(no_features) == "Het bestand bevat geen gebieden."


def test_unknown_crs(tmp_path):
    path = write_geojson(
        tmp_path / "mercator.geojson",
        [feature("BU04530001", geometry=shapely.box(510000, 6880000, 512000, 6882000))],
        crs="urn:ogc:def:crs:EPSG::3857",
    )
    message = refused(path)
    assert "Pseudo-Mercator" in message
    assert "RD New (EPSG:28992) of WGS84 (EPSG:4326)" in message


def test_wgs84_declared_with_rd_coordinates(tmp_path):
    path = write_geojson(
        tmp_path / "rd_zonder_crs.geojson",
        [feature("BU04530001", geometry=shapely.box(100000, 490000, 101000, 491000))],
    )
    assert "geen lengte- en breedtegraden" in refused(path)


@pytest.mark.filterwarnings("ignore:.crs. was not provided")
def test_shapefile_without_prj(tmp_path):
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    wkb = shapely.to_wkb(np.array([shapely.box(100000, 490000, 101000, 491000)], dtype=object))
    ogr_raw.write(
        str(shp_dir / "b.shp"),
        wkb,
        [np.array(["BU04530001"], dtype=object)],
        ["BU_CODE"],
        driver="ESRI Shapefile",
        geometry_type="Polygon",
    )
    zipped = tmp_path / "b.zip"
    with zipfile.ZipFile(zipped, "w") as archive:
        for part in shp_dir.iterdir():
            archive.write(part, part.name)
    message = refused(zipped)
    assert "geen coördinatenstelsel" in message and ".prj" in message


def test_loose_shp_and_zip_without_layer(tmp_path):
    path = write_cbs_rd(tmp_path, "ESRI Shapefile")
    assert "los .shp-bestand" in refused(tmp_path / "shp" / "buurt_2022.shp")
    other = tmp_path / "leeg.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.writestr("leesmij.txt", "niets")
    assert "bevat geen Shapefile" in refused(other)
    assert path.exists()


def test_missing_code_column(tmp_path):
    path = write_geojson(
        tmp_path / "zonder_code.geojson",
        [
            {
                "type": "Feature",
                "geometry": json.loads(shapely.to_geojson(shapely.box(4.6, 52.4, 4.7, 52.5))),
                "properties": {"naam": "Velsen"},
            }
        ],
    )
    message = refused(path)
    assert message.startswith("Het bestand heeft geen kolom met gebiedscodes")
    assert "naam" in message


def test_duplicate_and_invalid_codes_are_row_errors(tmp_path):
    path = write_geojson(
        tmp_path / "dubbel.geojson",
        [feature("BU04530001"), feature("BU04530002"), feature(" bu04530001"), feature("XX123"), feature("")],
    )
    result = read_boundary_file(path, year=2022)
    assert [e.as_dict() for e in result.errors] == [
        {
            "row": 3,
            "code": "BU04530001",
            "message": "De code BU04530001 komt vaker voor in het bestand (ook op rij 1).",
        },
        {
            "row": 4,
            "code": "XX123",
            "message": "Ongeldige code 'XX123': verwacht GM + 4 cijfers, WK + 6 of BU + 8 tekens.",
        },
        {"row": 5, "code": "", "message": "De code ontbreekt."},
    ]


def test_points_are_refused(tmp_path):
    path = write_geojson(
        tmp_path / "punten.geojson", [feature("BU04530001", geometry=shapely.Point(4.6, 52.45))]
    )
    result = read_boundary_file(path, year=2022)
    assert result.errors[0].message == "De vorm is geen vlak (polygoon) maar een punt of lijn."


def test_file_too_large(tmp_path):
    path = VELSEN / "buurten_2022.geojson"
    message = refused(path, max_bytes=1024)
    assert message.startswith("Het bestand is ") and "MB; de grens is 0,0 MB." in message
