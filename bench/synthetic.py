"""A synthetic national boundary set at real scale: about 342 gemeenten, 3,300 wijken and
14,500 buurten, as GeoJSON files in the CBS attribute style.

Buurten are Voronoi cells of random points cut to a rough outline of the Netherlands;
one large gemeente gets a dense core of 500 buurten. Wijken are unions of buurten and
gemeenten unions of wijken, made from the clean cells; then every shape is segmentized to
50–200 vertices and bent by one smooth noise field, so neighbours stay neighbours.

Below it, the builders the page benchmarks share to write their own small sets (areas
with shapes, organisations, teams, urgency, wijkgesprekken, interventions, agreement
parties, clearing their rows).
"""

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import shapely

# A rough outline of the Netherlands (lon, lat), clockwise from Zeeuws-Vlaanderen.
OUTLINE = [
    (3.36, 51.37),
    (3.55, 51.58),
    (3.83, 51.75),
    (4.02, 51.98),
    (4.37, 52.20),
    (4.55, 52.47),
    (4.62, 52.75),
    (4.72, 53.00),
    (4.90, 53.17),
    (5.40, 53.25),
    (6.00, 53.45),
    (6.75, 53.47),
    (7.20, 53.25),
    (7.20, 53.00),
    (7.05, 52.65),
    (6.70, 52.55),
    (6.72, 52.40),
    (7.05, 52.35),
    (6.85, 52.12),
    (6.70, 51.90),
    (6.10, 51.85),
    (5.95, 51.75),
    (6.20, 51.50),
    (6.05, 51.20),
    (6.20, 50.80),
    (5.70, 50.75),
    (5.65, 51.05),
    (5.80, 51.20),
    (5.20, 51.30),
    (4.80, 51.45),
    (4.25, 51.37),
    (3.36, 51.37),
]

GEMEENTEN = 342
BUURTEN = 14_500
LARGE_BUURTEN = 500
WIJKEN = 3_300
LARGE_CENTRE = (4.90, 52.37)  # a city-sized dense core
LARGE_RADIUS = 0.07


@dataclass
class NationalSet:
    gemeenten: Path
    wijken: Path
    buurten: Path
    large_gemeente: str
    large_buurten: int
    counts: dict


def _points_in(polygon, n, rng, centre=None, radius=None):
    minx, miny, maxx, maxy = polygon.bounds
    found = []
    while sum(len(f) for f in found) < n:
        if centre is not None:
            angle = rng.uniform(0, 2 * np.pi, n * 2)
            dist = radius * np.sqrt(rng.uniform(0, 1, n * 2))
            xs, ys = centre[0] + dist * np.cos(angle), centre[1] + dist * np.sin(angle) * 0.62
        else:
            xs, ys = rng.uniform(minx, maxx, n * 2), rng.uniform(miny, maxy, n * 2)
        pts = shapely.points(xs, ys)
        found.append(pts[shapely.contains(polygon, pts)])
    return np.concatenate(found)[:n]


def _noise(coords):
    """A smooth displacement field (degrees): the same point always moves the same way."""
    x, y = coords[:, 0], coords[:, 1]
    dx = 0.00035 * np.sin(x * 1300.0 + np.cos(y * 700.0)) + 0.0002 * np.sin(y * 2900.0)
    dy = 0.00035 * np.cos(y * 1100.0 + np.sin(x * 900.0)) + 0.0002 * np.cos(x * 3100.0)
    return np.column_stack([x + dx, y + dy])


def _detail(geoms, rng):
    """Segmentize every shape to 50–200 vertices and bend it with the noise field."""
    perimeter = shapely.length(geoms)
    target = rng.integers(50, 201, len(geoms))
    detailed = shapely.segmentize(geoms, perimeter / target)
    bent = shapely.transform(detailed, _noise)
    return shapely.make_valid(bent)


def _feature_collection(path, rows):
    with open(path, "w", encoding="utf-8") as out:
        out.write('{"type":"FeatureCollection","features":[\n')
        for i, (props, geom) in enumerate(rows):
            if i:
                out.write(",\n")
            out.write('{"type":"Feature","properties":')
            out.write(json.dumps(props, ensure_ascii=False))
            out.write(',"geometry":')
            out.write(shapely.to_geojson(shapely.set_precision(geom, 1e-6)))
            out.write("}")
        out.write("\n]}\n")


