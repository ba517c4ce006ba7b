"""The agreement's status workflow, signing, and the yearly monitoring with its review:
every step per persona, the Dutch messages of the bad inputs, nothing changed on refusal,
stale versions, notifications and the history of each step."""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from agreements import services
from agreements.models import Agreement, AgreementParty, MonitoringComment, MonitoringReport
from agreements.tests.test_services import (
    add_commitment,
    make_agreement,
    messages,
    partner_editor,
    sign_all,
    signed_agreement,
)
from core.exceptions import ConflictError
from core.models import Notification
from organisations.models import Role
from tests import factories


def transition(world, agreement, to_status, actor=None):
    agreement.refresh_from_db()
    return services.agreement_transition(
        actor=actor or world.org_admin, agreement=agreement, to_status=to_status, version=agreement.version
    )


def signatures(agreement):
    return sorted(
        AgreementParty.objects.filter(agreement=agreement).values_list("pk", "signed_at", "signed_by")
    )


# --- status workflow --------------------------------------------------------------------


class TestTransitions:
    def test_full_path(self, world):
        agreement = make_agreement(world)
        add_commitment(world, agreement)
        transition(world, agreement, "onderhandeling")
        sign_all(world, agreement)
        assert agreement.status == Agreement.Status.ONDERTEKEND
        agreement = transition(world, agreement, "afgerond")
        assert agreement.status == Agreement.Status.AFGEROND
        reasons = list(agreement.history.values_list("history_change_reason", flat=True))
        assert "status: afgerond" in reasons
        assert "alle partijen hebben getekend" in reasons
        assert "status: in onderhandeling" in reasons

    @pytest.mark.parametrize("to_status", ["ondertekend", "afgerond"])
    def test_no_skipping(self, world, to_status):
        agreement = make_agreement(world)
        with pytest.raises(ValidationError) as excinfo:
            transition(world, agreement, to_status)
        assert "alleen naar in onderhandeling" in messages(excinfo)
        agreement.refresh_from_db()
        assert agreement.status == Agreement.Status.CONCEPT

    def test_no_going_back(self, world):
        agreement = make_agreement(world)
        transition(world, agreement, "onderhandeling")
        with pytest.raises(ValidationError):
            transition(world, agreement, "concept")
        agreement.refresh_from_db()
        assert agreement.status == Agreement.Status.ONDERHANDELING

    def test_signed_needs_every_signature_and_names_who_is_missing(self, world):
        agreement = make_agreement(world)
        transition(world, agreement, "onderhandeling")
        services.agreement_sign(actor=world.corp_editor, agreement=agreement)
        with pytest.raises(ValidationError) as excinfo:
            transition(world, agreement, "ondertekend")
        text = messages(excinfo)
        assert "Nog niet getekend" in text
        assert "Gemeente Velsen" in text and "Huurdersvereniging Velsen" in text
        assert "Stichting Welzijn IJmond" in text and "Velserduin" not in text
        agreement.refresh_from_db()
        assert agreement.status == Agreement.Status.ONDERHANDELING

    @pytest.mark.parametrize("persona", ["corp_editor", "gemeente_reviewer", "tenant_rep", "partner_reader"])
    def test_only_beheerders_of_gemeente_or_corporation(self, world, persona):
        agreement = make_agreement(world)
        with pytest.raises(PermissionDenied) as excinfo:
            transition(world, agreement, "onderhandeling", actor=world.users[persona])
        assert "beheerder" in messages(excinfo)
        agreement.refresh_from_db()
        assert agreement.status == Agreement.Status.CONCEPT

    def test_outsider_refused(self, world):
        agreement = make_agreement(world)
        with pytest.raises(PermissionDenied):
            transition(world, agreement, "onderhandeling", actor=world.outsider)

    def test_gemeente_beheerder_and_platform_admin_may(self, world):
        agreement = make_agreement(world)
        beheerder = factories.member(world.gemeente, role=Role.BEHEERDER)
        moved = transition(world, agreement, "onderhandeling", actor=beheerder)
        assert moved.status == Agreement.Status.ONDERHANDELING
        assert Agreement.objects.get(pk=agreement.pk).status == Agreement.Status.ONDERHANDELING
        step = agreement.history.first()
        assert (step.history_user, step.history_change_reason) == (beheerder, "status: in onderhandeling")
        other = make_agreement(world, title="Tweede")
        transition(world, other, "onderhandeling", actor=world.platform_admin)
        assert Agreement.objects.get(pk=other.pk).status == Agreement.Status.ONDERHANDELING
        assert other.history.first().history_user == world.platform_admin

    def test_stale_version(self, world):
        agreement = make_agreement(world)
        stale = agreement.version
        services.agreement_update(actor=world.corp_editor, agreement=agreement, version=stale, summary="x")
        with pytest.raises(ConflictError):
            services.agreement_transition(
                actor=world.org_admin, agreement=agreement, to_status="onderhandeling", version=stale
            )

    def test_not_finished_with_open_amendment(self, world):
        agreement, _ = signed_agreement(world)
        services.amendment_open(
            actor=world.corp_editor, agreement=agreement, year=2026, reason="Actualisatie"
        )
        with pytest.raises(ValidationError) as excinfo:
            transition(world, agreement, "afgerond")
        assert "wijziging open" in messages(excinfo)

    def test_finished_agreement_is_frozen(self, world):
        agreement, (commitment,) = signed_agreement(world)
        transition(world, agreement, "afgerond")
        with pytest.raises(ValidationError) as excinfo:
            services.commitment_update(
                actor=world.corp_editor, commitment=commitment, version=commitment.version, text="x"
            )
        assert "afgerond" in messages(excinfo)


