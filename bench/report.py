"""Printing figures and timing helpers shared by the benchmark modules."""

import json
import statistics
import sys


def emit(name: str, value, unit: str, target=None) -> None:
    """One figure as one JSON line on stdout. ``target`` is the upper bound it should stay
    under (or None when the figure is informational)."""
    if isinstance(value, float):
        value = round(value, 3)
    print(json.dumps({"name": name, "value": value, "unit": unit, "target": target}), flush=True)


def percentile(samples: list[float], pct: float) -> float:
    ordered = sorted(samples)
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(samples: list[float]) -> float:
    return statistics.median(samples)


def stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def like_a_server_worker() -> None:
    """Put the measuring process in the state of a server worker after start-up, as
    ``config/wsgi.py`` does in production: warmed up, and the objects made so far frozen
    out of the garbage collector (``core.warmup.prepare_worker``)."""
    from core.warmup import prepare_worker

    prepare_worker()


def measure_page(
    *,
    user,
    url: str,
    name: str,
    label: str,
    target_ms: float,
    check,
    log,
    warmup: int = 1,
    requests: int = 30,
) -> list[str]:
    """A page as a signed-in person sees it, warm: ``warmup`` requests first (their HTML
    passed to ``check``, which asserts the page shows what the figure is about), then
    ``requests`` timed ones. Emits ``<name>.warm_median``, ``.warm_p95`` (against
    ``target_ms``), ``.cpu_p95`` (this process's CPU time, the application's own work when
    other jobs share the machine) and ``.queries``; returns the names that missed."""
    import time

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    for _ in range(warmup):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    check(response.content.decode())
    like_a_server_worker()
    samples, cpu = [], []
    for _ in range(requests):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    p95 = percentile(samples, 95)
    log(
        f"{label}: p50 {percentile(samples, 50):.1f} ms, p95 {p95:.1f} ms, "
        f"cpu p95 {percentile(cpu, 95):.1f} ms, {len(queries)} queries"
    )
    emit(f"{name}.warm_median", percentile(samples, 50), "ms")
    emit(f"{name}.warm_p95", p95, "ms", target_ms)
    emit(f"{name}.cpu_p95", percentile(cpu, 95), "ms")
    emit(f"{name}.queries", len(queries.captured_queries), "count")
    return [f"{name}.warm_p95"] if p95 >= target_ms else []


def run_alone(run, what: str) -> int:
    """``python -m bench.<module>``: only that module's figures, on the benchmark
    database (see ``bench/__main__``)."""
    import os

    from bench.__main__ import DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, ensure_database, log

    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
    os.environ.setdefault("CACHE_KEY_PREFIX", "wijkkoers-bench")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    log(f"alleen {what}")
    return 1 if run(log=log) else 0
