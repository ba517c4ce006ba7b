"""Services for agreements, parties, amendments, the bod and commitments: who may do
what, the Dutch messages, nothing half-saved, stale edits, and the history they leave.

The builders at the top (``make_agreement``, ``sign_all``, ...) are shared by the other
test modules of this app.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from agreements import services
from agreements.models import Agreement, AgreementParty, Amendment, Bod, Commitment, PartyRole, Theme
from core.exceptions import ConflictError
from organisations.models import Role
from tests import factories

PERSONAS = ("corp_editor", "org_admin", "gemeente_reviewer", "tenant_rep", "partner_reader", "outsider")


def messages(excinfo):
    value = excinfo.value
    if isinstance(value, ValidationError):
        return " ".join(value.messages)
    return str(value)


def partner_editor(world):
    """A bewerker of the welzijn partner, so the partner can sign."""
    if "partner_editor" not in world.users:
        world.users["partner_editor"] = factories.member(
            world.partner, role=Role.BEWERKER, email="partner.editor@example.nl"
        )
    return world.users["partner_editor"]


def make_agreement(world, *, with_partner=True, actor=None, title="Prestatieafspraken Velsen 2025–2028"):
    parties = [(world.gemeente, "gemeente"), (world.corporatie, "corporatie"), (world.huurders, "huurders")]
    if with_partner:
        parties.append((world.partner, "zorgpartner"))
    return services.agreement_create(
        actor=actor or world.org_admin,
        title=title,
        gemeente_code="GM0453",
        start_year=2025,
        end_year=2028,
        parties=parties,
    )


def add_commitment(world, agreement, actor=None, **kwargs):
    data = {
        "theme": Theme.BESCHIKBAARHEID,
        "text": "Bouw van sociale huurwoningen",
        "responsible": world.corporatie,
        "target_value": Decimal("150"),
        "target_unit": "sociale huurwoningen",
        "target_year": 2027,
    }
    data.update(kwargs)
    return services.commitment_create(actor=actor or world.corp_editor, agreement=agreement, **data)


def to_negotiation(world, agreement):
    agreement.refresh_from_db()
    return services.agreement_transition(
        actor=world.org_admin, agreement=agreement, to_status="onderhandeling", version=agreement.version
    )


def sign_all(world, agreement):
    """Sign for every party; the last signature makes the agreement ondertekend."""
    signers = {
        "gemeente": world.gemeente_reviewer,
        "corporatie": world.corp_editor,
        "huurders": world.tenant_rep,
    }
    for party in agreement.parties.select_related("organisation"):
        actor = signers.get(party.role) or partner_editor(world)
        services.agreement_sign(actor=actor, agreement=agreement)
    agreement.refresh_from_db()
    return agreement


def signed_agreement(world, commitments=1, **kwargs):
    agreement = make_agreement(world, **kwargs)
    made = [add_commitment(world, agreement, number=f"1.{i + 1}") for i in range(commitments)]
    to_negotiation(world, agreement)
    sign_all(world, agreement)
    assert agreement.status == Agreement.Status.ONDERTEKEND
    return agreement, made


def pdf_file(name="afspraken.pdf", content=b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# --- agreement_create -------------------------------------------------------------------


class TestAgreementCreate:
    def test_corporation_beheerder_drafts_with_parties(self, world):
        agreement = make_agreement(world)
        assert agreement.status == Agreement.Status.CONCEPT
        assert agreement.created_by == world.org_admin
        roles = dict(agreement.parties.values_list("organisation__name", "role"))
        assert roles == {
            "Gemeente Velsen": "gemeente",
            "Woningcorporatie Velserduin": "corporatie",
            "Huurdersvereniging Velsen": "huurders",
            "Stichting Welzijn IJmond": "zorgpartner",
        }
        record = agreement.history.first()
        assert record.history_user == world.org_admin
        assert record.history_type == "+"

    def test_gemeente_beheerder_may_draft(self, world):
        beheerder = factories.member(world.gemeente, role=Role.BEHEERDER)
        assert make_agreement(world, actor=beheerder).pk

    def test_platform_admin_may_draft(self, world):
        assert make_agreement(world, actor=world.platform_admin).pk

    def test_roles_follow_kind_when_empty(self, world):
        agreement = services.agreement_create(
            actor=world.org_admin,
            title="Afspraken",
            gemeente_code="gm0453",
            start_year=2025,
            end_year=2026,
            parties=[(world.gemeente, ""), (world.corporatie, None), (world.huurders, "")],
        )
        assert agreement.gemeente_code == "GM0453"
        assert set(agreement.parties.values_list("role", flat=True)) == {"gemeente", "corporatie", "huurders"}

    @pytest.mark.parametrize(
        "persona", ["corp_editor", "gemeente_reviewer", "tenant_rep", "partner_reader", "outsider"]
    )
    def test_others_may_not_draft(self, world, persona):
        with pytest.raises(PermissionDenied) as excinfo:
            make_agreement(world, actor=world.users[persona])
        assert "beheerder" in messages(excinfo)
        assert not Agreement.objects.exists()

    def test_beheerder_of_a_non_party_may_not_draft(self, world):
        # The outsider is beheerder of Gemeente Haarlem, which is not among the parties.
        with pytest.raises(PermissionDenied):
            make_agreement(world, actor=world.outsider)

    @pytest.mark.parametrize(
        "parties, expected",
        [
            (lambda w: [(w.corporatie, "corporatie"), (w.huurders, "huurders")], "precies één gemeente"),
            (
                lambda w: [
                    (w.gemeente, "gemeente"),
                    (w.other_gemeente, "gemeente"),
                    (w.corporatie, "corporatie"),
                ],
                "precies één gemeente",
            ),
            (lambda w: [(w.gemeente, "gemeente"), (w.huurders, "huurders")], "minstens één woningcorporatie"),
            (
                lambda w: [(w.gemeente, "gemeente"), (w.corporatie, "corporatie")],
                "minstens één huurdersorganisatie",
            ),
            (
                lambda w: [(w.gemeente, "gemeente"), (w.corporatie, "huurders"), (w.huurders, "huurders")],
                "kan alleen partij zijn als woningcorporatie",
            ),
            (
                lambda w: [
                    (w.gemeente, "gemeente"),
                    (w.corporatie, "corporatie"),
                    (w.huurders, "huurders"),
                    (w.corporatie, "corporatie"),
                ],
                "twee keer",
            ),
        ],
    )
    def test_parties_must_be_complete_and_fit(self, world, parties, expected):
        with pytest.raises(ValidationError) as excinfo:
            services.agreement_create(
                actor=world.platform_admin,
                title="X",
                gemeente_code="GM0453",
                start_year=2025,
                end_year=2028,
                parties=parties(world),
            )
        assert expected in messages(excinfo)
        assert not Agreement.objects.exists()
        assert not AgreementParty.objects.exists()

    def test_gemeente_must_match_code(self, world):
        with pytest.raises(ValidationError) as excinfo:
            services.agreement_create(
                actor=world.platform_admin,
                title="X",
                gemeente_code="GM0392",
                start_year=2025,
                end_year=2028,
                parties=[(world.gemeente, "gemeente"), (world.corporatie, ""), (world.huurders, "")],
            )
        assert "hoort niet bij gemeentecode GM0392" in messages(excinfo)

    @pytest.mark.parametrize(
        "start, end, expected",
        [
            (2028, 2025, "niet vóór het eerste jaar"),
            (2025, 2035, "hoogstens 10 jaar"),
            (2025, None, "looptijd"),
        ],
    )
    def test_period(self, world, start, end, expected):
        with pytest.raises(ValidationError) as excinfo:
            services.agreement_create(
                actor=world.org_admin,
                title="X",
                gemeente_code="GM0453",
                start_year=start,
                end_year=end,
                parties=[(world.gemeente, ""), (world.corporatie, ""), (world.huurders, "")],
            )
        assert expected in messages(excinfo)
        assert not Agreement.objects.exists()

    def test_bad_gemeente_code(self, world):
        with pytest.raises(ValidationError) as excinfo:
            services.agreement_create(
                actor=world.org_admin,
                title="X",
                gemeente_code="Velsen",
                start_year=2025,
                end_year=2028,
                parties=[(world.gemeente, ""), (world.corporatie, ""), (world.huurders, "")],
            )
        assert "GM gevolgd door vier cijfers" in messages(excinfo)


# --- agreement_update, parties ----------------------------------------------------------


class TestAgreementUpdate:
    def test_editors_of_gemeente_and_corporation_may_update(self, world):
        agreement = make_agreement(world)
        agreement = services.agreement_update(
            actor=world.gemeente_reviewer,
            agreement=agreement,
            version=agreement.version,
            title="Nieuwe titel",
        )
        agreement = services.agreement_update(
            actor=world.corp_editor, agreement=agreement, version=agreement.version, summary="Samen verder"
        )
        agreement.refresh_from_db()
        assert (agreement.title, agreement.summary, agreement.version) == ("Nieuwe titel", "Samen verder", 3)
        assert agreement.history.first().history_user == world.corp_editor

    @pytest.mark.parametrize("persona", ["tenant_rep", "partner_reader", "outsider"])
    def test_tenants_partners_and_outsiders_may_not(self, world, persona):
        agreement = make_agreement(world)
        with pytest.raises(PermissionDenied):
            services.agreement_update(
                actor=world.users[persona], agreement=agreement, version=agreement.version, title="Anders"
            )
        agreement.refresh_from_db()
        assert agreement.title == "Prestatieafspraken Velsen 2025–2028"

    def test_stale_version_is_refused(self, world):
        agreement = make_agreement(world)
        stale = agreement.version
        services.agreement_update(actor=world.corp_editor, agreement=agreement, version=stale, title="Eerste")
        with pytest.raises(ConflictError):
            services.agreement_update(
                actor=world.gemeente_reviewer, agreement=agreement, version=stale, title="Tweede"
            )
        agreement.refresh_from_db()
        assert agreement.title == "Eerste"

    def test_unknown_field(self, world):
        agreement = make_agreement(world)
        with pytest.raises(ValidationError):
            services.agreement_update(
                actor=world.corp_editor, agreement=agreement, version=agreement.version, status="afgerond"
            )

    def test_period_cannot_leave_targets_outside(self, world):
        agreement = make_agreement(world)
        add_commitment(world, agreement, target_year=2028)
        agreement.refresh_from_db()
        with pytest.raises(ValidationError) as excinfo:
            services.agreement_update(
                actor=world.corp_editor, agreement=agreement, version=agreement.version, end_year=2027
            )
        assert "streefjaar buiten de nieuwe looptijd" in messages(excinfo)

    def test_party_add_and_remove(self, world):
        agreement = make_agreement(world, with_partner=False)
        party = services.party_add(actor=world.corp_editor, agreement=agreement, organisation=world.partner)
        assert party.role == PartyRole.ZORGPARTNER
        services.party_remove(actor=world.corp_editor, party=party)
        assert not agreement.parties.filter(organisation=world.partner).exists()

    def test_last_tenants_party_cannot_be_removed(self, world):
        agreement = make_agreement(world)
        tenants = agreement.parties.get(role="huurders")
        with pytest.raises(ValidationError) as excinfo:
            services.party_remove(actor=world.corp_editor, party=tenants)
        assert "huurdersorganisatie" in messages(excinfo)
        assert agreement.parties.filter(pk=tenants.pk).exists()

    def test_responsible_party_cannot_be_removed(self, world):
        agreement = make_agreement(world)
        add_commitment(
            world, agreement, responsible=world.partner, target_value=None, target_unit="", target_year=None
        )
        with pytest.raises(ValidationError) as excinfo:
            services.party_remove(actor=world.corp_editor, party=agreement.parties.get(role="zorgpartner"))
        assert "verantwoordelijk" in messages(excinfo)

    def test_no_parties_change_after_signing(self, world):
        agreement, _ = signed_agreement(world)
        with pytest.raises(ValidationError):
            services.party_add(
                actor=world.corp_editor, agreement=agreement, organisation=world.other_gemeente
            )


# --- commitments ------------------------------------------------------------------------


class TestCommitments:
    def test_create_with_target(self, world):
        agreement = make_agreement(world)
        commitment = add_commitment(world, agreement)
        assert commitment.is_quantitative
        assert commitment.history.first().history_user == world.corp_editor

    def test_qualitative(self, world):
        agreement = make_agreement(world)
        commitment = add_commitment(
            world,
            agreement,
            theme=Theme.LEEFBAARHEID,
            text="Buurtbeheer samen met de huurders",
            target_value=None,
            target_unit="",
            target_year=None,
        )
        assert not commitment.is_quantitative

    @pytest.mark.parametrize("persona", ["gemeente_reviewer", "org_admin", "corp_editor"])
    def test_gemeente_and_corporation_editors_may_add(self, world, persona):
        agreement = make_agreement(world)
        assert add_commitment(world, agreement, actor=world.users[persona]).pk

    @pytest.mark.parametrize("persona", ["tenant_rep", "partner_reader", "outsider"])
    def test_others_may_not_add(self, world, persona):
        agreement = make_agreement(world)
        with pytest.raises(PermissionDenied):
            add_commitment(world, agreement, actor=world.users[persona])
        assert not Commitment.objects.exists()

    def test_target_without_unit(self, world):
        agreement = make_agreement(world)
        with pytest.raises(ValidationError) as excinfo:
            add_commitment(world, agreement, target_unit="")
        assert "Een streefwaarde heeft een eenheid en een jaar nodig" in messages(excinfo)
        assert not Commitment.objects.exists()

    def test_target_without_year(self, world):
        agreement = make_agreement(world)
        with pytest.raises(ValidationError) as excinfo:
            add_commitment(world, agreement, target_year=None)
        assert "Een streefwaarde heeft een eenheid en een jaar nodig" in messages(excinfo)

    def test_target_year_within_period(self, world):
        agreement = make_agreement(world)
        with pytest.raises(ValidationError) as excinfo:
            add_commitment(world, agreement, target_year=2031)
        assert "binnen de looptijd (2025–2028)" in messages(excinfo)

    def test_responsible_must_be_a_party(self, world):
        agreement = make_agreement(world)
        with pytest.raises(ValidationError) as excinfo:
            add_commitment(world, agreement, responsible=world.other_gemeente)
        assert "partij van de prestatieafspraak" in messages(excinfo)

    def test_areas_must_lie_in_the_gemeente(self, world):
        from areas.models import Area

        agreement = make_agreement(world)
        inside = Area.objects.create(
            year=2022, kind="buurt", code="BU04530000", name="IJmuiden-Noord", gemeente_code="GM0453"
        )
        outside = Area.objects.create(
            year=2022, kind="buurt", code="BU03920000", name="Haarlem-Centrum", gemeente_code="GM0392"
        )
        commitment = add_commitment(world, agreement, areas=[inside])
        assert list(commitment.areas.all()) == [inside]
        with pytest.raises(ValidationError) as excinfo:
            add_commitment(world, agreement, areas=[inside, outside])
        assert "Haarlem-Centrum" in messages(excinfo)
        assert Commitment.objects.count() == 1

    def test_update_and_stale_version(self, world):
        agreement = make_agreement(world)
        commitment = add_commitment(world, agreement)
        stale = commitment.version
        services.commitment_update(
            actor=world.corp_editor, commitment=commitment, version=stale, target_value=Decimal("160")
        )
        with pytest.raises(ConflictError):
            services.commitment_update(
                actor=world.gemeente_reviewer, commitment=commitment, version=stale, text="Anders"
            )
        commitment.refresh_from_db()
        assert commitment.target_value == Decimal("160")
        assert commitment.text == "Bouw van sociale huurwoningen"

    def test_update_target_without_unit(self, world):
        agreement = make_agreement(world)
        commitment = add_commitment(world, agreement)
        with pytest.raises(ValidationError) as excinfo:
            services.commitment_update(
                actor=world.corp_editor, commitment=commitment, version=commitment.version, target_unit=""
            )
        assert "Een streefwaarde heeft een eenheid en een jaar nodig" in messages(excinfo)
        commitment.refresh_from_db()
        assert commitment.target_unit == "sociale huurwoningen"

    def test_delete(self, world):
        agreement = make_agreement(world)
        commitment = add_commitment(world, agreement)
        services.commitment_delete(actor=world.gemeente_reviewer, commitment=commitment)
        assert not Commitment.objects.exists()
        assert (
            Commitment.history.filter(id=commitment.pk, history_type="-").get().history_user
            == world.gemeente_reviewer
        )

    def test_tenant_may_not_delete(self, world):
        agreement = make_agreement(world)
        commitment = add_commitment(world, agreement)
        with pytest.raises(PermissionDenied):
            services.commitment_delete(actor=world.tenant_rep, commitment=commitment)
        assert Commitment.objects.filter(pk=commitment.pk).exists()


# --- disputes ---------------------------------------------------------------------------


class TestDisputes:
    @pytest.mark.parametrize(
        "persona, org",
        [("tenant_rep", "huurders"), ("corp_editor", "corporatie"), ("gemeente_reviewer", "gemeente")],
    )
    def test_party_editors_may_dispute(self, world, persona, org):
        _agreement, (commitment,) = signed_agreement(world)
        commitment = services.commitment_dispute(
            actor=world.users[persona], commitment=commitment, note="Het aantal is niet haalbaar."
        )
        commitment.refresh_from_db()
        assert commitment.is_disputed
        assert commitment.disputed_by == world.orgs[org]
        record = commitment.history.first()
        assert record.history_user == world.users[persona]
        assert record.history_change_reason == "geschil gemeld"

    @pytest.mark.parametrize("persona", ["partner_reader", "outsider"])
    def test_readers_and_outsiders_may_not(self, world, persona):
        _agreement, (commitment,) = signed_agreement(world)
        with pytest.raises(PermissionDenied):
            services.commitment_dispute(actor=world.users[persona], commitment=commitment, note="Nee")
        commitment.refresh_from_db()
        assert not commitment.is_disputed

    def test_note_is_required(self, world):
        _agreement, (commitment,) = signed_agreement(world)
        with pytest.raises(ValidationError) as excinfo:
            services.commitment_dispute(actor=world.tenant_rep, commitment=commitment, note="  ")
        assert "Licht het geschil toe" in messages(excinfo)
        commitment.refresh_from_db()
        assert not commitment.is_disputed

    def test_resolve(self, world):
        _agreement, (commitment,) = signed_agreement(world)
        services.commitment_dispute(actor=world.tenant_rep, commitment=commitment, note="Te weinig")
        with pytest.raises(PermissionDenied):
            services.commitment_resolve_dispute(actor=world.partner_reader, commitment=commitment)
        services.commitment_resolve_dispute(
            actor=world.gemeente_reviewer, commitment=commitment, note="Besproken"
        )
        commitment.refresh_from_db()
        assert not commitment.is_disputed and commitment.disputed_by is None
        assert commitment.history.first().history_change_reason == "geschil opgelost: Besproken"


# --- the bod ----------------------------------------------------------------------------


def make_bod(world, year=2027, actor=None):
    return services.bod_create(
        actor=actor or world.corp_editor,
        corporation=world.corporatie,
        gemeente_code="GM0453",
        year=year,
        summary="Ons bod",
        recipients=[world.gemeente, world.huurders],
    )


class TestBod:
    def test_corporation_editors_create_and_submit(self, world, django_capture_on_commit_callbacks):
        from django.core import mail

        bod = make_bod(world)
        assert bod.status == Bod.Status.CONCEPT
        with django_capture_on_commit_callbacks(execute=True):
            bod = services.bod_submit(actor=world.org_admin, bod=bod)
        assert bod.status == Bod.Status.INGEDIEND and bod.submitted_by == world.org_admin
        recipients = {m.to[0] for m in mail.outbox}
        assert recipients == {"gemeente.reviewer@example.nl", "tenant.rep@example.nl"}
        from core.models import Notification

        assert Notification.objects.filter(recipient=world.gemeente_reviewer, kind="bod_submitted").exists()

    @pytest.mark.parametrize(
        "persona", ["gemeente_reviewer", "tenant_rep", "partner_reader", "outsider", "platform_admin"]
    )
    def test_others_may_not_create(self, world, persona):
        with pytest.raises(PermissionDenied):
            make_bod(world, actor=world.users[persona])
        assert not Bod.objects.exists()

    def test_recipients_must_be_gemeente_and_tenants_there(self, world):
        with pytest.raises(ValidationError) as excinfo:
            services.bod_create(
                actor=world.corp_editor,
                corporation=world.corporatie,
                gemeente_code="GM0453",
                year=2027,
                recipients=[world.other_gemeente, world.huurders],
            )
        assert "Gemeente Haarlem kan het bod niet ontvangen" in messages(excinfo)
        with pytest.raises(ValidationError) as excinfo:
            services.bod_create(
                actor=world.corp_editor,
                corporation=world.corporatie,
                gemeente_code="GM0453",
                year=2027,
                recipients=[world.gemeente],
            )
        assert "huurdersorganisatie" in messages(excinfo)

    def test_one_bod_per_year(self, world):
        make_bod(world)
        with pytest.raises(ValidationError) as excinfo:
            make_bod(world)
        assert "al een bod voor 2027" in messages(excinfo)

    def test_recipients_read_only_after_submission(self, world):
        bod = make_bod(world)
        assert not Bod.objects.restrict(world.gemeente_reviewer, "view").exists()
        services.bod_submit(actor=world.corp_editor, bod=bod)
        assert Bod.objects.restrict(world.gemeente_reviewer, "view").exists()
        assert Bod.objects.restrict(world.tenant_rep, "view").exists()
        assert not Bod.objects.restrict(world.tenant_rep, "change").exists()
        assert not Bod.objects.restrict(world.outsider, "view").exists()

    def test_late_submission_is_flagged(self, world):
        from django.utils import timezone

        this_year = timezone.localdate().year
        late = make_bod(world, year=this_year)  # due 1 July of last year
        early = make_bod(world, year=this_year + 2)  # due 1 July of next year
        assert services.bod_submit(actor=world.corp_editor, bod=late).submitted_late
        assert not services.bod_submit(actor=world.corp_editor, bod=early).submitted_late
        assert services.bod_due_date(early).isoformat() == f"{this_year + 1}-07-01"

    def test_gemeente_calendar_moves_the_deadline(self, world):
        from agreements.models import GemeenteCalendar

        GemeenteCalendar.objects.create(gemeente_code="GM0453", bod_month=6, bod_day=15)
        bod = make_bod(world, year=2027)
        assert services.bod_due_date(bod).isoformat() == "2026-06-15"

    def test_submitted_bod_cannot_change(self, world):
        bod = make_bod(world)
        services.bod_submit(actor=world.corp_editor, bod=bod)
        bod.refresh_from_db()
        with pytest.raises(ValidationError):
            services.bod_update(actor=world.corp_editor, bod=bod, version=bod.version, summary="Later")
        with pytest.raises(ValidationError):
            services.bod_submit(actor=world.corp_editor, bod=bod)

    def test_proposals_and_adoption(self, world):
        bod = make_bod(world, year=2026)
        proposal = services.commitment_create(
            actor=world.corp_editor,
            bod=bod,
            theme=Theme.KWALITEIT,
            text="200 woningen naar label B",
            responsible=world.corporatie,
            target_value=Decimal("200"),
            target_unit="woningen naar label B",
            target_year=2027,
        )
        agreement = make_agreement(world)
        with pytest.raises(PermissionDenied):  # a concept bod is the corporation's own
            services.commitment_adopt(actor=world.gemeente_reviewer, proposal=proposal, agreement=agreement)
        with pytest.raises(ValidationError) as excinfo:
            services.commitment_adopt(actor=world.org_admin, proposal=proposal, agreement=agreement)
        assert "pas worden overgenomen als het bod is ingediend" in messages(excinfo)
        services.bod_submit(actor=world.corp_editor, bod=bod)
        with pytest.raises(PermissionDenied):
            services.commitment_adopt(actor=world.tenant_rep, proposal=proposal, agreement=agreement)
        adopted = services.commitment_adopt(
            actor=world.gemeente_reviewer, proposal=proposal, agreement=agreement
        )
        assert adopted.adopted_from == proposal and adopted.agreement == agreement
        assert adopted.target_unit == "woningen naar label B"
        bod.refresh_from_db()
        assert bod.agreement == agreement
        with pytest.raises(ValidationError) as excinfo:
            services.commitment_adopt(actor=world.gemeente_reviewer, proposal=proposal, agreement=agreement)
        assert "al in deze prestatieafspraak overgenomen" in messages(excinfo)

    def test_proposal_only_in_concept_bod(self, world):
        bod = make_bod(world)
        services.bod_submit(actor=world.corp_editor, bod=bod)
        with pytest.raises(ValidationError):
            services.commitment_create(
                actor=world.corp_editor,
                bod=bod,
                theme=Theme.KWALITEIT,
                text="Iets",
                responsible=world.corporatie,
            )


# --- signed agreements and amendments ---------------------------------------------------


class TestSignedReadOnly:
    def test_edits_outside_an_amendment_are_refused(self, world):
        agreement, (commitment,) = signed_agreement(world)
        with pytest.raises(ValidationError) as excinfo:
            services.agreement_update(
                actor=world.corp_editor, agreement=agreement, version=agreement.version, title="Anders"
            )
        assert "alleen via een wijziging" in messages(excinfo)
        with pytest.raises(ValidationError) as excinfo:
            services.commitment_update(
                actor=world.corp_editor, commitment=commitment, version=commitment.version, text="Anders"
            )
        assert "alleen via een wijziging" in messages(excinfo)
        with pytest.raises(ValidationError):
            add_commitment(world, agreement)
        with pytest.raises(ValidationError):
            services.commitment_delete(actor=world.corp_editor, commitment=commitment)
        agreement.refresh_from_db()
        commitment.refresh_from_db()
        assert agreement.title == "Prestatieafspraken Velsen 2025–2028"
        assert commitment.text == "Bouw van sociale huurwoningen"
        assert Commitment.objects.count() == 1

    def test_edits_through_an_amendment_are_recorded(self, world):
        agreement, (commitment,) = signed_agreement(world)
        amendment = services.amendment_open(
            actor=world.gemeente_reviewer, agreement=agreement, year=2026, reason="Jaarlijkse actualisatie"
        )
        commitment = services.commitment_update(
            actor=world.corp_editor,
            commitment=commitment,
            version=commitment.version,
            target_value=Decimal("175"),
        )
        new = add_commitment(
            world,
            agreement,
            text="Extra flexwoningen",
            target_value=Decimal("30"),
            target_unit="flexwoningen",
        )
        assert commitment.amendment == amendment and new.amendment == amendment
        reason = commitment.history.first().history_change_reason
        assert "wijziging 2026" in reason and "Jaarlijkse actualisatie" in reason
        with pytest.raises(ValidationError) as excinfo:
            services.amendment_open(actor=world.corp_editor, agreement=agreement, year=2026, reason="Nog een")
        assert "al een wijziging open" in messages(excinfo)
        services.amendment_close(actor=world.corp_editor, amendment=amendment)
        amendment.refresh_from_db()
        assert amendment.status == Amendment.Status.VASTGESTELD and amendment.closed_at
        commitment.refresh_from_db()
        with pytest.raises(ValidationError):
            services.commitment_update(
                actor=world.corp_editor, commitment=commitment, version=commitment.version, text="Weer anders"
            )

    def test_amendment_only_for_signed(self, world):
        agreement = make_agreement(world)
        with pytest.raises(ValidationError) as excinfo:
            services.amendment_open(actor=world.corp_editor, agreement=agreement, year=2026, reason="x")
        assert "Alleen een ondertekende" in messages(excinfo)

    @pytest.mark.parametrize("persona", ["tenant_rep", "partner_reader", "outsider"])
    def test_amendment_by_others_refused(self, world, persona):
        agreement, _ = signed_agreement(world)
        with pytest.raises(PermissionDenied):
            services.amendment_open(actor=world.users[persona], agreement=agreement, year=2026, reason="x")
        assert not Amendment.objects.exists()

    def test_amendment_needs_reason_and_year_in_period(self, world):
        agreement, _ = signed_agreement(world)
        with pytest.raises(ValidationError):
            services.amendment_open(actor=world.corp_editor, agreement=agreement, year=2026, reason=" ")
        with pytest.raises(ValidationError):
            services.amendment_open(actor=world.corp_editor, agreement=agreement, year=2030, reason="x")


class TestDocument:
    def test_pdf_is_attached(self, world, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        agreement = make_agreement(world)
        agreement = services.agreement_attach_document(
            actor=world.corp_editor, agreement=agreement, file=pdf_file()
        )
        assert agreement.signed_document.name.endswith(".pdf")
        assert agreement.history.first().history_change_reason == "document toegevoegd"

    @pytest.mark.parametrize(
        "file, expected",
        [
            (lambda: pdf_file("afspraken.docx"), "Alleen PDF-bestanden"),
            (lambda: pdf_file("afspraken.pdf", b"PK\x03\x04 not a pdf"), "geen geldige PDF"),
        ],
    )
    def test_bad_files(self, world, settings, tmp_path, file, expected):
        settings.MEDIA_ROOT = tmp_path
        agreement = make_agreement(world)
        with pytest.raises(ValidationError) as excinfo:
            services.agreement_attach_document(actor=world.corp_editor, agreement=agreement, file=file())
        assert expected in messages(excinfo)
        agreement.refresh_from_db()
        assert not agreement.signed_document

    def test_size_limit(self, world, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        settings.AGREEMENT_DOCUMENT_MAX_MB = 1
        agreement = make_agreement(world)
        big = pdf_file(content=b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 1))
        with pytest.raises(ValidationError) as excinfo:
            services.agreement_attach_document(actor=world.corp_editor, agreement=agreement, file=big)
        assert "groter dan 1 MB" in messages(excinfo)

    def test_tenants_may_not_attach(self, world, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        agreement = make_agreement(world)
        with pytest.raises(PermissionDenied):
            services.agreement_attach_document(actor=world.tenant_rep, agreement=agreement, file=pdf_file())


# --- demo -------------------------------------------------------------------------------


def test_demo_seed_is_complete_and_idempotent(db, django_capture_on_commit_callbacks):
    from django.core import mail

    from agreements import demo
    from agreements.models import MonitoringReport
    from areas.models import Area
    from organisations import demo as organisations_demo

    Area.objects.create(year=2022, kind="buurt", code="BU04530203", name="Velseroord", gemeente_code="GM0453")
    lines = []
    with django_capture_on_commit_callbacks(execute=True):
        organisations_demo.seed(log=lines.append)
        mail.outbox.clear()
        demo.seed(log=lines.append)
    assert mail.outbox == []  # the demo is history, not news
    agreement = Agreement.objects.get(title=demo.TITLE)
    assert agreement.status == Agreement.Status.ONDERTEKEND
    assert agreement.parties.filter(signed_at__isnull=False).count() == 3
    assert agreement.commitments.count() == 20
    assert set(agreement.commitments.values_list("theme", flat=True)) == set(Theme.values)
    assert agreement.commitments.filter(is_disputed=True).count() == 1
    states = set(MonitoringReport.objects.filter(year=2025).values_list("state", flat=True))
    assert states == set(MonitoringReport.State.values)
    assert agreement.commitments.get(number="1.1").areas.get().code == "BU04530203"
    bod = Bod.objects.get(year=2026)
    assert bod.status == Bod.Status.INGEDIEND and bod.proposals.count() == 2

    counts = (
        Agreement.objects.count(),
        Commitment.objects.count(),
        MonitoringReport.objects.count(),
        Bod.objects.count(),
    )
    demo.seed(log=lines.append)
    assert counts == (
        Agreement.objects.count(),
        Commitment.objects.count(),
        MonitoringReport.objects.count(),
        Bod.objects.count(),
    )


def test_admin_pages_are_read_only(world, client):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    signed_agreement(world)
    make_bod(world)
    staff = get_user_model().objects.create_superuser("staff@example.nl", "x-Geheim-123")
    client.force_login(staff)
    for model in (
        "agreement",
        "amendment",
        "bod",
        "commitment",
        "monitoringreport",
        "gemeentecalendar",
        "remindersent",
    ):
        assert client.get(reverse(f"admin:agreements_{model}_changelist")).status_code == 200, model
        assert client.get(reverse(f"admin:agreements_{model}_add")).status_code == 403, model
    agreement = Agreement.objects.get()
    assert client.get(reverse("admin:agreements_agreement_change", args=[agreement.pk])).status_code == 200
