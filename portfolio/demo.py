"""Demo portfolio: Woningcorporatie Velserduin's register of about forty complexes in the
Velsen buurten of the newest boundary year, imported through the register import like a
real file, with a strategy for most of them, and shared with Gemeente Velsen.

One complex stands in a buurt under pressure (the weakest class of the veerkracht-index
or the signal 'beide stijgen') with a sloop-nieuwbouw that brings back more social rent
than it demolishes, so the projection shows a flag.

Idempotent: a corporation that already has complexes is left as it is.
"""

import random
import tempfile
from pathlib import Path

import shapely
from django.contrib.auth import get_user_model

from areas.models import Area, AreaKind
from organisations.models import Organisation
from portfolio import services
from portfolio.importers import REGISTER_COLUMNS
from portfolio.models import Complex
from scores import catalogue
from scores.models import IndicatorValue, Score, SourceKind

SLUG = "woningcorporatie-velserduin"
GEMEENTE = "GM0453"
EDITOR = "corporatie@demo.wijkkoers.nl"
BEHEERDER = "beheerder@demo.wijkkoers.nl"
COMPLEXES = 40
STREETS = ("Kennemerlaan", "Lange Nieuwstraat", "Zeeweg", "Planetenweg", "Velserduinweg", "Dokweg")
LABELS = ("A", "B", "B", "C", "C", "D", "D", "E", "F", "G")
STRATEGIES = (
    ("doorexploiteren", "Goed onderhouden, gewilde woningen; geen ingreep nodig."),
    ("renoveren", "Label naar B of beter bij de volgende planmatige onderhoudsbeurt."),
    ("herstructureren", "Woningen samenvoegen en de entrees vernieuwen met de buurt."),
    ("verkopen", "Verspreid bezit; verkopen aan zittende huurders als zij willen."),
    ("liberaliseren", "Bij mutatie naar middenhuur, voor meer menging in de buurt."),
)


def _point_inside(shape, rng):
    """A point well inside ``shape``: random in its bounds, else its representative point."""
    min_x, min_y, max_x, max_y = shape.bounds
    for _ in range(200):
        point = shapely.Point(rng.uniform(min_x, max_x), rng.uniform(min_y, max_y))
        if shape.contains(point):
            return point
    return shape.representative_point()


def _buurten(year):
    return list(
        Area.objects.filter(
            year=year, kind=AreaKind.BUURT, gemeente_code=GEMEENTE, is_water=False, geometry__isnull=False
        ).order_by("code")
    )


def _pressure_buurt(year, buurten):
    """A buurt under pressure in ``year``: signal 'beide stijgen', else the weakest class
    of the veerkracht-index; None when there are no scores."""
    ids = [b.pk for b in buurten]
    signal = Score.objects.filter(
        model__key=catalogue.SIGNAL_TYPOLOGY.key,
        year=year,
        area_id__in=ids,
        score_class=catalogue.SIGNAL_BOTH_RISING,
    ).values_list("area_id", flat=True)
    index = (
        Score.objects.filter(
            model__key=catalogue.VEERKRACHT_INDEX.key, year=year, area_id__in=ids, score_class__isnull=False
        )
        .order_by("score_class", "area_id")
        .values_list("area_id", flat=True)
    )
    area_id = next(iter(signal), None) or next(iter(index), None)
    return next((b for b in buurten if b.pk == area_id), None)


def _stock(year, area):
    value = (
        IndicatorValue.objects.filter(
            area=area, year=year, indicator__key="a_woning", indicator__source__kind=SourceKind.CBS_KWB
        )
        .values_list("value", flat=True)
        .first()
    )
    return value or 500


