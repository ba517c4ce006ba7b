"""Load and scale-out: many people at once on two app servers that share one PostgreSQL
and one Redis, and the same load with Redis gone for a while.

The data is the year report's set (``bench.reports``: the largest gemeente of the
national synthetic scale, 500 buurten in two boundary years, 2,000 interventions, 300
commitments with monitoring, two score models; built in seconds, reused when there),
with people of this benchmark added to its organisations: bewerkers of the corporation
(editors; the first two sign in through the sign-in form), bewerkers of the gemeente
(reviewers) and lezers of the tenants' organisation (readers); everyone else comes with a
session made for them.

The run (locust, ``bench/locustfile.py``, as a separate process): a Redis of its own on a
free port, two gunicorn servers (``config.wsgi`` with the bench settings: no debug, the
cache and the task broker on that Redis, sessions in the database) on two free ports, and
the simulated people spread over both servers, each one pausing between its requests.
They read the intervention list, detail and API list, the gemeente and wijk pages, the
score map, the buurt GeoJSON, the review queue, the agreement list and page and the year
report, and write: progress updates and changes of interventions (through the API, with
the version they read; a change refused as stale counts as answered) and comments on
monitoring reports. Every process it starts is stopped at the end, also on Ctrl+C.

Settings (environment): ``BENCH_LOAD_USERS`` (50), ``BENCH_LOAD_SECONDS`` (60),
``BENCH_LOAD_OUTAGE`` (10 seconds of Redis outage; 0 skips that run),
``BENCH_LOAD_WORKERS`` (2 gunicorn workers per server), ``BENCH_LOAD_WAIT_MIN`` and
``BENCH_LOAD_WAIT_MAX`` (0 and 0.1 seconds between a person's requests). A short run:
``BENCH_ONLY=load BENCH_LOAD_USERS=10 BENCH_LOAD_SECONDS=20 make bench``.

The pauses are short on purpose. The goal (at least 100 requests per second from 50
people, p95 under 700 ms) asks each person for a request every half second, answer
included; with pauses of half a second on average, as real people take, no server could
reach it. So the run measures what the servers can carry, and ``load.rps_ceiling`` says
what the pauses alone would allow (people divided by the mean pause).

Before the run, ``load.cpu.<page>``: the CPU time of one warm request of each page in
this process, and ``load.cpu.floor``, that of the smallest signed-in page (the session, the
person and the layout): with the servers and locust on two cores, the run cannot do more
than about 2,000 ms divided by the mean of these per second.

Figures of the run (one JSON line each): ``load.rps`` (target at least 100), ``load.p50``,
``load.p95`` (target under 700 ms), ``load.p99``, ``load.failures`` (target 0),
``load.db_connections_max`` (the most connections to the bench database at once,
sampled from ``pg_stat_activity``), ``load.server_cpu_per_request`` (the servers' CPU
time per request: the figure to compare when other work shares the machine), the p95 of
the five slowest endpoints, and ``load.lost_edits`` (writes answered 2xx that are not in
the database afterwards; target 0). Then ``load.outage.*``: the same run with Redis
stopped in the middle and started again empty, its failures inside that window (plus
five seconds) and outside it (target 0), and its lost edits (target 0).

Run alone with ``BENCH_ONLY=load make bench`` or ``python -m bench.load``.
"""

import csv
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.report import emit

USERS = int(os.environ.get("BENCH_LOAD_USERS", "50"))
SECONDS = int(os.environ.get("BENCH_LOAD_SECONDS", "60"))
OUTAGE = int(os.environ.get("BENCH_LOAD_OUTAGE", "10"))
WORKERS = int(os.environ.get("BENCH_LOAD_WORKERS", "2"))  # per server
WAIT_MIN = float(os.environ.get("BENCH_LOAD_WAIT_MIN", "0"))
WAIT_MAX = float(os.environ.get("BENCH_LOAD_WAIT_MAX", "0.1"))
SERVERS = 2
GRACE = 5  # seconds after Redis is back that still count as the outage (core.cache retry)
PREFIX = "bench-load"
PASSWORD = "bench-wachtwoord-niet-in-productie"
EDITORS = 4
SIGN_INS = 2  # simulated editors who sign in through the form; the rest have a session
TARGETS = {"rps": 100.0, "p95_ms": 700.0}
ROOT = Path(__file__).resolve().parent.parent


