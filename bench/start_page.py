"""The start page of a busy person, where every app reports what waits: monitoring to
review and to revise, commitments to report on, deadlines, teams with their urgency and
last wijkgesprek, silent interventions and unread notifications.

The set, written with ``bulk_create`` (boundary year 1997, gemeenten GM9700 and GM9701, so
it never meets real areas nor the other benchmarks' rows):
- the measured gemeente (GM9700) with ten wijken (shapes of full-import detail, as the
  boundary import stores them), one area team per wijk in which the gemeente is a partner
  beside a corporation as trekker, a second corporation, the tenants and two welfare
  partners; urgency for five years and four wijkgesprekken per team;
- 1,000 interventions in those teams, 100 led by the gemeente (80 planned or running: 50
  with their last update over 90 days ago, 10 without any update since a creation over 90
  days ago, 20 updated recently; 20 ideas or finished), each with three updates when
  updated at all;
- four running agreements of the gemeente, two corporations and the tenants, 75
  commitments each (300; a third with the gemeente responsible), approved monitoring for
  the two years before last, and over last year: 60 reports submitted by the corporations
  and waiting for review, 20 of the gemeente's own returned, 30 approved; one finished
  agreement of 100 commitments with three years of approved monitoring;
- a neighbouring gemeente (GM9701) with the same agreements, teams and interventions,
  that the measured person does not see;
- 200 unread and 300 read notifications for the measured person, 2,000 for others.

The person measured is a bewerker of the measured gemeente. Figures, through the Django
test client with a signed-in session on the bench settings (no debug, PostgreSQL, Redis
cache), after a first request: median and p95 of 30 requests (target for the p95 under
60 ms), the p95 of this process's CPU time per request, and the number of queries. Run
alone with ``python -m bench.start_page``; ``python -m bench`` runs it after the other
figures.
"""

import datetime
import random
import time
from decimal import Decimal

from bench import synthetic
from bench.report import measure_page, run_alone

YEAR = 1997
GEMEENTE = "GM9700"
NEIGHBOUR = "GM9701"  # the same set again, out of the measured person's sight
WIJKEN = 10
AGREEMENTS = 4
COMMITMENTS_PER_AGREEMENT = 75
FINISHED_COMMITMENTS = 100
TO_REVIEW = 60
RETURNED = 20
APPROVED_LAST_YEAR = 30
INTERVENTIONS = 1000  # in the measured gemeente's teams
LED = 100  # of which the measured gemeente leads
LED_STALE = 50  # planned or running, last update over 90 days ago
LED_NEVER_UPDATED = 10  # planned or running, no update, created over 90 days ago
LED_RECENT = 20  # planned or running, updated in the last weeks (the rest: ideas or done)
UPDATES_PER_INTERVENTION = 3
GESPREKKEN_PER_TEAM = 4
URGENCY_YEARS = range(2021, 2026)
UNREAD = 200
READ = 300
OTHER_NOTIFICATIONS = 2000
WARMUP = 1
WARM_REQUESTS = 30
TARGET_P95_MS = 60.0
PREFIX = "bench-start"
MARKER = "bench-startpagina"  # the agreements' summary
EDITOR_EMAIL = "bench-start-gemeente@example.nl"
PASSWORD = "bench-wachtwoord-niet-in-productie"


def run(*, workdir=None, log=print) -> list[str]:
    """Build (once) and measure; print one JSON line per figure; return the names of the
    figures that missed their target."""
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    _ensure_data(log)
    user = get_user_model().objects.get(email=EDITOR_EMAIL)
    url = reverse("home")
    log(
        f"startpagina: {url} met {TO_REVIEW} rapportages ter beoordeling, {WIJKEN} teams, "
        f"{LED} geleide interventies en {UNREAD} ongelezen meldingen"
    )

    return measure_page(
        user=user,
        url=url,
        name="organisations.start_page",
        label="startpagina",
        target_ms=TARGET_P95_MS,
        check=_check_page,
        log=log,
        warmup=WARMUP,
        requests=WARM_REQUESTS,
    )


def _check_page(html: str) -> None:
    """The measured page shows what the figure is about; a page without its sections
    would be fast for the wrong reason."""
    from django.utils import timezone

    report_year = timezone.localdate().year - 1
    to_report = AGREEMENTS * COMMITMENTS_PER_AGREEMENT // 3 - RETURNED - APPROVED_LAST_YEAR
    for text in (
        f"{UNREAD} ongelezen meldingen",
        f"{TO_REVIEW} rapportages ter beoordeling",
        "Alle rapportages ter beoordeling",
        "Teruggestuurd: herzien en opnieuw indienen",
        f"{to_report} afspraken om over {report_year} te rapporteren",
        "Mijn wijken en teams",
        "Laatste wijkgesprek",
        "Interventies zonder voortgang in de afgelopen",
    ):
        assert text in html, f"de startpagina mist {text!r}"


