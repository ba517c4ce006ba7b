"""Services for organisations, memberships and invitations: rights, rules, Dutch messages,
nothing half-saved, and an audit record for every change."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.exceptions import ConflictError
from organisations import services
from organisations.models import Invitation, Membership, Organisation, Role
from tests import factories
from tests.factories import PASSWORD, membership_of

User = get_user_model()
NEW_PASSWORD = "Lange-nieuwe-zin-42!"


def _messages(excinfo):
    return " ".join(excinfo.value.messages)


def _snapshot():
    """Counts and states that must not move when a service refuses."""
    return {
        "users": User.objects.count(),
        "memberships": sorted(Membership.objects.values_list("pk", "role", "version")),
        "invitations": sorted(Invitation.objects.values_list("pk", "status", "version", "token_nonce")),
        "organisations": sorted(Organisation.objects.values_list("pk", "name", "kind", "version")),
    }


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run ``transaction.on_commit`` callbacks (the queued mails) inside the test transaction."""

    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


def _invite(world, on_commit, email="nieuw@example.nl", role=Role.BEWERKER, organisation=None):
    with on_commit():
        return services.invitation_create(
            actor=world.org_admin, organisation=organisation or world.corporatie, email=email, role=role
        )


# --- organisations ----------------------------------------------------------------------


class TestOrganisationCreate:
    def test_platform_admin_creates_with_sharing_groups(self, world):
        organisation = services.organisation_create(
            actor=world.platform_admin,
            name="  Stichting Buurtkracht  ",
            kind=Organisation.Kind.PARTNER,
            gemeente_code=" gm0453 ",
        )
        assert organisation.name == "Stichting Buurtkracht"
        assert organisation.slug == "stichting-buurtkracht"
        assert organisation.gemeente_code == "GM0453"
        assert organisation.version == 1
        assert organisation.members_group_id and organisation.editors_group_id
        assert organisation.members_group_id != organisation.editors_group_id

    @pytest.mark.parametrize("persona", ["org_admin", "corp_editor", "outsider", "partner_reader"])
    def test_others_may_not_create(self, world, persona):
        before = Organisation.objects.count()
        with pytest.raises(PermissionDenied) as excinfo:
            services.organisation_create(
                actor=world.users[persona], name="Nieuwe club", kind=Organisation.Kind.PARTNER
            )
        assert "platformbeheerders" in str(excinfo.value)
        assert Organisation.objects.count() == before

    def test_duplicate_name_is_refused_case_insensitively(self, world):
        before = _snapshot()
        with pytest.raises(ValidationError) as excinfo:
            services.organisation_create(
                actor=world.platform_admin, name="gemeente VELSEN", kind=Organisation.Kind.GEMEENTE
            )
        assert excinfo.value.message_dict == {"name": ["Er bestaat al een organisatie met deze naam."]}
        assert _snapshot() == before

    def test_slug_stays_unique_and_avoids_reserved_paths(self, world):
        first = services.organisation_create(
            actor=world.platform_admin, name="Gemeente Velsen!", kind=Organisation.Kind.GEMEENTE
        )
        assert first.slug == "gemeente-velsen-2"
        reserved = services.organisation_create(
            actor=world.platform_admin, name="Nieuw", kind=Organisation.Kind.PARTNER
        )
        assert reserved.slug == "nieuw-2"

    def test_invalid_gemeente_code_is_refused_in_dutch(self, world):
        with pytest.raises(ValidationError) as excinfo:
            services.organisation_create(
                actor=world.platform_admin,
                name="Foute code",
                kind=Organisation.Kind.PARTNER,
                gemeente_code="0453",
            )
        assert "GM gevolgd door vier cijfers" in str(excinfo.value.message_dict["gemeente_code"])
        assert not Organisation.objects.filter(name="Foute code").exists()


