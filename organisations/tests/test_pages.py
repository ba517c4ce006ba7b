"""The organisation pages: creating, editing with stale versions, people, invitations and
history, as a person would use them in the browser."""

import html
import re
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from organisations import services
from organisations.models import Invitation, Membership, Organisation, Role
from tests import factories
from tests.factories import membership_of

User = get_user_model()
NEW_PASSWORD = "Lange-nieuwe-zin-42!"


def _text(response):
    return html.unescape(response.content.decode())


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    def run():
        return django_capture_on_commit_callbacks(execute=True)

    return run


def _create_data(**overrides):
    data = {
        "name": "Stichting Buurtkracht",
        "kind": Organisation.Kind.PARTNER,
        "gemeente_code": "gm0453",
        "description": "",
        "website": "",
        "beheerder_email": "",
    }
    data.update(overrides)
    return data


class TestCreatePage:
    def test_admin_creates_with_an_existing_user_as_first_beheerder(self, client, world, on_commit):
        client.force_login(world.platform_admin)
        with on_commit():
            response = client.post(
                reverse("organisations:create"), _create_data(beheerder_email="TENANT.REP@example.nl")
            )
        organisation = Organisation.objects.get(name="Stichting Buurtkracht")
        assert response.status_code == 302
        assert response["Location"] == reverse("organisations:detail", args=[organisation.slug])
        assert organisation.gemeente_code == "GM0453"
        assert membership_of(world.tenant_rep, organisation).role == Role.BEHEERDER
        assert not Invitation.objects.filter(organisation=organisation).exists()
        assert len(mail.outbox) == 0
        detail = client.get(response["Location"])
        assert "Organisatie Stichting Buurtkracht is aangemaakt." in _text(detail)

    def test_admin_creates_with_a_new_email_which_gets_an_invitation(self, client, world, on_commit):
        client.force_login(world.platform_admin)
        with on_commit():
            response = client.post(
                reverse("organisations:create"), _create_data(beheerder_email="nieuwe.baas@example.nl")
            )
        assert response.status_code == 302
        organisation = Organisation.objects.get(name="Stichting Buurtkracht")
        assert not Membership.objects.filter(organisation=organisation).exists()
        invitation = Invitation.objects.get(organisation=organisation)
        assert (invitation.email, invitation.role) == ("nieuwe.baas@example.nl", Role.BEHEERDER)
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["nieuwe.baas@example.nl"]
        assert services.invitation_url(invitation) in mail.outbox[0].body

    def test_admin_creates_without_a_beheerder(self, client, world):
        client.force_login(world.platform_admin)
        response = client.post(reverse("organisations:create"), _create_data())
        assert response.status_code == 302
        assert Organisation.objects.filter(name="Stichting Buurtkracht").exists()

    def test_duplicate_name_shows_the_dutch_error_on_the_form(self, client, world):
        client.force_login(world.platform_admin)
        before = Organisation.objects.count()
        response = client.post(reverse("organisations:create"), _create_data(name="gemeente velsen"))
        assert response.status_code == 200
        assert "Er bestaat al een organisatie met deze naam." in _text(response)
        assert Organisation.objects.count() == before

    def test_bad_gemeente_code_shows_the_dutch_error(self, client, world):
        client.force_login(world.platform_admin)
        response = client.post(reverse("organisations:create"), _create_data(gemeente_code="0453"))
        assert response.status_code == 200
        assert "Een gemeentecode is GM gevolgd door vier cijfers" in _text(response)
        assert not Organisation.objects.filter(name="Stichting Buurtkracht").exists()

    @pytest.mark.parametrize("persona", ["org_admin", "corp_editor", "outsider"])
    def test_non_admin_gets_403_and_nothing_is_made(self, client, world, persona):
        client.force_login(world.users[persona])
        before = (Organisation.objects.count(), Invitation.objects.count())
        assert client.get(reverse("organisations:create")).status_code == 403
        response = client.post(
            reverse("organisations:create"), _create_data(beheerder_email=world.users[persona].email)
        )
        assert response.status_code == 403
        assert (Organisation.objects.count(), Invitation.objects.count()) == before
        assert len(mail.outbox) == 0

    def test_list_shows_the_create_button_to_admins_only(self, client, world):
        create_url = reverse("organisations:create")
        client.force_login(world.platform_admin)
        assert create_url in client.get(reverse("organisations:list")).content.decode()
        client.force_login(world.org_admin)
        assert create_url not in client.get(reverse("organisations:list")).content.decode()


