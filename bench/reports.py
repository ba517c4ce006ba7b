"""The year report (jaarbeeld) of the largest gemeente: 500 buurten, 2,000 interventions
and 300 commitments.

The set, written with ``bulk_create`` (gemeente GM9700 in the boundary years 2024 and
2025, so it never meets real areas nor the other benchmarks' rows), built once by
``ensure_data`` and reused by every figure of this module:
- one gemeente of 25 wijken with 20 buurten each, in both years, with shapes of
  full-import detail (``bench.synthetic.areas_create``), and one area team per wijk with the
  same five organisations (the gemeente as trekker, two corporations as partners, the
  tenants and a welfare partner as meelezers);
- two open score models with scores in both years for every buurt, wijk and the gemeente,
  stored as the compute service stores them (trend, previous year and class): an index of
  five classes and the signal typology; their source with an import per year;
- urgency for 2024 and 2025 per team, two wijkgesprekken per team in 2025;
- 2,000 interventions over the teams in every status, with dates in 2023–2026, three
  progress updates each;
- one running agreement (2024–2027) with 300 commitments naming a wijk or buurt, with
  monitoring over 2025, and the corporation's bod for 2026.

The person measured is a bewerker of the gemeente: a party to the agreement and in every
team, so the report has every section in full. Figures: the HTML report
``/jaarbeeld/GM9700/2025/`` warm (median and p95 of 20 requests after a first one, target
for the p95 under 500 ms; ``bench.report.measure_page``), its CPU time and queries. Run
alone with ``python -m bench.reports``; ``python -m bench`` runs it with the others.
"""

import datetime
import random
import time
from decimal import Decimal

from bench import synthetic
from bench.report import measure_page, run_alone

GEMEENTE = "GM9700"
YEARS = (2024, 2025)
REPORT_YEAR = 2025
WIJKEN = 25
BUURTEN_PER_WIJK = 20
INTERVENTIONS = 2_000
COMMITMENTS = 300
UPDATES_PER_INTERVENTION = 3
GESPREKKEN_PER_TEAM = 2
WARMUP = 1
WARM_REQUESTS = 20
TARGET_P95_MS = 500.0
PREFIX = "bench-jaarbeeld"
MARKER = "bench-jaarbeeld"  # the agreement's summary
INDEX_KEY = "bench-jaarbeeld-index"
SIGNAL_KEY = "bench-jaarbeeld-signaal"
SOURCE_NAME = "Bench jaarbeeld kerncijfers"
READER_EMAIL = "bench-jaarbeeld-gemeente@example.nl"
PASSWORD = "bench-wachtwoord-niet-in-productie"


def report_url(year: int = REPORT_YEAR) -> str:
    from django.urls import reverse

    return reverse("reports:report", args=[GEMEENTE, year])


def run(*, workdir=None, log=print) -> list[str]:
    """Build (once) and measure; print one JSON line per figure; return the names of the
    figures that missed their target."""
    user = ensure_data(log)
    url = report_url()
    log(
        f"jaarbeeld: {url} met {WIJKEN * BUURTEN_PER_WIJK} buurten, {INTERVENTIONS} interventies "
        f"en {COMMITMENTS} afspraken"
    )
    return measure_page(
        user=user,
        url=url,
        name="reports.html",
        label="jaarbeeld (HTML)",
        target_ms=TARGET_P95_MS,
        check=_check_page,
        log=log,
        warmup=WARMUP,
        requests=WARM_REQUESTS,
    ) + measure_pdf(user=user, workdir=workdir, log=log)


def _check_page(html: str) -> None:
    """The measured report has every section in full; a report with empty sections would
    be fast for the wrong reason."""
    for text in (
        "Jaarbeeld Benchgem 2025",
        f"De tabel van alle {WIJKEN * BUURTEN_PER_WIJK} buurten",
        "Urgentie 2025 per wijk of gebied",
        "Interventies in 2025 per wijk en thema",
        "Stand van de afspraken over 2025 per thema",
        "Wijkgesprek van",
        "De bronnen van de cijfers in dit jaarbeeld",
    ):
        assert text in html, f"het jaarbeeld mist {text!r}"
    assert "In dit jaar is geen interventie" not in html


