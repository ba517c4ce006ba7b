"""A small portfolio world for tests: the personas' corporation with complexes in the
squares of ``areas.tests.helpers.small_gemeente`` (Velsen, 2022), KWB figures and scores
per buurt, worked so that the expected projection can be done by hand.

Buurten (2022, GM0453, each a 0.02° square):

| buurt                    | a_woning | p_wcorpw | index class    | signal        |
| ------------------------ | -------- | -------- | -------------- | ------------- |
| BU04530000 Dorpskern     | 1000     | 30       | 2 (kwetsbaar)  | 5             |
| BU04530001 Zeeheldenbuurt| 200      | 10       | 3 (gemiddeld)  | 9 beide stijgen|
| BU04530100 Havenkwartier | 500      | 20       | 5 (sterk)      | 1             |
"""

from dataclasses import dataclass

from areas.models import AreaKind
from areas.tests.helpers import make_area, small_gemeente, square
from portfolio.models import Complex, ComplexStrategy, Portfolio
from scores.tests.helpers import model, put_scores, put_table

YEAR = 2022


@dataclass
class PortfolioWorld:
    buurten: dict
    complexes: dict
    portfolio: Portfolio
    haarlem_buurt: object = None


def make_complex(
    organisation, buurt, number, *, single=0, multi=0, social=0, mid=0, free=0, year_built=1970, **extra
):
    lon = (buurt.min_lon + buurt.max_lon) / 2 if buurt.min_lon is not None else 4.6
    lat = (buurt.min_lat + buurt.max_lat) / 2 if buurt.min_lat is not None else 52.45
    return Complex.objects.create(
        organisation=organisation,
        number=number,
        name=extra.pop("name", f"Complex {number}"),
        lat=lat,
        lon=lon,
        single_family=single,
        multi_family=multi,
        social_rent=social,
        mid_rent=mid,
        free_sector=free,
        year_built=year_built,
        boundary_year=buurt.year,
        buurt=buurt,
        **extra,
    )


def strategy(complex, kind, horizon, **planned):
    return ComplexStrategy.objects.create(
        complex=complex,
        kind=kind,
        horizon_year=horizon,
        rationale="Omdat het zo in het beleid staat.",
        **planned,
    )


def portfolio_world(corporation, *, with_haarlem=False) -> PortfolioWorld:
    """The squares of Velsen 2022 with figures, scores and five complexes:

    - Dorpskern: C1 (40 eengezins + 60 meergezins; 80 sociaal, 20 midden; sloop-nieuwbouw
      2030 → 120 sociaal + 30 midden) and C2 (50 meergezins, all social; verkopen 2028);
    - Havenkwartier: C3 (40 eengezins, all social; liberaliseren 2027) and C4 (20
      meergezins, social, built 2030: new, no strategy);
    - Zeeheldenbuurt: C5 (30 meergezins, social, built 2026: new, no strategy).
    """
    areas = small_gemeente(year=YEAR)
    b = {area.code: area for area in areas["buurten"]}
    dorp, zee, haven = b["BU04530000"], b["BU04530001"], b["BU04530100"]
    put_table([dorp, zee, haven], {"a_woning": [1000, 200, 500], "p_wcorpw": [30, 10, 20]})
    put_scores(model("wijkkoers-veerkracht"), {dorp: (-0.6, 2), zee: (0.0, 3), haven: (0.9, 5)})
    put_scores(model("signalen"), {dorp: (5, 5), zee: (9, 9), haven: (1, 1)})
    c = {
        "C1": make_complex(corporation, dorp, "C1", single=40, multi=60, social=80, mid=20, energy_label="D"),
        "C2": make_complex(corporation, dorp, "C2", multi=50, social=50, energy_label="C"),
        "C3": make_complex(corporation, haven, "C3", single=40, social=40, energy_label="A"),
        "C4": make_complex(corporation, haven, "C4", multi=20, social=20, year_built=2030),
        "C5": make_complex(corporation, zee, "C5", multi=30, social=30, year_built=2026),
    }
    strategy(
        c["C1"], "sloop_nieuwbouw", 2030, planned_social_rent=120, planned_mid_rent=30, planned_free_sector=0
    )
    strategy(c["C2"], "verkopen", 2028)
    strategy(c["C3"], "liberaliseren", 2027)
    portfolio, _created = Portfolio.objects.get_or_create(organisation=corporation)
    world = PortfolioWorld(buurten=b, complexes=c, portfolio=portfolio)
    if with_haarlem:
        haarlem = make_area(
            year=YEAR,
            kind=AreaKind.GEMEENTE,
            code="GM0392",
            name="Haarlem",
            geometry=square(4.7, 52.35, 0.02),
        )
        buurt = make_area(
            year=YEAR,
            kind=AreaKind.BUURT,
            code="BU03920000",
            name="Haarlem Centrum",
            parent=haarlem,
            geometry=square(4.7, 52.35, 0.02),
        )
        put_table([buurt], {"a_woning": [800], "p_wcorpw": [25]})
        c["H1"] = make_complex(corporation, buurt, "H1", multi=10, social=10)
        world.haarlem_buurt = buurt
    return world
