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
    @pytest.fixture
    def agreement(self, world):
        """Velsen 2025–2028 with commitments in four units over three themes, and
        monitoring over 2025 and 2026 in every state."""
        agreement, (first,) = signed_agreement(world)  # 150 sociale huurwoningen in 2027
        services.amendment_open(actor=world.corp_editor, agreement=agreement, year=2025, reason="Aanvulling")
        made = {
            "first": first,
            # The same unit, written differently.
            "extra": add_commitment(
                world, agreement, target_value=Decimal("50"), target_unit=" Sociale  huurwoningen"
            ),
            # A stock, not a flow: never to be added to the homes built.
            "stock": add_commitment(
                world,
                agreement,
                target_value=Decimal("8500"),
                target_unit="sociale huurwoningen in bezit",
                target_year=2028,
            ),
            "qualitative": add_commitment(
                world,
                agreement,
                text="Woonzorgcirkel verkennen",
                target_value=None,
                target_unit="",
                target_year=None,
            ),
            "money": add_commitment(
                world,
                agreement,
                theme=Theme.BETAALBAARHEID,
                target_value=Decimal("45000"),
                target_unit="euro",
                target_year=2026,
            ),
            "quality": add_commitment(
                world,
                agreement,
                theme=Theme.KWALITEIT,
                target_value=Decimal("400"),
                target_unit="woningen naar label B",
                target_year=2028,
            ),
        }
        services.amendment_close(actor=world.corp_editor, amendment=agreement.amendments.get())

        def report(name, realised, progress, *, approve=False, submit=True):
            r = services.report_save_draft(
                actor=world.corp_editor,
                commitment=made[name],
                year=2025,
                realised_value=realised,
                progress=progress,
            )
            if submit:
                r = services.report_submit(actor=world.corp_editor, report=r)
            if approve:
                services.report_approve(actor=world.gemeente_reviewer, report=r)

        report("first", Decimal("40"), "op_koers", approve=True)
        report("extra", Decimal("10"), "risico")
        report("stock", Decimal("8570"), "op_koers")
        report("qualitative", Decimal("3"), "achter")
        report("quality", Decimal("99"), "achter", submit=False)  # a draft is not reported yet
        # Over 2026, written directly (the services refuse years still to come).
        MonitoringReport.objects.bulk_create(
            [
                MonitoringReport(
                    commitment=made["first"],
                    year=2026,
                    realised_value=Decimal("55"),
                    progress="risico",
                    state=MonitoringReport.State.RETURNED,
                ),
                MonitoringReport(
                    commitment=made["money"],
                    year=2026,
                    realised_value=Decimal("45000.50"),
                    progress="gerealiseerd",
                    state=MonitoringReport.State.APPROVED,
                ),
            ]
        )
        return agreement

    def test_commitments_counted_by_stand_per_theme_and_year(self, agreement):
        rows = {row["theme"]: row for row in selectors.progress_per_theme(agreement=agreement)}
        assert list(rows) == ["beschikbaarheid", "betaalbaarheid", "kwaliteit"]
        beschikbaarheid = rows["beschikbaarheid"]
        # first, extra, stock and the qualitative one; three with a target.
        assert (beschikbaarheid["commitments"], beschikbaarheid["quantitative"]) == (4, 3)
        stands = ["op_koers", "risico", "achter", "gerealiseerd", "niet_gerapporteerd"]
        per_year = {cell["year"]: [cell[stand] for stand in stands] for cell in beschikbaarheid["years"]}
        assert per_year == {
            2025: [2, 1, 1, 0, 0],  # first and stock op koers, extra risico, qualitative achter
            2026: [0, 1, 0, 0, 3],  # first returned (still reported: risico); 4 - 1 not reported
            2027: [0, 0, 0, 0, 4],
            2028: [0, 0, 0, 0, 4],
        }
        betaalbaarheid = {cell["year"]: cell for cell in rows["betaalbaarheid"]["years"]}
        assert betaalbaarheid[2026]["gerealiseerd"] == 1 and betaalbaarheid[2025]["niet_gerapporteerd"] == 1
        kwaliteit = {cell["year"]: cell for cell in rows["kwaliteit"]["years"]}
        # Only a draft over 2025: not reported.
        assert kwaliteit[2025]["achter"] == 0 and kwaliteit[2025]["niet_gerapporteerd"] == 1

    def test_targets_and_realised_summed_within_one_unit_only(self, agreement):
        rows = {row["theme"]: row for row in selectors.progress_per_theme(agreement=agreement)}
        units = {unit["unit"]: unit for unit in rows["beschikbaarheid"]["units"]}
        # "sociale huurwoningen" and " Sociale  huurwoningen" are one unit; the stock and the
        # qualitative commitment (no unit) are not in it.
        assert list(units) == ["Sociale huurwoningen", "sociale huurwoningen in bezit"]
        homes = {cell["year"]: cell for cell in units["Sociale huurwoningen"]["years"]}
        assert units["Sociale huurwoningen"]["commitments"] == 2
        assert sorted(homes) == [2025, 2026, 2027]  # years with a target or a report
        # 2025: 40 (first, approved) + 10 (extra, submitted) = 50 realised, 40 approved.
        assert (homes[2025]["target"], homes[2025]["realised"], homes[2025]["approved"]) == (
            None,
            Decimal("50"),
            Decimal("40"),
        )
        assert homes[2025]["reports"] == 2
        # 2026: 55 (first, returned): reported, none approved.
        assert (homes[2026]["realised"], homes[2026]["approved"]) == (Decimal("55"), None)
        # 2027: the targets 150 (first) + 50 (extra) = 200, nothing reported yet.
        assert (homes[2027]["target"], homes[2027]["realised"], homes[2027]["reports"]) == (
            Decimal("200"),
            None,
            0,
        )
        stock = {cell["year"]: cell for cell in units["sociale huurwoningen in bezit"]["years"]}
        # 8.570 in stock stays apart from the 50 built (the old sum was 40+10+8570+3 = 8623).
        assert stock[2025]["realised"] == Decimal("8570") and stock[2028]["target"] == Decimal("8500")
        money = rows["betaalbaarheid"]["units"]
        assert [unit["unit"] for unit in money] == ["euro"]
        assert money[0]["years"] == [
            {
                "year": 2026,
                "target": Decimal("45000"),
                "realised": Decimal("45000.50"),
                "approved": Decimal("45000.50"),
                "reports": 1,
            }
        ]
        # The draft over 2025 counts nowhere: only the target of 2028.
        (quality,) = rows["kwaliteit"]["units"]
        assert [(cell["year"], cell["target"], cell["reports"]) for cell in quality["years"]] == [
            (2028, Decimal("400"), 0)
        ]

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
