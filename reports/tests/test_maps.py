"""The server-drawn maps of the year report: plain data in, SVG with a legend and a text
alternative out."""

import json
import xml.etree.ElementTree as ET

import pytest

from reports import maps

SVG = "{http://www.w3.org/2000/svg}"


def square(x, y, size=0.01):
    """A square shape in WGS84 with its lower left corner at (x, y) degrees."""
    return json.dumps(
        {
            "type": "Polygon",
            "coordinates": [[[x, y], [x + size, y], [x + size, y + size], [x, y + size], [x, y]]],
        }
    )


CLASSES = [
    maps.MapClass(1, "zwak", "#d7191c"),
    maps.MapClass(2, "voldoende", "#ffffbf"),
    maps.MapClass(3, "goed", "#1a9641"),
]


def parse(image):
    return ET.fromstring(str(image.svg))


def fills_of_groups(root):
    """{fill colour: number of area paths} of the map's class groups."""
    found = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("fill") and group.get("fill").startswith("#") and group.find(f"{SVG}path") is not None:
            found[group.get("fill")] = len(group.findall(f"{SVG}path"))
    return found


def test_class_map_colours_each_area_by_its_class():
    areas = [
        maps.MapArea("BU1", "Noord", square(4.60, 52.45), key=1),
        maps.MapArea("BU2", "Oost", square(4.61, 52.45), key=3),
        maps.MapArea("BU3", "Zuid", square(4.60, 52.44), key=3),
        maps.MapArea("BU4", "West", square(4.59, 52.45), key=None),
    ]
    image = maps.class_map(map_id="kaart-a", title="Leefbaarometer 2024", areas=areas, classes=CLASSES)
    root = parse(image)
    # Two areas in class 3 (goed), one in class 1, one without data (grey).
    assert fills_of_groups(root) == {"#1a9641": 2, "#d7191c": 1, maps.NO_DATA_COLOR: 1}
    assert image.drawn == 4
    # Every area path names its buurt for a pointer or a screen reader.
    names = sorted(
        p.find(f"{SVG}title").text for p in root.iter(f"{SVG}path") if p.find(f"{SVG}title") is not None
    )
    assert names == ["Noord (BU1)", "Oost (BU2)", "West (BU4)", "Zuid (BU3)"]


def test_map_has_title_description_and_text_alternative():
    areas = [
        maps.MapArea("BU1", "Noord", square(4.60, 52.45), key=1),
        maps.MapArea("BU2", "Oost", square(4.61, 52.45), key=3),
    ]
    image = maps.class_map(
        map_id="kaart-b", title="Veerkracht 2025", areas=areas, classes=CLASSES, level_label="buurten"
    )
    root = parse(image)
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "kaart-b-titel kaart-b-beschrijving"
    assert root.find(f"{SVG}title").text == "Veerkracht 2025"
    desc = root.find(f"{SVG}desc").text
    assert desc == image.description
    assert image.text[0] == "De kaart toont 2 buurten, gekleurd naar klasse."
    # Counted by hand: one zwak, none voldoende (left out), one goed.
    assert image.text[1] == "Aantal per klasse: zwak: 1; goed: 1."
    # The legend lists every class with its count, in the SVG as text.
    legend = [t.text for t in root.iter(f"{SVG}text")]
    assert legend == ["zwak (1)", "voldoende (0)", "goed (1)"]


def test_text_is_escaped():
    areas = [maps.MapArea("BU1", "Dorp & <Zee>", square(4.6, 52.4), key=1)]
    image = maps.class_map(map_id="k", title='A "B" & C', areas=areas, classes=CLASSES)
    root = parse(image)
    assert root.find(f"{SVG}title").text == 'A "B" & C'
    assert "Dorp & <Zee> (BU1)" in [t.text for t in root.iter(f"{SVG}title")]


