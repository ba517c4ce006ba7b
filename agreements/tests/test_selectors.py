"""Reads: what each persona sees, and a bounded number of queries whatever the size."""

from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone

from agreements import selectors, services
from agreements.models import Agreement, Commitment, MonitoringReport, Theme
from agreements.tests.test_services import add_commitment, make_agreement, make_bod, signed_agreement

THEMES = list(Theme)


def grow(world, agreement, commitments, years=(2025, 2026), state=MonitoringReport.State.SUBMITTED):
    """Many commitments with reports, written in bulk (volume, not workflow, is tested)."""
    now = timezone.now()
    made = Commitment.objects.bulk_create(
        [
            Commitment(
                agreement=agreement,
                theme=THEMES[i % len(THEMES)],
                number=f"{i}",
                text=f"Afspraak {i}",
                responsible=world.corporatie,
                target_value=Decimal(10 + i),
                target_unit="woningen",
                target_year=2025 + i % 4,
            )
            for i in range(commitments)
        ]
    )
    MonitoringReport.objects.bulk_create(
        [
            MonitoringReport(
                commitment=c,
                year=year,
                realised_value=Decimal(5),
                progress="op_koers",
                explanation="x",
                state=state,
                submitted_at=now,
                submitted_by=world.corp_editor,
            )
            for c in made
            for year in years
        ]
    )
    return made


def consume_detail(agreement):
    """Touch everything the agreement page shows."""
    seen = []
    for party in agreement.parties.all():
        seen += [str(party.organisation), party.signed_by]
    for _theme, _label, commitments in agreement.themes:
        for commitment in commitments:
            seen += [str(commitment.responsible), commitment.disputed_by, commitment.amendment]
            seen += list(commitment.areas.all())
            for report in commitment.reports_by_year.values():
                seen += [report.submitted_by, report.reviewed_by]
    seen += list(agreement.amendments.all())
    return seen


class TestAgreementList:
    def test_restricted_per_persona(self, world):
        agreement, _ = signed_agreement(world)
        for persona in (
            "corp_editor",
            "org_admin",
            "gemeente_reviewer",
            "tenant_rep",
            "partner_reader",
            "platform_admin",
        ):
            assert list(selectors.agreement_list(user=world.users[persona])) == [agreement], persona
        assert not selectors.agreement_list(user=world.outsider).exists()

    def test_filters(self, world):
        agreement, (commitment,) = signed_agreement(world)
        concept = make_agreement(world, title="Volgende ronde")
        user = world.corp_editor
        assert list(selectors.agreement_list(user=user, status="concept")) == [concept]
        assert list(selectors.agreement_list(user=user, search="ronde")) == [concept]
        assert set(selectors.agreement_list(user=user, gemeente_code="gm0453")) == {agreement, concept}
        assert not selectors.agreement_list(user=user, year=2030).exists()
        assert list(selectors.agreement_list(user=user, organisation=world.huurders).order_by("pk")) == [
            agreement,
            concept,
        ]
        services.commitment_dispute(actor=world.tenant_rep, commitment=commitment, note="Te weinig")
        listed = list(selectors.agreement_list(user=user, disputed=True))
        assert listed == [agreement] and listed[0].disputed_count == 1

    @pytest.mark.parametrize("size", [1, 25])
    def test_query_count(self, world, size, django_assert_max_num_queries):
        for i in range(size):
            make_agreement(world, title=f"Afspraken {i}")
        with django_assert_max_num_queries(3):
            rows = list(selectors.agreement_list(user=world.corp_editor))
            for row in rows:
                [str(p.organisation) for p in row.parties.all()]
        assert len(rows) == size