def _ensure_data(log):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from agreements.models import Agreement, MonitoringReport
    from core.models import Notification
    from interventions.models import Intervention

    user = get_user_model().objects.filter(email=EDITOR_EMAIL).first()
    if user is not None:
        # The set is dated from today (the running agreements, last year's monitoring,
        # the silent interventions): built in another year, it is built again.
        first_year = timezone.localdate().year - 3
        counts = (
            Agreement.objects.filter(summary=MARKER, gemeente_code=GEMEENTE, start_year=first_year).count(),
            MonitoringReport.objects.filter(
                commitment__agreement__summary=MARKER,
                commitment__agreement__gemeente_code=GEMEENTE,
                state=MonitoringReport.State.SUBMITTED,
            ).count(),
            Intervention.objects.filter(team__area__year=YEAR, team__area__gemeente_code=GEMEENTE).count(),
            Notification.objects.filter(recipient=user, read_at__isnull=True).count(),
        )
        if counts == (AGREEMENTS, TO_REVIEW, INTERVENTIONS, UNREAD):
            log("startpagina: gegevens staan er al")
            return
    _build(log)


def _clear():
    """Remove this benchmark's rows (only these: the others share the database)."""
    synthetic.rows_clear(gemeente_codes=[GEMEENTE, NEIGHBOUR], marker=MARKER, prefix=PREFIX, year=YEAR)


def _build(log):
    from django.db import transaction

    started = time.perf_counter()
    log("startpagina: benchmarkgegevens opbouwen (eenmalig)")
    with transaction.atomic():
        _clear()
        people = {}
        for code, offset in ((GEMEENTE, 0), (NEIGHBOUR, 1)):
            people[code] = _build_gemeente(code, offset, random.Random(19970 + offset))
        _build_notifications(people)
    synthetic.analyze()
    log(f"startpagina: opgebouwd in {time.perf_counter() - started:.1f} s")