def ensure_data(log):
    """The benchmark set (built when it is not there yet); returns the person measured."""
    from django.contrib.auth import get_user_model

    from agreements.models import Commitment
    from areas.models import Area
    from interventions.models import Intervention

    built = (
        Area.objects.filter(gemeente_code=GEMEENTE, year__in=YEARS, kind="buurt").count(),
        Intervention.objects.filter(team__area__gemeente_code=GEMEENTE).count(),
        Commitment.objects.filter(agreement__summary=MARKER).count(),
    )
    if built == (len(YEARS) * WIJKEN * BUURTEN_PER_WIJK, INTERVENTIONS, COMMITMENTS):
        log("jaarbeeld: gegevens staan er al")
    else:
        _build(log)
    return get_user_model().objects.get(email=READER_EMAIL)


def _clear():
    """Remove this benchmark's rows (only these: the others share the database)."""
    from agreements.models import Bod
    from scores.models import Indicator, Score, ScoreImport, ScoreModel, Source

    Bod.objects.filter(gemeente_code=GEMEENTE).delete()
    Score.objects.filter(model__key__in=[INDEX_KEY, SIGNAL_KEY]).delete()
    ScoreModel.objects.filter(key__in=[INDEX_KEY, SIGNAL_KEY]).delete()
    ScoreImport.objects.filter(source__name=SOURCE_NAME).delete()
    # An indicator keeps its source: it goes first.
    Indicator.objects.filter(source__name=SOURCE_NAME).delete()
    Source.objects.filter(name=SOURCE_NAME).delete()
    synthetic.rows_clear(gemeente_codes=[GEMEENTE], marker=MARKER, prefix=PREFIX)


def _scores(rng, areas_by_year):
    """Index and signal scores for every area in both years, with the previous year's
    value and class as the compute service stores them."""
    from scores import catalogue
    from scores.models import Indicator, ModelIndicator, Score, ScoreImport, ScoreModel, Source, SourceKind

    source = Source.objects.create(
        name=SOURCE_NAME, kind=SourceKind.GENERIC, licence="Benchmarkcijfers, geen echte cijfers"
    )
    indicator = Indicator.objects.create(source=source, key="bench_kwetsbaar", name="Kwetsbaarheid (bench)")
    index = ScoreModel.objects.create(
        key=INDEX_KEY,
        name="Bench veerkracht-index",
        kind=ScoreModel.Kind.INDEX,
        classes=[{"value": i + 1, "label": f"klasse {i + 1}"} for i in range(5)],
        cutoffs=[-0.6, -0.2, 0.2, 0.6],
    )
    signal = ScoreModel.objects.create(
        key=SIGNAL_KEY, name="Bench signalen", kind=ScoreModel.Kind.SIGNAL, classes=catalogue.SIGNAL_CLASSES
    )
    ModelIndicator.objects.create(model=index, indicator=indicator, weight=1.0)
    ModelIndicator.objects.create(model=signal, indicator=indicator, weight=1.0, role="kwetsbaarheid")
    finished = datetime.datetime(YEARS[-1], 4, 1, 9, 0, tzinfo=datetime.UTC)
    ScoreImport.objects.bulk_create(
        [
            ScoreImport(
                source=source,
                file_format=SourceKind.GENERIC,
                file="imports/scores/bench.csv",
                original_name=f"bench-{year}.csv",
                year=year,
                status=ScoreImport.Status.DONE,
                finished_at=finished,
            )
            for year in YEARS
        ]
    )

    def index_class(value):
        return 1 + sum(value >= cut for cut in index.cutoffs)

    rows, before = [], {}
    for year in YEARS:
        for area in areas_by_year[year]:
            value = round(rng.uniform(-1, 1), 4)
            cell = rng.randint(1, 9)
            then = before.get(area.code)
            rows.append(
                Score(
                    model=index,
                    area=area,
                    year=year,
                    value=value,
                    score_class=index_class(value),
                    trend=round(value - then[0], 6) if then else None,
                    previous_year=year - 1 if then else None,
                    previous_class=index_class(then[0]) if then else None,
                    is_aggregated=area.kind != "buurt",
                )
            )
            rows.append(
                Score(
                    model=signal,
                    area=area,
                    year=year,
                    score_class=cell,
                    previous_year=year - 1 if then else None,
                    previous_class=then[1] if then else None,
                )
            )
            before[area.code] = (value, cell)
    Score.objects.bulk_create(rows, batch_size=5000)


