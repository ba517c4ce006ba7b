"""Build Area rows directly for tests, with shapes made the way an import stores them:
WKB at full precision, simplified GeoJSON texts per zoom band, bounding box and area.

``velsen(year)`` loads the real CBS extract of Velsen that ships in data/cbs/velsen;
``small_gemeente(...)`` draws a tiny gemeente of squares, fast enough for the access
matrix.
"""

import json

import shapely
from pyproj import Transformer

from areas.demo import data_dir
from areas.models import ZOOM_BANDS, Area, AreaKind, AreaOverlap

VELSEN_DIR = data_dir()

_to_rd = Transformer.from_crs("EPSG:4326", "EPSG:28992", always_xy=True)


def shape_fields(geometry):
    """The stored columns for a shapely geometry in WGS84 (or None: no shape)."""
    if geometry is None:
        return {"geometry": None, "shape_land": "", "shape_regio": "", "shape_stad": ""}
    fields = {"geometry": shapely.to_wkb(geometry)}
    for band, (tolerance, decimals) in ZOOM_BANDS.items():
        simple = shapely.set_precision(
            shapely.simplify(geometry, tolerance, preserve_topology=True), 10**-decimals
        )
        fields[f"shape_{band}"] = shapely.to_geojson(simple)
    rd = shapely.transform(geometry, lambda xy: _rd(xy))
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    fields.update(area_m2=rd.area, min_lon=min_lon, min_lat=min_lat, max_lon=max_lon, max_lat=max_lat)
    return fields


def _rd(xy):
    x, y = _to_rd.transform(xy[:, 0], xy[:, 1])
    xy[:, 0], xy[:, 1] = x, y
    return xy


def make_area(*, year, kind, code, name, parent=None, geometry=None, is_water=False, gemeente_code=None):
    gemeente_code = gemeente_code or (parent.gemeente_code if parent else code[:6])
    return Area.objects.create(
        year=year,
        kind=kind,
        code=code,
        name=name,
        parent=parent,
        gemeente_code=gemeente_code,
        is_water=is_water,
        **shape_fields(geometry),
    )


def square(lon, lat, size=0.01):
    return shapely.box(lon, lat, lon + size, lat + size)


def small_gemeente(year=2022, code="GM0453", name="Velsen", origin=(4.6, 52.45)):
    """A gemeente of two wijken and five buurten: four land squares, one water buurt and
    one buurt without a shape (like BU04530004 in the real file)."""
    lon, lat = origin
    number = code[2:]
    gemeente = make_area(
        year=year, kind=AreaKind.GEMEENTE, code=code, name=name, geometry=square(lon, lat, 0.04)
    )
    wijk_a = make_area(
        year=year,
        kind=AreaKind.WIJK,
        code=f"WK{number}00",
        name="Wijk 00 Centrum",
        parent=gemeente,
        geometry=shapely.box(lon, lat, lon + 0.02, lat + 0.04),
    )
    wijk_b = make_area(
        year=year,
        kind=AreaKind.WIJK,
        code=f"WK{number}01",
        name="Wijk 01 Haven",
        parent=gemeente,
        geometry=shapely.box(lon + 0.02, lat, lon + 0.04, lat + 0.04),
    )
    buurten = [
        make_area(
            year=year,
            kind=AreaKind.BUURT,
            code=f"BU{number}0000",
            name="Dorpskern",
            parent=wijk_a,
            geometry=square(lon, lat, 0.02),
        ),
        make_area(
            year=year,
            kind=AreaKind.BUURT,
            code=f"BU{number}0001",
            name="Zeeheldenbuurt",
            parent=wijk_a,
            geometry=shapely.box(lon, lat + 0.02, lon + 0.02, lat + 0.04),
        ),
        make_area(
            year=year,
            kind=AreaKind.BUURT,
            code=f"BU{number}0002",
            name="Kriemhildebuurt",
            parent=wijk_a,
            geometry=None,
        ),
        make_area(
            year=year,
            kind=AreaKind.BUURT,
            code=f"BU{number}0100",
            name="Havenkwartier",
            parent=wijk_b,
            geometry=square(lon + 0.02, lat, 0.02),
        ),
        make_area(
            year=year,
            kind=AreaKind.BUURT,
            code=f"BU{number}0101",
            name="Amstelhaven",
            parent=wijk_b,
            geometry=shapely.box(lon + 0.02, lat + 0.02, lon + 0.04, lat + 0.04),
        ),
    ]
    water = make_area(
        year=year,
        kind=AreaKind.BUURT,
        code=f"BU{number}9997",
        name="Noordzeekanaal (water)",
        parent=wijk_b,
        geometry=square(lon + 0.03, lat + 0.03, 0.005),
        is_water=True,
    )
    return {"gemeente": gemeente, "wijken": [wijk_a, wijk_b], "buurten": buurten, "water": water}


def make_gebied(*, year=2022, code="GB0453001", name="IJmuiden-Noord", organisation, buurten, description=""):
    """A gebied row as gebied_create leaves it: the union of its buurten as its shape."""
    shapes = [shapely.from_wkb(b.geometry) for b in buurten if b.geometry]
    geometry = shapely.union_all(shapes) if shapes else None
    gebied = Area.objects.create(
        year=year,
        kind=AreaKind.GEBIED,
        code=code,
        name=name,
        gemeente_code=buurten[0].gemeente_code,
        owner_organisation=organisation,
        description=description,
        **shape_fields(geometry),
    )
    gebied.members.set(buurten)
    return gebied


def _read(name):
    with open(VELSEN_DIR / name, encoding="utf-8") as handle:
        return json.load(handle)["features"]


def velsen(year=2022):
    """The real Velsen boundaries of ``year`` (2022 or 2025). 2025 has only a buurt file;
    its gemeente and wijken take the 2022 shapes, as CBS did not redraw them."""
    gm = _read("gemeente_2022.geojson")[0]
    gemeente = make_area(
        year=year,
        kind=AreaKind.GEMEENTE,
        code=gm["properties"]["statcode"],
        name=gm["properties"]["statnaam"],
        geometry=shapely.geometry.shape(gm["geometry"]),
    )
    wijken = {}
    for feature in _read("wijken_2022.geojson"):
        props = feature["properties"]
        wijken[props["statcode"]] = make_area(
            year=year,
            kind=AreaKind.WIJK,
            code=props["statcode"],
            name=props["statnaam"],
            parent=gemeente,
            geometry=shapely.geometry.shape(feature["geometry"]),
        )
    buurten = []
    for feature in _read(f"buurten_{year}.geojson"):
        props = feature["properties"]
        code = props["statcode"].strip()
        geometry = feature["geometry"]
        buurten.append(
            make_area(
                year=year,
                kind=AreaKind.BUURT,
                code=code,
                name=props["statnaam"],
                parent=wijken[f"WK{code[2:8]}"],
                geometry=shapely.geometry.shape(geometry) if geometry else None,
                is_water=code.endswith(("9997", "9998")),
            )
        )
    return {"gemeente": gemeente, "wijken": list(wijken.values()), "buurten": buurten}


def overlap(source, target, share_of_source=1.0, share_of_target=1.0):
    return AreaOverlap.objects.create(
        source=source, target=target, share_of_source=share_of_source, share_of_target=share_of_target
    )