class TestOrganisationUpdate:
    def test_beheerder_updates_and_version_rises(self, world):
        organisation = world.corporatie
        updated = services.organisation_update(
            actor=world.org_admin,
            organisation=organisation,
            version=organisation.version,
            description="Wij verhuren in Velsen",
            gemeente_code="gm0453",
        )
        assert updated.version == 2
        organisation.refresh_from_db()
        assert organisation.description == "Wij verhuren in Velsen"
        assert organisation.gemeente_code == "GM0453"

    def test_stale_version_is_a_conflict_and_nothing_changes(self, world):
        organisation = world.corporatie
        services.organisation_update(
            actor=world.platform_admin, organisation=organisation, version=1, description="Eerste"
        )
        with pytest.raises(ConflictError) as excinfo:
            services.organisation_update(
                actor=world.org_admin, organisation=organisation, version=1, description="Tweede"
            )
        assert "Iemand anders heeft dit intussen gewijzigd" in excinfo.value.message
        assert excinfo.value.current.description == "Eerste"
        organisation.refresh_from_db()
        assert organisation.description == "Eerste"
        assert organisation.version == 2

    def test_missing_version_is_a_conflict(self, world):
        with pytest.raises(ConflictError, match="versie van het formulier ontbreekt"):
            services.organisation_update(
                actor=world.org_admin, organisation=world.corporatie, version=None, description="x"
            )
        world.corporatie.refresh_from_db()
        assert world.corporatie.description == ""

    def test_beheerder_cannot_change_kind(self, world):
        organisation = world.corporatie
        before = _snapshot()
        with pytest.raises(PermissionDenied, match="Alleen platformbeheerders"):
            services.organisation_update(
                actor=world.org_admin,
                organisation=organisation,
                version=organisation.version,
                kind=Organisation.Kind.GEMEENTE,
                description="Mag niet half opgeslagen worden",
            )
        assert _snapshot() == before
        organisation.refresh_from_db()
        assert organisation.kind == Organisation.Kind.CORPORATIE
        assert organisation.description == ""

    def test_beheerder_may_send_the_unchanged_kind(self, world):
        organisation = world.corporatie
        services.organisation_update(
            actor=world.org_admin,
            organisation=organisation,
            version=organisation.version,
            kind=Organisation.Kind.CORPORATIE,
            description="Zelfde soort",
        )
        organisation.refresh_from_db()
        assert organisation.description == "Zelfde soort"

    def test_platform_admin_changes_kind_and_active(self, world):
        organisation = world.partner
        services.organisation_update(
            actor=world.platform_admin,
            organisation=organisation,
            version=organisation.version,
            kind=Organisation.Kind.HUURDERSORGANISATIE,
            is_active=False,
        )
        organisation.refresh_from_db()
        assert organisation.kind == Organisation.Kind.HUURDERSORGANISATIE
        assert organisation.is_active is False

    def test_beheerder_cannot_deactivate(self, world):
        with pytest.raises(PermissionDenied):
            services.organisation_update(
                actor=world.org_admin, organisation=world.corporatie, version=1, is_active=False
            )
        world.corporatie.refresh_from_db()
        assert world.corporatie.is_active

    @pytest.mark.parametrize("persona", ["corp_editor", "outsider", "partner_reader"])
    def test_others_cannot_update(self, world, persona):
        with pytest.raises(PermissionDenied):
            services.organisation_update(
                actor=world.users[persona], organisation=world.corporatie, version=1, description="x"
            )
        world.corporatie.refresh_from_db()
        assert world.corporatie.description == ""
        assert world.corporatie.version == 1

    def test_rename_to_an_existing_name_is_refused(self, world):
        with pytest.raises(ValidationError) as excinfo:
            services.organisation_update(
                actor=world.org_admin, organisation=world.corporatie, version=1, name="GEMEENTE velsen"
            )
        assert excinfo.value.message_dict["name"] == ["Er bestaat al een organisatie met deze naam."]
        world.corporatie.refresh_from_db()
        assert world.corporatie.name == "Woningcorporatie Velserduin"

    def test_unknown_fields_are_refused(self, world):
        with pytest.raises(ValidationError, match="Onbekende velden: slug"):
            services.organisation_update(
                actor=world.platform_admin, organisation=world.corporatie, version=1, slug="anders"
            )