def build(directory: Path, seed=20260) -> NationalSet:
    rng = np.random.default_rng(seed)
    country = shapely.Polygon(OUTLINE)
    core = shapely.Point(LARGE_CENTRE).buffer(LARGE_RADIUS)

    gm_seeds = _points_in(country.difference(core), GEMEENTEN - 1, rng)
    gm_seeds = np.concatenate([[shapely.Point(LARGE_CENTRE)], gm_seeds])
    dense = _points_in(country, LARGE_BUURTEN, rng, centre=LARGE_CENTRE, radius=LARGE_RADIUS * 0.9)
    spread = _points_in(country.difference(core), BUURTEN - LARGE_BUURTEN, rng)
    points = np.concatenate([dense, spread])

    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(points), extend_to=country))
    # voronoi_polygons does not keep the input order: match cells to their points.
    tree = shapely.STRtree(cells)
    point_idx, cell_idx = tree.query(points, predicate="within")
    order = np.empty(len(points), dtype=int)
    order[point_idx] = cell_idx
    cells = shapely.intersection(cells[order], country)

    gx, gy = shapely.get_x(gm_seeds), shapely.get_y(gm_seeds)
    px, py = shapely.get_x(points), shapely.get_y(points)
    nearest = np.empty(len(points), dtype=int)
    for start in range(0, len(points), 2000):
        sl = slice(start, start + 2000)
        d = (px[sl, None] - gx[None, :]) ** 2 + ((py[sl, None] - gy[None, :]) / 0.62) ** 2
        nearest[sl] = d.argmin(axis=1)
    nearest[: len(dense)] = 0
    gemeente_of = nearest

    # Wijken: per gemeente, cluster its buurten around a few of them (about ten per wijk
    # elsewhere, so some 3,300 in all).
    wijk_of = np.empty(len(points), dtype=int)
    wijk_codes, wijk_gm = [], []
    per_wijk = len(points) / WIJKEN
    for gm in range(GEMEENTEN):
        members = np.flatnonzero(gemeente_of == gm)
        if not len(members):
            continue
        k = int(min(99, max(1, round(len(members) / per_wijk))))
        seeds = members[rng.choice(len(members), size=k, replace=False)]
        d = (px[members, None] - px[None, seeds]) ** 2 + (py[members, None] - py[None, seeds]) ** 2
        local = d.argmin(axis=1)
        # Keep at most 99 buurten per wijk (two-digit buurt codes).
        for w in range(k):
            local_members = np.flatnonzero(local == w)
            if len(local_members) > 99:
                local[local_members[99:]] = (w + 1) % k
        for w in range(k):
            wijk_of[members[local == w]] = len(wijk_codes)
            wijk_codes.append(w)
            wijk_gm.append(gm)
    wijk_gm = np.array(wijk_gm)
    used_wijken = np.unique(wijk_of)

    wijk_shapes = {w: shapely.union_all(cells[wijk_of == w]) for w in used_wijken}
    gemeente_ids = np.unique(gemeente_of)
    gemeente_shapes = {
        g: shapely.union_all([wijk_shapes[w] for w in used_wijken if wijk_gm[w] == g]) for g in gemeente_ids
    }

    buurt_geoms = _detail(cells, rng)
    wijk_geoms = dict(
        zip(used_wijken, _detail(np.array([wijk_shapes[w] for w in used_wijken]), rng), strict=True)
    )
    gm_geoms = dict(
        zip(gemeente_ids, _detail(np.array([gemeente_shapes[g] for g in gemeente_ids]), rng), strict=True)
    )

    def gm_code(g):
        return f"GM{g + 1:04d}"

    def gm_name(g):
        return "Grootstad" if g == 0 else f"Gemeente {g + 1}"

    def wk_code(w):
        return f"WK{wijk_gm[w] + 1:04d}{wijk_codes[w]:02d}"

    directory.mkdir(parents=True, exist_ok=True)
    paths = NationalSet(
        gemeenten=directory / "gemeenten.geojson",
        wijken=directory / "wijken.geojson",
        buurten=directory / "buurten.geojson",
        large_gemeente=gm_code(0),
        large_buurten=int((gemeente_of == 0).sum()),
        counts={},
    )
    _feature_collection(
        paths.gemeenten,
        [({"GM_CODE": gm_code(g), "GM_NAAM": gm_name(g)}, gm_geoms[g]) for g in gemeente_ids],
    )
    _feature_collection(
        paths.wijken,
        [
            (
                {
                    "WK_CODE": wk_code(w),
                    "WK_NAAM": f"Wijk {wijk_codes[w]:02d} {gm_name(wijk_gm[w])}",
                    "GM_CODE": gm_code(wijk_gm[w]),
                    "GM_NAAM": gm_name(wijk_gm[w]),
                },
                wijk_geoms[w],
            )
            for w in used_wijken
        ],
    )
    buurt_rows = []
    in_wijk = {}
    for i in np.argsort(wijk_of, kind="stable"):
        w = wijk_of[i]
        number = in_wijk.get(w, 0)
        in_wijk[w] = number + 1
        buurt_rows.append(
            (
                {
                    "BU_CODE": f"BU{wijk_gm[w] + 1:04d}{wijk_codes[w]:02d}{number:02d}",
                    "BU_NAAM": f"Buurt {number:02d} {wijk_codes[w]:02d} {gm_name(wijk_gm[w])}",
                    "WK_CODE": wk_code(w),
                    "GM_CODE": gm_code(wijk_gm[w]),
                    "GM_NAAM": gm_name(wijk_gm[w]),
                    "WATER": "NEE",
                },
                buurt_geoms[i],
            )
        )
    _feature_collection(paths.buurten, buurt_rows)
    vertices = shapely.get_num_coordinates(buurt_geoms)
    paths.counts = {
        "gemeenten": len(gemeente_ids),
        "wijken": len(used_wijken),
        "buurten": len(buurt_rows),
        "buurt_vertices_min": int(vertices.min()),
        "buurt_vertices_median": int(np.median(vertices)),
        "buurt_vertices_max": int(vertices.max()),
    }
    return paths


