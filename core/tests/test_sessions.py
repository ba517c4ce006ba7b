"""Sessions end after the idle limit and after the absolute limit, with a Dutch message;
passwords of at least 12 characters that are not common."""

import time

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from core.middleware import LAST_ACTIVITY, SIGNED_IN_AT
from core.models import SignInEvent
from organisations.demo import DEMO_PASSWORD
from tests.factories import PASSWORD


def set_times(client, *, signed_in_ago, active_ago):
    session = client.session
    now = int(time.time())
    session[SIGNED_IN_AT] = now - signed_in_ago
    session[LAST_ACTIVITY] = now - active_ago
    session.save()


MINUTE = 60
HOUR = 60 * MINUTE


class TestSessionLimits:
    def test_signing_in_starts_both_clocks(self, client, world):
        before = int(time.time())
        client.force_login(world.corp_editor)
        session = client.session
        assert before <= session[SIGNED_IN_AT] <= time.time()
        assert before <= session[LAST_ACTIVITY] <= time.time()

    def test_active_within_the_idle_limit_stays_signed_in(self, client, world):
        client.force_login(world.corp_editor)
        set_times(client, signed_in_ago=2 * HOUR, active_ago=59 * MINUTE)
        assert client.get(reverse("areas:index")).status_code == 200
        # The request counts as activity: the idle clock starts again.
        assert time.time() - client.session[LAST_ACTIVITY] < 5

    def test_idle_for_60_minutes_signs_out(self, client, world):
        client.force_login(world.corp_editor)
        set_times(client, signed_in_ago=2 * HOUR, active_ago=60 * MINUTE)
        response = client.get(reverse("areas:index"), follow=True)
        assert response.redirect_chain[0][0].startswith(reverse("login"))
        assert not response.wsgi_request.user.is_authenticated
        assert "60 minuten niets heeft gedaan" in response.content.decode()
        event = SignInEvent.objects.filter(user=world.corp_editor).first()
        assert (event.kind, event.detail) == (SignInEvent.Kind.SESSION_EXPIRED, "idle")

    def test_12_hours_after_signing_in_signs_out_even_when_active(self, client, world):
        client.force_login(world.org_admin)
        set_times(client, signed_in_ago=12 * HOUR, active_ago=1 * MINUTE)
        response = client.get(reverse("areas:index"), follow=True)
        assert not response.wsgi_request.user.is_authenticated
        assert "12 uur geleden bent ingelogd" in response.content.decode()
        event = SignInEvent.objects.filter(user=world.org_admin).first()
        assert (event.kind, event.detail) == (SignInEvent.Kind.SESSION_EXPIRED, "max")

    def test_just_under_12_hours_is_still_in(self, client, world):
        client.force_login(world.org_admin)
        set_times(client, signed_in_ago=12 * HOUR - MINUTE, active_ago=MINUTE)
        assert client.get(reverse("areas:index")).status_code == 200

    @override_settings(SESSION_IDLE_MINUTES=5, SESSION_MAX_HOURS=1)
    def test_the_limits_come_from_the_settings(self, client, world):
        client.force_login(world.corp_editor)
        set_times(client, signed_in_ago=10 * MINUTE, active_ago=5 * MINUTE)
        response = client.get(reverse("areas:index"), follow=True)
        assert "5 minuten niets heeft gedaan" in response.content.decode()
        client.force_login(world.corp_editor)
        set_times(client, signed_in_ago=HOUR, active_ago=0)
        response = client.get(reverse("areas:index"), follow=True)
        assert "1 uur geleden bent ingelogd" in response.content.decode()

    def test_the_api_with_a_session_is_refused_after_the_limit(self, client, world):
        client.force_login(world.corp_editor)
        set_times(client, signed_in_ago=HOUR, active_ago=HOUR)
        assert client.get(reverse("organisation-list")).status_code in (401, 403)


class TestPasswords:
    @pytest.mark.parametrize(
        "password, message",
        [
            ("Kort-wachtw1", None),  # 12 characters: long enough
            ("Kort-wachtw", "minstens 12 tekens"),  # 11
            ("qwerty123456", "te algemeen"),  # 12, but on the list of common passwords
        ],
    )
    def test_at_least_12_characters_and_not_common(self, password, message):
        if message is None:
            validate_password(password)
            return
        with pytest.raises(ValidationError) as refused:
            validate_password(password)
        assert message in " ".join(refused.value.messages)

    def test_the_demo_and_test_passwords_pass(self):
        validate_password(DEMO_PASSWORD)
        validate_password(PASSWORD)

    def test_the_invitation_form_states_the_rule_in_dutch(self):
        from organisations.forms import AcceptInvitationForm

        assert "minstens 12 tekens" in str(AcceptInvitationForm().fields["password1"].help_text)

    def test_the_password_change_page_refuses_a_short_one(self, client, world):
        client.force_login(world.corp_editor)
        response = client.post(
            reverse("password_change"),
            {"old_password": PASSWORD, "new_password1": "Kort-wachtw", "new_password2": "Kort-wachtw"},
        )
        assert response.status_code == 200
        assert "Dit wachtwoord is te kort" in response.content.decode()
