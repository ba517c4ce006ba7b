"""A small Velsen whose year report 2025 is worked out by hand in the tests.

Areas (no shapes, the same codes in 2023, 2024 and 2025)::

    GM0453 Velsen
      WK045301 IJmuiden-Noord: BU04530100 Lagersbuurt, BU04530101 Heidebuurt
      WK045302 IJmuiden-Zuid:  BU04530200 Tussenbeeksbuurt, BU04530201 Vogelbuurt
    GB0453001 gebied "Lagers en Tussenbeek" (2025): Lagersbuurt, Tussenbeeksbuurt

Scores, as the compute service stores them (trend, previous year and class):

    "test-index" (open, 4 classes, higher is better)
                      2023        2024        2025   trend  prev class
      Lagersbuurt    -0.6 (1)    -0.6 (1)    -0.2 (2)  +0.4  1   a class up
      Heidebuurt      0.1 (3)     0.1 (3)    -0.1 (2)  -0.2  3   a class down, grens gewijzigd
      Tussenbeeks     0.6 (4)     0.3 (3)     0.3 (3)   0.0  3
      Vogelbuurt      0.2 (3)     0.2 (3)     0.6 (4)  +0.4  3   a class up
      WK045301                  -0.25 (2)   -0.15 (2)  +0.1  2
      WK045302                   0.25 (3)    0.45 (3)  +0.2  3
      GM0453                     0.0 (3)     0.15 (3)  +0.15 3
    "test-signal" (open signal typology) 2025, and the previous cell in 2024:
      Lagersbuurt 3 (was 5: new), Heidebuurt 7 (was 7), Tussenbeeks 9 (was 9),
      Vogelbuurt 9 (was 6: new "beide stijgen")
    "test-aedes" (licensed: the corporation's, shared with the gemeente) 2023 only:
      every buurt class 3.

Teams: IJmuiden-Noord (the standard team of ``interventions.tests.helpers``), IJmuiden-Zuid
(gemeente trekker, corporation partner) and the gebied's team (gemeente trekker alone).
Urgency 2025: Noord "acuut", Zuid "laag". Interventions (dates of status changes and
updates in the tests), two wijkgesprekken of Noord (one in 2025), an agreement 2025–2028
with four commitments, and the corporation's bod for 2026.
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from agreements.models import Agreement, AgreementParty, Bod, Commitment, MonitoringReport, PartyRole
from areas.models import AreaKind
from interventions import services
from interventions.models import Intervention, TeamRole
from interventions.tests.helpers import area, build_team, kwb_indicator, velsen
from scores import catalogue
from scores.models import Score, ScoreImport, ScoreModel, SourceKind
from scores.tests.helpers import index_model, licensed_source, published_model

YEARS = (2023, 2024, 2025)
GEBIED_CODE = "GB0453001"
AEDES_SOURCE = "Veerkrachtkaart Velserduin"
AEDES_MODEL = "Veerkracht Velserduin"
ZUID_TITLE = "Cameratoezicht Velseroord"


def _date(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


def _intervention(
    actor, team, *, title, theme, lead, partners=(), budget=None, start=None, end=None, path=(), updates=()
):
    item = services.intervention_create(
        actor=actor,
        team=team,
        title=title,
        description="",
        theme=theme,
        areas=[team.area],
        lead_organisation=lead,
        partner_organisations=list(partners),
        start_date=_date(start) if start else None,
        end_date=_date(end) if end else None,
        budget=Decimal(budget) if budget else None,
    )
    events = [(_date(day), "status", status) for status, day in path]
    events += [(_date(day), "update", progress) for day, progress in updates]
    for day, kind, payload in sorted(events, key=lambda e: e[0]):
        if kind == "status":
            item = services.intervention_change_status(
                actor=actor,
                intervention=item,
                to_status=payload,
                version=item.version,
                reason="Geen begeleiders gevonden." if payload == "gestopt" else "",
                date=day,
            )
        else:
            services.progress_add(
                actor=actor, intervention=item, date=day, text="Voortgang.", progress=payload
            )
    return item


def _scores(model, rows):
    Score.objects.bulk_create(
        Score(
            model=model,
            area=a,
            year=a.year,
            value=value,
            score_class=cls,
            trend=trend,
            previous_year=prev_year,
            previous_class=prev_class,
            boundary_changed=changed,
        )
        for a, value, cls, trend, prev_year, prev_class, changed in rows
    )


def build_report_world(w):
    """The data of the module docstring on the personas world ``w``; returns ``w``."""
    if "noord" in w.objects:
        return w
    by_year = {year: velsen(year=year)["areas"] for year in YEARS}
    a25, a24, a23 = by_year[2025], by_year[2024], by_year[2023]
    gebied = area(
        code=GEBIED_CODE, name="Lagers en Tussenbeek", kind=AreaKind.GEBIED, year=2025, gemeente_code="GM0453"
    )
    gebied.members.set([a25["BU04530100"], a25["BU04530200"]])

    index = index_model(key="test-index", components=[(kwb_indicator("p_hh_li"), 1.0)])
    ScoreModel.objects.filter(pk=index.pk).update(name="Testindex")
    index.refresh_from_db()
    signal = ScoreModel.objects.create(
        key="test-signal", name="Testsignalen", kind=ScoreModel.Kind.SIGNAL, classes=catalogue.SIGNAL_CLASSES
    )
    source = licensed_source(owner=w.corporatie, shared_with=[w.gemeente], name=AEDES_SOURCE, indicators=())
    aedes = published_model(source=source, key="test-aedes")
    ScoreModel.objects.filter(pk=aedes.pk).update(name=AEDES_MODEL)

    values = {  # code: (2023, 2024, 2025) as (value, class)
        "BU04530100": ((-0.6, 1), (-0.6, 1), (-0.2, 2)),
        "BU04530101": ((0.1, 3), (0.1, 3), (-0.1, 2)),
        "BU04530200": ((0.6, 4), (0.3, 3), (0.3, 3)),
        "BU04530201": ((0.2, 3), (0.2, 3), (0.6, 4)),
        "WK045301": (None, (-0.25, 2), (-0.15, 2)),
        "WK045302": (None, (0.25, 3), (0.45, 3)),
        "GM0453": (None, (0.0, 3), (0.15, 3)),
    }
    rows = []
    for code, by in values.items():
        for year, found in zip(YEARS, by, strict=True):
            if found is None:
                continue
            previous = by[YEARS.index(year) - 1] if year > YEARS[0] else None
            trend = round(found[0] - previous[0], 6) if previous else None
            rows.append(
                (
                    by_year[year][code],
                    found[0],
                    found[1],
                    trend,
                    year - 1 if previous else None,
                    previous[1] if previous else None,
                    code == "BU04530101" and year == 2025,
                )
            )
    _scores(index, rows)
    cells = {"BU04530100": (3, 5), "BU04530101": (7, 7), "BU04530200": (9, 9), "BU04530201": (9, 6)}
    _scores(
        signal, [(a24[code], None, before, None, None, None, False) for code, (_now, before) in cells.items()]
    )
    _scores(
        signal, [(a25[code], None, now, None, 2024, before, False) for code, (now, before) in cells.items()]
    )
    _scores(aedes, [(a23[code], 0.1, 3, None, None, None, False) for code in cells])
    finished = timezone.make_aware(datetime.datetime(2025, 4, 2, 10, 0))
    for year in (2024, 2025):
        ScoreImport.objects.create(
            source=kwb_indicator("p_hh_li").source,
            file_format=SourceKind.CBS_KWB,
            file="imports/scores/kwb.csv",
            original_name=f"kwb-{year}.csv",
            year=year,
            status=ScoreImport.Status.DONE,
            finished_at=finished,
        )

    noord = build_team(w, a24["WK045301"])
    zuid = build_team(
        w,
        a24["WK045302"],
        name="Gebiedsteam IJmuiden-Zuid",
        members=[(w.gemeente, TeamRole.TREKKER), (w.corporatie, TeamRole.PARTNER)],
    )
    gebied_team = build_team(
        w, gebied, name="Gebiedsteam Lagers en Tussenbeek", members=[(w.gemeente, TeamRole.TREKKER)]
    )
    services.urgency_record(
        actor=w.gemeente_reviewer, team=noord, year=2025, urgency="acuut", rationale="Zorgen."
    )
    services.urgency_record(
        actor=w.gemeente_reviewer, team=zuid, year=2025, urgency="laag", rationale="Rustig."
    )
    services.urgency_record(
        actor=w.gemeente_reviewer, team=noord, year=2024, urgency="hoog", rationale="Eerder."
    )

    corp, gem = w.corp_editor, w.gemeente_reviewer
    _intervention(
        corp,
        noord,
        title="Achter de voordeur",
        theme="wonen_zorg",
        lead=w.corporatie,
        budget="10000",
        start="2025-03-01",
        path=[("gepland", "2025-02-01"), ("in_uitvoering", "2025-03-01")],
        updates=[("2025-06-01", 40)],
    )
    _intervention(
        corp,
        noord,
        title="Buurtkamer",
        theme="sociale_cohesie",
        lead=w.partner,
        partners=[w.corporatie],
        budget="5000",
        start="2024-05-01",
        path=[("gepland", "2024-04-01"), ("in_uitvoering", "2024-05-01")],
        updates=[("2025-02-01", 60), ("2026-01-10", 90)],
    )
    _intervention(
        gem,
        noord,
        title="Portiekschouw",
        theme="leefbaarheid",
        lead=w.gemeente,
        budget="20000",
        start="2024-09-01",
        end="2025-06-30",
        path=[("gepland", "2024-08-01"), ("in_uitvoering", "2024-09-01"), ("afgerond", "2025-07-01")],
    )
    _intervention(
        corp,
        noord,
        title="Zomerschool",
        theme="sociale_cohesie",
        lead=w.corporatie,
        start="2025-07-01",
        path=[("gepland", "2025-01-10"), ("gestopt", "2025-04-01")],
    )
    idea = _intervention(corp, noord, title="Plein", theme="leefbaarheid", lead=w.corporatie)
    Intervention.objects.filter(pk=idea.pk).update(
        created_at=timezone.make_aware(datetime.datetime(2025, 11, 1))
    )
    _intervention(
        gem,
        noord,
        title="Oude aanpak",
        theme="leefbaarheid",
        lead=w.gemeente,
        budget="99000",
        start="2023-01-01",
        end="2024-06-01",
        path=[("gepland", "2022-12-01"), ("in_uitvoering", "2023-01-01"), ("afgerond", "2024-06-01")],
    )
    _intervention(
        gem,
        zuid,
        title=ZUID_TITLE,
        theme="veiligheid",
        lead=w.gemeente,
        partners=[w.corporatie],
        budget="30000",
        start="2025-05-01",
        path=[("gepland", "2025-04-01"), ("in_uitvoering", "2025-05-01")],
    )
    for day, year in (("2025-10-01", 2025), ("2024-11-01", 2024)):
        services.wijkgesprek_create(
            actor=gem,
            team=noord,
            date=_date(day),
            year=year,
            participants=[w.corporatie, w.gemeente],
            duiding=f"Duiding van {day}.",
            decisions="",
            actions=[],
        )

    agreement = Agreement.objects.create(
        title="Afspraken Velsen 2025–2028",
        gemeente_code="GM0453",
        start_year=2025,
        end_year=2028,
        status=Agreement.Status.ONDERTEKEND,
    )
    for org, role in (
        (w.gemeente, PartyRole.GEMEENTE),
        (w.corporatie, PartyRole.CORPORATIE),
        (w.huurders, PartyRole.HUURDERS),
    ):
        AgreementParty.objects.create(agreement=agreement, organisation=org, role=role)

    def commitment(number, theme, target=None, unit="", year=None, **extra):
        return Commitment.objects.create(
            agreement=agreement,
            number=number,
            theme=theme,
            text=f"Afspraak {number}",
            responsible=w.corporatie,
            target_value=Decimal(target) if target else None,
            target_unit=unit,
            target_year=year,
            **extra,
        )

    c1 = commitment("1.1", "beschikbaarheid", "100", "woningen", 2025)
    c2 = commitment("1.2", "beschikbaarheid", "50", "Woningen ", 2026)
    commitment("2.1", "betaalbaarheid", is_disputed=True, dispute_note="Te laag.", disputed_by=w.huurders)
    c4 = commitment("4.1", "leefbaarheid", "5000", "€", 2025)
    c2.areas.set([a25["BU04530200"]])
    c1.areas.set([a24["BU04530100"]])
    state = MonitoringReport.State
    MonitoringReport.objects.create(
        commitment=c1, year=2025, realised_value=40, progress="op_koers", state=state.APPROVED
    )
    MonitoringReport.objects.create(
        commitment=c2,
        year=2025,
        realised_value=10,
        progress="risico",
        state=state.SUBMITTED,
        submitted_at=timezone.make_aware(datetime.datetime(2026, 2, 1)),
    )
    MonitoringReport.objects.create(
        commitment=c4, year=2025, realised_value=900, progress="achter", state=state.DRAFT
    )
    bod = Bod.objects.create(
        corporation=w.corporatie,
        gemeente_code="GM0453",
        year=2026,
        status=Bod.Status.INGEDIEND,
        submitted_at=timezone.make_aware(datetime.datetime(2025, 6, 20)),
    )
    bod.recipients.set([w.gemeente, w.huurders])
    w.objects.update(noord=noord, zuid=zuid, gebied_team=gebied_team, gebied=gebied, aedes=aedes, index=index)
    return w