def _build(log):
    from django.contrib.auth import get_user_model
    from django.db import transaction

    from agreements.models import Agreement, Bod, Commitment, MonitoringReport, PartyRole
    from agreements.models import Theme as CommitmentTheme
    from interventions.models import Intervention, ProgressUpdate, TeamRole, Theme
    from organisations.models import Membership, Organisation, Role

    started = time.perf_counter()
    rng = random.Random(20250)
    log("jaarbeeld: benchmarkgegevens opbouwen (eenmalig)")
    with transaction.atomic():
        _clear()
        areas_by_year, wijken_of, buurten_of = {}, {}, {}
        for year in YEARS:
            # Wijken of 5 × 4 buurten, five in a row.
            gemeente, wijken, buurten = synthetic.areas_create(
                year=year,
                code=GEMEENTE,
                name="Benchgem",
                wijken=WIJKEN,
                buurten_per_wijk=BUURTEN_PER_WIJK,
                grid=synthetic.Grid(columns=5, rows=4, per_row=5),
            )
            areas_by_year[year] = [gemeente, *wijken, *buurten]
            wijken_of[year], buurten_of[year] = wijken, buurten
        _scores(rng, areas_by_year)

        kinds = Organisation.Kind
        specs = [
            ("gemeente", "Bench-jaarbeeld gemeente", kinds.GEMEENTE, TeamRole.TREKKER),
            ("corporatie", "Bench-jaarbeeld corporatie", kinds.CORPORATIE, TeamRole.PARTNER),
            ("corporatie-2", "Bench-jaarbeeld tweede corporatie", kinds.CORPORATIE, TeamRole.PARTNER),
            ("huurders", "Bench-jaarbeeld huurders", kinds.HUURDERSORGANISATIE, TeamRole.MEELEZER),
            ("welzijn", "Bench-jaarbeeld welzijn", kinds.PARTNER, TeamRole.MEELEZER),
        ]
        organisations = synthetic.organisations_create(
            [(f"{PREFIX}-{key}", name, kind, GEMEENTE) for key, name, kind, _role in specs]
        )
        org = {key: organisations[i] for i, (key, *_rest) in enumerate(specs)}
        reader = get_user_model().objects.create_user(READER_EMAIL, PASSWORD, full_name="Bench Jaarbeeld")
        Membership.objects.create(user=reader, organisation=org["gemeente"], role=Role.BEWERKER)

        # Teams on the 2025 wijken (the report's own vintage).
        wijken = wijken_of[REPORT_YEAR]
        teams = synthetic.teams_create(
            wijken=wijken,
            members=[(organisations[i], role) for i, (*_rest, role) in enumerate(specs)],
        )
        synthetic.urgency_create(
            teams=teams,
            years=YEARS,
            assessed_by=reader,
            rationale="De cijfers en de signalen uit de wijk wijzen dezelfde kant op.",
        )
        synthetic.wijkgesprekken_create(
            dates=[
                (team, datetime.date(REPORT_YEAR, 3 + 5 * g, 10 + t % 15))
                for t, team in enumerate(teams)
                for g in range(GESPREKKEN_PER_TEAM)
            ],
            participants=organisations[:3],
            created_by=reader,
            duiding="De cijfers dalen in twee buurten; bewoners noemen vooral eenzaamheid en overlast.",
            decisions="Meer inzet achter de voordeur.",
        )

        themes, statuses = list(Theme.values), list(Intervention.Status.values)
        leads = [org["gemeente"], org["corporatie"], org["corporatie-2"]]
        interventions, plan = [], []
        for i in range(INTERVENTIONS):
            team, wijk = teams[i % WIJKEN], wijken[i % WIJKEN]
            start = datetime.date(2023, 1, 1) + datetime.timedelta(days=rng.randrange(0, 1200))
            interventions.append(
                synthetic.intervention(
                    team=team,
                    number=i + 1,
                    area_name=wijk.name,
                    about=" van het jaarbeeld",
                    status=statuses[i % len(statuses)],
                    theme=themes[i % len(themes)],
                    lead_organisation=leads[i % len(leads)],
                    start_date=start,
                    end_date=start + datetime.timedelta(days=rng.randrange(60, 700)),
                    budget=Decimal(rng.randrange(1_000, 400_000)),
                    created_by=reader,
                )
            )
            plan.append(wijk)
        interventions = Intervention.objects.bulk_create(interventions, batch_size=2000)
        area_links, updates = [], []
        for intervention, wijk in zip(interventions, plan, strict=True):
            area_links.append({"intervention": intervention, "area": wijk})
            for u in range(UPDATES_PER_INTERVENTION):
                closing = u == UPDATES_PER_INTERVENTION - 1 and intervention.status in ("afgerond", "gestopt")
                updates.append(
                    ProgressUpdate(
                        intervention=intervention,
                        date=intervention.start_date + datetime.timedelta(days=90 * u),
                        text=f"Voortgang {u + 1}: huisbezoeken en overleg met de bewoners.",
                        progress=min(100, 30 * (u + 1)),
                        status_to=intervention.status if closing else "",
                        author=reader,
                    )
                )
        synthetic.links_create(Intervention.areas.through, area_links)
        ProgressUpdate.objects.bulk_create(updates, batch_size=5000)

        agreement = Agreement.objects.create(
            title="Prestatieafspraken Benchgem 2024–2027",
            gemeente_code=GEMEENTE,
            start_year=2024,
            end_year=2027,
            status=Agreement.Status.ONDERTEKEND,
            summary=MARKER,
        )
        synthetic.agreement_parties_create(
            agreements=[agreement],
            parties=lambda _n: [
                (org["gemeente"], PartyRole.GEMEENTE),
                (org["corporatie"], PartyRole.CORPORATIE),
                (org["huurders"], PartyRole.HUURDERS),
            ],
        )
        commitment_themes = list(CommitmentTheme.values)
        units = ["woningen", "sociale huurwoningen", "€", ""]
        buurten = buurten_of[REPORT_YEAR]
        named = [
            wijken[n % WIJKEN] if n % 4 == 0 else buurten[(7 * n) % len(buurten)] for n in range(COMMITMENTS)
        ]
        commitments = Commitment.objects.bulk_create(
            [
                Commitment(
                    agreement=agreement,
                    number=f"{n // 10 + 1}.{n % 10 + 1}",
                    theme=commitment_themes[n % len(commitment_themes)],
                    text=f"Afspraak {n + 1}: samen werken aan {area.name}.",
                    responsible=org["corporatie"] if n % 3 else org["gemeente"],
                    target_value=Decimal(rng.randint(5, 300)) if units[n % 4] else None,
                    target_unit=units[n % 4],
                    target_year=2024 + n % 4 if units[n % 4] else None,
                    is_disputed=n % 37 == 0,
                    dispute_note="De partijen tellen anders." if n % 37 == 0 else "",
                )
                for n, area in enumerate(named)
            ]
        )
        synthetic.links_create(
            Commitment.areas.through,
            [{"commitment": c, "area": area} for c, area in zip(commitments, named, strict=True)],
        )
        progress, states = list(MonitoringReport.Progress.values), list(MonitoringReport.State.values)
        MonitoringReport.objects.bulk_create(
            [
                MonitoringReport(
                    commitment=commitment,
                    year=REPORT_YEAR,
                    realised_value=Decimal(rng.randint(0, 200))
                    if commitment.target_value is not None
                    else None,
                    progress=progress[n % len(progress)],
                    explanation="Volgens planning.",
                    state=states[n % len(states)],
                )
                for n, commitment in enumerate(commitments)
            ],
            batch_size=5000,
        )
        bod = Bod.objects.create(
            corporation=org["corporatie"],
            gemeente_code=GEMEENTE,
            year=REPORT_YEAR + 1,
            status=Bod.Status.INGEDIEND,
            agreement=agreement,
        )
        bod.recipients.set([org["gemeente"], org["huurders"]])
    synthetic.analyze()
    log(
        f"jaarbeeld: {len(YEARS) * WIJKEN * BUURTEN_PER_WIJK} buurten, {len(interventions)} interventies, "
        f"{len(commitments)} afspraken in {time.perf_counter() - started:.1f} s"
    )