def _build_gemeente(code: str, offset: int, rng) -> list:
    """One gemeente's organisations, people, teams, interventions and agreements; returns
    its people, the gemeente's bewerker first."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from interventions.models import Intervention, ProgressUpdate, TeamRole, Theme
    from organisations.models import Membership, Organisation, Role

    kinds = Organisation.Kind
    specs = [
        ("gemeente", "gemeente", kinds.GEMEENTE, TeamRole.PARTNER),
        ("corporatie", "corporatie", kinds.CORPORATIE, TeamRole.TREKKER),
        ("corporatie-2", "tweede corporatie", kinds.CORPORATIE, TeamRole.PARTNER),
        ("huurders", "huurders", kinds.HUURDERSORGANISATIE, TeamRole.MEELEZER),
        ("partner-1", "partner 1", kinds.PARTNER, TeamRole.MEELEZER),
        ("partner-2", "partner 2", kinds.PARTNER, TeamRole.MEELEZER),
    ]
    slug = f"{PREFIX}-{code.lower()}"
    organisations = synthetic.organisations_create(
        [(f"{slug}-{key}", f"Bench-start {code} {name}", kind, code) for key, name, kind, _role in specs]
    )
    org = {key: organisations[i] for i, (key, *_rest) in enumerate(specs)}

    User = get_user_model()
    gemeente_email = EDITOR_EMAIL if code == GEMEENTE else f"{slug}-gemeente@example.nl"
    people = [User.objects.create_user(gemeente_email, PASSWORD, full_name=f"Bench {code} gemeente")]
    people += [
        User.objects.create_user(f"{slug}-{key}@example.nl", PASSWORD, full_name=f"Bench {code} {name}")
        for key, name, *_rest in specs[1:]
    ]
    Membership.objects.bulk_create(
        [
            Membership(user=person, organisation=organisations[i], role=Role.BEWERKER)
            for i, person in enumerate(people)
        ]
    )
    gemeente_person, corporation_person = people[0], people[1]

    # The gemeente and its wijken, with shapes like the boundary import's.
    _gemeente, wijken, _buurten = synthetic.areas_create(
        year=YEAR,
        code=code,
        name=f"Benchstart {code}",
        wijken=WIJKEN,
        wijk_name="Wijk {w:02d} {name}",
        grid=synthetic.Grid(columns=2, rows=2, per_row=WIJKEN, y=4 * offset),
    )
    teams = synthetic.teams_create(
        wijken=wijken,
        members=[(organisations[i], role) for i, (*_rest, role) in enumerate(specs)],
    )
    synthetic.urgency_create(teams=teams, years=URGENCY_YEARS, assessed_by=corporation_person)
    today = timezone.localdate()
    synthetic.wijkgesprekken_create(
        dates=[
            (team, today - datetime.timedelta(days=30 + 120 * g + 7 * t))
            for t, team in enumerate(teams)
            for g in range(GESPREKKEN_PER_TEAM)
        ],
        participants=organisations[:4],
        created_by=corporation_person,
    )

    # Interventions: the first LED are the gemeente's (planned or running and silent,
    # never updated, recently updated, then ideas and finished ones); the rest are led by
    # the corporations and partners.
    themes = list(Theme.values)
    others = [org["corporatie"], org["corporatie-2"], org["partner-1"], org["partner-2"]]
    plan = []  # (lead, status, days since the last update or None for none)
    for i in range(INTERVENTIONS):
        if i < LED_STALE:
            plan.append((org["gemeente"], _running(i), 91 + rng.randrange(0, 600)))
        elif i < LED_STALE + LED_NEVER_UPDATED:
            plan.append((org["gemeente"], _running(i), None))
        elif i < LED_STALE + LED_NEVER_UPDATED + LED_RECENT:
            plan.append((org["gemeente"], _running(i), rng.randrange(1, 60)))
        elif i < LED:
            status = Intervention.Status.IDEE if i % 2 else Intervention.Status.AFGEROND
            plan.append((org["gemeente"], status, rng.randrange(1, 400)))
        else:
            statuses = list(Intervention.Status.values)
            plan.append((others[i % len(others)], statuses[i % len(statuses)], rng.randrange(1, 400)))
    interventions = Intervention.objects.bulk_create(
        [
            synthetic.intervention(
                team=teams[i % WIJKEN],
                number=i + 1,
                area_name=wijken[i % WIJKEN].name,
                about=" van de startpagina",
                status=status,
                theme=themes[i % len(themes)],
                lead_organisation=lead,
                start_date=today - datetime.timedelta(days=700),
                end_date=today + datetime.timedelta(days=rng.randrange(30, 900)),
                budget=Decimal(rng.randrange(1_000, 400_000)),
                created_by=gemeente_person if lead == org["gemeente"] else corporation_person,
            )
            for i, (lead, status, _days) in enumerate(plan)
        ],
        batch_size=2000,
    )
    # Created long ago, as they would have been (auto_now_add stamped them today).
    Intervention.objects.filter(pk__in=[i.pk for i in interventions]).update(
        created_at=timezone.now() - datetime.timedelta(days=700)
    )
    synthetic.links_create(
        Intervention.areas.through,
        [
            {"intervention": intervention, "area": wijken[i % WIJKEN]}
            for i, intervention in enumerate(interventions)
        ],
    )
    updates = []
    for intervention, (_lead, _status, days) in zip(interventions, plan, strict=True):
        if days is None:
            continue
        for u in range(UPDATES_PER_INTERVENTION):
            updates.append(
                ProgressUpdate(
                    intervention=intervention,
                    date=today - datetime.timedelta(days=days + 60 * u),
                    text=f"Voortgang {UPDATES_PER_INTERVENTION - u}: huisbezoeken en overleg met de bewoners.",
                    progress=min(100, 25 * (UPDATES_PER_INTERVENTION - u)),
                    author=gemeente_person,
                )
            )
    ProgressUpdate.objects.bulk_create(updates, batch_size=5000)

    _build_agreements(code, org, people, rng)
    return people


def _running(i: int) -> str:
    from interventions.models import Intervention

    return Intervention.Status.IN_UITVOERING if i % 3 else Intervention.Status.GEPLAND


def _build_agreements(code: str, org: dict, people: list, rng) -> None:
    """Four running agreements and one finished one, with their commitments and monitoring
    (see the module's description)."""
    from django.utils import timezone

    from agreements.models import Agreement, Commitment, MonitoringReport, PartyRole
    from agreements.models import Theme as CommitmentTheme

    this_year = timezone.localdate().year
    report_year = this_year - 1
    now = timezone.now()
    gemeente_person, corporation_person = people[0], people[1]
    periods = [(this_year - 3, this_year + 1)] * AGREEMENTS + [(this_year - 7, this_year - 4)]
    agreements = Agreement.objects.bulk_create(
        [
            Agreement(
                title=f"Prestatieafspraken {code} {n + 1} {first}–{last}",
                gemeente_code=code,
                start_year=first,
                end_year=last,
                status=Agreement.Status.ONDERTEKEND if last >= this_year else Agreement.Status.AFGEROND,
                summary=MARKER,
            )
            for n, (first, last) in enumerate(periods)
        ]
    )
    synthetic.agreement_parties_create(
        agreements=agreements,
        parties=lambda n: [
            (org["gemeente"], PartyRole.GEMEENTE),
            (org["corporatie" if n % 2 == 0 else "corporatie-2"], PartyRole.CORPORATIE),
            (org["huurders"], PartyRole.HUURDERS),
        ],
        signed_at=now,
    )
    themes = list(CommitmentTheme.values)
    rows = []
    for n, agreement in enumerate(agreements):
        corporation = org["corporatie"] if n % 2 == 0 else org["corporatie-2"]
        count = COMMITMENTS_PER_AGREEMENT if n < AGREEMENTS else FINISHED_COMMITMENTS
        for c in range(count):
            rows.append(
                Commitment(
                    agreement=agreement,
                    number=f"{c // 10 + 1}.{c % 10 + 1}",
                    theme=themes[c % len(themes)],
                    text=f"Afspraak {c + 1}: samen zorgen voor betaalbare woningen en een leefbare wijk.",
                    responsible=org["gemeente"] if c % 3 == 0 else corporation,
                    target_value=Decimal(rng.randint(5, 300)) if c % 4 != 3 else None,
                    target_unit="woningen" if c % 4 != 3 else "",
                    target_year=agreement.end_year if c % 4 != 3 else None,
                )
            )
    commitments = Commitment.objects.bulk_create(rows, batch_size=5000)
    running = [c for c in commitments if c.agreement.status == Agreement.Status.ONDERTEKEND]
    finished = [c for c in commitments if c.agreement.status != Agreement.Status.ONDERTEKEND]
    own = [c for c in running if c.responsible_id == org["gemeente"].pk]
    corporations = [c for c in running if c.responsible_id != org["gemeente"].pk]

    state = MonitoringReport.State
    progress = list(MonitoringReport.Progress.values)

    def report(commitment, year, report_state, days_ago):
        submitter = gemeente_person if commitment in own_set else corporation_person
        moment = now - datetime.timedelta(days=days_ago)
        reviewed = report_state in (state.APPROVED, state.RETURNED)
        return MonitoringReport(
            commitment=commitment,
            year=year,
            realised_value=Decimal(rng.randint(0, 200)) if commitment.target_value is not None else None,
            progress=progress[rng.randrange(len(progress))],
            explanation="Volgens planning, zie de toelichting per buurt.",
            state=report_state,
            submitted_at=moment,
            submitted_by=submitter,
            reviewed_at=moment + datetime.timedelta(days=5) if reviewed else None,
            reviewed_by=gemeente_person if reviewed else None,
            review_comment="Graag de aantallen per buurt." if report_state == state.RETURNED else "",
        )

    own_set = set(own)
    reports = [
        report(commitment, year, state.APPROVED, 400)
        for commitment in running
        for year in (this_year - 3, this_year - 2)
    ]
    reports += [
        report(commitment, year, state.APPROVED, 1500)
        for commitment in finished
        for year in range(this_year - 7, this_year - 4)
    ]
    reports += [
        report(c, report_year, state.SUBMITTED, 1 + i) for i, c in enumerate(corporations[:TO_REVIEW])
    ]
    reports += [report(c, report_year, state.APPROVED, 60) for c in corporations[TO_REVIEW:]]
    reports += [report(c, report_year, state.RETURNED, 20 + i) for i, c in enumerate(own[:RETURNED])]
    reports += [
        report(c, report_year, state.APPROVED, 60) for c in own[RETURNED : RETURNED + APPROVED_LAST_YEAR]
    ]
    MonitoringReport.objects.bulk_create(reports, batch_size=5000)


def _build_notifications(people: dict) -> None:
    """The measured person's unread and read notifications, and others' for the rest."""
    from django.utils import timezone

    from core.models import Notification

    now = timezone.now()
    measured = people[GEMEENTE][0]
    others = [person for group in people.values() for person in group if person != measured]

    def note(recipient, n, read):
        created = now - datetime.timedelta(hours=3 * n)
        return Notification(
            recipient=recipient,
            kind="report_submitted",
            text=f"Bench-start corporatie heeft de monitoring van afspraak {n % 75 + 1} ingediend.",
            url="/afspraken/beoordelen/",
            created_at=created,
            read_at=created + datetime.timedelta(hours=1) if read else None,
        )

    rows = [note(measured, n, read=False) for n in range(UNREAD)]
    rows += [note(measured, UNREAD + n, read=True) for n in range(READ)]
    rows += [note(others[n % len(others)], n, read=n % 2 == 0) for n in range(OTHER_NOTIFICATIONS)]
    Notification.objects.bulk_create(rows, batch_size=5000)


def main() -> int:
    return run_alone(run, "de startpagina")


if __name__ == "__main__":
    raise SystemExit(main())
