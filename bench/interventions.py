"""Benchmark of the intervention list page and API.

50,000 interventions in 300 area teams (one per synthetic wijk, 30 gemeenten of ten wijken
with four buurten each), 2,000 people in 300 organisations, everything bulk-inserted on
PostgreSQL. The measured person edits for an organisation that sits in all ten teams of
its gemeente, one of them a busy team with 5,000 interventions, so about 6,300
interventions are visible to them.

Figures (``run()`` yields one dict per figure: name, value, unit, target):
- p95 of the warm list page and API list, 50 per page (target under 60 ms);
- the number of queries for page sizes 10 and 50 (the same, whatever the size).

Run on its own with ``python -m bench.interventions``; DATABASE_URL defaults to a
database of its own, created and migrated when missing. The synthetic rows use boundary
year 1999 and codes GM9xxx, so they never meet real areas.
"""

import json
import os
import sys
import time
from collections.abc import Iterator

from bench import synthetic
from bench.report import like_a_server_worker

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/wijkkoers_bench_interventions"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"

YEAR = 1999
GEMEENTEN = 30
WIJKEN_PER_GEMEENTE = 10
BUURTEN_PER_WIJK = 4
ORGANISATIONS_PER_GEMEENTE = 10  # 300 organisations
USERS = 2000
INTERVENTIONS = 50_000
BUSY_TEAM_INTERVENTIONS = 5_000
TARGET_MS = 60.0
WARMUP = 10
SAMPLES = 100
BENCH_EMAIL = "bench.bewerker@example.nl"
ORG_PREFIX = "Bench-organisatie"


def _log(message):
    print(f"[bench interventions] {message}", file=sys.stderr, flush=True)


