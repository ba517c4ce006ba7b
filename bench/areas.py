"""Areas at national scale: importing the buurt file, and serving the maps.

Map timings are taken over HTTP from a real gunicorn server (two workers) on loopback,
with a signed-in session, the way a browser asks: ``Accept-Encoding: gzip``. The same
server serves the same gzipped bytes as a static file (WhiteNoise), which is the
yardstick for the map endpoint.
"""

import gzip
import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from bench.report import emit, median, percentile

YEAR = 2024
CITY_ZOOM = 13
WARM_REQUESTS = 60
NATIONAL_WARM_REQUESTS = 30
COLD_ROUNDS = 3

TARGETS = {
    "import": 60.0,
    "gemeente_warm_p95_ms": 50.0,
    "national_warm_ms": 50.0,
    "national_gzip_mb": 3.0,
    "ratio": 2.0,
}


def run(*, workdir: Path, log) -> list[str]:
    """Run the area figures; return the names of figures that missed their target."""
    with _exclusive():
        return _run(workdir=workdir, log=log)


def _run(*, workdir: Path, log) -> list[str]:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bench.synthetic import build

    started = time.perf_counter()
    log("synthetische landelijke indeling maken")
    data = build(workdir / "data")
    log(
        "{gemeenten} gemeenten, {wijken} wijken, {buurten} buurten "
        "({buurt_vertices_min}–{buurt_vertices_max} punten per buurt)".format(**data.counts)
    )
    emit("areas.synthetic.buurten", data.counts["buurten"], "count")
    emit("areas.synthetic.buurt_vertices_median", data.counts["buurt_vertices_median"], "count")

    _reset()
    users = get_user_model().objects
    admin = users.filter(email="bench-admin@example.nl").first() or users.create_superuser(
        "bench-admin@example.nl", "bench-wachtwoord-niet-in-productie"
    )
    reader = users.filter(email="bench-lezer@example.nl").first() or users.create_user(
        "bench-lezer@example.nl", "bench-wachtwoord-niet-in-productie"
    )
    failures = []

    for level, path in (("gemeenten", data.gemeenten), ("wijken", data.wijken), ("buurten", data.buurten)):
        seconds = _import(admin, path, log)
        target = TARGETS["import"] if level == "buurten" else None
        emit(f"areas.import.{level}", seconds, "s", target)
        if target and seconds >= target:
            failures.append(f"areas.import.{level}")

    from areas import selectors
    from areas.models import Area

    national = selectors.MapQuery(year=YEAR, level="buurt", band="land")
    city = selectors.MapQuery(year=YEAR, level="buurt", band="stad", gemeente=data.large_gemeente)
    national_body = selectors.map_geojson(user=reader, query=national)
    city_body = selectors.map_geojson(user=reader, query=city)
    emit("areas.map.national.features", national_body.features, "count")
    emit("areas.map.national.size_raw", len(gzip.decompress(national_body.gzipped)) / 1e6, "MB")
    national_mb = len(national_body.gzipped) / 1e6
    emit("areas.map.national.size_gzip", national_mb, "MB", TARGETS["national_gzip_mb"])
    if national_mb >= TARGETS["national_gzip_mb"]:
        failures.append("areas.map.national.size_gzip")
    emit("areas.map.gemeente.features", city_body.features, "count")
    emit("areas.map.gemeente.size_raw", len(gzip.decompress(city_body.gzipped)) / 1e6, "MB")
    emit("areas.map.gemeente.size_gzip", len(city_body.gzipped) / 1e6, "MB")

    static_dir = Path(os.environ["BENCH_STATIC_ROOT"]) / "bench"
    static_dir.mkdir(parents=True, exist_ok=True)
    for name, body in (("national", national_body), ("gemeente", city_body)):
        (static_dir / f"{name}.geojson").write_bytes(gzip.decompress(body.gzipped))
        (static_dir / f"{name}.geojson.gz").write_bytes(body.gzipped)

    client = Client()
    client.force_login(reader)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    # The URLs as a page hands them to the browser: signed, so a warm request needs no
    # session lookup (see areas.api.views.map_url_signature and core.middleware.SignedMapMiddleware).
    from urllib.parse import quote

    from areas.api.views import map_url_signature

    sig = quote(map_url_signature(reader))
    base = f"/api/v1/areas/geojson/?year={YEAR}&level=buurt"
    national_url = f"{base}&gemeente=NL&sig={sig}&zoom=7"
    city_session_url = f"{base}&gemeente={data.large_gemeente}&zoom={CITY_ZOOM}"
    city_url = f"{base}&gemeente={data.large_gemeente}&sig={sig}&zoom={CITY_ZOOM}"

    with _server(log) as port:
        http = _Http(port, cookie)

        cold = []
        some_area = Area.objects.filter(year=YEAR).order_by("pk").values_list("pk", flat=True).first()
        for _ in range(COLD_ROUNDS):
            # A new data version, as after an import: nothing cached anywhere.
            from django.utils import timezone

            Area.objects.filter(pk=some_area).update(updated_at=timezone.now())
            selectors.map_data_changed(YEAR)
            # The server's workers keep the version this long in memory.
            time.sleep(selectors.LOCAL_VERSION_TTL + 0.2)
            ms, body = http.get(national_url)
            assert len(body) == len(national_body.gzipped), "cold national body differs from the static copy"
            cold.append(ms)
        emit("areas.map.national.cold", median(cold), "ms")

        national_warm, national_static = http.pairs(
            national_url, "/static/bench/national.geojson", NATIONAL_WARM_REQUESTS
        )
        warm_ms = median(national_warm)
        emit("areas.map.national.warm_p50", warm_ms, "ms", TARGETS["national_warm_ms"])
        emit("areas.map.national.warm_p95", percentile(national_warm, 95), "ms", TARGETS["national_warm_ms"])
        emit("areas.map.national.static_p50", median(national_static), "ms")
        if percentile(national_warm, 95) >= TARGETS["national_warm_ms"]:
            failures.append("areas.map.national.warm_p95")
        ratio = warm_ms / median(national_static)
        emit("areas.map.national.ratio_to_static", ratio, "x", TARGETS["ratio"])
        if ratio >= TARGETS["ratio"]:
            failures.append("areas.map.national.ratio_to_static")

        city_warm, city_static = http.pairs(city_url, "/static/bench/gemeente.geojson", WARM_REQUESTS)
        city_p95 = percentile(city_warm, 95)
        emit("areas.map.gemeente.warm_p50", median(city_warm), "ms")
        emit("areas.map.gemeente.warm_p95", city_p95, "ms", TARGETS["gemeente_warm_p95_ms"])
        if city_p95 >= TARGETS["gemeente_warm_p95_ms"]:
            failures.append("areas.map.gemeente.warm_p95")
        emit("areas.map.gemeente.static_p50", median(city_static), "ms")
        city_ratio = median(city_warm) / median(city_static)
        emit("areas.map.gemeente.ratio_to_static", city_ratio, "x", TARGETS["ratio"])
        if city_ratio >= TARGETS["ratio"]:
            failures.append("areas.map.gemeente.ratio_to_static")

        # The same map for an API client signed in with its session: through the API
        # view, with the session and user read from the database.
        session_warm = http.series(city_session_url, WARM_REQUESTS)
        emit("areas.map.gemeente.session_warm_p50", median(session_warm), "ms")
        emit("areas.map.gemeente.session_warm_p95", percentile(session_warm, 95), "ms")

        etag = http.etag(city_url)
        revalidate = http.series(city_url, WARM_REQUESTS, headers={"If-None-Match": etag}, status=304)
        emit("areas.map.gemeente.not_modified_p50", median(revalidate), "ms")

    log(f"areas klaar in {time.perf_counter() - started:.0f} s")
    if failures:
        log("boven de streefwaarde: " + ", ".join(failures))
    return failures