# --- signing ----------------------------------------------------------------------------


class TestSigning:
    def test_each_party_signs_for_itself(self, world):
        agreement = make_agreement(world)
        transition(world, agreement, "onderhandeling")
        party = services.agreement_sign(actor=world.tenant_rep, agreement=agreement)
        assert party.organisation == world.huurders
        assert party.signed_by == world.tenant_rep and party.signed_at
        assert party.history.first().history_change_reason == "getekend"
        assert party.history.first().history_user == world.tenant_rep

    def test_org_admin_may_sign_for_the_corporation(self, world):
        agreement = make_agreement(world)
        transition(world, agreement, "onderhandeling")
        party = services.agreement_sign(actor=world.org_admin, agreement=agreement)
        assert party.organisation == world.corporatie

    def test_second_signature_by_the_same_party(self, world):
        agreement = make_agreement(world)
        transition(world, agreement, "onderhandeling")
        services.agreement_sign(actor=world.corp_editor, agreement=agreement)
        before = signatures(agreement)
        with pytest.raises(ValidationError) as excinfo:
            services.agreement_sign(actor=world.org_admin, agreement=agreement)
        assert "Woningcorporatie Velserduin heeft deze afspraak al getekend" in messages(excinfo)
        assert signatures(agreement) == before
        agreement.refresh_from_db()
        assert agreement.status == Agreement.Status.ONDERHANDELING

    @pytest.mark.parametrize("persona", ["partner_reader", "outsider", "platform_admin"])
    def test_readers_outsiders_and_platform_admins_do_not_sign(self, world, persona):
        agreement = make_agreement(world)
        transition(world, agreement, "onderhandeling")
        before = signatures(agreement)
        with pytest.raises(PermissionDenied):
            services.agreement_sign(actor=world.users[persona], agreement=agreement)
        assert signatures(agreement) == before

    def test_only_in_negotiation(self, world):
        agreement = make_agreement(world)
        with pytest.raises(ValidationError) as excinfo:
            services.agreement_sign(actor=world.corp_editor, agreement=agreement)
        assert "in onderhandeling" in messages(excinfo)

    def test_last_signature_signs_the_agreement_and_tells_everyone(
        self, world, django_capture_on_commit_callbacks
    ):
        agreement = make_agreement(world)
        transition(world, agreement, "onderhandeling")
        services.agreement_sign(actor=world.corp_editor, agreement=agreement)
        services.agreement_sign(actor=world.gemeente_reviewer, agreement=agreement)
        services.agreement_sign(actor=world.tenant_rep, agreement=agreement)
        agreement.refresh_from_db()
        assert agreement.status == Agreement.Status.ONDERHANDELING
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.agreement_sign(actor=partner_editor(world), agreement=agreement)
        agreement.refresh_from_db()
        assert agreement.status == Agreement.Status.ONDERTEKEND
        assert agreement.history.first().history_user == world.partner_editor
        assert Notification.objects.filter(recipient=world.tenant_rep, kind="agreement_signed").exists()
        assert "tenant.rep@example.nl" in {m.to[0] for m in mail.outbox}

    def test_someone_in_two_parties_chooses(self, world):
        agreement = make_agreement(world)
        transition(world, agreement, "onderhandeling")
        both = factories.member(world.corporatie, role=Role.BEWERKER)
        factories.member(world.huurders, role=Role.BEWERKER, user=both)
        with pytest.raises(ValidationError) as excinfo:
            services.agreement_sign(actor=both, agreement=agreement)
        assert "meerdere partijen" in messages(excinfo)
        tenants = agreement.parties.get(role="huurders")
        party = services.agreement_sign(actor=both, agreement=agreement, party=tenants)
        assert party.organisation == world.huurders
        gemeente = agreement.parties.get(role="gemeente")
        with pytest.raises(PermissionDenied):
            services.agreement_sign(actor=both, agreement=agreement, party=gemeente)

    def test_content_change_in_negotiation_withdraws_signatures(self, world):
        agreement = make_agreement(world)
        transition(world, agreement, "onderhandeling")
        services.agreement_sign(actor=world.tenant_rep, agreement=agreement)
        add_commitment(world, agreement, text="Nieuwe afspraak")
        tenants = agreement.parties.get(role="huurders")
        assert tenants.signed_at is None
        assert "vervallen" in tenants.history.first().history_change_reason


