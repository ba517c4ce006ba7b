"""The page of a busy wijk, where the apps' sections meet: urgency and team, 200
interventions, 100 commitments that name the wijk or its buurten, wijkgesprekken and the
recent activity.

The set, written with ``bulk_create`` (boundary year 1998, gemeente GM9800, so it never
meets real areas nor the other benchmarks' rows):
- one gemeente of eight wijken with six buurten each, with shapes of full-import detail
  (400 to 3,600 vertices, stored as the boundary import stores them), one area team per
  wijk with the
  same seven organisations (a corporation as trekker, the gemeente and a second
  corporation as partners, the tenants and three welfare partners as meelezers);
- the measured wijk: 200 interventions (each naming the wijk and one of its buurten, with
  two partners and three progress updates), urgency for five years, six wijkgesprekken of
  three actions each; every other wijk 50 interventions;
- two agreements (one running, one finished) with 100 commitments naming the measured
  wijk (a quarter the wijk itself, the rest its buurten) and 100 naming the other wijken,
  each with three years of monitoring.

The person measured is a bewerker of the trekker, a party to both agreements. Figures,
through the Django test client with a signed-in session on the bench settings (no debug,
PostgreSQL, Redis cache), after a first request: median and p95 of 30 requests (target
for the p95 under 100 ms, as for the other pages), the p95 of this process's CPU time per
request, and the number of queries. Run alone
with ``python -m bench.wijk_page``; ``python -m bench`` runs it after the other figures.
"""

import datetime
import random
import time
from decimal import Decimal

from bench import synthetic
from bench.report import measure_page, run_alone

YEAR = 1998
GEMEENTE = "GM9800"
WIJKEN = 8
BUURTEN_PER_WIJK = 6
WIJK = "WK980000"  # the measured wijk: the first of the gemeente
INTERVENTIONS = 200
OTHER_INTERVENTIONS = 50  # per other wijk
COMMITMENTS = 100
OTHER_COMMITMENTS = 100
GESPREKKEN = 6
ACTIONS_PER_GESPREK = 3
UPDATES_PER_INTERVENTION = 3
URGENCY_YEARS = range(2021, 2026)
REPORT_YEARS = (2023, 2024, 2025)
WARMUP = 1
WARM_REQUESTS = 30
TARGET_P95_MS = 100.0
PREFIX = "bench-wijk"
MARKER = "bench-wijkpagina"  # the agreements' summary
EDITOR_EMAIL = "bench-wijk-bewerker@example.nl"
PASSWORD = "bench-wachtwoord-niet-in-productie"


def run(*, workdir=None, log=print) -> list[str]:
    """Build (once) and measure; print one JSON line per figure; return the names of the
    figures that missed their target."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    _ensure_data(log)
    user = get_user_model().objects.get(email=EDITOR_EMAIL)
    url = reverse("areas:detail", args=[YEAR, WIJK])
    log(f"wijkpagina: {url} met {INTERVENTIONS} interventies en {COMMITMENTS} afspraken")

    return measure_page(
        user=user,
        url=url,
        name="areas.wijk_page",
        label="wijkpagina",
        target_ms=TARGET_P95_MS,
        check=_check_page,
        log=log,
        warmup=WARMUP,
        requests=WARM_REQUESTS,
    )


def _check_page(html: str) -> None:
    """The measured page shows what the figure is about; a page without its sections
    would be fast for the wrong reason."""
    for text in (
        "Urgentie en team",
        f"van {INTERVENTIONS} interventies",
        "Afspraken in deze wijk",
        f"En nog {COMMITMENTS - 25} afspraken.",
        "Wijkgesprek van",
        "Recente activiteit",
    ):
        assert text in html, f"de wijkpagina mist {text!r}"


def _ensure_data(log):
    from agreements.models import Commitment
    from areas.models import Area
    from interventions.models import Intervention

    measured = Area.objects.filter(year=YEAR, code=WIJK).first()
    if measured is not None and measured.min_lon is not None:
        named = Commitment.objects.filter(
            agreement__summary=MARKER, areas__in=_own_areas(measured)
        ).distinct()
        counts = (
            Intervention.objects.filter(team__area=measured).count(),
            named.count(),
        )
        if counts == (INTERVENTIONS, COMMITMENTS):
            log("wijkpagina: gegevens staan er al")
            return
    _build(log)


def _own_areas(wijk):
    from django.db.models import Q

    from areas.models import Area

    return Area.objects.filter(Q(pk=wijk.pk) | Q(parent=wijk)).values("pk")


def _clear():
    """Remove this benchmark's rows (only these: the others share the database)."""
    synthetic.rows_clear(gemeente_codes=[GEMEENTE], marker=MARKER, prefix=PREFIX, year=YEAR)