class TestAgreementDetail:
    def test_outsider_gets_404(self, world):
        agreement = make_agreement(world)
        with pytest.raises(Http404):
            selectors.agreement_detail(user=world.outsider, pk=agreement.pk)

    def test_grouped_by_theme(self, world):
        agreement = make_agreement(world)
        add_commitment(world, agreement, theme=Theme.KWALITEIT, text="Label B")
        add_commitment(world, agreement, theme=Theme.BESCHIKBAARHEID, text="Nieuwbouw")
        detail = selectors.agreement_detail(user=world.tenant_rep, pk=agreement.pk)
        assert [theme for theme, _label, _c in detail.themes] == [Theme.BESCHIKBAARHEID, Theme.KWALITEIT]
        assert detail.years == [2025, 2026, 2027, 2028]
        assert detail.open_amendment is None

    @pytest.mark.parametrize("size", [3, 300])
    def test_query_count_bounded(self, world, size, django_assert_max_num_queries):
        agreement, _ = signed_agreement(world)
        grow(world, agreement, size)
        with django_assert_max_num_queries(7):
            detail = selectors.agreement_detail(user=world.gemeente_reviewer, pk=agreement.pk)
            consume_detail(detail)
        assert sum(len(c) for _t, _l, c in detail.themes) == size + 1

    def test_only_some_years(self, world):
        agreement, _ = signed_agreement(world)
        grow(world, agreement, 5, years=(2025, 2026))
        detail = selectors.agreement_detail(user=world.corp_editor, pk=agreement.pk, years=[2026])
        loaded = {year for _t, _l, cs in detail.themes for c in cs for year in c.reports_by_year}
        assert loaded == {2026}

    def test_roles(self, world):
        agreement = make_agreement(world)
        services.agreement_transition(
            actor=world.org_admin, agreement=agreement, to_status="onderhandeling", version=agreement.version
        )
        detail = selectors.agreement_detail(user=world.tenant_rep, pk=agreement.pk)
        roles = selectors.agreement_roles(user=world.tenant_rep, agreement=detail)
        assert roles["can_sign"] and roles["can_comment"] and not roles["can_edit"]
        assert not roles["can_transition"] and not roles["can_review"]
        roles = selectors.agreement_roles(user=world.org_admin, agreement=detail)
        assert roles["can_edit"] and roles["can_transition"] and roles["can_sign"]
        roles = selectors.agreement_roles(user=world.partner_reader, agreement=detail)
        assert not any(roles[k] for k in ("can_edit", "can_sign", "can_comment", "can_dispute"))
        roles = selectors.agreement_roles(user=world.gemeente_reviewer, agreement=detail)
        assert roles["can_review"] and roles["can_edit"] and not roles["can_transition"]


class TestReviewerQueue:
    def test_only_submitted_reports_of_own_gemeente(self, world):
        _agreement, (commitment,) = signed_agreement(world)
        draft = services.report_save_draft(
            actor=world.corp_editor, commitment=commitment, year=2025, realised_value=1, progress="risico"
        )
        assert not selectors.reviewer_queue(user=world.gemeente_reviewer).exists()
        submitted = services.report_submit(actor=world.corp_editor, report=draft)
        assert list(selectors.reviewer_queue(user=world.gemeente_reviewer)) == [submitted]
        for persona in ("corp_editor", "org_admin", "tenant_rep", "partner_reader", "outsider"):
            assert not selectors.reviewer_queue(user=world.users[persona]).exists(), persona
        services.report_approve(actor=world.gemeente_reviewer, report=submitted)
        assert not selectors.reviewer_queue(user=world.gemeente_reviewer).exists()

    @pytest.mark.parametrize("size", [2, 200])
    def test_query_count(self, world, size, django_assert_max_num_queries):
        agreement, _ = signed_agreement(world)
        grow(world, agreement, size, years=(2025,))
        with django_assert_max_num_queries(2):
            rows = list(selectors.reviewer_queue(user=world.gemeente_reviewer))
            for report in rows:
                str(report.commitment.agreement), str(report.commitment.responsible), report.submitted_by
        assert len(rows) == size