# --- monitoring -------------------------------------------------------------------------


def draft(world, commitment, actor=None, year=2025, **kwargs):
    data = {"realised_value": Decimal("40"), "progress": "op_koers", "explanation": "Twee projecten gestart."}
    data.update(kwargs)
    return services.report_save_draft(
        actor=actor or world.corp_editor, commitment=commitment, year=year, **data
    )


def report_state(report):
    return (
        MonitoringReport.objects.filter(pk=report.pk).values_list("state", "version", "review_comment").get()
    )


class TestReporting:
    @pytest.mark.parametrize("persona", ["corp_editor", "org_admin"])
    def test_responsible_party_reports(self, world, persona):
        _agreement, (commitment,) = signed_agreement(world)
        report = draft(world, commitment, actor=world.users[persona])
        assert report.state == MonitoringReport.State.DRAFT
        record = report.history.first()
        assert record.history_user == world.users[persona]
        assert record.history_change_reason == "concept opgeslagen"

    @pytest.mark.parametrize(
        "persona", ["gemeente_reviewer", "tenant_rep", "partner_reader", "outsider", "platform_admin"]
    )
    def test_report_from_a_party_that_is_not_responsible(self, world, persona):
        _agreement, (commitment,) = signed_agreement(world)
        with pytest.raises(PermissionDenied) as excinfo:
            draft(world, commitment, actor=world.users[persona])
        if persona != "outsider":
            assert "Alleen de verantwoordelijke partij (Woningcorporatie Velserduin)" in messages(excinfo)
        assert not MonitoringReport.objects.exists()

    def test_agreement_must_be_signed(self, world):
        agreement = make_agreement(world)
        commitment = add_commitment(world, agreement)
        with pytest.raises(ValidationError) as excinfo:
            draft(world, commitment)
        assert "ondertekende prestatieafspraak" in messages(excinfo)

    def test_year_within_period(self, world):
        _agreement, (commitment,) = signed_agreement(world)
        with pytest.raises(ValidationError) as excinfo:
            draft(world, commitment, year=2024)
        assert "binnen de looptijd" in messages(excinfo)

    def test_update_needs_current_version(self, world):
        _agreement, (commitment,) = signed_agreement(world)
        report = draft(world, commitment)
        report = draft(world, commitment, version=report.version, realised_value=Decimal("50"))
        assert report.realised_value == Decimal("50") and report.version == 2
        with pytest.raises(ConflictError):
            draft(world, commitment, version=1, realised_value=Decimal("60"))
        assert report_state(report)[1] == 2

    def test_submit_notifies_the_gemeente(self, world, django_capture_on_commit_callbacks):
        _agreement, (commitment,) = signed_agreement(world)
        report = draft(world, commitment)
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            report = services.report_submit(actor=world.corp_editor, report=report, version=report.version)
        assert report.state == MonitoringReport.State.SUBMITTED and report.submitted_by == world.corp_editor
        assert Notification.objects.filter(
            recipient=world.gemeente_reviewer, kind="report_submitted"
        ).exists()
        assert {m.to[0] for m in mail.outbox} == {"gemeente.reviewer@example.nl"}
        assert report.history.first().history_change_reason == "ingediend"

    def test_submitted_report_cannot_change(self, world):
        _agreement, (commitment,) = signed_agreement(world)
        report = draft(world, commitment)
        report = services.report_submit(actor=world.corp_editor, report=report)
        with pytest.raises(ValidationError) as excinfo:
            draft(world, commitment, version=report.version, realised_value=Decimal("1"))
        assert "ingediend en kan niet meer worden gewijzigd" in messages(excinfo)
        with pytest.raises(ValidationError):
            services.report_submit(actor=world.corp_editor, report=report)

    def test_tenant_may_not_submit(self, world):
        _agreement, (commitment,) = signed_agreement(world)
        report = draft(world, commitment)
        with pytest.raises(PermissionDenied):
            services.report_submit(actor=world.tenant_rep, report=report)
        assert report_state(report)[0] == MonitoringReport.State.DRAFT