def build(log=_log):
    """Insert the synthetic world once (idempotent: skipped when it is there)."""
    import random

    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.db import transaction

    from areas.models import Area, AreaKind
    from core.models import User
    from interventions.models import AreaTeam, Intervention, ProgressUpdate, TeamRole, Theme
    from organisations.models import Membership, Organisation, Role

    if Intervention.objects.filter(team__area__year=YEAR).count() >= INTERVENTIONS:
        log("gegevens staan er al")
        return
    rng = random.Random(20261128)
    started = time.perf_counter()
    with transaction.atomic():
        Intervention.objects.filter(team__area__year=YEAR).delete()
        AreaTeam.objects.filter(area__year=YEAR).delete()
        Area.objects.filter(year=YEAR, kind=AreaKind.BUURT).delete()
        Area.objects.filter(year=YEAR, kind=AreaKind.WIJK).delete()
        Area.objects.filter(year=YEAR).delete()
        Membership.objects.filter(organisation__name__startswith=ORG_PREFIX).delete()
        User.objects.filter(email__startswith="bench.").delete()
        groups = list(
            Organisation.objects.filter(name__startswith=ORG_PREFIX).values_list(
                "members_group", "editors_group"
            )
        )
        Organisation.objects.filter(name__startswith=ORG_PREFIX).delete()
        Group.objects.filter(pk__in=[pk for pair in groups for pk in pair]).delete()

        # Areas: gemeenten, wijken, buurten (no shapes: the list does not draw them).
        gemeenten, wijken, buurten = [], [], []
        for g in range(GEMEENTEN):
            gemeente, its_wijken, its_buurten = synthetic.areas_create(
                year=YEAR,
                code=f"GM9{g:03d}",
                name=f"Benchgemeente {g}",
                wijken=WIJKEN_PER_GEMEENTE,
                buurten_per_wijk=BUURTEN_PER_WIJK,
                wijk_name="Wijk {w} van {name}",
            )
            gemeenten.append(gemeente)
            wijken += its_wijken
            buurten += its_buurten
        buurten_of = synthetic.by_parent(buurten)
        log(f"{len(gemeenten) + len(wijken) + len(buurten)} gebieden")

        # Organisations with their sharing groups, people and memberships.
        kinds = [Organisation.Kind.GEMEENTE, Organisation.Kind.CORPORATIE, Organisation.Kind.CORPORATIE]
        kinds += [Organisation.Kind.HUURDERSORGANISATIE] * 2 + [Organisation.Kind.PARTNER] * 5
        specs = [(g, o) for g in range(GEMEENTEN) for o in range(ORGANISATIONS_PER_GEMEENTE)]
        organisations = synthetic.organisations_create(
            [
                (f"bench-organisatie-{g}-{o}", f"{ORG_PREFIX} {g}-{o}", kinds[o], gemeenten[g].code)
                for g, o in specs
            ]
        )
        password = make_password("bench-wachtwoord-123")
        users = User.objects.bulk_create(
            [
                User(
                    email=BENCH_EMAIL if u == 0 else f"bench.{u}@example.nl",
                    full_name=f"Bench {u}",
                    password=password,
                )
                for u in range(USERS)
            ]
        )
        roles = [Role.LEZER, Role.BEWERKER, Role.BEWERKER, Role.BEHEERDER]
        Membership.objects.bulk_create(
            [
                Membership(
                    user=user,
                    organisation=organisations[1 if u == 0 else u % len(organisations)],
                    role=Role.BEWERKER if u == 0 else roles[u % 4],
                )
                for u, user in enumerate(users)
            ]
        )
        log(f"{len(organisations)} organisaties, {len(users)} mensen")

        # One team per wijk; every organisation of the gemeente is in every team of it, the
        # gemeente and a corporation as trekker, the others as partner or meelezer.
        team_roles = [
            TeamRole.TREKKER,
            TeamRole.TREKKER,
            TeamRole.PARTNER,
            TeamRole.MEELEZER,
            TeamRole.MEELEZER,
        ]
        team_roles += [TeamRole.PARTNER] * 5
        teams = []
        for g in range(GEMEENTEN):
            own = organisations[g * ORGANISATIONS_PER_GEMEENTE : (g + 1) * ORGANISATIONS_PER_GEMEENTE]
            teams += synthetic.teams_create(
                wijken=wijken[g * WIJKEN_PER_GEMEENTE : (g + 1) * WIJKEN_PER_GEMEENTE],
                members=list(zip(own, team_roles, strict=True)),
                name="Team {}",
            )

        # Interventions: the busy team (the measured person's first wijk) and the rest spread.
        busy = teams[0]
        plan = [busy] * BUSY_TEAM_INTERVENTIONS
        others = teams[1:]
        plan += [others[i % len(others)] for i in range(INTERVENTIONS - BUSY_TEAM_INTERVENTIONS)]
        themes = Theme.values
        statuses = Intervention.Status.values
        import datetime

        team_index = {team.pk: i for i, team in enumerate(teams)}
        rows = []
        for i, team in enumerate(plan):
            g = team_index[team.pk] // WIJKEN_PER_GEMEENTE
            start = datetime.date(2020, 1, 1) + datetime.timedelta(days=rng.randrange(0, 1800))
            rows.append(
                synthetic.intervention(
                    team=team,
                    number=i,
                    area_name=team.area.name,
                    about="",
                    status=statuses[i % len(statuses)],
                    theme=themes[i % len(themes)],
                    lead_organisation=organisations[g * ORGANISATIONS_PER_GEMEENTE + rng.choice([0, 1, 2])],
                    start_date=start,
                    end_date=start + datetime.timedelta(days=rng.randrange(30, 900)),
                    budget=rng.randrange(1000, 500000),
                )
            )
        created = Intervention.objects.bulk_create(rows, batch_size=5000)
        area_links, partner_links, updates = [], [], []
        for intervention in created:
            wijk = wijken[team_index[intervention.team_id]]
            area_links.append({"intervention": intervention, "area": wijk})
            area_links.append({"intervention": intervention, "area": rng.choice(buurten_of[wijk.pk])})
            g = team_index[intervention.team_id] // WIJKEN_PER_GEMEENTE
            partner = organisations[g * ORGANISATIONS_PER_GEMEENTE + rng.choice([5, 6, 7])]
            partner_links.append({"intervention": intervention, "organisation": partner})
            updates.append(
                ProgressUpdate(
                    intervention=intervention,
                    date=intervention.start_date,
                    text="Gestart.",
                    progress=rng.randrange(0, 100),
                )
            )
        synthetic.links_create(Intervention.areas.through, area_links)
        synthetic.links_create(Intervention.partner_organisations.through, partner_links)
        ProgressUpdate.objects.bulk_create(updates, batch_size=10000)
    synthetic.analyze()
    log(f"{len(created)} interventies in {time.perf_counter() - started:.0f} s")


