"""Benchmark of the portfolio: importing a register, the portfolio page and the projection.

A synthetic gemeente (GM9801, boundary year 1998) of 300 square buurten with KWB figures
and scores of the veerkracht-index and the signal typology. One corporation has 2,000
complexes with 100,000 dwellings over those buurten, each with a strategy.

Figures:
- ``portfolio.import_2000``: a fresh import of a register of 2,000 complexes through the
  import service (reading, placing, storing with history), target under 5 s;
- ``portfolio.page``: the warm portfolio page of that corporation, p95 under 100 ms;
- ``portfolio.projection``: the projection of its 2,000 complexes, under 1 s.

Run on its own with ``python -m bench.portfolio``. The synthetic rows use boundary year
1998 and code GM9801, so they never meet real areas.
"""

import random
import time
from pathlib import Path

from bench.report import emit, measure_page, median, run_alone

YEAR = 1998
GEMEENTE = "GM9801"
COLUMNS, ROWS = 20, 15  # 300 buurten
SIZE = 0.005  # degrees per buurt square
ORIGIN = (5.0, 52.0)
COMPLEXES = 2000
DWELLINGS_PER_COMPLEX = 50  # 100,000 dwellings
CORPORATION = "Bench-corporatie portefeuille"
IMPORT_CORPORATION = "Bench-corporatie import"
EDITOR = "bench.portefeuille@example.nl"
IMPORT_TARGET_S = 5.0
PAGE_TARGET_MS = 100.0
PROJECTION_TARGET_MS = 1000.0


