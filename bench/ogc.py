"""The OGC API – Features service and the GeoPackage download at national scale.

The set: the national synthetic boundaries and KWB values of ``bench.scores`` (342
gemeenten, 3,300 wijken, 14,500 buurten; here for its first two boundary years) with the
open veerkracht-index computed for the latest of them.

Figures, through the Django test client with a signed-in session on the bench settings
(no debug, PostgreSQL, Redis cache):
- ``ogc.items.national_1000.*``: a page of 1,000 national buurten with their veerkracht
  scores (``/ogc/collections/wijkkoers-veerkracht-<year>-buurten/items?limit=1000``),
  warm: median, p95 (target under 50 ms), CPU p95 and queries; ``ogc.items.national.cold``
  is the first request after a new data version, which builds the collection's features;
- ``ogc.items.national_rd.*``: the same page in RD New (no target);
- ``ogc.items.national_bbox.*``: the first page of a bbox over the middle of the country
  (no target);
- ``ogc.geopackage.gemeente.*``: the score map of the gemeente with the most buurten as a
  GeoPackage (``/scores/export/?…&format=gpkg``), median and p95 of 10 requests (target
  under 1 s).

Run alone with ``python -m bench.ogc``.
"""

import json
import time
from pathlib import Path

from bench.report import emit, measure_page, percentile, run_alone

OPEN_MODEL = "wijkkoers-veerkracht"
YEARS = 2
PAGE = 1000
TARGET_ITEMS_P95_MS = 50.0
TARGET_GEOPACKAGE_S = 1.0
GEOPACKAGE_REQUESTS = 10
RD = "http://www.opengis.net/def/crs/EPSG/0/28992"


def run(*, workdir: Path | None = None, log=print) -> list[str]:
    """Build (once) and measure; print one JSON line per figure; return the names of the
    figures that missed their target."""
    from django.db import connection
    from django.test import Client

    from bench.areas import _exclusive
    from bench.scores import READER_EMAIL, _user, setup_national_scores
    from scores import versions
    from scores.models import Score, ScoreModel
    from scores.services.compute import scores_recompute

    with _exclusive():
        data = setup_national_scores(years=YEARS, workdir=workdir, log=log)
        year = data.years[-1]
        model = ScoreModel.objects.get(key=OPEN_MODEL)
        if not Score.objects.filter(model=model, year=year, area__kind="buurt").exists():
            log(f"ogc: {OPEN_MODEL} {year} berekenen")
            scores_recompute(years=[year], model_ids=[model.pk])
        # Fresh statistics after the bulk writes, as a running site has them.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        reader = _user(READER_EMAIL)
        failures = []
        base = f"/ogc/collections/{OPEN_MODEL}-{year}-buurten/items"
        url = f"{base}?limit={PAGE}"

        # The first request after a new data version builds the collection's features.
        versions.data_changed()
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(reader)
        started = time.perf_counter()
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        emit("ogc.items.national.cold", (time.perf_counter() - started) * 1000, "ms")
        emit("ogc.items.national.matched", json.loads(response.content)["numberMatched"], "count")
        emit("ogc.items.national_1000.size", len(response.content) / 1e6, "MB")

        failures += measure_page(
            user=reader,
            url=url,
            name="ogc.items.national_1000",
            label=f"OGC-pagina van {PAGE} buurten met scores",
            target_ms=TARGET_ITEMS_P95_MS,
            check=_check_page,
            log=log,
            requests=50,
        )
        _measure_informational(client, f"{url}&crs={RD}", "ogc.items.national_rd", log)
        _measure_informational(client, f"{url}&bbox=4.5,51.8,5.8,52.6", "ogc.items.national_bbox", log)
        failures += _measure_geopackage(reader=reader, year=year, log=log)
    return failures


def _check_page(body: str) -> None:
    page = json.loads(body)
    assert page["numberReturned"] == PAGE, page["numberReturned"]
    assert any(f["properties"]["value"] is not None for f in page["features"]), "no scores on the page"


def _measure_informational(client, url: str, name: str, log, requests: int = 30) -> None:
    """Median and p95 of a warm page, without a target."""
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert json.loads(response.content)["numberReturned"] > 0
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
    log(f"{name}: p50 {percentile(samples, 50):.1f} ms, p95 {percentile(samples, 95):.1f} ms")
    emit(f"{name}.warm_median", percentile(samples, 50), "ms")
    emit(f"{name}.warm_p95", percentile(samples, 95), "ms")


def _measure_geopackage(*, reader, year: int, log) -> list[str]:
    from django.db.models import Count
    from django.test import Client

    from areas.models import Area

    biggest = (
        Area.objects.filter(year=year, kind="buurt", is_water=False)
        .values("gemeente_code")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    gemeente, buurten = biggest["gemeente_code"], biggest["n"]
    url = f"/scores/export/?kaart=model:{OPEN_MODEL}&jaar={year}&niveau=buurt&gemeente={gemeente}&format=gpkg"
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(reader)
    samples = []
    for _ in range(GEOPACKAGE_REQUESTS + 1):
        started = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        assert response.content.startswith(b"SQLite format 3")
    samples = samples[1:]  # the first one warms the process
    p95 = percentile(samples, 95)
    log(
        f"GeoPackage van {gemeente} ({buurten} buurten): p50 {percentile(samples, 50):.2f} s, p95 {p95:.2f} s"
    )
    emit("ogc.geopackage.gemeente.buurten", buurten, "count")
    emit("ogc.geopackage.gemeente.size", len(response.content) / 1e6, "MB")
    emit("ogc.geopackage.gemeente.median", percentile(samples, 50), "s")
    emit("ogc.geopackage.gemeente.p95", p95, "s", TARGET_GEOPACKAGE_S)
    return ["ogc.geopackage.gemeente.p95"] if p95 >= TARGET_GEOPACKAGE_S else []


def main() -> int:
    return run_alone(lambda log: run(log=log), "OGC API en GeoPackage")


if __name__ == "__main__":
    import sys

    sys.exit(main())