class TestProgressPerTheme:
    def test_targets_against_realised(self, world):
        agreement, (first,) = signed_agreement(world)  # 150 sociale huurwoningen in 2027
        services.amendment_open(actor=world.corp_editor, agreement=agreement, year=2025, reason="Aanvulling")
        extra = add_commitment(world, agreement, target_value=Decimal("50"), target_year=2027)
        quality = add_commitment(
            world,
            agreement,
            theme=Theme.KWALITEIT,
            target_value=Decimal("400"),
            target_unit="woningen naar label B",
            target_year=2028,
        )
        services.amendment_close(actor=world.corp_editor, amendment=agreement.amendments.get())
        r1 = services.report_save_draft(
            actor=world.corp_editor,
            commitment=first,
            year=2025,
            realised_value=Decimal("40"),
            progress="op_koers",
        )
        services.report_submit(actor=world.corp_editor, report=r1)
        services.report_approve(actor=world.gemeente_reviewer, report=r1)
        r2 = services.report_save_draft(
            actor=world.corp_editor,
            commitment=extra,
            year=2025,
            realised_value=Decimal("10"),
            progress="risico",
        )
        services.report_submit(actor=world.corp_editor, report=r2)
        services.report_save_draft(
            actor=world.corp_editor,
            commitment=quality,
            year=2025,
            realised_value=Decimal("99"),
            progress="achter",
        )  # a draft does not count
        rows = selectors.progress_per_theme(agreement=agreement)
        assert [row["theme"] for row in rows] == ["beschikbaarheid", "kwaliteit"]
        beschikbaarheid = {cell["year"]: cell for cell in rows[0]["years"]}
        assert rows[0]["commitments"] == 2 and rows[0]["quantitative"] == 2
        assert beschikbaarheid[2027]["target"] == Decimal("200")
        assert beschikbaarheid[2025]["realised"] == Decimal("50")
        assert beschikbaarheid[2025]["approved"] == Decimal("40")
        assert beschikbaarheid[2025]["op_koers"] == 1 and beschikbaarheid[2025]["risico"] == 1
        kwaliteit = {cell["year"]: cell for cell in rows[1]["years"]}
        assert kwaliteit[2028]["target"] == Decimal("400")
        assert kwaliteit[2025]["realised"] == 0 and kwaliteit[2025]["reports"] == 0

    @pytest.mark.parametrize("size", [5, 500])
    def test_two_queries(self, world, size, django_assert_num_queries):
        agreement, _ = signed_agreement(world)
        grow(world, agreement, size, years=(2025, 2026))
        with django_assert_num_queries(2):
            rows = selectors.progress_per_theme(agreement=agreement)
        assert sum(row["commitments"] for row in rows) == size + 1


class TestBodList:
    def test_own_and_received(self, world):
        bod = make_bod(world)
        assert list(selectors.bod_list(user=world.corp_editor)) == [bod]
        assert not selectors.bod_list(user=world.gemeente_reviewer).exists()
        services.bod_submit(actor=world.corp_editor, bod=bod)
        for persona in ("corp_editor", "org_admin", "gemeente_reviewer", "tenant_rep", "platform_admin"):
            assert list(selectors.bod_list(user=world.users[persona])) == [bod], persona
        for persona in ("partner_reader", "outsider"):
            assert not selectors.bod_list(user=world.users[persona]).exists(), persona

    def test_query_count(self, world, django_assert_max_num_queries):
        for year in range(2026, 2036):
            make_bod(world, year=year)
        with django_assert_max_num_queries(3):
            rows = list(selectors.bod_list(user=world.corp_editor))
            for bod in rows:
                str(bod.corporation), [str(r) for r in bod.recipients.all()], bod.proposal_count
        assert len(rows) == 10


def test_history_of_an_agreement(world):
    agreement, (commitment,) = signed_agreement(world)
    report = services.report_save_draft(
        actor=world.corp_editor, commitment=commitment, year=2025, realised_value=1, progress="op_koers"
    )
    services.report_submit(actor=world.corp_editor, report=report)
    entries = selectors.agreement_history(agreement=agreement)
    reasons = [entry.reason for entry in entries]
    assert "ingediend" in reasons and "getekend" in reasons and "alle partijen hebben getekend" in reasons
    assert entries[0].when >= entries[-1].when
    assert Agreement.objects.get(pk=agreement.pk).status == "ondertekend"