def _build(log):
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils import timezone

    from agreements.models import Agreement, Commitment, MonitoringReport, PartyRole
    from agreements.models import Theme as CommitmentTheme
    from interventions.models import Intervention, ProgressUpdate, TeamRole, Theme, WijkgesprekAction
    from organisations.models import Membership, Organisation, Role

    started = time.perf_counter()
    rng = random.Random(19980)
    log("wijkpagina: benchmarkgegevens opbouwen (eenmalig)")
    with transaction.atomic():
        _clear()

        _gemeente, wijken, buurten = synthetic.areas_create(
            year=YEAR,
            code=GEMEENTE,
            name="Benchstad",
            wijken=WIJKEN,
            buurten_per_wijk=BUURTEN_PER_WIJK,
            grid=synthetic.Grid(columns=3, rows=2, per_row=WIJKEN),
        )
        buurten_of = synthetic.by_parent(buurten)

        kinds = Organisation.Kind
        specs = [
            ("corporatie", "Bench-wijk corporatie", kinds.CORPORATIE, TeamRole.TREKKER),
            ("gemeente", "Bench-wijk gemeente", kinds.GEMEENTE, TeamRole.PARTNER),
            ("corporatie-2", "Bench-wijk tweede corporatie", kinds.CORPORATIE, TeamRole.PARTNER),
            ("huurders", "Bench-wijk huurders", kinds.HUURDERSORGANISATIE, TeamRole.MEELEZER),
        ]
        specs += [
            (f"partner-{p}", f"Bench-wijk partner {p}", kinds.PARTNER, TeamRole.MEELEZER) for p in (1, 2, 3)
        ]
        organisations = synthetic.organisations_create(
            [(f"{PREFIX}-{key}", name, kind, GEMEENTE) for key, name, kind, _role in specs]
        )
        org = {key: organisations[i] for i, (key, *_rest) in enumerate(specs)}

        User = get_user_model()
        editor = User.objects.create_user(EDITOR_EMAIL, PASSWORD, full_name="Bench Wijkbewerker")
        others = [
            User.objects.create_user(f"{PREFIX}-{key}@example.nl", PASSWORD, full_name=f"Bench {key}")
            for key, *_rest in specs
        ]
        Membership.objects.bulk_create(
            [Membership(user=editor, organisation=org["corporatie"], role=Role.BEWERKER)]
            + [
                Membership(user=person, organisation=organisations[i], role=Role.BEWERKER)
                for i, person in enumerate(others)
            ]
        )

        teams = synthetic.teams_create(
            wijken=wijken,
            members=[(organisations[i], role) for i, (*_rest, role) in enumerate(specs)],
        )
        measured = teams[0]
        synthetic.urgency_create(teams=teams, years=URGENCY_YEARS, assessed_by=editor)

        # Interventions: the measured wijk's 200 and the other wijken's 50 each.
        plan = [(measured, wijken[0])] * INTERVENTIONS
        plan += [(team, wijk) for team, wijk in zip(teams[1:], wijken[1:], strict=True)] * OTHER_INTERVENTIONS
        themes, statuses = list(Theme.values), list(Intervention.Status.values)
        leads = [org["corporatie"], org["gemeente"], org["corporatie-2"]]
        partners = [org["partner-1"], org["partner-2"], org["partner-3"], org["huurders"]]
        interventions = []
        for i, (team, wijk) in enumerate(plan):
            start = datetime.date(2021, 1, 1) + datetime.timedelta(days=rng.randrange(0, 1500))
            interventions.append(
                synthetic.intervention(
                    team=team,
                    number=i + 1,
                    area_name=wijk.name,
                    about=" van de wijkpagina",
                    status=statuses[i % len(statuses)],
                    theme=themes[i % len(themes)],
                    lead_organisation=leads[i % len(leads)],
                    start_date=start,
                    end_date=start + datetime.timedelta(days=rng.randrange(60, 900)),
                    budget=Decimal(rng.randrange(1_000, 400_000)),
                    created_by=editor,
                )
            )
        interventions = Intervention.objects.bulk_create(interventions, batch_size=2000)
        area_links, partner_links, updates = [], [], []
        for i, (intervention, (_team, wijk)) in enumerate(zip(interventions, plan, strict=True)):
            area_links.append({"intervention": intervention, "area": wijk})
            area_links.append({"intervention": intervention, "area": rng.choice(buurten_of[wijk.pk])})
            for partner in (partners[i % 4], partners[(i + 1) % 4]):
                partner_links.append({"intervention": intervention, "organisation": partner})
            for u in range(UPDATES_PER_INTERVENTION):
                updates.append(
                    ProgressUpdate(
                        intervention=intervention,
                        date=intervention.start_date + datetime.timedelta(days=60 * u),
                        text=f"Voortgang {u + 1}: huisbezoeken en overleg met de bewoners.",
                        progress=min(100, 25 * (u + 1)),
                        author=editor,
                    )
                )
        synthetic.links_create(Intervention.areas.through, area_links)
        synthetic.links_create(Intervention.partner_organisations.through, partner_links)
        ProgressUpdate.objects.bulk_create(updates, batch_size=5000)

        # Wijkgesprekken of the measured team; the first action of each became an intervention.
        gesprekken = synthetic.wijkgesprekken_create(
            dates=[(measured, datetime.date(2020 + g, 11, 12)) for g in range(GESPREKKEN)],
            participants=organisations,
            created_by=editor,
        )
        WijkgesprekAction.objects.bulk_create(
            [
                WijkgesprekAction(
                    gesprek=gesprek,
                    text=f"Actie {a + 1} uit het wijkgesprek van {gesprek.year}",
                    intervention=interventions[g * ACTIONS_PER_GESPREK] if a == 0 else None,
                )
                for g, gesprek in enumerate(gesprekken)
                for a in range(ACTIONS_PER_GESPREK)
            ]
        )

        # Agreements: one running, one finished; their commitments name the measured
        # wijk (a quarter) or its buurten, and the other wijken.
        this_year = timezone.localdate().year
        signed_at = timezone.now()
        agreements = Agreement.objects.bulk_create(
            [
                Agreement(
                    title=f"Prestatieafspraken Benchstad {first}–{last}",
                    gemeente_code=GEMEENTE,
                    start_year=first,
                    end_year=last,
                    status=Agreement.Status.ONDERTEKEND if last >= this_year else Agreement.Status.AFGEROND,
                    summary=MARKER,
                )
                for first, last in ((this_year - 1, this_year + 2), (this_year - 5, this_year - 2))
            ]
        )
        synthetic.agreement_parties_create(
            agreements=agreements,
            parties=lambda _n: [
                (org["gemeente"], PartyRole.GEMEENTE),
                (org["corporatie"], PartyRole.CORPORATIE),
                (org["huurders"], PartyRole.HUURDERS),
            ],
            signed_at=signed_at,
        )
        commitment_themes = list(CommitmentTheme.values)
        named = []
        for n in range(COMMITMENTS):
            named.append(wijken[0] if n % 4 == 0 else buurten_of[wijken[0].pk][n % BUURTEN_PER_WIJK])
        for n in range(OTHER_COMMITMENTS):
            wijk = wijken[1 + n % (WIJKEN - 1)]
            named.append(wijk if n % 4 == 0 else buurten_of[wijk.pk][n % BUURTEN_PER_WIJK])
        commitments = Commitment.objects.bulk_create(
            [
                Commitment(
                    agreement=agreements[n % 2],
                    number=f"{n // 10 + 1}.{n % 10 + 1}",
                    theme=commitment_themes[n % len(commitment_themes)],
                    text=f"Afspraak {n + 1}: samen werken aan {area.name}.",
                    responsible=org["corporatie"] if n % 3 else org["gemeente"],
                    target_value=Decimal(rng.randint(5, 300)) if n % 4 != 3 else None,
                    target_unit="woningen" if n % 4 != 3 else "",
                    target_year=agreements[n % 2].end_year if n % 4 != 3 else None,
                )
                for n, area in enumerate(named)
            ]
        )
        synthetic.links_create(
            Commitment.areas.through,
            [{"commitment": c, "area": area} for c, area in zip(commitments, named, strict=True)],
        )
        progress = list(MonitoringReport.Progress.values)
        MonitoringReport.objects.bulk_create(
            [
                MonitoringReport(
                    commitment=commitment,
                    year=year,
                    realised_value=Decimal(rng.randint(0, 200))
                    if commitment.target_value is not None
                    else None,
                    progress=progress[rng.randrange(len(progress))],
                    explanation="Volgens planning, zie de toelichting per buurt.",
                    state=MonitoringReport.State.APPROVED
                    if year < REPORT_YEARS[-1]
                    else MonitoringReport.State.SUBMITTED,
                    submitted_at=signed_at,
                    reviewed_at=signed_at if year < REPORT_YEARS[-1] else None,
                )
                for commitment in commitments
                for year in REPORT_YEARS
            ],
            batch_size=5000,
        )
    synthetic.analyze()
    log(
        f"wijkpagina: {len(interventions)} interventies, {len(commitments)} afspraken, "
        f"{len(gesprekken)} wijkgesprekken in {time.perf_counter() - started:.1f} s"
    )


def main() -> int:
    return run_alone(run, "de wijkpagina")


if __name__ == "__main__":
    raise SystemExit(main())