class TestReview:
    @pytest.fixture
    def submitted(self, world):
        _agreement, (commitment,) = signed_agreement(world)
        report = draft(world, commitment)
        return services.report_submit(actor=world.corp_editor, report=report)

    def test_gemeente_approves(self, world, submitted, django_capture_on_commit_callbacks):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            report = services.report_approve(actor=world.gemeente_reviewer, report=submitted, comment="Prima")
        assert report.state == MonitoringReport.State.APPROVED
        assert report.reviewed_by == world.gemeente_reviewer and report.review_comment == "Prima"
        assert report.history.first().history_user == world.gemeente_reviewer
        assert report.history.first().history_change_reason == "goedgekeurd"
        assert Notification.objects.filter(recipient=world.corp_editor, kind="report_goedgekeurd").exists()
        assert {"corp.editor@example.nl", "org.admin@example.nl"} <= {m.to[0] for m in mail.outbox}

    def test_gemeente_beheerder_may_review(self, world, submitted):
        beheerder = factories.member(world.gemeente, role=Role.BEHEERDER)
        assert services.report_approve(actor=beheerder, report=submitted).state == "goedgekeurd"

    @pytest.mark.parametrize(
        "persona", ["corp_editor", "org_admin", "tenant_rep", "partner_reader", "platform_admin"]
    )
    def test_approval_by_someone_not_of_the_gemeente(self, world, submitted, persona):
        before = report_state(submitted)
        with pytest.raises(PermissionDenied) as excinfo:
            services.report_approve(actor=world.users[persona], report=submitted)
        assert "Alleen de gemeente (Gemeente Velsen) keurt monitoring goed" in messages(excinfo)
        assert report_state(submitted) == before

    def test_outsider_gemeente_may_not_review(self, world, submitted):
        before = report_state(submitted)
        with pytest.raises(PermissionDenied):
            services.report_approve(actor=world.outsider, report=submitted)
        with pytest.raises(PermissionDenied):
            services.report_return(actor=world.outsider, report=submitted, comment="Nee")
        assert report_state(submitted) == before

    def test_gemeente_lezer_may_not_review(self, world, submitted):
        reader = factories.member(world.gemeente, role=Role.LEZER)
        with pytest.raises(PermissionDenied):
            services.report_approve(actor=reader, report=submitted)

    def test_return_needs_a_comment(self, world, submitted):
        before = report_state(submitted)
        with pytest.raises(ValidationError) as excinfo:
            services.report_return(actor=world.gemeente_reviewer, report=submitted, comment=" ")
        assert "Schrijf erbij wat er aan de monitoring moet veranderen" in messages(excinfo)
        assert report_state(submitted) == before

    def test_return_then_revise_and_resubmit(self, world, submitted):
        report = services.report_return(
            actor=world.gemeente_reviewer, report=submitted, comment="Graag de aantallen per wijk."
        )
        assert report.state == MonitoringReport.State.RETURNED
        assert Notification.objects.filter(recipient=world.corp_editor, kind="report_teruggestuurd").exists()
        report = draft(world, report.commitment, version=report.version, explanation="Per wijk: ...")
        report = services.report_submit(actor=world.corp_editor, report=report)
        assert report.state == MonitoringReport.State.SUBMITTED
        reasons = list(report.history.values_list("history_change_reason", flat=True))
        assert reasons[:4] == ["ingediend", "concept gewijzigd", "teruggestuurd", "ingediend"]

    def test_only_submitted_reports(self, world):
        _agreement, (commitment,) = signed_agreement(world)
        report = draft(world, commitment)
        with pytest.raises(ValidationError) as excinfo:
            services.report_approve(actor=world.gemeente_reviewer, report=report)
        assert "Alleen ingediende monitoring" in messages(excinfo)
        assert report_state(report)[0] == MonitoringReport.State.DRAFT

    def test_approved_report_is_final(self, world, submitted):
        report = services.report_approve(actor=world.gemeente_reviewer, report=submitted)
        with pytest.raises(ValidationError):
            services.report_return(actor=world.gemeente_reviewer, report=report, comment="Toch niet")
        with pytest.raises(ValidationError):
            draft(world, report.commitment, version=report.version)