def test_change_map_hatches_and_names_redrawn_areas():
    areas = [
        maps.MapArea("BU1", "Noord", square(4.60, 52.45), key=maps.IMPROVED),
        maps.MapArea("BU2", "Oost", square(4.61, 52.45), key=maps.WORSE, redrawn=True),
        maps.MapArea("BU3", "Zuid", square(4.60, 52.44), key=maps.SAME),
        maps.MapArea("BU4", "West", square(4.59, 52.45), key=None, redrawn=True),
    ]
    image = maps.change_map(
        map_id="verandering", title="Verandering 2022–2025", areas=areas, level_label="buurt"
    )
    root = parse(image)
    assert fills_of_groups(root) == {
        maps.CHANGE_COLORS[maps.IMPROVED]: 1,
        maps.CHANGE_COLORS[maps.WORSE]: 1,
        maps.CHANGE_COLORS[maps.SAME]: 1,
        maps.NO_DATA_COLOR: 1,
    }
    pattern = root.find(f"{SVG}defs/{SVG}pattern")
    assert pattern.get("id") == "verandering-arcering"
    overlays = [p for p in root.findall(f"{SVG}path") if p.get("fill") == "url(#verandering-arcering)"]
    assert len(overlays) == 1
    # The overlay draws the two redrawn squares: two rings.
    assert overlays[0].get("d").count("M") == 2
    legend = [t.text for t in root.iter(f"{SVG}text")]
    assert legend == [
        "verbeterd (1)",
        "gelijk gebleven (1)",
        "verslechterd (1)",
        "geen vergelijking (1)",
        "grens gewijzigd",
    ]
    assert image.text[-1] == "Grens gewijzigd (gearceerd): Oost, West."


def test_class_map_does_not_hatch_unless_asked():
    areas = [maps.MapArea("BU1", "Noord", square(4.60, 52.45), key=1, redrawn=True)]
    image = maps.class_map(map_id="k", title="t", areas=areas, classes=CLASSES)
    assert "arcering" not in str(image.svg)
    assert not any("Grens gewijzigd" in line for line in image.text)


def test_areas_without_shape_are_counted_but_not_drawn():
    areas = [
        maps.MapArea("BU1", "Noord", square(4.60, 52.45), key=1),
        maps.MapArea("BU2", "Zonder vorm", None, key=2),
        maps.MapArea("BU3", "Kapot", "{niet json", key=2),
    ]
    image = maps.class_map(map_id="k", title="t", areas=areas, classes=CLASSES)
    assert image.drawn == 1
    assert ("voldoende", "#ffffbf", 2) in image.counts


def test_no_shapes_at_all_gives_a_message():
    image = maps.class_map(
        map_id="k", title="t", areas=[maps.MapArea("BU1", "A", None, key=1)], classes=CLASSES
    )
    root = parse(image)
    assert [t.text for t in root.iter(f"{SVG}text")] == ["Er zijn geen vormen om te tekenen."]
    assert image.drawn == 0


def test_holes_and_multipolygons_become_path_rings():
    shape = {
        "type": "MultiPolygon",
        "coordinates": [
            [
                [[4.6, 52.4], [4.7, 52.4], [4.7, 52.5], [4.6, 52.5], [4.6, 52.4]],
                [[4.62, 52.42], [4.68, 52.42], [4.68, 52.48], [4.62, 52.48], [4.62, 52.42]],
            ],
            [[[4.8, 52.4], [4.85, 52.4], [4.85, 52.45], [4.8, 52.4]]],
        ],
    }
    image = maps.class_map(
        map_id="k", title="t", areas=[maps.MapArea("BU1", "A", shape, key=1)], classes=CLASSES
    )
    path = next(p for p in parse(image).iter(f"{SVG}path") if p.find(f"{SVG}title") is not None)
    # Outer ring, hole, second polygon: three rings, each closed.
    assert path.get("d").count("M") == 3
    assert path.get("d").count("z") == 3


def test_the_map_keeps_the_shape_proportions():
    # A rectangle 0.2° of longitude by 0.1° of latitude at 52°N: 0.2 × cos(52°) ≈ 0.123
    # by 0.1, so the drawing is about 1.23 times as wide as high.
    rectangle = {
        "type": "Polygon",
        "coordinates": [[[4.5, 52.0], [4.7, 52.0], [4.7, 52.1], [4.5, 52.1], [4.5, 52.0]]],
    }
    image = maps.class_map(
        map_id="k", title="t", areas=[maps.MapArea("B", "B", rectangle, key=1)], classes=CLASSES
    )
    path = next(p for p in parse(image).iter(f"{SVG}path") if p.find(f"{SVG}title") is not None)
    numbers = path.get("d").replace("M", "").replace("l", " ").replace("z", "").split()
    x0, y0 = int(numbers[0]), int(numbers[1])
    xs, ys, x, y = [x0], [y0], x0, y0
    for dx, dy in zip(numbers[2::2], numbers[3::2], strict=True):
        x, y = x + int(dx), y + int(dy)
        xs.append(x)
        ys.append(y)
    width, height = max(xs) - min(xs), max(ys) - min(ys)
    assert width == pytest.approx(maps.WIDTH - 2 * maps.PADDING, abs=1)
    assert width / height == pytest.approx(1.231, abs=0.01)