class TestEditPage:
    def _post(self, client, organisation, version, **overrides):
        data = {
            "name": organisation.name,
            "kind": organisation.kind,
            "gemeente_code": organisation.gemeente_code,
            "description": "Mijn eigen tekst over de corporatie",
            "website": "https://velserduin.example.nl",
            "version": version,
        }
        data.update(overrides)
        return client.post(reverse("organisations:edit", args=[organisation.slug]), data)

    def test_beheerder_saves(self, client, world):
        client.force_login(world.org_admin)
        page = client.get(reverse("organisations:edit", args=[world.corporatie.slug]))
        assert re.search(r'name="version" value="1"', page.content.decode())
        response = self._post(client, world.corporatie, 1)
        assert response.status_code == 302
        world.corporatie.refresh_from_db()
        assert world.corporatie.description == "Mijn eigen tekst over de corporatie"
        assert world.corporatie.version == 2

    def test_stale_version_shows_conflict_current_data_and_keeps_input(self, client, world):
        organisation = world.corporatie
        client.force_login(world.org_admin)
        client.get(reverse("organisations:edit", args=[organisation.slug]))
        # Meanwhile someone else saves.
        services.organisation_update(
            actor=world.platform_admin,
            organisation=organisation,
            version=1,
            description="Tekst van de platformbeheerder",
        )

        response = self._post(client, organisation, 1)
        text = _text(response)
        assert response.status_code == 409
        assert "Iemand anders heeft dit intussen gewijzigd" in text
        # The current data...
        assert "De huidige gegevens" in text
        assert "Tekst van de platformbeheerder" in text
        # ...and the user's own input is still in the form.
        assert re.search(r"<textarea[^>]*>\s*Mijn eigen tekst over de corporatie</textarea>", text)
        assert 'value="https://velserduin.example.nl"' in text
        organisation.refresh_from_db()
        assert organisation.description == "Tekst van de platformbeheerder"
        assert organisation.version == 2

        # The page carries the current version after the form's own, so saving again
        # (the browser sends both, the last wins) replaces the current data on purpose.
        assert 'name="version" value="2"' in text
        again = self._post(client, organisation, [1, 2])
        assert again.status_code == 302
        organisation.refresh_from_db()
        assert organisation.description == "Mijn eigen tekst over de corporatie"
        assert organisation.version == 3

    def test_beheerder_cannot_change_kind_through_the_page(self, client, world):
        client.force_login(world.org_admin)
        response = self._post(client, world.corporatie, 1, kind=Organisation.Kind.GEMEENTE)
        assert response.status_code == 302
        world.corporatie.refresh_from_db()
        assert world.corporatie.kind == Organisation.Kind.CORPORATIE
        assert world.corporatie.description == "Mijn eigen tekst over de corporatie"

    def test_platform_admin_changes_kind_through_the_page(self, client, world):
        client.force_login(world.platform_admin)
        response = self._post(client, world.partner, 1, kind=Organisation.Kind.HUURDERSORGANISATIE)
        assert response.status_code == 302
        world.partner.refresh_from_db()
        assert world.partner.kind == Organisation.Kind.HUURDERSORGANISATIE

    def test_bewerker_gets_403_and_nothing_changes(self, client, world):
        client.force_login(world.corp_editor)
        assert self._post(client, world.corporatie, 1).status_code == 403
        world.corporatie.refresh_from_db()
        assert world.corporatie.description == ""


def _add_members(organisation, count):
    for _ in range(count):
        factories.member(organisation, role=Role.LEZER)