# --- memberships ------------------------------------------------------------------------


def _change_role(actor, membership, role):
    membership.refresh_from_db()
    return services.membership_change_role(
        actor=actor, membership=membership, role=role, version=membership.version
    )


class TestMembershipRoles:
    def test_beheerder_changes_a_role(self, world):
        membership = membership_of(world.corp_editor, world.corporatie)
        changed = _change_role(world.org_admin, membership, Role.LEZER)
        assert changed.role == Role.LEZER
        assert changed.version == 2
        membership.refresh_from_db()
        assert membership.role == Role.LEZER

    def test_stale_version_is_a_conflict(self, world):
        membership = membership_of(world.corp_editor, world.corporatie)
        stale = membership.version
        _change_role(world.org_admin, membership, Role.LEZER)
        with pytest.raises(ConflictError):
            services.membership_change_role(
                actor=world.org_admin, membership=membership, role=Role.BEHEERDER, version=stale
            )
        membership.refresh_from_db()
        assert membership.role == Role.LEZER

    def test_unknown_role_is_refused(self, world):
        membership = membership_of(world.corp_editor, world.corporatie)
        with pytest.raises(ValidationError) as excinfo:
            _change_role(world.org_admin, membership, "eigenaar")
        assert "Kies een rol" in str(excinfo.value.message_dict["role"])

    @pytest.mark.parametrize("actor", ["org_admin", "platform_admin"])
    def test_last_beheerder_cannot_be_demoted(self, world, actor):
        membership = membership_of(world.org_admin, world.corporatie)
        before = _snapshot()
        with pytest.raises(ValidationError) as excinfo:
            _change_role(world.users[actor], membership, Role.BEWERKER)
        assert _messages(excinfo) == services.LAST_BEHEERDER
        assert "laatste beheerder" in _messages(excinfo)
        assert _snapshot() == before

    @pytest.mark.parametrize("actor", ["org_admin", "platform_admin"])
    def test_last_beheerder_cannot_be_removed(self, world, actor):
        membership = membership_of(world.org_admin, world.corporatie)
        before = _snapshot()
        with pytest.raises(ValidationError) as excinfo:
            services.membership_remove(actor=world.users[actor], membership=membership)
        assert "laatste beheerder" in _messages(excinfo)
        assert _snapshot() == before
        assert world.org_admin.groups.filter(pk=world.corporatie.members_group_id).exists()

    def test_beheerder_can_step_down_when_another_exists(self, world):
        second = factories.member(world.corporatie, role=Role.BEHEERDER)
        _change_role(world.org_admin, membership_of(world.org_admin, world.corporatie), Role.LEZER)
        assert membership_of(world.org_admin, world.corporatie).role == Role.LEZER
        # The remaining beheerder is now the last one.
        with pytest.raises(ValidationError):
            services.membership_remove(actor=second, membership=membership_of(second, world.corporatie))

    def test_beheerder_can_be_removed_when_another_exists(self, world):
        second = factories.member(world.corporatie, role=Role.BEHEERDER)
        services.membership_remove(actor=second, membership=membership_of(world.org_admin, world.corporatie))
        assert not Membership.objects.filter(user=world.org_admin, organisation=world.corporatie).exists()

    def test_beheerder_of_another_organisation_cannot_touch_these_people(self, world):
        membership = membership_of(world.corp_editor, world.corporatie)
        before = _snapshot()
        with pytest.raises(PermissionDenied, match="Alleen beheerders van deze organisatie"):
            _change_role(world.outsider, membership, Role.BEHEERDER)
        with pytest.raises(PermissionDenied):
            services.membership_remove(actor=world.outsider, membership=membership)
        with pytest.raises(PermissionDenied):
            services.membership_add(
                actor=world.outsider, organisation=world.corporatie, user=world.outsider, role=Role.BEHEERDER
            )
        with pytest.raises(PermissionDenied):
            services.invitation_create(
                actor=world.outsider, organisation=world.corporatie, email="x@example.nl", role=Role.LEZER
            )
        assert _snapshot() == before
        assert len(mail.outbox) == 0

    def test_bewerker_cannot_manage_colleagues(self, world):
        membership = membership_of(world.org_admin, world.corporatie)
        before = _snapshot()
        with pytest.raises(PermissionDenied):
            _change_role(world.corp_editor, membership, Role.LEZER)
        with pytest.raises(PermissionDenied):
            _change_role(
                world.corp_editor, membership_of(world.corp_editor, world.corporatie), Role.BEHEERDER
            )
        with pytest.raises(PermissionDenied):
            services.membership_remove(actor=world.corp_editor, membership=membership)
        assert _snapshot() == before

    def test_guardian_groups_follow_the_role(self, world):
        corp = world.corporatie
        user = world.corp_editor

        def groups():
            return set(user.groups.values_list("pk", flat=True)) & {
                corp.members_group_id,
                corp.editors_group_id,
            }

        assert groups() == {corp.members_group_id, corp.editors_group_id}
        _change_role(world.org_admin, membership_of(user, corp), Role.LEZER)
        assert groups() == {corp.members_group_id}
        _change_role(world.org_admin, membership_of(user, corp), Role.BEHEERDER)
        assert groups() == {corp.members_group_id, corp.editors_group_id}
        _change_role(world.org_admin, membership_of(user, corp), Role.BEWERKER)
        assert groups() == {corp.members_group_id, corp.editors_group_id}
        services.membership_remove(actor=world.org_admin, membership=membership_of(user, corp))
        assert groups() == set()

    def test_membership_add_refuses_duplicates(self, world):
        with pytest.raises(ValidationError, match="is al lid van"):
            services.membership_add(
                actor=world.org_admin, organisation=world.corporatie, user=world.corp_editor, role=Role.LEZER
            )