# --- Rows for the page benchmarks -----------------------------------------------------------
# The page benchmarks (wijk page, start page, year report, interventions, portfolio) each
# write a small world of their own with ``bulk_create``, in boundary years and gemeente codes
# no real area has. These builders write the parts they share; each benchmark decides the
# numbers, names and texts. Django models are imported inside: the modules are imported
# before ``django.setup()``.

CELL = 0.01  # degrees a side of one buurt cell
CELL_ORIGIN = (4.5, 52.0)


@dataclass(frozen=True)
class Grid:
    """Where a gemeente's areas lie in buurt cells (see ``area_shape``): every wijk a block
    of ``columns`` × ``rows`` buurten, ``per_row`` wijken side by side, the first block's
    corner ``x`` cells east and ``y`` cells north of the origin."""

    columns: int
    rows: int
    per_row: int
    x: int = 0
    y: int = 0

    def wijk(self, w: int) -> tuple[int, int]:
        return self.x + self.columns * (w % self.per_row), self.y + self.rows * (w // self.per_row)


def area_shape(
    x: int, y: int, width: int, height: int, *, origin=CELL_ORIGIN, cell=CELL, detail=True
) -> dict:
    """The stored shape columns of a rectangle of buurt cells (``cell`` degrees a side, from
    ``x`` cells east and ``y`` cells north of ``origin``).

    With ``detail`` its edges are bent like a real boundary, one vertex every 0.0001°, and
    every column is filled through the boundary import's own ``shape_fields``; without, only
    the plain rectangle's geometry and bounds (what a set that draws no map needs)."""
    from areas.importers import shape_fields
    from areas.models import ZOOM_BANDS

    lon, lat = origin[0] + x * cell, origin[1] + y * cell
    box = shapely.box(lon, lat, lon + width * cell, lat + height * cell)
    if not detail:
        min_lon, min_lat, max_lon, max_lat = box.bounds
        return {
            "geometry": shapely.to_wkb(box),
            "min_lon": min_lon,
            "min_lat": min_lat,
            "max_lon": max_lon,
            "max_lat": max_lat,
        }
    bent = shapely.transform(
        shapely.segmentize(box, 0.0001), lambda xy: xy + 0.0001 * np.sin(xy[:, ::-1] * 3000)
    )
    fields = shape_fields(np.array([bent], dtype=object))
    min_lon, min_lat, max_lon, max_lat = (float(v) for v in fields["bounds"][0])
    return {
        "geometry": fields["wkb"][0],
        "area_m2": float(fields["area_m2"][0]),
        "min_lon": min_lon,
        "min_lat": min_lat,
        "max_lon": max_lon,
        "max_lat": max_lat,
        **{f"shape_{band}": fields[band][0] for band in ZOOM_BANDS},
    }


def areas_create(
    *,
    year: int,
    code: str,
    name: str,
    wijken: int,
    buurten_per_wijk: int = 0,
    wijk_name: str = "Wijk {w:02d} {name}-{w}",
    grid: Grid | None = None,
):
    """A gemeente with its wijken (codes ``WK<gemeente><ww>``, names from ``wijk_name``
    with ``w`` and ``name``) and buurten (``BU<wijk><bb>``, "Buurt b van <wijk>"); with a
    ``grid``, every area has the full-detail shape of its cells. Returns ``(gemeente,
    wijken, buurten)``."""
    from areas.models import Area, AreaKind

    def shape(x, y, width, height):
        return area_shape(x, y, width, height) if grid else {}

    gemeente = Area.objects.create(
        year=year,
        kind=AreaKind.GEMEENTE,
        code=code,
        name=name,
        gemeente_code=code,
        **(
            shape(grid.x, grid.y, grid.per_row * grid.columns, -(-wijken // grid.per_row) * grid.rows)
            if grid
            else {}
        ),
    )
    wijk_rows = Area.objects.bulk_create(
        [
            Area(
                year=year,
                kind=AreaKind.WIJK,
                code=f"WK{code[2:]}{w:02d}",
                name=wijk_name.format(w=w, name=name),
                parent=gemeente,
                gemeente_code=code,
                **(shape(*grid.wijk(w), grid.columns, grid.rows) if grid else {}),
            )
            for w in range(wijken)
        ]
    )
    buurt_rows = Area.objects.bulk_create(
        [
            Area(
                year=year,
                kind=AreaKind.BUURT,
                code=f"BU{wijk.code[2:]}{b:02d}",
                name=f"Buurt {b} van {wijk.name}",
                parent=wijk,
                gemeente_code=code,
                **(
                    shape(grid.wijk(w)[0] + b % grid.columns, grid.wijk(w)[1] + b // grid.columns, 1, 1)
                    if grid
                    else {}
                ),
            )
            for w, wijk in enumerate(wijk_rows)
            for b in range(buurten_per_wijk)
        ],
        batch_size=500,
    )
    return gemeente, wijk_rows, buurt_rows


def by_parent(areas) -> dict:
    """The areas per parent's primary key, in order."""
    found = {}
    for area in areas:
        found.setdefault(area.parent_id, []).append(area)
    return found


def organisations_create(specs) -> list:
    """Organisations from ``(slug, name, kind, gemeente_code)`` rows, each with its sharing
    groups (``<slug>-leden`` and ``<slug>-bewerkers``); in the order of ``specs``."""
    from django.contrib.auth.models import Group

    from organisations.models import Organisation

    groups = Group.objects.bulk_create(
        [Group(name=f"{slug}-{part}") for slug, *_rest in specs for part in ("leden", "bewerkers")]
    )
    return Organisation.objects.bulk_create(
        [
            Organisation(
                slug=slug,
                name=name,
                kind=kind,
                gemeente_code=code,
                members_group=groups[2 * i],
                editors_group=groups[2 * i + 1],
            )
            for i, (slug, name, kind, code) in enumerate(specs)
        ]
    )


def teams_create(*, wijken, members, name: str = "Gebiedsteam {}") -> list:
    """One area team per wijk (``name`` formatted with the wijk's name), each with the same
    ``(organisation, team role)`` members."""
    from interventions.models import AreaTeam, TeamMember

    teams = AreaTeam.objects.bulk_create(
        [AreaTeam(area=wijk, name=name.format(wijk.name)) for wijk in wijken]
    )
    TeamMember.objects.bulk_create(
        [
            TeamMember(team=team, organisation=organisation, role=role)
            for team in teams
            for organisation, role in members
        ]
    )
    return teams


def urgency_create(
    *,
    teams,
    years,
    assessed_by,
    rationale: str = "Signalen uit de wijk en de cijfers van het jaar wijzen dezelfde kant op.",
) -> None:
    """An urgency assessment per team and year, the urgencies taking turns."""
    from interventions.models import Urgency, UrgencyAssessment

    urgencies = list(Urgency.values)
    UrgencyAssessment.objects.bulk_create(
        [
            UrgencyAssessment(
                team=team,
                year=year,
                urgency=urgencies[(t + year) % len(urgencies)],
                rationale=rationale,
                assessed_by=assessed_by,
            )
            for t, team in enumerate(teams)
            for year in years
        ]
    )


def wijkgesprekken_create(
    *,
    dates,
    participants,
    created_by,
    duiding: str = "De leefbaarheid blijft achter bij de rest van de gemeente; bewoners melden overlast.",
    decisions: str = "Meer aandacht voor achter de voordeur en de openbare ruimte.",
) -> list:
    """A wijkgesprek per ``(team, date)``, in the date's year, with the ``participants``."""
    from interventions.models import Wijkgesprek

    gesprekken = Wijkgesprek.objects.bulk_create(
        [
            Wijkgesprek(
                team=team,
                date=date,
                year=date.year,
                duiding=duiding,
                decisions=decisions,
                created_by=created_by,
            )
            for team, date in dates
        ]
    )
    through = Wijkgesprek.participants.through
    through.objects.bulk_create(
        [
            through(wijkgesprek=gesprek, organisation=organisation)
            for gesprek in gesprekken
            for organisation in participants
        ]
    )
    return gesprekken


def intervention(*, team, number: int, area_name: str, about: str, status: str, **fields):
    """An unsaved intervention of a benchmark: numbered title in its area, a description
    naming the benchmark (``about``), the gemeente as funder and a stop reason when
    stopped; the rest (theme, lead, dates, budget, creator) from ``fields``."""
    from interventions.models import Intervention

    return Intervention(
        team=team,
        title=f"Interventie {number} in {area_name}",
        description=f"Een synthetische interventie voor de benchmark{about}.",
        funder="Gemeente",
        status=status,
        stop_reason="Geen budget meer." if status == Intervention.Status.GESTOPT else "",
        **fields,
    )


def links_create(through, rows) -> None:
    """Rows of a many-to-many table, from ``dict``s of its two columns."""
    through.objects.bulk_create([through(**row) for row in rows], batch_size=5000)


def agreement_parties_create(*, agreements, parties, signed_at=None) -> None:
    """The parties of every agreement: ``parties(n)`` gives the ``(organisation, party
    role)`` pairs of the n-th agreement."""
    from agreements.models import AgreementParty

    AgreementParty.objects.bulk_create(
        [
            AgreementParty(agreement=agreement, organisation=organisation, role=role, signed_at=signed_at)
            for n, agreement in enumerate(agreements)
            for organisation, role in parties(n)
        ],
        batch_size=5000,
    )


def rows_clear(*, gemeente_codes, marker: str, prefix: str, year: int | None = None) -> None:
    """Remove one benchmark's rows (only these: the others share the database): its
    agreements (by ``marker`` in their summary), the interventions, teams and areas of its
    gemeenten (of one boundary ``year``, or all), and its people, organisations and groups
    (by ``prefix``)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from agreements.models import Agreement
    from areas.models import Area, AreaKind
    from interventions.models import AreaTeam, Intervention
    from organisations.models import Organisation

    in_year = {} if year is None else {"year": year}
    Agreement.objects.filter(summary=marker).delete()
    Intervention.objects.filter(
        team__area__gemeente_code__in=gemeente_codes, **{f"team__area__{k}": v for k, v in in_year.items()}
    ).delete()
    AreaTeam.objects.filter(
        area__gemeente_code__in=gemeente_codes, **{f"area__{k}": v for k, v in in_year.items()}
    ).delete()
    # Children first: an area's parent is protected.
    for kind in (AreaKind.BUURT, AreaKind.WIJK, AreaKind.GEMEENTE):
        Area.objects.filter(gemeente_code__in=gemeente_codes, kind=kind, **in_year).delete()
    get_user_model().objects.filter(email__startswith=f"{prefix}-").delete()
    Organisation.objects.filter(slug__startswith=f"{prefix}-").delete()
    Group.objects.filter(name__startswith=f"{prefix}-").delete()


def analyze() -> None:
    """Fresh planner statistics after the bulk inserts, as autovacuum gives a live site."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