class TestMemberPage:
    # Ten today (session, user, organisation, rights, people, invitations, paging); the
    # bound leaves a little room, the equality below is what catches an N+1.
    MAX_QUERIES = 14

    @pytest.mark.parametrize("persona", ["org_admin", "corp_editor"])
    def test_query_count_does_not_grow_with_members(
        self, client, world, persona, django_assert_max_num_queries, on_commit
    ):
        organisation = world.corporatie
        # Open invitations are listed for beheerders too; they must not add queries either.
        with on_commit():
            for n in range(3):
                services.invitation_create(
                    actor=world.org_admin,
                    organisation=organisation,
                    email=f"uit{n}@example.nl",
                    role=Role.LEZER,
                )
        client.force_login(world.users[persona])
        url = reverse("organisations:members", args=[organisation.slug])
        client.get(url)  # warm up session and content types

        _add_members(organisation, 3)  # 5 people
        with django_assert_max_num_queries(self.MAX_QUERIES) as few:
            response = client.get(url)
        assert response.status_code == 200
        assert _text(response).count('data-email="') == 5

        _add_members(organisation, 35)  # 40 people
        with django_assert_max_num_queries(self.MAX_QUERIES) as many:
            response = client.get(url)
        assert _text(response).count('data-email="') == 40
        assert len(many) == len(few), [q["sql"] for q in many.captured_queries]

    def test_beheerder_sees_role_controls_and_invitations_bewerker_does_not(self, client, world, on_commit):
        with on_commit():
            services.invitation_create(
                actor=world.org_admin, organisation=world.corporatie, email="open@example.nl", role=Role.LEZER
            )
        url = reverse("organisations:members", args=[world.corporatie.slug])
        client.force_login(world.org_admin)
        text = _text(client.get(url))
        assert "Collega uitnodigen" in text
        assert "open@example.nl" in text
        assert 'name="role"' in text
        client.force_login(world.corp_editor)
        text = _text(client.get(url))
        assert world.org_admin.email in text
        assert "Collega uitnodigen" not in text
        assert "open@example.nl" not in text
        assert 'name="role"' not in text

    def test_invite_sends_one_mail(self, client, world, on_commit):
        client.force_login(world.org_admin)
        url = reverse("organisations:members", args=[world.corporatie.slug])
        with on_commit():
            response = client.post(url, {"email": "Collega@Example.nl", "role": Role.BEWERKER})
        assert response.status_code == 302
        assert response["Location"] == url
        invitation = Invitation.objects.get(organisation=world.corporatie)
        assert (invitation.email, invitation.role) == ("collega@example.nl", Role.BEWERKER)
        assert len(mail.outbox) == 1
        assert "Uitnodiging verstuurd naar collega@example.nl." in _text(client.get(url))

    def test_invite_an_existing_member_shows_the_dutch_error_and_sends_nothing(
        self, client, world, on_commit
    ):
        client.force_login(world.org_admin)
        url = reverse("organisations:members", args=[world.corporatie.slug])
        with on_commit():
            response = client.post(url, {"email": world.corp_editor.email.upper(), "role": Role.LEZER})
        assert response.status_code == 400
        assert "corp.editor@example.nl is al lid van deze organisatie." in _text(response)
        assert not Invitation.objects.exists()
        assert len(mail.outbox) == 0

    def test_invite_with_an_open_invitation_shows_the_dutch_error_and_sends_nothing(
        self, client, world, on_commit
    ):
        client.force_login(world.org_admin)
        url = reverse("organisations:members", args=[world.corporatie.slug])
        with on_commit():
            client.post(url, {"email": "dubbel@example.nl", "role": Role.LEZER})
        assert len(mail.outbox) == 1
        with on_commit():
            response = client.post(url, {"email": "dubbel@example.nl", "role": Role.BEWERKER})
        assert response.status_code == 400
        assert "Er staat al een uitnodiging open voor dubbel@example.nl" in _text(response)
        assert Invitation.objects.count() == 1
        assert len(mail.outbox) == 1

    def test_invalid_email_shows_a_form_error(self, client, world):
        client.force_login(world.org_admin)
        url = reverse("organisations:members", args=[world.corporatie.slug])
        response = client.post(url, {"email": "geen-adres", "role": Role.LEZER})
        assert response.status_code == 400
        assert not Invitation.objects.exists()

    def test_change_role_through_the_page(self, client, world):
        client.force_login(world.org_admin)
        membership = membership_of(world.corp_editor, world.corporatie)
        response = client.post(
            reverse("organisations:membership-role", args=[membership.pk]),
            {"role": Role.LEZER, "version": membership.version},
            follow=True,
        )
        assert response.status_code == 200
        assert "De rol van" in _text(response)
        membership.refresh_from_db()
        assert membership.role == Role.LEZER

    def test_demoting_the_last_beheerder_shows_the_dutch_message(self, client, world):
        client.force_login(world.org_admin)
        membership = membership_of(world.org_admin, world.corporatie)
        response = client.post(
            reverse("organisations:membership-role", args=[membership.pk]),
            {"role": Role.LEZER, "version": membership.version},
            follow=True,
        )
        assert "Dit is de laatste beheerder van de organisatie" in _text(response)
        membership.refresh_from_db()
        assert membership.role == Role.BEHEERDER

    def test_stale_role_change_shows_the_conflict(self, client, world):
        client.force_login(world.org_admin)
        membership = membership_of(world.corp_editor, world.corporatie)
        services.membership_change_role(
            actor=world.platform_admin, membership=membership, role=Role.BEHEERDER, version=membership.version
        )
        response = client.post(
            reverse("organisations:membership-role", args=[membership.pk]),
            {"role": Role.LEZER, "version": 1},
            follow=True,
        )
        assert "Iemand anders heeft dit intussen gewijzigd" in _text(response)
        membership.refresh_from_db()
        assert membership.role == Role.BEHEERDER

    def test_remove_asks_first_then_removes(self, client, world):
        client.force_login(world.org_admin)
        membership = membership_of(world.corp_editor, world.corporatie)
        url = reverse("organisations:membership-remove", args=[membership.pk])
        confirm = client.get(url)
        assert confirm.status_code == 200
        assert Membership.objects.filter(pk=membership.pk).exists()
        response = client.post(url)
        assert response.status_code == 302
        assert not Membership.objects.filter(pk=membership.pk).exists()

    def test_resend_and_revoke_through_the_page(self, client, world, on_commit):
        client.force_login(world.org_admin)
        with on_commit():
            invitation = services.invitation_create(
                actor=world.org_admin, organisation=world.corporatie, email="x@example.nl", role=Role.LEZER
            )
        with on_commit():
            client.post(reverse("organisations:invitation-action", args=[invitation.pk, "opnieuw"]))
        assert len(mail.outbox) == 2
        client.post(reverse("organisations:invitation-action", args=[invitation.pk, "intrekken"]))
        invitation.refresh_from_db()
        assert invitation.status == Invitation.Status.REVOKED
        # Once revoked it is no longer an open invitation: a second revoke explains why not.
        response = client.post(
            reverse("organisations:invitation-action", args=[invitation.pk, "intrekken"]), follow=True
        )
        assert "Deze uitnodiging staat niet meer open." in _text(response)