def run(*, workdir=None, log=print) -> list[str]:
    """Build (once), run the load twice (normal, then with a Redis outage) and print the
    figures; return the names of the figures that missed their target."""
    workdir = Path(workdir or tempfile.mkdtemp(prefix="wijkkoers-load-"))
    plan = _plan(log)
    _cpu_per_page(plan, log)
    from django.db import connections

    connections.close_all()  # the database connections counted are the servers' own
    failures = []
    servers = _Servers(redis_url="", log=log)
    # Stopped from outside (SIGTERM) as by Ctrl+C: the blocks below stop what they started.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        with _Redis(log) as redis:
            servers.redis_url = redis.url
            with servers as hosts:
                plan["hosts"] = hosts
                _warm(plan, log)
                failures += _load_run(
                    plan, workdir / "normal", name="load", redis=None, servers=servers, log=log
                )
                if OUTAGE:
                    failures += _load_run(
                        plan, workdir / "outage", name="load.outage", redis=redis, servers=servers, log=log
                    )
    finally:
        signal.signal(signal.SIGTERM, previous)
    return failures


def _interrupt(signum, frame):
    raise KeyboardInterrupt


# --- the people and the plan ---------------------------------------------------------------


def _plan(log) -> dict:
    """The plan the locustfile reads: people with a password or a session, the pages and
    the objects to write to."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from agreements.models import Agreement, MonitoringReport
    from areas.api.views import map_url_signature
    from bench import reports
    from interventions.models import Intervention
    from organisations.models import Membership, Organisation, Role

    reports.ensure_data(log)
    org = {
        o.slug.removeprefix(f"{reports.PREFIX}-"): o
        for o in Organisation.objects.filter(slug__startswith=reports.PREFIX)
    }
    User = get_user_model()
    people = {"editor": [], "reviewer": [], "reader": []}
    specs = [("editor", "corporatie", Role.BEWERKER, EDITORS), ("reviewer", "gemeente", Role.BEWERKER, 2)]
    specs += [("reader", "huurders", Role.LEZER, 4)]
    for role, key, org_role, count in specs:
        for n in range(count):
            email = f"{PREFIX}-{role}-{n}@example.nl"
            user = User.objects.filter(email=email).first() or User.objects.create_user(
                email, PASSWORD, full_name=f"Bench {role} {n}"
            )
            Membership.objects.update_or_create(user=user, organisation=org[key], defaults={"role": org_role})
            people[role].append(user)

    def person(role, user, n):
        entry = {"email": user.email, "sig": map_url_signature(user)}
        if role == "editor" and n < SIGN_INS:
            # Through the sign-in form, as a browser does. A password check costs a few
            # hundred milliseconds of CPU by design, once per session: the others come
            # with a session, so the figures are of working, not of signing in.
            entry["password"] = PASSWORD
        else:
            client = Client()
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
            entry["session"] = client.cookies["sessionid"].value
        return entry

    # One session per simulated person, so they do not share one.
    plan_people = {
        role: [person(role, users[n % len(users)], n) for n in range(USERS)] for role, users in people.items()
    }
    agreement = Agreement.objects.get(summary=reports.MARKER)
    visible = Intervention.objects.filter(team__area__gemeente_code=reports.GEMEENTE).order_by("pk")
    editable = list(visible.filter(lead_organisation=org["corporatie"]).values_list("pk", flat=True)[:400])
    year, gemeente, wijk = reports.REPORT_YEAR, reports.GEMEENTE, f"WK{reports.GEMEENTE[2:]}00"
    geojson = f"{reverse('area-geojson')}?year={year}&level=buurt&gemeente={gemeente}&sig={{sig}}"
    return {
        "people": plan_people,
        "editable_interventions": editable,
        "commentable_reports": list(
            MonitoringReport.objects.filter(commitment__agreement=agreement).values_list("pk", flat=True)[
                :100
            ]
        ),
        "urls": {
            "login": reverse("login"),
            "progress_updates": "/api/v1/progress-updates/",
            "interventions.list": reverse("interventions:list"),
            "interventions.detail": [
                reverse("interventions:detail", args=[pk])
                for pk in visible.values_list("pk", flat=True)[:200:4]
            ],
            "interventions.api": "/api/v1/interventions/",
            "areas.gemeente": reverse("areas:detail", args=[year, gemeente]),
            "areas.wijk": reverse("areas:detail", args=[year, wijk]),
            "scores.map": f"{reverse('scores:map')}?kaart=model:{reports.INDEX_KEY}&jaar={year}"
            f"&niveau=buurt&gemeente={gemeente}",
            "areas.geojson": geojson,
            "agreements.review": reverse("agreements:reviewer-queue"),
            "agreements.list": reverse("agreements:list"),
            "agreements.detail": reverse("agreements:detail", args=[agreement.pk]),
            "reports.report": reports.report_url(),
        },
    }


# --- where the time goes ---------------------------------------------------------------------

CPU_SAMPLES = 10
# Who reads what in the mix (bench/locustfile.py), for the figures of one page at a time.
CPU_READERS = {
    "interventions.list": "editor",
    "interventions.detail": "editor",
    "interventions.api": "editor",
    "areas.wijk": "editor",
    "areas.gemeente": "reader",
    "scores.map": "reader",
    "areas.geojson": "reader",
    "agreements.review": "reviewer",
    "agreements.list": "reviewer",
    "agreements.detail": "reviewer",
    "reports.report": "reviewer",
}


def _cpu_per_page(plan: dict, log) -> None:
    """The CPU time of one request of each page of the mix, in this process, warm, one at
    a time (``load.cpu.<page>``), and of the smallest signed-in page (``load.cpu.floor``:
    the notifications of someone without any; the session, the person, the layout): what
    the throughput of the run can be at most, and which pages weigh."""
    from django.test import Client
    from django.urls import reverse

    from core.models import Notification

    pages = [(key, CPU_READERS[key], plan["urls"][key]) for key in CPU_READERS if plan["urls"].get(key)]
    reader = next(p for p in plan["people"]["reader"] if p.get("session"))
    # The bench's own reader, whose notifications come from earlier runs' comments.
    Notification.objects.filter(recipient__email=reader["email"]).delete()
    pages.append(("floor", "reader", reverse("notifications")))
    for key, role, url in pages:
        person = next(p for p in plan["people"][role] if p.get("session"))
        client = Client(HTTP_HOST="127.0.0.1")
        client.cookies["sessionid"] = person["session"]
        urls = [u.replace("{sig}", person["sig"]) for u in (url if isinstance(url, list) else [url])]
        sample = [urls[n % len(urls)] for n in range(CPU_SAMPLES)]
        for warm in sample:  # warm: what the run keeps is kept
            client.get(warm)
        started = time.process_time()
        for each in sample:
            client.get(each)
        emit(f"load.cpu.{key}", (time.process_time() - started) / CPU_SAMPLES * 1000, "ms")
    log("CPU per pagina gemeten")


# --- processes -----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(check, what: str, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{what} startte niet")


class _Redis:
    """A Redis of this run on a free port, without persistence; ``stop()`` and
    ``start()`` make the outage."""

    def __init__(self, log):
        self.log = log
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None
        self.closed = False

    def start(self):
        if self.closed:  # the run ended (or was interrupted) during the outage
            return
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is niet geïnstalleerd")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        _wait_for(self._pong, "redis")

    def _pong(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def __enter__(self):
        self.start()
        self.log(f"redis draait op poort {self.port}")
        return self

    def __exit__(self, *exc):
        self.closed = True
        self.stop()


class _Servers:
    """``SERVERS`` gunicorn servers on free ports, sharing the database and ``redis_url``."""

    def __init__(self, redis_url: str, log):
        self.redis_url = redis_url
        self.log = log
        self.processes = []

    def __enter__(self) -> list[str]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "REDIS_URL": self.redis_url,
            "CACHE_KEY_PREFIX": "wijkkoers-load",
        }
        gunicorn = Path(sys.executable).with_name("gunicorn")
        ports = [_free_port() for _ in range(SERVERS)]
        try:
            for port in ports:
                self.processes.append(
                    subprocess.Popen(
                        [
                            str(gunicorn),
                            "config.wsgi:application",
                            "--workers",
                            str(WORKERS),
                            "--bind",
                            f"127.0.0.1:{port}",
                            "--log-level",
                            "warning",
                            "--timeout",
                            "120",
                            # Two servers on one host would share the default control socket.
                            "--no-control-socket",
                        ],
                        env=env,
                        cwd=ROOT,
                    )
                )
            for port in ports:
                _wait_for(
                    lambda port=port: _get(port, "/health/")[0] == 200, f"de server op poort {port}", 60
                )
        except BaseException:
            self.__exit__()
            raise
        self.log(f"{SERVERS} servers met {WORKERS} workers elk op poorten {', '.join(map(str, ports))}")
        return [f"http://127.0.0.1:{port}" for port in ports]

    def cpu_seconds(self) -> float:
        """The CPU time the servers (their masters and workers) used so far."""
        import psutil

        total = 0.0
        for process in self.processes:
            try:
                master = psutil.Process(process.pid)
                for each in [master, *master.children(recursive=True)]:
                    times = each.cpu_times()
                    total += times.user + times.system
            except psutil.NoSuchProcess:
                continue
        return total

    def __exit__(self, *exc):
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()


def _get(port: int, path: str, cookie: str = "") -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def _warm(plan: dict, log) -> None:
    """Every page once per worker, so the figures are of servers that run, not start."""
    person = plan["people"]["reviewer"][0]
    reader = plan["people"]["reader"][0]
    for host in plan["hosts"]:
        port = int(host.rsplit(":", 1)[1])
        for key, url in plan["urls"].items():
            if key in ("login", "progress_updates"):
                continue
            first = url[0] if isinstance(url, list) else url
            who = reader if key.startswith(("areas.", "scores.")) else person
            for _ in range(WORKERS):
                _get(port, first.replace("{sig}", who["sig"]), f"sessionid={who['session']}")
    log("servers opgewarmd")


# --- one run -------------------------------------------------------------------------------


class _Connections(threading.Thread):
    """The most connections to the bench database at once, sampled four times a second."""

    def __init__(self):
        super().__init__(daemon=True)
        from django.conf import settings

        db = settings.DATABASES["default"]
        self.name_ = db["NAME"]
        self.dsn = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"]}
        self.dsn["dbname"] = "postgres"  # not the measured database: this connection is not counted
        if db["PASSWORD"]:
            self.dsn["password"] = db["PASSWORD"]
        self.most = 0
        self.done = threading.Event()

    def run(self):
        import psycopg

        with psycopg.connect(**self.dsn, autocommit=True) as conn:
            while not self.done.is_set():
                (count,) = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [self.name_]
                ).fetchone()
                self.most = max(self.most, count)
                self.done.wait(0.25)


class _Outage(threading.Thread):
    """Stops Redis in the middle of the run for ``OUTAGE`` seconds."""

    def __init__(self, redis, log):
        super().__init__(daemon=True)
        self.redis, self.log = redis, log
        self.window = None

    def run(self):
        time.sleep(max(0, (SECONDS - OUTAGE) / 2))
        stopped = time.time()
        self.redis.stop()
        self.log(f"redis gestopt voor {OUTAGE} s")
        time.sleep(OUTAGE)
        self.redis.start()
        self.log("redis draait weer (leeg)")
        self.window = (stopped, time.time() + GRACE)


def _load_run(plan: dict, folder: Path, *, name: str, redis, servers, log) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    plan_path = folder / "plan.json"
    plan_path.write_text(json.dumps(plan), encoding="utf-8")
    edits, failures_path = folder / "edits.jsonl", folder / "failures.jsonl"
    for path in (edits, failures_path):
        path.write_text("", encoding="utf-8")
    env = {
        **os.environ,
        "BENCH_LOAD_PLAN": str(plan_path),
        "BENCH_LOAD_EDITS": str(edits),
        "BENCH_LOAD_FAILURES": str(failures_path),
        "BENCH_LOAD_WAIT_MIN": str(WAIT_MIN),
        "BENCH_LOAD_WAIT_MAX": str(WAIT_MAX),
    }
    locust = Path(sys.executable).with_name("locust")
    command = [
        str(locust),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--users",
        str(USERS),
        "--spawn-rate",
        str(max(1, USERS // 5)),
        "--run-time",
        f"{SECONDS}s",
        "--stop-timeout",
        "10",
        "--csv",
        str(folder / "locust"),
        "--only-summary",
        "--loglevel",
        "ERROR",
    ]
    log(f"{name}: {USERS} personen, {SECONDS} s, over {len(plan['hosts'])} servers")
    sampler = _Connections()
    sampler.start()
    outage = _Outage(redis, log) if redis is not None else None
    started, cpu_before = time.time(), servers.cpu_seconds()
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        if outage is not None:
            outage.start()
        _, stderr = process.communicate(timeout=SECONDS + 120)
    finally:
        if process.poll() is None:
            process.kill()
        sampler.done.set()
    server_cpu = servers.cpu_seconds() - cpu_before
    if outage is not None:
        outage.join(timeout=OUTAGE + 30)
    stats_path = folder / "locust_stats.csv"
    if not stats_path.exists():
        log(f"{name}: locust gaf geen uitslag: {stderr.decode()[-2000:]}")
        return [f"{name}.rps"]
    rows = list(csv.DictReader(stats_path.open(encoding="utf-8")))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    failures = [json.loads(line) for line in failures_path.read_text(encoding="utf-8").splitlines() if line]
    failures = [f for f in failures if f["t"] >= started]
    rps, p95 = float(total["Requests/s"]), float(total["95%"])
    missed = []
    emit(f"{name}.rps", rps, "per_s")
    mean_wait = (WAIT_MIN + WAIT_MAX) / 2
    if mean_wait:
        emit(f"{name}.rps_ceiling", USERS / mean_wait, "per_s")
    emit(f"{name}.requests", int(total["Request Count"]), "count")
    emit(f"{name}.p50", float(total["50%"]), "ms")
    emit(f"{name}.p95", p95, "ms", TARGETS["p95_ms"])
    emit(f"{name}.p99", float(total["99%"]), "ms")
    emit(f"{name}.db_connections_max", sampler.most, "count")
    # The servers' own CPU per request: the figure that holds when others share the machine.
    requests = int(total["Request Count"]) or 1
    emit(f"{name}.server_cpu_per_request", server_cpu * 1000 / requests, "ms")
    if outage is None:
        emit(f"{name}.failures", int(total["Failure Count"]), "count", 0)
        missed += [f"{name}.rps"] if rps < TARGETS["rps"] else []
        missed += [f"{name}.p95"] if p95 >= TARGETS["p95_ms"] else []
        missed += [f"{name}.failures"] if int(total["Failure Count"]) else []
    else:
        low, high = outage.window or (0, 0)
        inside = sum(1 for f in failures if low <= f["t"] <= high)
        outside = len(failures) - inside
        emit(f"{name}.failures_in_window", inside, "count")
        emit(f"{name}.failures_outside_window", outside, "count", 0)
        missed += [f"{name}.failures_outside_window"] if outside else []
    endpoints = sorted(
        (row for row in rows if row["Name"] != "Aggregated"), key=lambda row: float(row["95%"]), reverse=True
    )
    for row in endpoints[:5]:
        emit(f"{name}.endpoint.{row['Name']}.p95", float(row["95%"]), "ms")
    log(
        f"{name}: {rps:.1f} verzoeken/s, p50 {total['50%']} ms, p95 {total['95%']} ms, p99 {total['99%']} ms, "
        f"{total['Failure Count']} fouten, hoogstens {sampler.most} databaseverbindingen, "
        f"{server_cpu * 1000 / requests:.0f} ms CPU per verzoek op de servers"
    )
    for failure in failures[:5]:
        log(f"  fout: {failure}")
    lost, checked = _lost_edits(edits)
    emit(f"{name}.edits", checked, "count")
    emit(f"{name}.lost_edits", lost, "count", 0)
    missed += [f"{name}.lost_edits"] if lost else []
    return missed


def _lost_edits(path: Path) -> tuple[int, int]:
    """Writes the server answered 2xx that are not in the database: a progress update or
    comment by its id and text; a changed intervention by its last accepted version and
    value (a later accepted change may have replaced an earlier one, which is no loss)."""
    from agreements.models import MonitoringComment
    from interventions.models import Intervention, ProgressUpdate

    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    by_kind: dict[str, list] = {}
    for record in records:
        by_kind.setdefault(record["kind"], []).append(record)
    lost = 0
    for kind, model in (("progress", ProgressUpdate), ("comment", MonitoringComment)):
        wrote = {r["id"]: r["text"] for r in by_kind.get(kind, [])}
        found = dict(model.objects.filter(pk__in=wrote).values_list("pk", "text"))
        lost += sum(1 for pk, text in wrote.items() if found.get(pk) != text)
    latest: dict[int, dict] = {}
    for record in by_kind.get("intervention", []):
        if record["id"] not in latest or record["version"] > latest[record["id"]]["version"]:
            latest[record["id"]] = record
    stored = {
        pk: (version, funder)
        for pk, version, funder in Intervention.objects.filter(pk__in=latest).values_list(
            "pk", "version", "funder"
        )
    }
    for pk, record in latest.items():
        version, funder = stored.get(pk, (0, None))
        if version < record["version"] or (version == record["version"] and funder != record["funder"]):
            lost += 1
    checked = sum(len(by_kind.get(kind, [])) for kind in ("progress", "comment", "intervention"))
    # The rows the run added go, so the next run measures the same data.
    ProgressUpdate.objects.filter(text__startswith="load-").delete()
    MonitoringComment.objects.filter(text__startswith="load-").delete()
    return lost, checked


def main() -> int:
    from bench.report import run_alone

    return run_alone(run, "de belasting")


if __name__ == "__main__":
    raise SystemExit(main())