class TestComments:
    @pytest.fixture
    def report(self, world):
        _agreement, (commitment,) = signed_agreement(world)
        return services.report_submit(actor=world.corp_editor, report=draft(world, commitment))

    @pytest.mark.parametrize(
        "persona, org",
        [
            ("tenant_rep", "huurders"),
            ("gemeente_reviewer", "gemeente"),
            ("corp_editor", "corporatie"),
            ("org_admin", "corporatie"),
        ],
    )
    def test_party_editors_comment(self, world, report, persona, org):
        comment = services.report_comment(actor=world.users[persona], report=report, text="Mooi resultaat")
        assert comment.organisation == world.orgs[org] and comment.author == world.users[persona]

    def test_tenant_lezer_may_comment(self, world, report):
        reader = factories.member(world.huurders, role=Role.LEZER)
        comment = services.report_comment(actor=reader, report=report, text="Wij zien het ook zo")
        assert comment.organisation == world.huurders

    @pytest.mark.parametrize("persona", ["partner_reader", "outsider", "platform_admin"])
    def test_others_may_not_comment(self, world, report, persona):
        with pytest.raises(PermissionDenied):
            services.report_comment(actor=world.users[persona], report=report, text="Hallo")
        assert not MonitoringComment.objects.exists()

    def test_text_required(self, world, report):
        with pytest.raises(ValidationError):
            services.report_comment(actor=world.tenant_rep, report=report, text="")

    def test_responsible_party_hears_of_it(self, world, report):
        services.report_comment(actor=world.tenant_rep, report=report, text="Vraag over de aantallen")
        assert Notification.objects.filter(recipient=world.corp_editor, kind="report_comment").exists()
        assert not Notification.objects.filter(recipient=world.tenant_rep, kind="report_comment").exists()