def _timed(client, url, params, n):
    """Wall-clock and CPU milliseconds per request (the CPU time of this process shows the
    application's own work when other jobs share the machine)."""
    wall, cpu = [], []
    for _ in range(n):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url, params)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return wall, cpu


def _queries(client, url, params):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries)


def run(log=_log) -> Iterator[dict]:
    """Build the data when needed, then measure; yields one figure at a time."""
    from django.test import Client

    from core.models import User
    from interventions import selectors, views

    build(log)
    user = User.objects.get(email=BENCH_EMAIL)
    visible = selectors.intervention_list(user=user).count()
    yield {"name": "interventions.visible_to_user", "value": visible, "unit": "rows", "target": None}
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    like_a_server_worker()
    cases = [
        ("interventions.list_page.p95", "/interventies/", {}),
        (
            "interventions.list_page_filtered.p95",
            "/interventies/",
            {"theme": "veiligheid", "q": "Interventie"},
        ),
        ("interventions.api_list.p95", "/api/v1/interventions/", {"page_size": 50}),
    ]
    for name, url, params in cases:
        _timed(client, url, params, WARMUP)
        samples, cpu = _timed(client, url, params, SAMPLES)
        p95 = percentile(samples, 95)
        log(
            f"{name}: p50 {percentile(samples, 50):.1f} ms, p95 {p95:.1f} ms, cpu p95 {percentile(cpu, 95):.1f} ms"
        )
        yield {"name": name, "value": round(p95, 1), "unit": "ms", "target": TARGET_MS}
        yield {
            "name": name.replace(".p95", ".p50"),
            "value": round(percentile(samples, 50), 1),
            "unit": "ms",
            "target": None,
        }
        yield {
            "name": name.replace(".p95", ".cpu_p95"),
            "value": round(percentile(cpu, 95), 1),
            "unit": "ms",
            "target": None,
        }
    original = views.PAGE_SIZE
    try:
        for size in (10, 50):
            views.PAGE_SIZE = size
            yield {
                "name": f"interventions.list_page.queries_{size}_per_page",
                "value": _queries(client, "/interventies/", {}),
                "unit": "queries",
                "target": None,
            }
    finally:
        views.PAGE_SIZE = original
    for size in (10, 50):
        yield {
            "name": f"interventions.api_list.queries_{size}_per_page",
            "value": _queries(client, "/api/v1/interventions/", {"page_size": size}),
            "unit": "queries",
            "target": None,
        }


def main() -> int:
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
    os.environ.setdefault("CACHE_KEY_PREFIX", "wijkkoers-bench-interventions")
    os.environ.setdefault(
        "DJANGO_SETTINGS_MODULE", "bench.settings" if _has_bench_settings() else "config.settings"
    )
    _ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    call_command("migrate", verbosity=0, interactive=False)
    return 1 if report() else 0


def report(log=_log) -> list[str]:
    """Print every figure as one JSON line; return the names that missed their target."""
    missed = []
    for figure in run(log=log):
        print(json.dumps(figure), flush=True)
        if figure["target"] is not None and figure["value"] > figure["target"]:
            missed.append(figure["name"])
    return missed


def percentile(samples, pct):
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * pct / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def _ensure_database(url):
    """Create the benchmark's PostgreSQL database when it does not exist yet."""
    from urllib.parse import urlparse

    import psycopg

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def _has_bench_settings():
    from importlib.util import find_spec

    return find_spec("bench.settings") is not None


if __name__ == "__main__":
    sys.exit(main())