class TestAppointPage:
    def test_platform_admin_appoints_an_existing_user(self, client, world):
        client.force_login(world.platform_admin)
        response = client.post(
            reverse("organisations:appoint-beheerder", args=[world.partner.slug]),
            {"email": world.tenant_rep.email},
            follow=True,
        )
        assert "is nu beheerder" in _text(response)
        assert membership_of(world.tenant_rep, world.partner).role == Role.BEHEERDER

    def test_beheerder_may_not_appoint(self, client, world):
        client.force_login(world.org_admin)
        response = client.post(
            reverse("organisations:appoint-beheerder", args=[world.corporatie.slug]),
            {"email": world.corp_editor.email},
        )
        assert response.status_code == 403
        assert membership_of(world.corp_editor, world.corporatie).role == Role.BEWERKER


class TestInvitationPage:
    def _invitation(self, world, on_commit, email="nieuw@example.nl", role=Role.BEWERKER):
        with on_commit():
            invitation = services.invitation_create(
                actor=world.org_admin, organisation=world.corporatie, email=email, role=role
            )
        return invitation, reverse(
            "organisations:invitation-accept", args=[services.invitation_token(invitation)]
        )

    def test_new_person_makes_an_account_and_is_signed_in(self, client, world, on_commit):
        _, url = self._invitation(world, on_commit)
        page = client.get(url)
        assert "U bent uitgenodigd als bewerker (nieuw@example.nl)." in _text(page)
        response = client.post(
            url, {"full_name": "Nina Nieuw", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        )
        assert response.status_code == 302
        assert response["Location"] == reverse("home")
        user = User.objects.get(email="nieuw@example.nl")
        assert int(client.session[SESSION_KEY]) == user.pk
        home = _text(client.get(reverse("home")))
        assert "Welkom bij Woningcorporatie Velserduin. U bent nu bewerker." in home

    def test_passwords_must_match(self, client, world, on_commit):
        _, url = self._invitation(world, on_commit)
        response = client.post(url, {"full_name": "Nina", "password1": NEW_PASSWORD, "password2": "anders"})
        assert response.status_code == 400
        assert "De twee wachtwoorden zijn niet gelijk." in _text(response)
        assert not User.objects.filter(email="nieuw@example.nl").exists()

    def test_weak_password_is_shown_on_the_form(self, client, world, on_commit):
        _, url = self._invitation(world, on_commit)
        response = client.post(url, {"full_name": "Nina", "password1": "12345678", "password2": "12345678"})
        assert response.status_code == 400
        assert not User.objects.filter(email="nieuw@example.nl").exists()

    def test_existing_account_must_sign_in_first(self, client, world, on_commit):
        _, url = self._invitation(world, on_commit, email=world.tenant_rep.email)
        page = client.get(url)
        text = _text(page)
        assert "Er bestaat al een account met dit e-mailadres." in text
        assert 'name="password1"' not in text
        response = client.post(
            url, {"full_name": "Kaper", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        )
        assert response.status_code == 400
        assert SESSION_KEY not in client.session
        assert not Membership.objects.filter(user=world.tenant_rep, organisation=world.corporatie).exists()

        client.force_login(world.tenant_rep)
        response = client.post(url)
        assert response.status_code == 302
        assert membership_of(world.tenant_rep, world.corporatie).role == Role.BEWERKER

    def test_signed_in_as_someone_else_shows_the_error(self, client, world, on_commit):
        invitation, url = self._invitation(world, on_commit)
        client.force_login(world.outsider)
        response = client.post(url)
        assert response.status_code == 400
        assert "U bent ingelogd als outsider@example.nl; log eerst uit." in _text(response)
        invitation.refresh_from_db()
        assert invitation.status == Invitation.Status.OPEN

    def test_unusable_links_show_why(self, client, world, on_commit):
        invitation, url = self._invitation(world, on_commit)
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(hours=1))
        response = client.get(url)
        assert response.status_code == 410
        assert "Deze uitnodiging is verlopen." in _text(response)

        response = client.get(url[:-5] + "xxxx/")
        assert response.status_code == 410
        assert "Deze uitnodigingslink is ongeldig." in _text(response)


class TestHistoryPage:
    def test_role_change_shows_before_after_and_who(self, client, world):
        actor = world.org_admin
        actor.full_name = "Bea Beheer"
        actor.save()
        membership = membership_of(world.corp_editor, world.corporatie)
        services.membership_change_role(
            actor=actor, membership=membership, role=Role.LEZER, version=membership.version
        )

        client.force_login(world.corp_editor)
        response = client.get(reverse("organisations:history", args=[world.corporatie.slug]))
        assert response.status_code == 200
        rows = re.findall(r"<tr class=\"utrecht-table__row\">(.*?)</tr>", response.content.decode(), re.S)
        changed = [row for row in rows if "rol gewijzigd" in row]
        assert len(changed) == 1
        row = html.unescape(re.sub(r"\s+", " ", changed[0]))
        assert re.search(r"<del>\s*bewerker\s*</del>\s*→\s*<ins>\s*lezer\s*</ins>", row), row
        assert "Bea Beheer" in row
        assert "versie" not in row.lower()

    def test_history_shows_creation_and_invitations(self, client, world, on_commit):
        with on_commit():
            services.invitation_create(
                actor=world.org_admin,
                organisation=world.corporatie,
                email="nieuw@example.nl",
                role=Role.LEZER,
            )
        client.force_login(world.org_admin)
        text = _text(client.get(reverse("organisations:history", args=[world.corporatie.slug])))
        assert "Uitnodiging voor nieuw@example.nl bij Woningcorporatie Velserduin" in text
        assert "aangemaakt" in text
        assert "Paula Platform" in text  # the platform admin made the organisation