class TestTenantsAndPartners:
    """restrict(): tenants read but cannot change; the outsider sees nothing."""

    def test_visibility(self, world):
        agreement, (commitment,) = signed_agreement(world)
        report = draft(world, commitment)
        for persona in (
            "corp_editor",
            "org_admin",
            "gemeente_reviewer",
            "tenant_rep",
            "partner_reader",
            "platform_admin",
        ):
            user = world.users[persona]
            assert Agreement.objects.restrict(user, "view").filter(pk=agreement.pk).exists(), persona
            assert MonitoringReport.objects.restrict(user, "view").filter(pk=report.pk).exists(), persona
        for model, obj in ((Agreement, agreement), (MonitoringReport, report)):
            assert not model.objects.restrict(world.outsider, "view").filter(pk=obj.pk).exists()
        for persona in ("tenant_rep", "partner_reader"):
            user = world.users[persona]
            assert not Agreement.objects.restrict(user, "change").exists()
            assert not MonitoringReport.objects.restrict(user, "change").exists()
            assert not type(commitment).objects.restrict(user, "change").exists()

    def test_tenant_cannot_change_anything(self, world):
        agreement, (commitment,) = signed_agreement(world)
        services.amendment_open(
            actor=world.corp_editor, agreement=agreement, year=2026, reason="Actualisatie"
        )
        agreement.refresh_from_db()
        with pytest.raises(PermissionDenied):
            services.agreement_update(
                actor=world.tenant_rep, agreement=agreement, version=agreement.version, title="x"
            )
        with pytest.raises(PermissionDenied):
            services.commitment_update(
                actor=world.tenant_rep, commitment=commitment, version=commitment.version, text="x"
            )
        commitment.refresh_from_db()
        assert commitment.text == "Bouw van sociale huurwoningen"

    def test_second_agreement_of_other_gemeente_is_invisible(self, world):
        signed_agreement(world)
        haarlem_corp = factories.organisation(name="Haarlemse Woonstichting", gemeente_code="GM0392")
        haarlem_tenants = factories.organisation(
            name="Huurders Haarlem", kind="huurdersorganisatie", gemeente_code="GM0392"
        )
        other = services.agreement_create(
            actor=world.outsider,
            title="Afspraken Haarlem",
            gemeente_code="GM0392",
            start_year=2025,
            end_year=2026,
            parties=[(world.other_gemeente, ""), (haarlem_corp, ""), (haarlem_tenants, "")],
        )
        assert list(Agreement.objects.restrict(world.outsider, "view")) == [other]
        assert other not in Agreement.objects.restrict(world.corp_editor, "view")


# --- who may do what: one table ---------------------------------------------------------


def _submitted_report(world):
    _agreement, (commitment,) = signed_agreement(world)
    return services.report_submit(actor=world.corp_editor, report=draft(world, commitment))


def _in_negotiation(world):
    agreement = make_agreement(world)
    transition(world, agreement, "onderhandeling")
    return agreement


