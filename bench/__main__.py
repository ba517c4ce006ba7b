"""``python -m bench``: build the benchmark data on PostgreSQL and print the figures, one
JSON object per line on stdout (progress goes to stderr).

DATABASE_URL defaults to a database of its own (created when missing, then migrated);
REDIS_URL to a Redis database of its own, so the cache behaves as in production.
"""

import os
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/wijkkoers_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"


def ensure_database(url: str) -> None:
    """Create the benchmark's PostgreSQL database when it does not exist yet."""
    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            log(f"database {name} aangemaakt")


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def main() -> int:
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
    os.environ.setdefault("CACHE_KEY_PREFIX", "wijkkoers-bench")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    if not os.environ["DATABASE_URL"].startswith(("postgres://", "postgresql://")):
        log("de benchmark draait op PostgreSQL: zet DATABASE_URL op een postgres://-adres")
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="wijkkoers-bench-"))
    os.environ["BENCH_STATIC_ROOT"] = str(workdir / "static")
    ensure_database(os.environ["DATABASE_URL"])

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)

    from bench import (
        agreements,
        areas,
        interventions,
        load,
        ogc,
        portfolio,
        reports,
        scores,
        start_page,
        wijk_page,
    )

    sections = {
        "areas": lambda: areas.run(workdir=workdir, log=log),
        "scores": lambda: scores.run(workdir=workdir, log=log),
        "interventions": lambda: interventions.report(log=log),
        "agreements": lambda: agreements.run(workdir=workdir, log=log),
        "wijk_page": lambda: wijk_page.run(workdir=workdir, log=log),
        "start_page": lambda: start_page.run(workdir=workdir, log=log),
        "ogc": lambda: ogc.run(workdir=workdir, log=log),
        "portfolio": lambda: portfolio.run(workdir=workdir, log=log),
        "reports": lambda: reports.run(workdir=workdir, log=log),
        "load": lambda: load.run(workdir=workdir, log=log),
    }
    # BENCH_ONLY=scores,wijk_page measures some sections; unknown names are refused.
    chosen = [name for name in os.environ.get("BENCH_ONLY", "").split(",") if name]
    unknown = sorted(set(chosen) - set(sections))
    if unknown:
        log(f"onbekende onderdelen in BENCH_ONLY: {', '.join(unknown)}; kies uit {', '.join(sections)}")
        return 2
    # Every section returns the names of its figures over target.
    failures: list[str] = []
    for name, run in sections.items():
        if not chosen or name in chosen:
            failures += run()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