class TestBeheerderAppoint:
    def test_existing_user_becomes_beheerder_at_once(self, world):
        result = services.beheerder_appoint(
            actor=world.platform_admin, organisation=world.partner, email="TENANT.REP@example.nl"
        )
        assert isinstance(result, Membership)
        assert result.user == world.tenant_rep
        assert result.role == Role.BEHEERDER
        assert world.tenant_rep.groups.filter(pk=world.partner.editors_group_id).exists()

    def test_existing_member_is_promoted(self, world):
        result = services.beheerder_appoint(
            actor=world.platform_admin, organisation=world.partner, email=world.partner_reader.email
        )
        assert isinstance(result, Membership)
        assert membership_of(world.partner_reader, world.partner).role == Role.BEHEERDER
        assert Membership.objects.filter(organisation=world.partner).count() == 1

    def test_new_email_gets_an_invitation_as_beheerder(self, world, on_commit):
        users = User.objects.count()
        with on_commit():
            result = services.beheerder_appoint(
                actor=world.platform_admin, organisation=world.partner, email=" Nieuwe.Baas@Example.nl "
            )
        assert isinstance(result, Invitation)
        assert result.email == "nieuwe.baas@example.nl"
        assert result.role == Role.BEHEERDER
        assert User.objects.count() == users
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["nieuwe.baas@example.nl"]

    @pytest.mark.parametrize("persona", ["org_admin", "outsider"])
    def test_only_platform_admins_appoint(self, world, persona):
        before = _snapshot()
        with pytest.raises(PermissionDenied):
            services.beheerder_appoint(
                actor=world.users[persona], organisation=world.corporatie, email=world.outsider.email
            )
        assert _snapshot() == before


# --- invitations ------------------------------------------------------------------------


