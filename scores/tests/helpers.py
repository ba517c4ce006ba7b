"""Builders for score tests: a small gemeente over several boundary years, the catalogue,
indicator values and scores.

``score_world(years=(2022, 2023))`` gives, for every year, one gemeente with two wijken,
five land buurten, one water buurt and a gebied of three buurten. From the second year on
the buurt ``BU04530101`` (Amstelhaven) is redrawn as ``BU04530102`` (Nieuwe Haven); the
overlaps say that Nieuwe Haven lies for 75 % in the old Amstelhaven and for 25 % in
Havenkwartier, so a trend can be followed across the redrawing.

Values are put per indicator key and area (the year is the area's year)::

    world = score_world()
    put_values({"a_inw": {world.buurt(2022, "BU04530000"): 1200}})
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import shapely

from areas.models import Area, AreaKind, AreaOverlap
from areas.tests.helpers import make_area
from scores import catalogue
from scores.models import (
    Direction,
    Indicator,
    IndicatorValue,
    ModelIndicator,
    Score,
    ScoreModel,
    Source,
    SourceKind,
)
from scores.services.catalogue import catalogue_install

# (code suffix, name, wijk suffix, column, row) of the land buurten in the first year.
BUURTEN = (
    ("0000", "Dorpskern", "00", 0, 0),
    ("0001", "Zeeheldenbuurt", "00", 0, 1),
    ("0002", "Kriemhildebuurt", "00", 0, 2),
    ("0100", "Havenkwartier", "01", 1, 0),
    ("0101", "Amstelhaven", "01", 1, 1),
)
REDRAWN_OLD = "0101"
REDRAWN_NEW = ("0102", "Nieuwe Haven")
# Share of the new buurt's surface lying in the old buurten.
REDRAWN_SHARES = {"0101": 0.75, "0100": 0.25}
GEBIED_MEMBERS = ("0000", "0001", "0100")


@dataclass
class YearAreas:
    """The areas of one boundary year of the small gemeente."""

    year: int
    gemeente: Area
    wijken: list[Area]
    buurten: list[Area]  # land buurten only
    water: Area
    gebied: Area
    by_code: dict[str, Area] = field(default_factory=dict)

    @property
    def all(self) -> list[Area]:
        return [self.gemeente, *self.wijken, *self.buurten, self.water, self.gebied]


@dataclass
class ScoreWorld:
    years: tuple[int, ...]
    per_year: dict[int, YearAreas]
    sources: dict[str, Source]

    def __getitem__(self, year: int) -> YearAreas:
        return self.per_year[year]

    def area(self, year: int, code: str) -> Area:
        return self.per_year[year].by_code[code]

    buurt = area

    @property
    def cbs(self) -> Source:
        return self.sources[SourceKind.CBS_KWB]

    @property
    def leefbaarometer(self) -> Source:
        return self.sources[SourceKind.LEEFBAAROMETER]


def _box(col: int, row: int, origin: tuple[float, float], size: float = 0.01):
    lon, lat = origin
    return shapely.box(lon + col * size, lat + row * size, lon + (col + 1) * size, lat + (row + 1) * size)


def gemeente_years(
    *,
    years: Iterable[int] = (2022, 2023),
    code: str = "GM0453",
    name: str = "Velsen",
    origin: tuple[float, float] = (4.6, 52.45),
    redraw: bool = True,
    shapes: bool = True,
    gebied_owner=None,
) -> dict[int, YearAreas]:
    """The small gemeente for every year in ``years`` (see the module docstring). With
    ``redraw`` the buurt ``…0101`` becomes ``…0102`` from the second year on, with its
    overlaps to the year before. ``shapes=False`` leaves the shapes out (faster)."""
    number = code[2:]
    years = sorted(years)
    result: dict[int, YearAreas] = {}
    for index, year in enumerate(years):

        def geom(col, row, size=0.01, _shapes=shapes):
            return _box(col, row, origin, size) if _shapes else None

        gemeente = make_area(
            year=year, kind=AreaKind.GEMEENTE, code=code, name=name, geometry=geom(0, 0, 0.03)
        )
        wijken = {
            suffix: make_area(
                year=year,
                kind=AreaKind.WIJK,
                code=f"WK{number}{suffix}",
                name=wijk_name,
                parent=gemeente,
                geometry=geom(int(suffix), 0, 0.03) if shapes else None,
            )
            for suffix, wijk_name in (("00", "Wijk 00 Centrum"), ("01", "Wijk 01 Haven"))
        }
        buurten = []
        for suffix, buurt_name, wijk, col, row in BUURTEN:
            if redraw and index > 0 and suffix == REDRAWN_OLD:
                suffix, buurt_name = REDRAWN_NEW
            buurten.append(
                make_area(
                    year=year,
                    kind=AreaKind.BUURT,
                    code=f"BU{number}{suffix}",
                    name=buurt_name,
                    parent=wijken[wijk],
                    geometry=geom(col, row),
                )
            )
        water = make_area(
            year=year,
            kind=AreaKind.BUURT,
            code=f"BU{number}9997",
            name="Noordzeekanaal (water)",
            parent=wijken["01"],
            geometry=geom(2, 2),
            is_water=True,
        )
        by_code = {a.code: a for a in [gemeente, *wijken.values(), *buurten, water]}
        gebied = Area.objects.create(
            year=year,
            kind=AreaKind.GEBIED,
            code=f"GB{number}001",
            name="IJmuiden-Noord",
            gemeente_code=code,
            owner_organisation=gebied_owner,
        )
        gebied.members.set([by_code[f"BU{number}{s}"] for s in GEBIED_MEMBERS])
        by_code[gebied.code] = gebied
        result[year] = YearAreas(
            year=year,
            gemeente=gemeente,
            wijken=list(wijken.values()),
            buurten=buurten,
            water=water,
            gebied=gebied,
            by_code=by_code,
        )
        if redraw and index == 1:
            old = result[years[0]].by_code
            new = by_code[f"BU{number}{REDRAWN_NEW[0]}"]
            for old_suffix, share in REDRAWN_SHARES.items():
                AreaOverlap.objects.create(
                    source=new,
                    target=old[f"BU{number}{old_suffix}"],
                    share_of_source=share,
                    share_of_target=1.0 if old_suffix == REDRAWN_OLD else 0.2,
                )
    return result


def score_world(*, years: Iterable[int] = (2022, 2023), shapes: bool = True, gebied_owner=None) -> ScoreWorld:
    """The catalogue installed and the small gemeente Velsen for ``years``."""
    sources = install_catalogue()
    per_year = gemeente_years(years=years, shapes=shapes, gebied_owner=gebied_owner)
    return ScoreWorld(years=tuple(sorted(per_year)), per_year=per_year, sources=sources)


def install_catalogue() -> dict[str, Source]:
    """The open sources, indicators and default models (idempotent). The test database
    has them from the start (``_catalogue`` in the root conftest), so this usually only
    looks them up; after a test that emptied the database it installs them again."""
    names = [defn.name for defn in catalogue.OPEN_SOURCES]
    sources = {source.kind: source for source in Source.objects.filter(name__in=names, is_licensed=False)}
    keys = [defn.key for defn in catalogue.DEFAULT_MODELS]
    if len(sources) == len(names) and ScoreModel.objects.filter(key__in=keys).count() == len(keys):
        return sources
    return catalogue_install()


def indicator(key: str, source: Source | None = None) -> Indicator:
    """An indicator by key, of ``source`` (default: CBS kerncijfers)."""
    if source is None:
        source = install_catalogue()[SourceKind.CBS_KWB]
    return Indicator.objects.get(source=source, key=key)


def model(key: str) -> ScoreModel:
    """A score model of the catalogue by key (installs the catalogue if needed)."""
    install_catalogue()
    return ScoreModel.objects.get(key=key)


def put_values(values: Mapping[str, Mapping[Area, float | None]], *, source: Source | None = None) -> int:
    """Store indicator values: ``{indicator key: {area: value}}``; the year is the area's.
    A value of None removes that area's value. Existing values are replaced. Returns the
    number of rows written."""
    written = 0
    for key, per_area in values.items():
        ind = indicator(key, source)
        for area, value in per_area.items():
            IndicatorValue.objects.filter(indicator=ind, area=area).delete()
            if value is None:
                continue
            IndicatorValue.objects.create(indicator=ind, area=area, year=area.year, value=value)
            written += 1
    return written


def put_table(areas: Iterable[Area], columns: Mapping[str, Iterable[float | None]], *, source=None) -> int:
    """Store values column-wise: ``put_table(buurten, {"a_inw": [100, 200, ...]})``, one
    value per area in the same order."""
    areas = list(areas)
    values = {}
    for key, column in columns.items():
        column = list(column)
        if len(column) != len(areas):
            raise ValueError(f"{key}: {len(column)} values for {len(areas)} areas")
        values[key] = dict(zip(areas, column, strict=True))
    return put_values(values, source=source)


def licensed_source(
    *,
    owner,
    shared_with=(),
    name="Aedes veerkrachtkaart",
    indicators=(("veerkracht", Direction.HIGHER_BETTER),),
) -> Source:
    """A licensed source of ``owner`` (an organisation), shared with ``shared_with``, with
    the given ``(key, direction)`` indicators."""
    source = Source.objects.create(
        name=name,
        kind=SourceKind.AEDES_VEERKRACHT,
        is_licensed=True,
        licence="Alleen voor leden van Aedes",
        owner_organisation=owner,
    )
    source.shared_with.set(shared_with)
    for key, direction in indicators:
        Indicator.objects.create(source=source, key=key, name=key, direction=direction)
    return source


def published_model(
    *, source: Source, key: str | None = None, classes=None, weighting="inwoners"
) -> ScoreModel:
    """A published score model of ``source`` (Aedes-style: five classes by default)."""
    return ScoreModel.objects.create(
        key=key or catalogue.AEDES_MODEL_KEY.format(source_id=source.pk),
        name=f"Veerkracht ({source.name})",
        kind=ScoreModel.Kind.PUBLISHED,
        source=source,
        classes=classes or catalogue.AEDES_DEFAULT_CLASSES,
        weighting=weighting,
    )


def put_scores(
    score_model: ScoreModel, scores: Mapping[Area, tuple[float | None, int | None]]
) -> list[Score]:
    """Store published scores ``{area: (value, class)}`` as an importer does
    (is_aggregated False); existing rows of those areas are replaced."""
    rows = []
    for area, (value, score_class) in scores.items():
        Score.objects.filter(model=score_model, area=area).delete()
        rows.append(
            Score.objects.create(
                model=score_model, area=area, year=area.year, value=value, score_class=score_class
            )
        )
    return rows


def index_model(*, key="test-index", components, cutoffs=(-0.5, 0.0, 0.5), min_population=50) -> ScoreModel:
    """An index model with ``components`` = ``[(indicator, weight), ...]``."""
    score_model = ScoreModel.objects.create(
        key=key,
        name=key,
        kind=ScoreModel.Kind.INDEX,
        classes=[{"value": i + 1, "label": str(i + 1)} for i in range(len(cutoffs) + 1)],
        cutoffs=list(cutoffs),
        min_population=min_population,
    )
    for ind, weight in components:
        ModelIndicator.objects.create(model=score_model, indicator=ind, weight=weight)
    return score_model
