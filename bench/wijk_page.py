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


def _shape(x: int, y: int, width: int, height: int) -> dict:
    """The stored shape columns of a rectangle of buurt cells (0.01° a side, from x cells
    east and y cells north of the corner), its edges bent like a real boundary and one
    vertex every 0.0001°, through the boundary import's own ``shape_fields``."""
    import numpy as np
    import shapely

    from areas.importers import shape_fields
    from areas.models import ZOOM_BANDS

    lon, lat, cell = 4.5 + x * 0.01, 52.0 + y * 0.01, 0.01
    box = shapely.segmentize(shapely.box(lon, lat, lon + width * cell, lat + height * cell), 0.0001)
    bent = shapely.transform(box, lambda xy: xy + 0.0001 * np.sin(xy[:, ::-1] * 3000))
    fields = shape_fields(np.array([bent], dtype=object))
    min_lon, min_lat, max_lon, max_lat = (float(v) for v in fields["bounds"][0])
    return {
        "geometry": fields["wkb"][0],
        "area_m2": float(fields["area_m2"][0]),
        "min_lon": min_lon,
        "min_lat": min_lat,
        "max_lon": max_lon,
        "max_lat": max_lat,
        **{f"shape_{band}": fields[band][0] for band in ZOOM_BANDS},
    }