def _reset():
    """Remove the benchmark year's areas, so the import creates every row. Only this
    year: the other benchmarks share the database.

    The indicator values and scores of these areas go first: their tables have no
    database foreign keys (the bulk writes skip the per-row check), so a raw delete of
    the areas alone would leave them behind, pointing at ids that no longer exist."""
    from django.db import connection, transaction

    from areas import selectors
    from scores import versions

    year_ids = "SELECT id FROM areas_area WHERE year = %s"
    with transaction.atomic(), connection.cursor() as cursor:
        for table in ("scores_score", "scores_indicatorvalue"):
            cursor.execute(f"DELETE FROM {table} WHERE area_id IN ({year_ids})", [YEAR])
        cursor.execute(
            f"DELETE FROM areas_areaoverlap WHERE source_id IN ({year_ids}) OR target_id IN ({year_ids})",
            [YEAR, YEAR],
        )
        cursor.execute(
            f"DELETE FROM areas_area_members WHERE from_area_id IN ({year_ids}) OR to_area_id IN ({year_ids})",
            [YEAR, YEAR],
        )
        for kind in ("gebied", "buurt", "wijk", "gemeente"):
            cursor.execute("DELETE FROM areas_area WHERE year = %s AND kind = %s", [YEAR, kind])
        cursor.execute("DELETE FROM areas_historicalarea WHERE year = %s", [YEAR])
        cursor.execute("DELETE FROM areas_boundaryimport WHERE year = %s", [YEAR])
    selectors.map_data_changed(YEAR)
    versions.data_changed()