def _areas(log):
    from areas.models import Area, AreaKind
    from bench.synthetic import area_shape

    if Area.objects.filter(year=YEAR, code=GEMEENTE).exists():
        return list(
            Area.objects.filter(year=YEAR, kind=AreaKind.BUURT, gemeente_code=GEMEENTE).order_by("code")
        )
    log("portefeuille: 300 buurten aanmaken")

    # Plain squares: the register places complexes in them; no map is measured.
    def square(x, y, width, height):
        return area_shape(x, y, width, height, origin=ORIGIN, cell=SIZE, detail=False)

    gemeente = Area.objects.create(
        year=YEAR,
        kind=AreaKind.GEMEENTE,
        code=GEMEENTE,
        name="Benchstad",
        gemeente_code=GEMEENTE,
        **square(0, 0, COLUMNS, ROWS),
    )
    Area.objects.bulk_create(
        [
            Area(
                year=YEAR,
                kind=AreaKind.BUURT,
                code=f"BU9801{n:04d}",
                name=f"Benchbuurt {n}",
                parent=gemeente,
                gemeente_code=GEMEENTE,
                **square(n % COLUMNS, n // COLUMNS, 1, 1),
            )
            for n in range(ROWS * COLUMNS)
        ]
    )
    return list(Area.objects.filter(year=YEAR, kind=AreaKind.BUURT, gemeente_code=GEMEENTE).order_by("code"))


def _figures(buurten):
    from scores import catalogue
    from scores.models import Indicator, IndicatorValue, Score, ScoreModel, SourceKind
    from scores.services.catalogue import catalogue_install

    catalogue_install()
    ids = [b.pk for b in buurten]
    if IndicatorValue.objects.filter(area_id__in=ids[:1]).exists():
        return
    rng = random.Random("bench-portefeuille-cijfers")
    kwb = {
        i.key: i
        for i in Indicator.objects.filter(source__kind=SourceKind.CBS_KWB, key__in=("a_woning", "p_wcorpw"))
    }
    values = []
    for b in buurten:
        values.append(
            IndicatorValue(indicator=kwb["a_woning"], area=b, year=YEAR, value=rng.randint(800, 2500))
        )
        values.append(IndicatorValue(indicator=kwb["p_wcorpw"], area=b, year=YEAR, value=rng.randint(10, 60)))
    IndicatorValue.objects.bulk_create(values)
    index = ScoreModel.objects.get(key=catalogue.VEERKRACHT_INDEX.key)
    signal = ScoreModel.objects.get(key=catalogue.SIGNAL_TYPOLOGY.key)
    scores = []
    for b in buurten:
        scores.append(
            Score(model=index, area=b, year=YEAR, value=rng.uniform(-1, 1), score_class=rng.randint(1, 5))
        )
        scores.append(Score(model=signal, area=b, year=YEAR, value=0, score_class=rng.randint(1, 9)))
    Score.objects.bulk_create(scores)


def _register(path: Path, buurten, seed: str) -> None:
    rng = random.Random(seed)
    lines = [
        "complexnummer;naam;straat;huisnummer;postcode;plaats;lat;lon;aantal_eengezins;aantal_meergezins;"
        "sociale_huur;middenhuur;vrije_sector;bouwjaar;energielabel"
    ]
    labels = ("A", "B", "C", "D", "E", "F", "G")
    for n in range(COMPLEXES):
        b = buurten[n % len(buurten)]
        lat = rng.uniform(b.min_lat + SIZE * 0.1, b.max_lat - SIZE * 0.1)
        lon = rng.uniform(b.min_lon + SIZE * 0.1, b.max_lon - SIZE * 0.1)
        single = rng.randint(0, 20)
        multi = DWELLINGS_PER_COMPLEX - single
        social = rng.randint(30, DWELLINGS_PER_COMPLEX)
        mid = (DWELLINGS_PER_COMPLEX - social) // 2
        free = DWELLINGS_PER_COMPLEX - social - mid
        lines.append(
            f"B{n:05d};Complex {n};Benchstraat;{n};1234 AB;Benchstad;{lat:.7f};{lon:.7f};"
            f"{single};{multi};{social};{mid};{free};{rng.choice((1960, 1975, 1990, 2005))};{rng.choice(labels)}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _organisation(name, admin):
    from organisations import services as org_services
    from organisations.models import Organisation

    org = Organisation.objects.filter(name=name).first()
    return org or org_services.organisation_create(
        actor=admin, name=name, kind=Organisation.Kind.CORPORATIE, gemeente_code=GEMEENTE
    )


def _people():
    from core.models import User
    from organisations import services as org_services
    from organisations.models import Membership, Role

    admin = User.objects.filter(
        email="bench.platform.portefeuille@example.nl"
    ).first() or User.objects.create_user(
        "bench.platform.portefeuille@example.nl", "bench-wachtwoord", is_platform_admin=True
    )
    editor = User.objects.filter(email=EDITOR).first() or User.objects.create_user(EDITOR, "bench-wachtwoord")
    corporation = _organisation(CORPORATION, admin)
    importer = _organisation(IMPORT_CORPORATION, admin)
    for org in (corporation, importer):
        if not Membership.objects.filter(user=editor, organisation=org).exists():
            org_services.membership_add(actor=admin, organisation=org, user=editor, role=Role.BEWERKER)
    return editor, corporation, importer


def _strategies(corporation):
    from portfolio.models import Complex, ComplexStrategy

    if ComplexStrategy.objects.filter(complex__organisation=corporation).exists():
        return
    kinds = (
        "doorexploiteren",
        "renoveren",
        "herstructureren",
        "sloop_nieuwbouw",
        "verkopen",
        "liberaliseren",
    )
    rows = []
    for n, complex in enumerate(Complex.objects.filter(organisation=corporation).order_by("pk")):
        kind = kinds[n % len(kinds)]
        planned = {}
        if kind == "sloop_nieuwbouw":
            planned = {"planned_social_rent": 60, "planned_mid_rent": 10, "planned_free_sector": 0}
        rows.append(
            ComplexStrategy(
                complex=complex, kind=kind, horizon_year=2000 + n % 12, rationale="Bench.", **planned
            )
        )
    ComplexStrategy.objects.bulk_create(rows)


def run(*, workdir=None, log=print) -> list[str]:
    import tempfile

    from django.urls import reverse

    from portfolio import selectors
    from portfolio.models import Complex
    from portfolio.services import complex_import_file
    from scores.models import ScoreModel

    failures = []
    buurten = _areas(log)
    _figures(buurten)
    editor, corporation, importer = _people()
    folder = Path(workdir or tempfile.mkdtemp(prefix="bench-portefeuille-"))
    path = folder / "register-2000.csv"
    _register(path, buurten, "bench-portefeuille-register")
    if not Complex.objects.filter(organisation=corporation).exists():
        log("portefeuille: register van 2.000 complexen van de gemeten corporatie importeren")
        job = complex_import_file(actor=editor, path=path, organisation=corporation, year=YEAR)
        assert job.status == job.Status.DONE, job.errors[:3]
    _strategies(corporation)
    from django.db import connection

    with connection.cursor() as cursor:
        # Fresh statistics after the bulk inserts, as autovacuum would give a live site.
        for table in ("portfolio_complex", "portfolio_complexstrategy", "areas_area", "scores_score"):
            cursor.execute(f"ANALYZE {table}")

    # A fresh import each run: the import corporation starts without complexes.
    Complex.objects.filter(organisation=importer).delete()
    Complex.history.filter(organisation_id=importer.pk).delete()
    log("portefeuille: import van 2.000 complexen meten")
    started = time.perf_counter()
    job = complex_import_file(actor=editor, path=path, organisation=importer, year=YEAR)
    seconds = time.perf_counter() - started
    assert job.status == job.Status.DONE and job.created == COMPLEXES, job.errors[:3]
    log(f"portefeuille: import {seconds:.2f} s")
    emit("portfolio.import_2000", seconds, "s", IMPORT_TARGET_S)
    if seconds >= IMPORT_TARGET_S:
        failures.append("portfolio.import_2000")

    def check(html):
        assert "Benchbuurt" in html and "complexen" in html, "the portfolio page shows no buurten"

    failures += measure_page(
        user=editor,
        url=reverse("portfolio:detail", args=[corporation.slug]),
        name="portfolio.page",
        label="portefeuillepagina (2.000 complexen, 100.000 woningen, 300 buurten)",
        target_ms=PAGE_TARGET_MS,
        check=check,
        log=log,
        warmup=5,
        requests=50,
    )

    view = selectors.portfolio_get(user=editor, slug=corporation.slug)
    model = ScoreModel.objects.get(key="wijkkoers-veerkracht")
    samples = []
    for _ in range(5):
        started = time.perf_counter()
        gemeenten = selectors.projection(user=editor, view=view, year=YEAR, horizon=YEAR + 15, model=model)
        samples.append((time.perf_counter() - started) * 1000)
    assert sum(len(g.buurten) for g in gemeenten) == len(buurten)
    ms = median(samples)
    log(f"portefeuille: projectie {ms:.0f} ms (mediaan van 5)")
    emit("portfolio.projection", ms, "ms", PROJECTION_TARGET_MS)
    if ms >= PROJECTION_TARGET_MS:
        failures.append("portfolio.projection")
    return failures


if __name__ == "__main__":
    import sys

    sys.exit(run_alone(lambda log: run(log=log), "de portefeuille"))