WORKFLOW = {
    "create": (
        lambda w, actor: make_agreement(w, actor=actor),
        {"org_admin", "platform_admin"},
    ),
    "edit": (
        lambda w, actor: (
            lambda a: services.agreement_update(actor=actor, agreement=a, version=a.version, title="Nieuw")
        )(make_agreement(w)),
        {"corp_editor", "org_admin", "gemeente_reviewer", "platform_admin"},
    ),
    "transition": (
        lambda w, actor: transition(w, make_agreement(w), "onderhandeling", actor=actor),
        {"org_admin", "platform_admin"},
    ),
    "sign": (
        lambda w, actor: services.agreement_sign(actor=actor, agreement=_in_negotiation(w)),
        {"corp_editor", "org_admin", "gemeente_reviewer", "tenant_rep"},
    ),
    "report": (
        lambda w, actor: draft(w, signed_agreement(w)[1][0], actor=actor),
        {"corp_editor", "org_admin"},
    ),
    "approve": (
        lambda w, actor: services.report_approve(actor=actor, report=_submitted_report(w)),
        {"gemeente_reviewer"},
    ),
    "return": (
        lambda w, actor: services.report_return(
            actor=actor, report=_submitted_report(w), comment="Graag per wijk"
        ),
        {"gemeente_reviewer"},
    ),
    "comment": (
        lambda w, actor: services.report_comment(actor=actor, report=_submitted_report(w), text="Goed zo"),
        {"corp_editor", "org_admin", "gemeente_reviewer", "tenant_rep"},
    ),
    "dispute": (
        lambda w, actor: services.commitment_dispute(
            actor=actor, commitment=signed_agreement(w)[1][0], note="Niet haalbaar"
        ),
        {"corp_editor", "org_admin", "gemeente_reviewer", "tenant_rep"},
    ),
}
PERSONAS = (
    "corp_editor",
    "org_admin",
    "gemeente_reviewer",
    "tenant_rep",
    "partner_reader",
    "outsider",
    "platform_admin",
)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", list(WORKFLOW))
def test_who_may_do_what(world, action, persona):
    """The workflow table: each persona either succeeds or gets a Dutch refusal."""
    do, allowed = WORKFLOW[action]
    actor = world.users[persona]
    if persona in allowed:
        assert do(world, actor) is not None
    else:
        with pytest.raises(PermissionDenied) as excinfo:
            do(world, actor)
        assert messages(excinfo)


def test_agreement_edit_through_amendment_is_recorded(world):
    agreement, _ = signed_agreement(world)
    services.amendment_open(
        actor=world.gemeente_reviewer, agreement=agreement, year=2027, reason="Nieuwe titel"
    )
    agreement.refresh_from_db()
    services.agreement_update(
        actor=world.gemeente_reviewer,
        agreement=agreement,
        version=agreement.version,
        title="Velsen 2025–2028",
    )
    record = agreement.history.first()
    assert record.title == "Velsen 2025–2028" and record.history_user == world.gemeente_reviewer
    assert record.history_change_reason == "gewijzigd (via wijziging 2027: Nieuwe titel)"


def test_long_amendment_reason_fits_the_history(world):
    agreement, (commitment,) = signed_agreement(world)
    reason = "Actualisatie na de woonvisie, de nieuwe taakstelling en het bod van de corporatie. " * 4
    services.amendment_open(actor=world.corp_editor, agreement=agreement, year=2026, reason=reason)
    commitment = services.commitment_update(
        actor=world.corp_editor, commitment=commitment, version=commitment.version, text="Bijgesteld"
    )
    recorded = commitment.history.first().history_change_reason
    assert recorded.startswith("afspraak gewijzigd (via wijziging 2026: Actualisatie")
    assert len(recorded) == 100 and recorded.endswith("…")


def test_not_finished_while_reports_wait_for_review(world):
    agreement, (commitment,) = signed_agreement(world)
    report = services.report_submit(actor=world.corp_editor, report=draft(world, commitment))
    with pytest.raises(ValidationError) as excinfo:
        transition(world, agreement, "afgerond")
    assert "1 monitoringrapportage(s) op beoordeling" in messages(excinfo)
    services.report_approve(actor=world.gemeente_reviewer, report=report)
    assert transition(world, agreement, "afgerond").status == Agreement.Status.AFGEROND
    with pytest.raises(ValidationError):
        draft(world, commitment, year=2026)


def test_withdrawn_signature_is_announced(world, django_capture_on_commit_callbacks):
    agreement = make_agreement(world)
    transition(world, agreement, "onderhandeling")
    services.agreement_sign(actor=world.tenant_rep, agreement=agreement)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        add_commitment(world, agreement, text="Nog een afspraak")
    assert Notification.objects.filter(recipient=world.tenant_rep, kind="signature_withdrawn").exists()
    assert {m.to[0] for m in mail.outbox} == {"tenant.rep@example.nl"}