class _exclusive:
    """One area benchmark at a time on the shared database: a second run waits."""

    KEY = 0x57_4B_41_52  # "WKAR"

    def __enter__(self):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [self.KEY])

    def __exit__(self, *exc):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [self.KEY])


def _import(admin, path: Path, log) -> float:
    from areas.models import BoundaryImport
    from areas.services import boundary_import_file

    log(f"importeren: {path.name} ({path.stat().st_size / 1e6:.0f} MB)")
    started = time.perf_counter()
    job = boundary_import_file(actor=admin, path=path, year=YEAR)
    seconds = time.perf_counter() - started
    if job.status != BoundaryImport.Status.DONE:
        log(f"import van {path.name} mislukt: {job.errors[:5]}")
        raise SystemExit(1)
    log(f"  {job.created} nieuw, {len(job.warnings)} waarschuwingen, {seconds:.1f} s")
    return seconds


class _Http:
    """Requests over loopback, one connection each (gunicorn's sync workers close it)."""

    def __init__(self, port, cookie):
        self.port = port
        self.cookie = cookie

    def request(self, path, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        all_headers = {"Accept-Encoding": "gzip", "Cookie": self.cookie, **(headers or {})}
        started = time.perf_counter()
        conn.request("GET", path, headers=all_headers)
        response = conn.getresponse()
        body = response.read()
        ms = (time.perf_counter() - started) * 1000
        conn.close()
        return ms, response, body

    def get(self, path, headers=None, status=200):
        ms, response, body = self.request(path, headers)
        if response.status != status:
            raise RuntimeError(f"{path} {headers or ''}: {response.status} {response.getheaders()}")
        return ms, body

    def etag(self, path):
        _, response, _ = self.request(path)
        return response.getheader("ETag")

    def pairs(self, path, static_path, count):
        """Map and static file in turns, so a busy machine weighs on both alike."""
        self.series(path, 0)
        self.series(static_path, 0)
        maps, statics = [], []
        for _ in range(count):
            maps.append(self.get(path)[0])
            statics.append(self.get(static_path)[0])
        return maps, statics

    def series(self, path, count, headers=None, status=200):
        for _ in range(3):  # each worker has it in memory
            self.get(path, headers, status)
        return [self.get(path, headers, status)[0] for _ in range(count)]


class _server:
    """gunicorn with two workers on a free loopback port, for the duration of a block."""

    def __init__(self, log):
        self.log = log

    def __enter__(self):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        gunicorn = Path(sys.executable).with_name("gunicorn")
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "config.wsgi:application",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
                "--timeout",
                "120",
            ],
            env=env,
            cwd=Path(__file__).resolve().parent.parent,
        )
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", "/health/")
                if conn.getresponse().status == 200:
                    self.log(f"server draait op poort {self.port}")
                    return self.port
            except OSError:
                time.sleep(0.2)
        self.process.terminate()
        raise RuntimeError("de benchmarkserver startte niet")

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