# --- the PDF export ------------------------------------------------------------------------

PDF_TARGET_S = 20.0
PDF_TARGET_MB = 500.0


def measure_pdf(*, user, workdir=None, log=print) -> list[str]:
    """The PDF of the report as the export task makes it (``reports.jobs.export_run``),
    in a worker process of its own so its peak memory is the worker's: the time from
    reading the data to the kept file (target 20 s) and the process's peak resident
    memory (target 500 MB). The process starts with an empty cache, so the maps are
    drawn, as for the first export after a data change. Emits ``reports.pdf.seconds``,
    ``.cpu_seconds``, ``.peak_memory``, ``.pages`` and ``.size``; returns the names that
    missed."""
    import json
    import os
    import subprocess
    import sys
    import tempfile

    from django.conf import settings

    from bench.report import emit

    media = tempfile.mkdtemp(prefix="bench-jaarbeeld-pdf-", dir=workdir)
    env = {**os.environ, "REDIS_URL": "", "MEDIA_ROOT": media, "BENCH_PDF_USER": str(user.pk)}
    done = subprocess.run(
        [sys.executable, "-c", "from bench.reports import _pdf_worker; _pdf_worker()"],
        env=env,
        cwd=str(settings.BASE_DIR),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        log(f"jaarbeeld (PDF): het maken mislukte\n{done.stderr[-3000:]}")
        return ["reports.pdf.seconds"]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    log(
        f"jaarbeeld (PDF): {figures['seconds']:.1f} s, cpu {figures['cpu_s']:.1f} s (gegevens {figures['read_s']:.1f} s, kaarten "
        f"{figures['maps_s']:.1f} s, opmaak {figures['layout_s']:.1f} s), "
        f"piekgeheugen {figures['peak_mb']:.0f} MB (na opstarten {figures['base_mb']:.0f} MB), "
        f"{figures['pages']} pagina's, {figures['size'] / 1e6:.1f} MB"
    )
    emit("reports.pdf.seconds", figures["seconds"], "s", PDF_TARGET_S)
    # The worker's own CPU time: the work itself when other jobs share the machine.
    emit("reports.pdf.cpu_seconds", figures["cpu_s"], "s")
    emit("reports.pdf.peak_memory", figures["peak_mb"], "MB", PDF_TARGET_MB)
    emit("reports.pdf.pages", figures["pages"], "count")
    emit("reports.pdf.size", figures["size"], "bytes")
    missed = []
    if figures["seconds"] >= PDF_TARGET_S:
        missed.append("reports.pdf.seconds")
    if figures["peak_mb"] >= PDF_TARGET_MB:
        missed.append("reports.pdf.peak_memory")
    return missed


def _pdf_worker() -> None:
    """In the measuring subprocess: one PDF export of the report as the task runs it;
    prints the figures as one JSON line."""
    import io
    import json
    import os
    import resource

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from pypdf import PdfReader

    from reports import jobs
    from reports.models import YearReportExport
    from reports.selectors import report_area

    def rss_mb() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux

    user = get_user_model().objects.get(pk=int(os.environ["BENCH_PDF_USER"]))
    area = report_area(user=user, code=GEMEENTE, year=REPORT_YEAR)
    base = rss_mb()
    job = YearReportExport.objects.create(
        area=area, year=REPORT_YEAR, fmt="pdf", original_name="bench.pdf", started_by=user
    )
    # When each step of the task starts: reading the data (5 %), drawing the maps (35 %),
    # laying out the pages (55 %), keeping the file (90 %), done (100 %).
    steps = {}
    started, started_cpu = time.perf_counter(), time.process_time()
    jobs.export_run(
        job_id=job.pk, progress_callback=lambda pct, _msg: steps.setdefault(pct, time.perf_counter())
    )
    seconds, cpu = time.perf_counter() - started, time.process_time() - started_cpu
    job.refresh_from_db()
    assert job.status == YearReportExport.Status.DONE, job.errors
    with job.file.open("rb") as handle:
        body = handle.read()
    pages = len(PdfReader(io.BytesIO(body)).pages)
    job.file.delete(save=False)
    job.delete()
    figures = {
        "seconds": seconds,
        "cpu_s": cpu,
        "read_s": steps[35] - steps[5],
        "maps_s": steps[55] - steps[35],
        "layout_s": steps[90] - steps[55],
        "peak_mb": rss_mb(),
        "base_mb": base,
        "pages": pages,
        "size": len(body),
    }
    print(json.dumps(figures), flush=True)


def main() -> int:
    return run_alone(run, "het jaarbeeld")


if __name__ == "__main__":
    raise SystemExit(main())