def _link(message):
    match = re.search(r"http://testserver/organisaties/uitnodiging/([^/\s]+)/", message.body)
    assert match, message.body
    return match.group(0), match.group(1)


class TestInvitationCreate:
    def test_sends_exactly_one_mail_with_the_accept_link(self, world, on_commit):
        invitation = _invite(world, on_commit, email="Nieuw@Example.NL")
        assert invitation.email == "nieuw@example.nl"
        assert invitation.status == Invitation.Status.OPEN
        assert invitation.invited_by == world.org_admin
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["nieuw@example.nl"]
        assert "Woningcorporatie Velserduin" in message.subject
        url, token = _link(message)
        assert url == services.invitation_url(invitation)
        assert services.invitation_from_token(token) == invitation
        invitation.refresh_from_db()
        assert invitation.sent_at is not None
        assert invitation.expires_at > timezone.now() + timedelta(days=6)

    def test_no_mail_before_commit(self, world, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.invitation_create(
                actor=world.org_admin,
                organisation=world.corporatie,
                email="later@example.nl",
                role=Role.LEZER,
            )
        assert len(callbacks) == 1
        assert len(mail.outbox) == 0

    def test_inviting_an_existing_member_is_refused(self, world, on_commit):
        before = _snapshot()
        with pytest.raises(ValidationError) as excinfo:
            _invite(world, on_commit, email="CORP.EDITOR@example.nl")
        assert excinfo.value.message_dict["email"] == [
            "corp.editor@example.nl is al lid van deze organisatie."
        ]
        assert _snapshot() == before
        assert len(mail.outbox) == 0

    def test_inviting_an_address_with_an_open_invitation_is_refused(self, world, on_commit):
        _invite(world, on_commit, email="dubbel@example.nl")
        before = _snapshot()
        with pytest.raises(ValidationError) as excinfo:
            _invite(world, on_commit, email="DUBBEL@example.nl", role=Role.LEZER)
        assert "Er staat al een uitnodiging open voor dubbel@example.nl" in " ".join(
            excinfo.value.message_dict["email"]
        )
        assert _snapshot() == before
        assert len(mail.outbox) == 1

    def test_same_address_may_be_invited_by_another_organisation(self, world, on_commit):
        _invite(world, on_commit, email="gedeeld@example.nl")
        with on_commit():
            services.invitation_create(
                actor=world.outsider,
                organisation=world.other_gemeente,
                email="gedeeld@example.nl",
                role=Role.LEZER,
            )
        assert Invitation.objects.filter(email="gedeeld@example.nl").count() == 2

    def test_unknown_role_is_refused(self, world, on_commit):
        with pytest.raises(ValidationError):
            _invite(world, on_commit, role="eigenaar")
        assert not Invitation.objects.exists()


class TestInvitationAccept:
    def test_new_person_gets_an_account_and_membership(self, world, on_commit):
        invitation = _invite(world, on_commit, email="nieuw@example.nl", role=Role.BEWERKER)
        _, token = _link(mail.outbox[0])
        membership = services.invitation_accept(token=token, full_name=" Nina Nieuw ", password=NEW_PASSWORD)

        user = User.objects.get(email="nieuw@example.nl")
        assert user.full_name == "Nina Nieuw"
        assert user.check_password(NEW_PASSWORD)
        assert membership.user == user
        assert membership.organisation == world.corporatie
        assert membership.role == Role.BEWERKER
        assert set(user.groups.values_list("pk", flat=True)) == {
            world.corporatie.members_group_id,
            world.corporatie.editors_group_id,
        }
        invitation.refresh_from_db()
        assert invitation.status == Invitation.Status.ACCEPTED
        assert invitation.accepted_by == user
        assert invitation.accepted_at is not None

    def test_signed_in_user_with_the_same_address_is_linked(self, world, on_commit):
        existing = factories.UserFactory(email="bestaand@example.nl")
        invitation = _invite(world, on_commit, email="BESTAAND@example.nl", role=Role.LEZER)
        users = User.objects.count()
        membership = services.invitation_accept(token=services.invitation_token(invitation), user=existing)
        assert membership.user == existing
        assert membership.role == Role.LEZER
        assert User.objects.count() == users
        assert existing.check_password(PASSWORD)

    def test_signed_in_as_another_address_is_refused(self, world, on_commit):
        invitation = _invite(world, on_commit, email="iemand@example.nl")
        before = _snapshot()
        with pytest.raises(ValidationError) as excinfo:
            services.invitation_accept(token=services.invitation_token(invitation), user=world.outsider)
        text = _messages(excinfo)
        assert "verstuurd aan iemand@example.nl" in text
        assert "ingelogd als outsider@example.nl" in text
        assert _snapshot() == before

    def test_anonymous_accept_cannot_take_over_an_existing_account(self, world, on_commit):
        invitation = _invite(world, on_commit, email=world.tenant_rep.email, role=Role.BEHEERDER)
        before = _snapshot()
        with pytest.raises(ValidationError) as excinfo:
            services.invitation_accept(
                token=services.invitation_token(invitation), full_name="Kaper", password=NEW_PASSWORD
            )
        assert "Er bestaat al een account met tenant.rep@example.nl. Log eerst in" in _messages(excinfo)
        assert _snapshot() == before
        world.tenant_rep.refresh_from_db()
        assert world.tenant_rep.check_password(PASSWORD)
        assert world.tenant_rep.full_name != "Kaper"

    def test_weak_password_is_refused_and_no_account_made(self, world, on_commit):
        invitation = _invite(world, on_commit)
        before = _snapshot()
        with pytest.raises(ValidationError):
            services.invitation_accept(
                token=services.invitation_token(invitation), full_name="Nina", password="12345678"
            )
        with pytest.raises(ValidationError) as excinfo:
            services.invitation_accept(
                token=services.invitation_token(invitation), full_name="Nina", password=""
            )
        assert "Kies een wachtwoord" in str(excinfo.value.message_dict["password1"])
        assert _snapshot() == before

    def _assert_refused(self, token, fragment, **kwargs):
        before = _snapshot()
        with pytest.raises(ValidationError) as excinfo:
            services.invitation_accept(token=token, full_name="Nina", password=NEW_PASSWORD, **kwargs)
        assert fragment in _messages(excinfo)
        assert _snapshot() == before
        assert not User.objects.filter(full_name="Nina").exists()
        return _messages(excinfo)

    def test_expired_link(self, world, on_commit):
        invitation = _invite(world, on_commit)
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
        text = self._assert_refused(services.invitation_token(invitation), "verlopen")
        assert text == "Deze uitnodiging is verlopen. Vraag de beheerder om een nieuwe."

    def test_reused_link(self, world, on_commit):
        invitation = _invite(world, on_commit)
        token = services.invitation_token(invitation)
        services.invitation_accept(token=token, full_name="Eerste", password=NEW_PASSWORD)
        text = self._assert_refused(token, "al gebruikt")
        assert text == "Deze uitnodiging is al gebruikt. Log in met uw account."
        # Signed in as the person who accepted, the link still does not work twice.
        user = User.objects.get(email=invitation.email)
        self._assert_refused(token, "al gebruikt", user=user)

    @pytest.mark.parametrize(
        "forge",
        [
            lambda t: t[:-3] + ("aaa" if not t.endswith("aaa") else "bbb"),
            lambda t: "x" + t,
            lambda t: "niet-eens-een-token",
            lambda t: t.split(":")[0],
        ],
        ids=["altered-signature", "altered-payload", "garbage", "unsigned"],
    )
    def test_forged_link(self, world, on_commit, forge):
        invitation = _invite(world, on_commit)
        token = services.invitation_token(invitation)
        forged = forge(token)
        assert forged != token
        text = self._assert_refused(forged, "ongeldig")
        assert text == services.INVALID_TOKEN

    def test_link_for_another_invitation_signed_elsewhere_is_forged(self, world, on_commit):
        from django.core import signing

        invitation = _invite(world, on_commit)
        wrong_salt = signing.dumps({"i": invitation.pk, "n": invitation.token_nonce}, salt="iets-anders")
        self._assert_refused(wrong_salt, "ongeldig")

    def test_replaced_link_after_resend(self, world, on_commit):
        invitation = _invite(world, on_commit)
        _, old_token = _link(mail.outbox[0])
        with on_commit():
            resent = services.invitation_resend(actor=world.org_admin, invitation=invitation)
        assert resent.version == invitation.version + 1
        assert len(mail.outbox) == 2
        _, new_token = _link(mail.outbox[1])
        assert new_token != old_token

        text = self._assert_refused(old_token, "vervangen")
        assert "Gebruik de link uit de laatste e-mail" in text
        membership = services.invitation_accept(token=new_token, full_name="Nina", password=NEW_PASSWORD)
        assert membership.organisation == world.corporatie

    def test_resend_renews_an_expired_invitation(self, world, on_commit):
        invitation = _invite(world, on_commit)
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(days=1))
        with on_commit():
            services.invitation_resend(actor=world.org_admin, invitation=invitation)
        invitation.refresh_from_db()
        assert not invitation.is_expired
        services.invitation_accept(
            token=services.invitation_token(invitation), full_name="Nina", password=NEW_PASSWORD
        )

    def test_revoked_link(self, world, on_commit):
        invitation = _invite(world, on_commit)
        revoked = services.invitation_revoke(actor=world.org_admin, invitation=invitation)
        assert revoked.status == Invitation.Status.REVOKED
        text = self._assert_refused(services.invitation_token(invitation), "ingetrokken")
        assert text == "Deze uitnodiging is ingetrokken. Vraag de beheerder om een nieuwe."
        # A revoked invitation is no longer open, so the address can be invited again...
        _invite(world, on_commit)
        # ...but not resent or revoked twice.
        with pytest.raises(ValidationError, match="openstaande"):
            services.invitation_resend(actor=world.org_admin, invitation=invitation)
        with pytest.raises(ValidationError, match="niet meer open"):
            services.invitation_revoke(actor=world.org_admin, invitation=invitation)

    def test_only_beheerders_resend_or_revoke(self, world, on_commit):
        invitation = _invite(world, on_commit)
        before = _snapshot()
        for actor in (world.corp_editor, world.outsider):
            with pytest.raises(PermissionDenied):
                services.invitation_resend(actor=actor, invitation=invitation)
            with pytest.raises(PermissionDenied):
                services.invitation_revoke(actor=actor, invitation=invitation)
        assert _snapshot() == before
        assert len(mail.outbox) == 1

    def test_invitation_mail_is_not_sent_once_revoked(self, world, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks() as callbacks:
            invitation = services.invitation_create(
                actor=world.org_admin, organisation=world.corporatie, email="weg@example.nl", role=Role.LEZER
            )
        services.invitation_revoke(actor=world.org_admin, invitation=invitation)
        for callback in callbacks:
            callback()
        assert len(mail.outbox) == 0
        invitation.refresh_from_db()
        assert invitation.sent_at is None


# --- audit ------------------------------------------------------------------------------


def _last_history(model, **lookup):
    return model.history.filter(**lookup).order_by("-history_date", "-history_id").first()


class TestAuditTrail:
    def test_organisation_changes_are_recorded_with_the_actor(self, world):
        organisation = world.corporatie
        created = _last_history(Organisation, id=organisation.pk)
        assert created.history_type == "+"
        assert created.history_user == world.platform_admin

        services.organisation_update(
            actor=world.org_admin, organisation=organisation, version=1, description="Nieuw"
        )
        record = _last_history(Organisation, id=organisation.pk)
        assert record.history_type == "~"
        assert record.history_user == world.org_admin
        assert record.description == "Nieuw"
        assert Organisation.history.filter(id=organisation.pk).count() == 2

    def test_membership_changes_are_recorded_with_the_actor(self, world):
        newcomer = factories.UserFactory()
        membership = services.membership_add(
            actor=world.org_admin, organisation=world.corporatie, user=newcomer, role=Role.LEZER
        )
        record = _last_history(Membership, id=membership.pk)
        assert (record.history_type, record.history_user, record.role) == ("+", world.org_admin, "lezer")

        _change_role(world.org_admin, membership, Role.BEWERKER)
        record = _last_history(Membership, id=membership.pk)
        assert (record.history_type, record.history_user, record.role) == ("~", world.org_admin, "bewerker")
        assert record.history_change_reason == "rol gewijzigd"

        services.membership_remove(actor=world.org_admin, membership=membership)
        record = _last_history(Membership, id=membership.pk)
        assert (record.history_type, record.history_user) == ("-", world.org_admin)
        assert Membership.history.filter(id=membership.pk).count() == 3

    def test_invitation_changes_are_recorded_with_the_actor(self, world, on_commit):
        invitation = _invite(world, on_commit)
        assert _last_history(Invitation, id=invitation.pk).history_user == world.org_admin

        with on_commit():
            services.invitation_resend(actor=world.platform_admin, invitation=invitation)
        record = _last_history(Invitation, id=invitation.pk)
        assert (record.history_user, record.history_change_reason) == (
            world.platform_admin,
            "opnieuw verstuurd",
        )

        membership = services.invitation_accept(
            token=services.invitation_token(Invitation.objects.get(pk=invitation.pk)),
            full_name="Nina",
            password=NEW_PASSWORD,
        )
        record = _last_history(Invitation, id=invitation.pk)
        assert record.history_user == membership.user
        assert record.status == Invitation.Status.ACCEPTED
        assert _last_history(Membership, id=membership.pk).history_user == membership.user

    def test_revoke_is_recorded(self, world, on_commit):
        invitation = _invite(world, on_commit)
        services.invitation_revoke(actor=world.platform_admin, invitation=invitation)
        record = _last_history(Invitation, id=invitation.pk)
        assert (record.history_user, record.status, record.history_change_reason) == (
            world.platform_admin,
            Invitation.Status.REVOKED,
            "ingetrokken",
        )

    def test_refused_changes_leave_no_record(self, world):
        counts = (Organisation.history.count(), Membership.history.count(), Invitation.history.count())
        with pytest.raises(ValidationError):
            _change_role(world.org_admin, membership_of(world.org_admin, world.corporatie), Role.LEZER)
        with pytest.raises(PermissionDenied):
            services.organisation_update(
                actor=world.org_admin,
                organisation=world.corporatie,
                version=1,
                kind=Organisation.Kind.GEMEENTE,
            )
        assert (
            Organisation.history.count(),
            Membership.history.count(),
            Invitation.history.count(),
        ) == counts

    def test_history_entries_show_before_and_after(self, world):
        from organisations.selectors import organisation_history

        _change_role(world.org_admin, membership_of(world.corp_editor, world.corporatie), Role.LEZER)
        entries = organisation_history(organisation=world.corporatie)
        newest = entries[0]
        assert newest.who == world.org_admin
        assert newest.kind == "~"
        assert newest.reason == "rol gewijzigd"
        assert [(c.field, str(c.old), str(c.new)) for c in newest.changes] == [("rol", "bewerker", "lezer")]
        # Hidden bookkeeping fields never show up.
        assert all(c.field not in {"versie", "version"} for e in entries for c in e.changes)


def test_reserved_slugs_are_the_fixed_paths_of_the_organisation_pages():
    from organisations import urls
    from organisations.models import RESERVED_SLUGS

    first_parts = {str(pattern.pattern).lstrip("^").split("/")[0] for pattern in urls.urlpatterns}
    fixed = {part for part in first_parts if part and not part.startswith(("<", "("))}
    assert fixed == RESERVED_SLUGS