def _register(buurten, pressure, rng) -> list[dict]:
    rows = []
    for n in range(COMPLEXES):
        buurt = pressure if n == 0 and pressure is not None else buurten[(n * 7) % len(buurten)]
        point = _point_inside(shapely.from_wkb(bytes(buurt.geometry)), rng)
        single = rng.choice((0, 0, 12, 24, 36))
        multi = rng.choice((16, 24, 32, 48, 64)) if n else 60
        total = single + multi
        social = total if n == 0 else round(total * rng.choice((1.0, 0.9, 0.8, 0.7)))
        mid = (total - social) // 2
        rows.append(
            {
                "complexnummer": f"VD-{1001 + n}",
                "naam": f"{buurt.name} {n + 1}",
                "straat": STREETS[n % len(STREETS)],
                "huisnummer": str(2 + 2 * n),
                "postcode": f"19{70 + n % 30:02d} {'ABCDEFGH'[n % 8]}{'KLMNPRST'[n % 8]}",
                "plaats": "IJmuiden" if n % 3 else "Velsen-Noord",
                "x": "",
                "y": "",
                "lat": f"{point.y:.7f}",
                "lon": f"{point.x:.7f}",
                "aantal_eengezins": single,
                "aantal_meergezins": multi,
                "sociale_huur": social,
                "middenhuur": mid,
                "vrije_sector": total - social - mid,
                "bouwjaar": rng.choice((1925, 1958, 1965, 1972, 1984, 1996, 2008, 2019)) if n != 39 else 2027,
                "energielabel": LABELS[n % len(LABELS)],
            }
        )
    return rows


def seed(*, log) -> None:
    corporation = Organisation.objects.filter(slug=SLUG).first()
    User = get_user_model()
    editor = User.objects.filter(email=EDITOR).first()
    beheerder = User.objects.filter(email=BEHEERDER).first()
    if corporation is None or editor is None:
        log("Portefeuille: geen demo-corporatie; overgeslagen.")
        return
    if Complex.objects.filter(organisation=corporation).exists():
        log("Portefeuille: de complexen van Velserduin staan er al.")
        return
    years = list(
        Area.objects.filter(kind=AreaKind.BUURT, gemeente_code=GEMEENTE)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )
    if not years:
        log("Portefeuille: geen buurten van Velsen; overgeslagen.")
        return
    year = years[0]
    buurten = _buurten(year)
    pressure = _pressure_buurt(year, buurten)
    rng = random.Random("wijkkoers-demo-portefeuille")
    rows = _register(buurten, pressure, rng)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "complexenregister-velserduin.csv"
        lines = [";".join(REGISTER_COLUMNS)]
        lines += [
            ";".join(
                str(row[c]).replace(".", ",") if c in ("lat", "lon") else str(row[c])
                for c in REGISTER_COLUMNS
            )
            for row in rows
        ]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        job = services.complex_import_file(actor=editor, path=path, organisation=corporation, year=year)
    if job.status != job.Status.DONE:
        log(f"Portefeuille: import mislukt: {job.errors[:3]}")
        return
    complexes = list(Complex.objects.filter(organisation=corporation).order_by("number"))
    for n, complex in enumerate(complexes):
        if n == 0:
            # In a buurt under pressure: more social rent back than demolished (the flag).
            extra = max(40, round(_stock(year, complex.buurt) * 0.06))
            services.strategy_set(
                actor=editor,
                complex=complex,
                kind="sloop_nieuwbouw",
                horizon_year=year + 5,
                rationale="Verouderde portiekflats; terugbouwen met meer kleine sociale huurwoningen.",
                planned_social_rent=complex.social_rent + extra,
                planned_mid_rent=0,
                planned_free_sector=0,
            )
            continue
        if n % 8 == 7:
            continue  # a few complexes without a strategy yet
        kind, rationale = STRATEGIES[n % len(STRATEGIES)]
        services.strategy_set(
            actor=editor, complex=complex, kind=kind, horizon_year=year + 2 + n % 9, rationale=rationale
        )
    if beheerder is not None:
        gemeente = Organisation.objects.filter(
            kind=Organisation.Kind.GEMEENTE, gemeente_code=GEMEENTE
        ).first()
        if gemeente is not None:
            portfolio = services.portfolio_ensure(corporation)
            services.portfolio_share(actor=beheerder, portfolio=portfolio, organisations=[gemeente])
    log(
        f"Portefeuille: {len(complexes)} complexen van {corporation.name} in de buurten van {year}"
        + (f", één met een markering in {pressure.name}" if pressure else "")
        + "."
    )