def test_a_gemeente_of_500_buurten_stays_small_and_fast():
    import numpy as np
    import shapely

    rng = np.random.default_rng(7)
    points = shapely.points(4.55 + rng.random(500) * 0.2, 52.42 + rng.random(500) * 0.12)
    box = shapely.box(4.55, 52.42, 4.75, 52.54)
    cells = shapely.intersection(
        shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(points), extend_to=box)), box
    )
    # About 150 vertices per buurt, bent a little, as real boundaries are.
    cells = shapely.segmentize(cells, shapely.length(cells) / 150)
    cells = shapely.transform(
        cells, lambda c: c + np.stack([np.sin(c[:, 1] * 900), np.cos(c[:, 0] * 900)], axis=1) * 0.0003
    )
    areas = [
        maps.MapArea(f"BU{i:08d}", f"Buurt {i}", shapely.to_geojson(cell), key=i % 3 + 1, redrawn=i % 50 == 0)
        for i, cell in enumerate(cells)
    ]
    image = maps.change_map(map_id="k", title="t", areas=areas, classes=CLASSES)
    assert image.drawn == 500
    assert len(str(image.svg).encode()) < 300_000
    ET.fromstring(str(image.svg))


def test_change_of():
    assert maps.change_of(3, 4) == maps.IMPROVED
    assert maps.change_of(3, 2) == maps.WORSE
    assert maps.change_of(3, 3) == maps.SAME
    # Where a lower score is better, a higher class is worse.
    assert maps.change_of(3, 4, higher_is_better=False) == maps.WORSE
    assert maps.change_of(None, 4) is None


def test_the_printed_map_draws_one_path_per_class():
    import base64

    areas = [
        maps.MapArea("BU1", "Noord", square(4.60, 52.45), key=1),
        maps.MapArea("BU2", "Oost", square(4.61, 52.45), key=3),
        maps.MapArea("BU3", "Zuid", square(4.60, 52.44), key=3, redrawn=True),
    ]
    image = maps.change_map(map_id="k", title="t", areas=areas, classes=CLASSES)
    printed = ET.fromstring(image.print_svg)
    fills = [p.get("fill") for p in printed.iter(f"{SVG}path") if (p.get("fill") or "").startswith("#")]
    # Class 1 once, class 3 (two squares) once.
    assert sorted(fills) == ["#1a9641", "#d7191c"]
    goed = next(p for p in printed.iter(f"{SVG}path") if p.get("fill") == "#1a9641")
    assert goed.get("d").count("M") == 2
    # Title, description, legend and hatching are those of the page's map.
    assert printed.find(f"{SVG}title").text == "t"
    assert printed.find(f"{SVG}desc").text == image.description
    assert printed.find(f"{SVG}defs/{SVG}pattern") is not None
    assert base64.b64decode(image.data_uri.split(",", 1)[1]).decode() == image.print_svg


def test_long_legend_labels_stand_one_below_the_other():
    long = [maps.MapClass(i, f"kwetsbaarheid stijgt, overlast stabiel {i}", "#d73027") for i in range(1, 4)]
    areas = [maps.MapArea("BU1", "Noord", square(4.60, 52.45), key=1)]
    root = parse(maps.class_map(map_id="k", title="t", areas=areas, classes=long))
    xs = {t.get("x") for t in root.iter(f"{SVG}text")}
    assert len(xs) == 1
    short = parse(maps.class_map(map_id="k", title="t", areas=areas, classes=CLASSES))
    # Three short labels in two columns: two at the left, one at the right.
    assert len({t.get("x") for t in short.iter(f"{SVG}text")}) == 2


def test_the_report_page_shows_the_maps_with_their_text_alternatives(world, client):
    from django.urls import reverse

    from reports.tests.helpers import build_report_world

    build_report_world(world)
    client.force_login(world.users["gemeente_reviewer"])
    html = client.get(reverse("reports:report", args=["GM0453", 2025])).content.decode()
    assert 'data-testid="report-maps"' in html
    # The small Velsen of the report tests has no shapes: each map says so, and its
    # text alternative still counts the buurten per class.
    assert "Er zijn geen vormen om te tekenen." in html
    assert 'role="img"' in html and "<desc id=" in html
    assert "De kaart toont 4 buurten, gekleurd naar klasse." in html
