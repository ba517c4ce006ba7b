"""Signing in and out, the sign-in rate limit, password reset and the public pages."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.urls import reverse

from organisations import services
from organisations.models import Role
from tests.factories import PASSWORD

LOGIN = "/account/inloggen/"
WRONG_LOGIN = "Deze combinatie van e-mailadres en wachtwoord kennen we niet"
LOCKED_OUT = "Te veel mislukte pogingen"


def _sign_in(client, email, password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": email, "password": password, **extra})


def test_login_url_is_dutch():
    assert reverse("login") == LOGIN


class TestSignIn:
    def test_sign_in_lands_on_home_with_organisation_and_role(self, client, world):
        response = _sign_in(client, world.corp_editor.email)
        assert response.status_code == 302
        assert response["Location"] == reverse("home")
        assert int(client.session[SESSION_KEY]) == world.corp_editor.pk

        home = client.get(response["Location"])
        assert home.status_code == 200
        text = home.content.decode()
        assert "Woningcorporatie Velserduin" in text
        assert re.search(r'data-testid="role">\s*bewerker\s*<', text)
        assert "woningcorporatie" in text  # the kind

    def test_home_lists_every_organisation_with_its_own_role(self, client, world):
        from tests import factories

        factories.member(world.partner, role=Role.BEHEERDER, user=world.corp_editor)
        client.force_login(world.corp_editor)
        text = client.get(reverse("home")).content.decode()
        assert "Stichting Welzijn IJmond" in text
        roles = re.findall(r'data-testid="role">\s*(\w+)\s*<', text)
        assert sorted(roles) == ["beheerder", "bewerker"]

    def test_sign_in_honours_next(self, client, world):
        target = reverse("organisations:members", args=[world.corporatie.slug])
        response = _sign_in(client, world.corp_editor.email, next=target)
        assert response.status_code == 302
        assert response["Location"] == target

    def test_sign_in_does_not_redirect_offsite(self, client, world):
        response = _sign_in(client, world.corp_editor.email, next="https://kwaadwillend.example.com/")
        assert response.status_code == 302
        assert response["Location"] == reverse("home")

    def test_wrong_password_shows_dutch_message_and_no_session(self, client, world):
        response = _sign_in(client, world.corp_editor.email, password="fout-wachtwoord")
        assert response.status_code == 200
        assert WRONG_LOGIN in response.content.decode()
        assert SESSION_KEY not in client.session

    def test_unknown_email_gets_the_same_message(self, client, world):
        response = _sign_in(client, "niemand@example.nl")
        assert response.status_code == 200
        assert WRONG_LOGIN in response.content.decode()
        assert SESSION_KEY not in client.session

    @pytest.mark.parametrize(
        "email", ["CORP.EDITOR@EXAMPLE.NL", "Corp.Editor@Example.nl", " corp.editor@example.nl "]
    )
    def test_email_is_case_insensitive(self, client, world, email):
        response = _sign_in(client, email)
        assert response.status_code == 302, response.content.decode()[:500]
        assert int(client.session[SESSION_KEY]) == world.corp_editor.pk

    def test_inactive_account_cannot_sign_in(self, client, world):
        world.corp_editor.is_active = False
        world.corp_editor.save()
        response = _sign_in(client, world.corp_editor.email)
        assert response.status_code == 200
        assert SESSION_KEY not in client.session

    def test_signed_in_user_visiting_sign_in_goes_home(self, client, world):
        client.force_login(world.corp_editor)
        response = client.get(reverse("login"))
        assert response.status_code == 302
        assert response["Location"] == reverse("home")


class TestLockout:
    def test_lockout_after_the_failure_limit_even_with_the_right_password(self, client, world):
        limit = settings.AXES_FAILURE_LIMIT
        assert limit >= 1
        email = world.corp_editor.email
        for _ in range(limit - 1):
            response = _sign_in(client, email, password="fout-wachtwoord")
            assert response.status_code == 200
            assert WRONG_LOGIN in response.content.decode()
        # The last allowed attempt is still a normal failure or already the lockout.
        _sign_in(client, email, password="fout-wachtwoord")

        response = _sign_in(client, email)
        text = response.content.decode()
        assert response.status_code in (403, 429)
        assert LOCKED_OUT in text
        assert "over 15 minuten opnieuw proberen" in text
        assert SESSION_KEY not in client.session

    def test_lockout_hits_one_account_only(self, client, world):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            _sign_in(client, world.corp_editor.email, password="fout-wachtwoord")
        assert LOCKED_OUT in _sign_in(client, world.corp_editor.email).content.decode()

        response = _sign_in(client, world.org_admin.email)
        assert response.status_code == 302
        assert int(client.session[SESSION_KEY]) == world.org_admin.pk

    def test_lockout_cannot_be_dodged_by_changing_case(self, client, world):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            _sign_in(client, world.corp_editor.email, password="fout-wachtwoord")
        response = _sign_in(client, world.corp_editor.email.upper())
        assert SESSION_KEY not in client.session, "a differently cased address must not escape the lockout"
        assert response.status_code != 302

    def test_success_before_the_limit_resets_the_count(self, client, world):
        email = world.corp_editor.email
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            _sign_in(client, email, password="fout-wachtwoord")
        assert _sign_in(client, email).status_code == 302
        client.post(reverse("logout"))
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            _sign_in(client, email, password="fout-wachtwoord")
        assert _sign_in(client, email).status_code == 302


class TestPasswordReset:
    def test_reset_mail_link_sets_a_new_password(self, client, world):
        user = world.corp_editor
        response = client.post(reverse("password_reset"), {"email": "Corp.Editor@example.nl"})
        assert response.status_code == 302
        assert response["Location"] == reverse("password_reset_done")
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == [user.email]
        match = re.search(r"http://testserver(/account/wachtwoord-herstellen/[^/\s]+/[^/\s]+/)", message.body)
        assert match, message.body

        # The link redirects to a page without the token in its address, then takes the password.
        form_page = client.get(match.group(1), follow=True)
        assert form_page.status_code == 200
        set_url = form_page.redirect_chain[-1][0]
        new = "Een-heel-nieuw-wachtwoord-77"
        done = client.post(set_url, {"new_password1": new, "new_password2": new})
        assert done.status_code == 302
        assert done["Location"] == reverse("password_reset_complete")

        user.refresh_from_db()
        assert user.check_password(new)
        assert not user.check_password(PASSWORD)
        client.logout()
        assert _sign_in(client, user.email, password=new).status_code == 302

        # The link works once.
        again = client.get(match.group(1), follow=True)
        assert again.status_code == 200
        assert b'name="new_password1"' not in again.content
        assert "Deze link is ongeldig of al gebruikt" in again.content.decode()

    def test_unknown_address_sends_nothing_but_looks_the_same(self, client, world):
        response = client.post(reverse("password_reset"), {"email": "niemand@example.nl"})
        assert response.status_code == 302
        assert response["Location"] == reverse("password_reset_done")
        assert len(mail.outbox) == 0


class TestSignOut:
    def test_logout_by_post(self, client, world):
        client.force_login(world.corp_editor)
        response = client.post(reverse("logout"))
        assert response.status_code == 302
        assert response["Location"] == LOGIN
        assert SESSION_KEY not in client.session
        assert client.get(reverse("home")).status_code == 302

    def test_logout_by_get_is_refused(self, client, world):
        client.force_login(world.corp_editor)
        response = client.get(reverse("logout"))
        assert response.status_code == 405
        assert SESSION_KEY in client.session


class TestPublicPages:
    def test_anonymous_home_redirects_to_sign_in(self, client, db):
        response = client.get(reverse("home"))
        assert response.status_code == 302
        assert response["Location"] == f"{LOGIN}?next=/"

    @pytest.mark.parametrize(
        "name", ["login", "password_reset", "password_reset_done", "password_reset_complete", "about"]
    )
    def test_public_pages_answer_anonymous_users(self, client, db, name):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert response.headers["Content-Type"].startswith("text/html")

    def test_invitation_link_answers_anonymous_users(self, client, world, django_capture_on_commit_callbacks):
        with django_capture_on_commit_callbacks(execute=True):
            invitation = services.invitation_create(
                actor=world.org_admin,
                organisation=world.corporatie,
                email="nieuw@example.nl",
                role=Role.LEZER,
            )
        response = client.get(services.invitation_url(invitation).removeprefix("http://testserver"))
        assert response.status_code == 200
        assert "Woningcorporatie Velserduin" in response.content.decode()

    def test_health_answers_anonymous_users(self, client, db):
        response = client.get(reverse("health"))
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}

    @pytest.mark.parametrize("name", ["organisations:list", "organisations:create", "password_change"])
    def test_other_pages_need_sign_in(self, client, db, name):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)


class TestLockoutBehindProxies:
    def test_a_made_up_forwarded_address_does_not_dodge_the_lockout(self, client, world, settings):
        email = world.corp_editor.email
        for n in range(settings.AXES_FAILURE_LIMIT):
            client.post(
                reverse("login"),
                {"username": email, "password": "fout"},
                HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
            )
        response = client.post(
            reverse("login"),
            {"username": email, "password": PASSWORD},
            HTTP_X_FORWARDED_FOR="198.51.100.7",
        )
        assert LOCKED_OUT in response.content.decode()
        assert SESSION_KEY not in client.session
