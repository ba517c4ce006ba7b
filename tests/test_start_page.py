"""The start page says what waits for each person, most urgent first: reports to review
or revise, commitments to report on, deadlines, teams and silent interventions, unread
notifications, and for platform admins the platform's own work.

The world: a signed Velsen agreement (2025–2028) with two commitments of the corporation;
commitment 1.1 has a report over last year that the corporation submitted. The team of
IJmuiden-Noord (corporation trekker, gemeente partner, tenants meelezer) has an urgency,
a wijkgesprek and an intervention led by the corporation that has been silent for
120 days.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agreements import services as agreement_services
from agreements.models import GemeenteCalendar, MonitoringReport
from agreements.tests.test_services import add_commitment, make_agreement, sign_all, to_negotiation
from areas.models import BoundaryImport
from core.imports import RowIssue, job_finish
from interventions import services as intervention_services
from interventions.models import Intervention, ProgressUpdate
from interventions.tests.helpers import build_intervention, build_team, velsen
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LAST_YEAR = TODAY.year - 1


@pytest.fixture
def agreement_world(world):
    agreement = make_agreement(world)
    first = add_commitment(world, agreement, number="1.1", text="Honderd sociale huurwoningen erbij")
    second = add_commitment(world, agreement, number="1.2", text="Vijftig woningen verduurzamen")
    to_negotiation(world, agreement)
    sign_all(world, agreement)
    report = agreement_services.report_save_draft(
        actor=world.corp_editor,
        commitment=first,
        year=LAST_YEAR,
        progress="op_koers",
        explanation="Op schema.",
    )
    report = agreement_services.report_submit(actor=world.corp_editor, report=report, version=report.version)
    world.objects.update(agreement=agreement, first=first, second=second, report=report)
    return world


def _home(client, person):
    client.force_login(person)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_gemeente_sees_the_report_waiting_for_its_review(agreement_world, client):
    w = agreement_world
    html = _home(client, w.gemeente_reviewer)
    assert "1 rapportage ter beoordeling" in html
    # Each report links to its own commitment, at the year of the report.
    assert f"{reverse('agreements:commitment', args=[w.first.pk])}#jaar-{LAST_YEAR}" in html
    assert "ter beoordeling" in html


def test_a_returned_report_waits_for_the_corporation(agreement_world, client):
    w = agreement_world
    agreement_services.report_return(
        actor=w.gemeente_reviewer, report=w.report, comment="Graag de aantallen."
    )
    html = _home(client, w.corp_editor)
    assert "Teruggestuurd: herzien en opnieuw indienen" in html
    assert reverse("agreements:monitoring", args=[w.first.pk, LAST_YEAR]) in html
    # The gemeente has nothing left to review.
    assert "ter beoordeling" not in _home(client, w.gemeente_reviewer)


def test_the_corporation_is_told_what_to_report_on(agreement_world, client):
    """1.1 is submitted, so only 1.2 is left to report on over last year."""
    w = agreement_world
    html = _home(client, w.corp_editor)
    assert f"1 afspraak om over {LAST_YEAR} te rapporteren" in html
    assert reverse("agreements:monitoring", args=[w.second.pk, LAST_YEAR]) in html
    assert reverse("agreements:monitoring", args=[w.first.pk, LAST_YEAR]) not in html


def test_deadlines_of_the_next_sixty_days(agreement_world, client):
    w = agreement_world
    soon = TODAY + datetime.timedelta(days=10)
    far = TODAY + datetime.timedelta(days=90)
    GemeenteCalendar.objects.create(
        gemeente_code="GM0453",
        bod_month=soon.month,
        bod_day=soon.day,
        signing_month=far.month,
        signing_day=far.day,
        monitoring_month=far.month,
        monitoring_day=far.day,
        review_month=far.month,
        review_day=far.day,
    )
    html = _home(client, w.corp_editor)
    assert "Termijnen in de komende 60 dagen" in html
    assert "bod van de corporaties" in html and "over 10 dagen" in html
    assert "ondertekening van de prestatieafspraken" not in html


def test_teams_with_urgency_and_last_wijkgesprek_and_silent_interventions(world, client):
    team = build_team(world, velsen()["wijk"])
    velsen(2025)  # the wijk's newest vintage: the start page links there
    intervention_services.urgency_record(
        actor=world.gemeente_reviewer, team=team, year=2025, urgency="acuut", rationale="Overlast stijgt."
    )
    intervention_services.wijkgesprek_create(
        actor=world.corp_editor,
        team=team,
        date=datetime.date(2025, 10, 1),
        year=2024,
        participants=[world.corporatie],
        duiding="Samen gelezen.",
    )
    silent = build_intervention(world, team, title="Stil project")
    intervention_services.intervention_change_status(
        actor=world.corp_editor, intervention=silent, to_status="gepland", version=silent.version
    )
    # Started and planned 120 days ago, without any progress update since.
    long_ago = timezone.now() - datetime.timedelta(days=120)
    Intervention.objects.filter(pk=silent.pk).update(created_at=long_ago)
    ProgressUpdate.objects.filter(intervention=silent).update(date=long_ago.date())
    html = _home(client, world.corp_editor)
    assert "Mijn wijken en teams" in html
    assert reverse("areas:detail", args=[2025, "WK045301"]) in html
    assert "acuut" in html and "1 oktober 2025" in html
    assert "Stil project" in html and "Interventies zonder voortgang in de afgelopen 90 dagen" in html
    # The partner is in the team but leads nothing: it sees the team, not the silent work.
    partner_html = _home(client, world.gemeente_reviewer)
    assert "Mijn wijken en teams" in partner_html
    assert "Interventies zonder voortgang" not in partner_html


def test_an_intervention_with_a_recent_update_is_not_silent(world, client):
    team = build_team(world, velsen()["wijk"])
    busy = build_intervention(world, team, title="Druk project")
    intervention_services.intervention_change_status(
        actor=world.corp_editor, intervention=busy, to_status="gepland", version=busy.version
    )
    Intervention.objects.filter(pk=busy.pk).update(created_at=timezone.now() - datetime.timedelta(days=200))
    intervention_services.progress_add(
        actor=world.corp_editor, intervention=busy, date=TODAY - datetime.timedelta(days=5), text="Loopt."
    )
    assert "Druk project" not in _home(client, world.corp_editor)


def test_unread_notifications_come_first(world, client):
    team = build_team(world, velsen()["wijk"])
    build_intervention(world, team, title="Nieuw in de wijk")  # notifies the team
    html = _home(client, world.tenant_rep)
    assert "ongelezen melding" in html and "Nieuw in de wijk" in html
    assert html.index("ongelezen melding") < html.index("Mijn wijken en teams")


def test_platform_admin_sees_platform_work_and_the_partner_guide(world, client):
    job = BoundaryImport.objects.create(
        original_name="buurten.gpkg", year=2025, started_by=world.platform_admin
    )
    job_finish(job, status=BoundaryImport.Status.FAILED, errors=[RowIssue(None, "", "Kapot bestand")])
    lonely = factories.organisation(actor=world.platform_admin, name="Buurtwerk Zonder Beheer")
    html = _home(client, world.platform_admin)
    assert "Platformwerk" in html
    assert "buurten.gpkg" in html and reverse("areas:import-detail", args=[job.pk]) in html
    assert lonely.name in html and reverse("organisations:members", args=[lonely.slug]) in html
    assert "Een partnerorganisatie toegang geven" in html
    assert "U hoort nog bij geen enkele organisatie" not in html
    # Other people do not see the platform's work.
    assert "Platformwerk" not in _home(client, world.corp_editor)


def test_someone_without_an_organisation_is_told_what_to_do(client):
    stranger = factories.UserFactory(email="nieuw@example.nl")
    html = _home(client, stranger)
    assert "Er wacht nu niets op u" in html and "Vraag de beheerder van uw organisatie" in html


def test_query_count_does_not_grow_with_the_work(agreement_world, client, django_assert_max_num_queries):
    w = agreement_world
    team = build_team(w, velsen()["wijk"])
    second = make_agreement(w, title="Tweede afspraken Velsen")
    commitments = [add_commitment(w, second, number=f"2.{n}", text=f"Afspraak {n}") for n in range(8)]
    to_negotiation(w, second)
    sign_all(w, second)
    client.force_login(w.gemeente_reviewer)
    client.get(reverse("home"))  # warm the caches (content types)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("home"))
    for n, commitment in enumerate(commitments):
        report = agreement_services.report_save_draft(
            actor=w.corp_editor, commitment=commitment, year=LAST_YEAR, progress="risico"
        )
        agreement_services.report_submit(actor=w.corp_editor, report=report, version=report.version)
        build_intervention(w, team, title=f"Interventie {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = client.get(reverse("home")).content.decode()
    # The fixture's report and these eight.
    assert "9 rapportages ter beoordeling" in html
    assert MonitoringReport.objects.filter(state=MonitoringReport.State.SUBMITTED).count() == 9
