"""A monitoring report returned and submitted again: its state is that of the current
round only (waiting for review, or the review of this submission), and the reviews of
earlier rounds are in its history on the report's page."""

import importlib
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils.html import escape

from agreements import selectors, services
from agreements.models import MonitoringReport
from agreements.tests.test_services import signed_agreement

YEAR = 2025


@pytest.fixture
def resubmitted(world):
    """Returned once with a comment, revised and submitted again."""
    _agreement, (commitment,) = signed_agreement(world)
    report = services.report_save_draft(
        actor=world.corp_editor,
        commitment=commitment,
        year=YEAR,
        realised_value=Decimal("40"),
        progress="op_koers",
    )
    report = services.report_submit(actor=world.corp_editor, report=report)
    report = services.report_return(actor=world.gemeente_reviewer, report=report, comment="Graag per wijk.")
    report = services.report_save_draft(
        actor=world.corp_editor,
        commitment=commitment,
        year=YEAR,
        realised_value=Decimal("40"),
        progress="op_koers",
        explanation="Per wijk: 24 in Velseroord, 16 in de Moerbergbuurt.",
        version=report.version,
    )
    return services.report_submit(actor=world.corp_editor, report=report)


def _year_section(client, report):
    """The section of the report's year on its commitment's page."""
    html = client.get(reverse("agreements:commitment", args=[report.commitment_id])).content.decode()
    start = html.index(f'<section class="wk-card" id="jaar-{report.year}"')
    end = html.find('<section class="wk-card" id="jaar-', start + 1)
    return html[start : end if end != -1 else None]


class TestCurrentRound:
    def test_submitting_again_leaves_the_earlier_review_behind(self, world, resubmitted):
        report = MonitoringReport.objects.get(pk=resubmitted.pk)
        assert report.state == MonitoringReport.State.SUBMITTED
        assert (report.reviewed_at, report.reviewed_by, report.review_comment) == (None, None, "")
        assert not report.is_reviewed
        assert report.state_label == "ter beoordeling"

    def test_the_returned_report_keeps_its_review_while_it_is_revised(self, world, resubmitted):
        # A second return: while the party revises, the return is the current review.
        report = services.report_return(
            actor=world.gemeente_reviewer, report=resubmitted, comment="Nu nog de toelichting."
        )
        report = services.report_save_draft(
            actor=world.corp_editor,
            commitment=report.commitment,
            year=YEAR,
            progress="op_koers",
            explanation="Aangevuld.",
            version=report.version,
        )
        assert report.state == MonitoringReport.State.RETURNED and report.is_reviewed
        assert report.review_comment == "Nu nog de toelichting."

    def test_the_api_shows_the_current_round(self, client, world, resubmitted):
        client.force_login(world.tenant_rep)
        body = client.get(reverse("monitoring-report-detail", args=[resubmitted.pk])).json()
        assert body["state"] == "ingediend"
        assert (body["reviewed_at"], body["review_comment"]) == (None, "")


class TestReportPage:
    def test_waiting_for_review_with_the_return_in_its_history(self, client, world, resubmitted):
        client.force_login(world.tenant_rep)
        section = _year_section(client, resubmitted)
        assert '<span class="utrecht-status-badge wk-badge--waiting">ter beoordeling</span>' in section
        assert "teruggestuurd voor herziening</span>" not in section  # no badge of the earlier round
        current = section.split("Eerdere beoordelingen")[0]
        assert "Nog niet: ter beoordeling bij de gemeente." in current
        assert "Graag per wijk." not in current
        assert "Opmerking van de gemeente" not in current
        earlier = re.search(r'data-testid="earlier-reviews-2025">(.*?)</ol>', section, re.S).group(1)
        assert earlier.count("<li>") == 1
        assert "Ingediend op " in earlier and "; teruggestuurd voor herziening op " in earlier
        assert f"door {escape(str(world.gemeente_reviewer))}: Graag per wijk." in earlier

    def test_approved_after_a_return(self, client, world, resubmitted):
        services.report_approve(
            actor=world.gemeente_reviewer, report=resubmitted, comment="Dank, zo is het goed."
        )
        client.force_login(world.corp_editor)
        section = _year_section(client, resubmitted)
        current, earlier = section.split("Eerdere beoordelingen")
        assert '<span class="utrecht-status-badge wk-badge--success">goedgekeurd</span>' in current
        assert "Dank, zo is het goed." in current and "Graag per wijk." not in current
        # The history lists the return only: the approval is the current review.
        assert "Graag per wijk." in earlier and "Dank, zo is het goed." not in earlier

    def test_never_returned_has_no_history_of_reviews(self, client, world):
        _agreement, (commitment,) = signed_agreement(world)
        report = services.report_save_draft(
            actor=world.corp_editor, commitment=commitment, year=YEAR, progress="op_koers"
        )
        report = services.report_submit(actor=world.corp_editor, report=report)
        services.report_approve(actor=world.gemeente_reviewer, report=report, comment="Akkoord.")
        client.force_login(world.tenant_rep)
        section = _year_section(client, report)
        assert "Eerdere beoordelingen" not in section
        assert "Akkoord." in section


def test_earlier_reviews_oldest_first_in_one_query(world, resubmitted, django_assert_num_queries):
    report = services.report_return(
        actor=world.gemeente_reviewer, report=resubmitted, comment="Nu nog de toelichting."
    )
    report = services.report_submit(actor=world.corp_editor, report=report)
    commitment = report.commitment
    # The reports with their people, their comments, and the reviews of all of them.
    with django_assert_num_queries(3):
        reports = selectors.commitment_reports(commitment=commitment)
    reviews = reports[YEAR].earlier_reviews
    assert [review.comment for review in reviews] == ["Graag per wijk.", "Nu nog de toelichting."]
    assert all(review.state == MonitoringReport.State.RETURNED for review in reviews)
    assert all(review.reviewed_by == world.gemeente_reviewer for review in reviews)
    assert reviews[0].reviewed_at < reviews[1].reviewed_at


def test_migration_clears_the_earlier_review_of_reports_waiting_for_review(world, resubmitted):
    """Reports resubmitted before the fix still carry the review of their earlier round."""
    returned = services.report_return(
        actor=world.gemeente_reviewer, report=resubmitted, comment="Nog een keer."
    )
    other = MonitoringReport.objects.create(
        commitment=returned.commitment, year=YEAR + 1, progress="op_koers", state="ingediend"
    )
    # The old state of affairs: submitted again, the earlier review left on the report.
    MonitoringReport.objects.filter(pk=other.pk).update(
        reviewed_at=returned.reviewed_at, reviewed_by=world.gemeente_reviewer, review_comment="Oud."
    )
    migration = importlib.import_module("agreements.migrations.0003_report_review_of_current_round")
    migration.clear_earlier_reviews(apps, None)
    assert MonitoringReport.objects.filter(pk=other.pk).values_list(
        "reviewed_at", "reviewed_by", "review_comment"
    ).get() == (None, None, "")
    # A returned report keeps the review of its current round.
    assert MonitoringReport.objects.get(pk=returned.pk).review_comment == "Nog een keer."