def _clear():
    """Remove this benchmark's rows (only these: the others share the database)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from agreements.models import Agreement
    from areas.models import Area, AreaKind
    from interventions.models import AreaTeam, Intervention
    from organisations.models import Organisation

    Agreement.objects.filter(summary=MARKER).delete()
    Intervention.objects.filter(team__area__year=YEAR, team__area__gemeente_code=GEMEENTE).delete()
    AreaTeam.objects.filter(area__year=YEAR, area__gemeente_code=GEMEENTE).delete()
    for kind in (AreaKind.BUURT, AreaKind.WIJK, AreaKind.GEMEENTE):
        Area.objects.filter(year=YEAR, gemeente_code=GEMEENTE, kind=kind).delete()
    get_user_model().objects.filter(email__startswith=f"{PREFIX}-").delete()
    Organisation.objects.filter(slug__startswith=f"{PREFIX}-").delete()
    Group.objects.filter(name__startswith=f"{PREFIX}-").delete()


def _build(log):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection, transaction
    from django.utils import timezone

    from agreements.models import Agreement, AgreementParty, Commitment, MonitoringReport, PartyRole
    from agreements.models import Theme as CommitmentTheme
    from areas.models import Area, AreaKind
    from interventions.models import (
        AreaTeam,
        Intervention,
        ProgressUpdate,
        TeamMember,
        TeamRole,
        Theme,
        Urgency,
        UrgencyAssessment,
        Wijkgesprek,
        WijkgesprekAction,
    )
    from organisations.models import Membership, Organisation, Role

    started = time.perf_counter()
    rng = random.Random(19980)
    log("wijkpagina: benchmarkgegevens opbouwen (eenmalig)")
    with transaction.atomic():
        _clear()

        gemeente = Area.objects.create(
            year=YEAR,
            kind=AreaKind.GEMEENTE,
            code=GEMEENTE,
            name="Benchstad",
            gemeente_code=GEMEENTE,
            **_shape(0, 0, WIJKEN * 3, 2),
        )
        wijken = Area.objects.bulk_create(
            [
                Area(
                    year=YEAR,
                    kind=AreaKind.WIJK,
                    code=f"WK{GEMEENTE[2:]}{w:02d}",
                    name=f"Wijk {w:02d} Benchstad-{w}",
                    parent=gemeente,
                    gemeente_code=GEMEENTE,
                    **_shape(3 * w, 0, 3, 2),
                )
                for w in range(WIJKEN)
            ]
        )
        buurten = Area.objects.bulk_create(
            [
                Area(
                    year=YEAR,
                    kind=AreaKind.BUURT,
                    code=f"BU{wijk.code[2:]}{b:02d}",
                    name=f"Buurt {b} van {wijk.name}",
                    parent=wijk,
                    gemeente_code=GEMEENTE,
                    **_shape(3 * w + b % 3, b // 3, 1, 1),
                )
                for w, wijk in enumerate(wijken)
                for b in range(BUURTEN_PER_WIJK)
            ]
        )
        buurten_of = {}
        for buurt in buurten:
            buurten_of.setdefault(buurt.parent_id, []).append(buurt)

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
        groups = Group.objects.bulk_create(
            [Group(name=f"{PREFIX}-{key}-{part}") for key, *_rest in specs for part in ("leden", "bewerkers")]
        )
        organisations = Organisation.objects.bulk_create(
            [
                Organisation(
                    slug=f"{PREFIX}-{key}",
                    name=name,
                    kind=kind,
                    gemeente_code=GEMEENTE,
                    members_group=groups[2 * i],
                    editors_group=groups[2 * i + 1],
                )
                for i, (key, name, kind, _role) in enumerate(specs)
            ]
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

        teams = AreaTeam.objects.bulk_create(
            [AreaTeam(area=wijk, name=f"Gebiedsteam {wijk.name}") for wijk in wijken]
        )
        TeamMember.objects.bulk_create(
            [
                TeamMember(team=team, organisation=organisations[i], role=role)
                for team in teams
                for i, (_key, _name, _kind, role) in enumerate(specs)
            ]
        )
        measured = teams[0]
        urgencies = list(Urgency.values)
        UrgencyAssessment.objects.bulk_create(
            [
                UrgencyAssessment(
                    team=team,
                    year=year,
                    urgency=urgencies[(t + year) % len(urgencies)],
                    rationale="Signalen uit de wijk en de cijfers van het jaar wijzen dezelfde kant op.",
                    assessed_by=editor,
                )
                for t, team in enumerate(teams)
                for year in URGENCY_YEARS
            ]
        )

        # Interventions: the measured wijk's 200 and the other wijken's 50 each.
        plan = [(measured, wijken[0])] * INTERVENTIONS
        plan += [(team, wijk) for team, wijk in zip(teams[1:], wijken[1:], strict=True)] * OTHER_INTERVENTIONS
        themes, statuses = list(Theme.values), list(Intervention.Status.values)
        leads = [org["corporatie"], org["gemeente"], org["corporatie-2"]]
        partners = [org["partner-1"], org["partner-2"], org["partner-3"], org["huurders"]]
        interventions = []
        for i, (team, wijk) in enumerate(plan):
            start = datetime.date(2021, 1, 1) + datetime.timedelta(days=rng.randrange(0, 1500))
            status = statuses[i % len(statuses)]
            interventions.append(
                Intervention(
                    team=team,
                    title=f"Interventie {i + 1} in {wijk.name}",
                    description="Een synthetische interventie voor de benchmark van de wijkpagina.",
                    theme=themes[i % len(themes)],
                    lead_organisation=leads[i % len(leads)],
                    start_date=start,
                    end_date=start + datetime.timedelta(days=rng.randrange(60, 900)),
                    budget=Decimal(rng.randrange(1_000, 400_000)),
                    funder="Gemeente",
                    status=status,
                    stop_reason="Geen budget meer." if status == Intervention.Status.GESTOPT else "",
                    created_by=editor,
                )
            )
        interventions = Intervention.objects.bulk_create(interventions, batch_size=2000)
        through_areas = Intervention.areas.through
        through_partners = Intervention.partner_organisations.through
        area_links, partner_links, updates = [], [], []
        for i, (intervention, (_team, wijk)) in enumerate(zip(interventions, plan, strict=True)):
            area_links.append(through_areas(intervention=intervention, area=wijk))
            area_links.append(through_areas(intervention=intervention, area=rng.choice(buurten_of[wijk.pk])))
            for partner in (partners[i % 4], partners[(i + 1) % 4]):
                partner_links.append(through_partners(intervention=intervention, organisation=partner))
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
        through_areas.objects.bulk_create(area_links, batch_size=5000)
        through_partners.objects.bulk_create(partner_links, batch_size=5000)
        ProgressUpdate.objects.bulk_create(updates, batch_size=5000)

        # Wijkgesprekken of the measured team; the first action of each became an intervention.
        gesprekken = Wijkgesprek.objects.bulk_create(
            [
                Wijkgesprek(
                    team=measured,
                    date=datetime.date(2020 + g, 11, 12),
                    year=2020 + g,
                    duiding="De leefbaarheid blijft achter bij de rest van de gemeente; bewoners melden overlast.",
                    decisions="Meer aandacht voor achter de voordeur en de openbare ruimte.",
                    created_by=editor,
                )
                for g in range(GESPREKKEN)
            ]
        )
        Wijkgesprek.participants.through.objects.bulk_create(
            [
                Wijkgesprek.participants.through(wijkgesprek=gesprek, organisation=organisation)
                for gesprek in gesprekken
                for organisation in organisations
            ]
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
        AgreementParty.objects.bulk_create(
            [
                AgreementParty(agreement=agreement, organisation=org[key], role=role, signed_at=signed_at)
                for agreement in agreements
                for key, role in (
                    ("gemeente", PartyRole.GEMEENTE),
                    ("corporatie", PartyRole.CORPORATIE),
                    ("huurders", PartyRole.HUURDERS),
                )
            ]
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
        Commitment.areas.through.objects.bulk_create(
            [
                Commitment.areas.through(commitment=commitment, area=area)
                for commitment, area in zip(commitments, named, strict=True)
            ]
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
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    log(
        f"wijkpagina: {len(interventions)} interventies, {len(commitments)} afspraken, "
        f"{len(gesprekken)} wijkgesprekken in {time.perf_counter() - started:.1f} s"
    )


def main() -> int:
    return run_alone(run, "de wijkpagina")


if __name__ == "__main__":
    raise SystemExit(main())
