"""Two-factor sign-in: the password, then the code; who must have a second factor; the
recovery codes and the reset by a platform admin; the Django admin only after the second
step; API tokens untouched; every step in the sign-in audit log."""

import base64

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.models import Notification, SignInEvent
from core.services import recovery_codes_renew, second_factor_reset
from organisations.models import Role
from tests import factories
from tests.factories import PASSWORD
from tests.two_factor import code_now, force_login_password_only

LOGIN = "/account/inloggen/"
CODE_PAGE = "/account/tweede-stap/"
SETUP_PAGE = "/account/tweede-stap/instellen/"
SECURITY_PAGE = "/account/beveiliging/"
RESET_PAGE = "/account/beveiliging/terugzetten/"
NO_THROTTLE = override_settings(OTP_TOTP_THROTTLE_FACTOR=0, OTP_STATIC_THROTTLE_FACTOR=0)


def sign_in(client, user, password=PASSWORD):
    return client.post(LOGIN, {"username": user.email, "password": password})


def kinds(user):
    return list(SignInEvent.objects.filter(user=user).order_by("pk").values_list("kind", flat=True))


def wrong_code(device):
    """Six digits that are none of the codes the device accepts now (the current one and
    one step either side)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    valid = set()
    for offset in (-1, 0, 1):
        totp.drift = device.drift + offset
        valid.add(f"{totp.token():06d}")
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in valid)


def code_for_secret(secret):
    return f"{TOTP(base64.b32decode(secret)).token():06d}"


@pytest.fixture
def beheerder_without_app(world):
    return factories.member(world.corporatie, role=Role.BEHEERDER, email="nieuw.beheer@example.nl")


class TestSignInWithoutApp:
    def test_a_bewerker_signs_in_with_the_password_alone(self, client, world):
        response = sign_in(client, world.corp_editor)
        assert response.status_code == 302 and response["Location"] == "/"
        assert client.get("/").status_code == 200
        assert kinds(world.corp_editor) == [SignInEvent.Kind.SIGNED_IN]

    def test_a_reader_reaches_the_pages_without_a_second_step(self, client, world):
        sign_in(client, world.partner_reader)
        assert client.get(reverse("areas:index")).status_code == 200


class TestSignInWithApp:
    def test_password_then_code_page_then_in(self, client, world):
        admin = world.org_admin
        response = sign_in(client, admin)
        assert response["Location"] == "/"
        # Signed in with the password, but every page sends to the code page.
        page = client.get(reverse("areas:index"))
        assert page.status_code == 302
        assert page["Location"] == f"{CODE_PAGE}?next={reverse('areas:index')}"
        assert client.get(SECURITY_PAGE)["Location"].startswith(CODE_PAGE)
        form = client.get(page["Location"])
        assert form.status_code == 200 and 'autocomplete="one-time-code"' in form.content.decode()
        device = TOTPDevice.objects.get(user=admin)
        response = client.post(page["Location"], {"code": code_now(device)})
        assert response.status_code == 302 and response["Location"] == reverse("areas:index")
        assert client.get(reverse("areas:index")).status_code == 200
        assert kinds(admin) == [SignInEvent.Kind.SIGNED_IN, SignInEvent.Kind.SECOND_FACTOR_PASSED]

    @NO_THROTTLE
    def test_a_wrong_code_is_refused(self, client, world):
        admin = world.org_admin
        sign_in(client, admin)
        device = TOTPDevice.objects.get(user=admin)
        response = client.post(CODE_PAGE, {"code": wrong_code(device)})
        assert response.status_code == 200
        assert "Deze code klopt niet" in response.content.decode()
        assert client.get("/")["Location"].startswith(CODE_PAGE)
        assert kinds(admin)[-1] == SignInEvent.Kind.SECOND_FACTOR_FAILED
        # The right code still works afterwards.
        assert client.post(CODE_PAGE, {"code": code_now(device)})["Location"] == "/"

    def test_tries_right_after_a_wrong_one_wait(self, client, world):
        admin = world.org_admin
        sign_in(client, admin)
        device = TOTPDevice.objects.get(user=admin)
        client.post(CODE_PAGE, {"code": wrong_code(device)})
        # Within the throttle's second even the right code is not checked.
        response = client.post(CODE_PAGE, {"code": code_now(device)})
        assert response.status_code == 200 and "te vaak een verkeerde code" in response.content.decode()
        assert client.get("/")["Location"].startswith(CODE_PAGE)

    def test_a_code_page_next_elsewhere_is_ignored(self, client, world):
        sign_in(client, world.org_admin)
        device = TOTPDevice.objects.get(user=world.org_admin)
        response = client.post(f"{CODE_PAGE}?next=https://elders.example.com/", {"code": code_now(device)})
        assert response["Location"] == "/"

    def test_replacing_the_app_needs_the_second_step_first(self, client, world):
        sign_in(client, world.org_admin)
        response = client.get(SETUP_PAGE)
        assert response.status_code == 302 and response["Location"].startswith(CODE_PAGE)

    @NO_THROTTLE
    def test_a_recovery_code_works_once(self, client, world):
        admin = world.org_admin
        codes = recovery_codes_renew(actor=admin)
        assert len(codes) == 10
        sign_in(client, admin)
        # Typed with a space and in capitals, as people copy them from paper.
        typed = f"{codes[0][:4].upper()} {codes[0][4:].upper()}"
        response = client.post(CODE_PAGE, {"code": typed}, follow=True)
        assert response.redirect_chain[-1][0] == "/"
        assert "nog 9" in response.content.decode()
        assert kinds(admin)[-1] == SignInEvent.Kind.RECOVERY_CODE_USED
        client.post(reverse("logout"))
        sign_in(client, admin)
        response = client.post(CODE_PAGE, {"code": codes[0]})
        assert response.status_code == 200 and "Deze code klopt niet" in response.content.decode()
        assert client.post(CODE_PAGE, {"code": codes[1]})["Location"] == "/"

    def test_the_code_page_signs_out_and_is_open_without_a_second_step(self, client, world):
        sign_in(client, world.org_admin)
        assert client.get(CODE_PAGE).status_code == 200
        assert client.post(reverse("logout")).status_code == 302
        assert client.get(CODE_PAGE)["Location"].startswith(LOGIN)


class TestRequiredSetUp:
    @NO_THROTTLE
    @pytest.mark.parametrize("who", ["beheerder", "platform admin"])
    def test_who_must_have_one_sets_it_up_before_anything_else(self, client, world, who):
        if who == "beheerder":
            person = factories.member(world.corporatie, role=Role.BEHEERDER, email="nieuw.beheer@example.nl")
        else:
            person = factories.platform_admin(email="nieuw.platform@example.nl")
        sign_in(client, person)
        response = client.get(reverse("areas:index"))
        assert response["Location"] == f"{SETUP_PAGE}?next={reverse('areas:index')}"
        page = client.get(response["Location"])
        html = page.content.decode()
        assert page.status_code == 200 and "<svg" in html and 'role="img"' in html
        secret = page.context["secret"]
        # The page can be reloaded: the same app is being set up.
        assert client.get(SETUP_PAGE).context["secret"] == secret
        refused = client.post(response["Location"], {"code": "12345"})
        assert refused.status_code == 200 and "Deze code klopt niet" in refused.content.decode()
        done = client.post(response["Location"], {"code": code_for_secret(secret)})
        assert done.status_code == 200
        assert done.status_code == 200
        assert len(done.context["codes"]) == 10
        assert StaticDevice.objects.get(user=person).token_set.count() == 10
        assert TOTPDevice.objects.get(user=person).confirmed
        assert client.get(reverse("areas:index")).status_code == 200
        assert SignInEvent.Kind.DEVICE_ADDED in kinds(person)

    def test_a_quick_second_try_at_set_up_is_asked_to_wait(self, client, beheerder_without_app):
        sign_in(client, beheerder_without_app)
        secret = client.get(SETUP_PAGE).context["secret"]
        client.post(SETUP_PAGE, {"code": "12345"})
        response = client.post(SETUP_PAGE, {"code": code_for_secret(secret)})
        assert "te vaak een verkeerde code" in response.content.decode()
        assert not TOTPDevice.objects.filter(user=beheerder_without_app, confirmed=True).exists()

    def test_a_bewerker_may_set_one_up_and_remove_it(self, client, world):
        editor = world.corp_editor
        sign_in(client, editor)
        page = client.get(SETUP_PAGE)
        assert page.status_code == 200 and not page.context["required"]
        client.post(SETUP_PAGE, {"code": code_for_secret(page.context["secret"])})
        assert TOTPDevice.objects.filter(user=editor, confirmed=True).exists()
        assert client.get(SECURITY_PAGE).status_code == 200
        response = client.post(SECURITY_PAGE, {"action": "verwijderen"}, follow=True)
        assert "uitgezet" in response.content.decode()
        assert not TOTPDevice.objects.filter(user=editor).exists()
        assert not StaticDevice.objects.filter(user=editor).exists()
        assert kinds(editor)[-2:] == [SignInEvent.Kind.DEVICE_ADDED, SignInEvent.Kind.DEVICE_REMOVED]
        # Next time the password alone again.
        client.post(reverse("logout"))
        sign_in(client, editor)
        assert client.get(reverse("areas:index")).status_code == 200

    def test_a_beheerder_cannot_remove_it(self, client, world):
        client.force_login(world.org_admin)
        response = client.post(SECURITY_PAGE, {"action": "verwijderen"}, follow=True)
        assert "daarom kunt u die niet uitzetten" in response.content.decode()
        assert TOTPDevice.objects.filter(user=world.org_admin, confirmed=True).exists()

    def test_new_recovery_codes_replace_the_old(self, client, world):
        old = recovery_codes_renew(actor=world.org_admin)
        client.force_login(world.org_admin)
        response = client.post(SECURITY_PAGE, {"action": "herstelcodes"})
        new = response.context["codes"]
        assert set(new).isdisjoint(old)
        tokens = set(StaticDevice.objects.get(user=world.org_admin).token_set.values_list("token", flat=True))
        assert tokens == set(new)
        assert kinds(world.org_admin)[-1] == SignInEvent.Kind.RECOVERY_CODES_RENEWED


class TestResetByPlatformAdmin:
    def test_a_platform_admin_resets_someones_second_factor(self, client, world):
        admin, person = world.platform_admin, world.org_admin
        recovery_codes_renew(actor=person)
        client.force_login(admin)
        assert client.get(RESET_PAGE).status_code == 200
        response = client.post(RESET_PAGE, {"email": person.email.upper()}, follow=True)
        assert "is teruggezet" in response.content.decode()
        assert not TOTPDevice.objects.filter(user=person).exists()
        assert not StaticDevice.objects.filter(user=person).exists()
        event = SignInEvent.objects.get(user=person, kind=SignInEvent.Kind.DEVICE_RESET)
        assert event.actor == admin
        assert person.email in client.get(RESET_PAGE).content.decode()
        assert Notification.objects.filter(recipient=person, kind="tweede-stap").exists()
        # At the next sign-in the beheerder sets up a new app.
        client.post(reverse("logout"))
        sign_in(client, person)
        assert client.get("/")["Location"].startswith(SETUP_PAGE)

    def test_a_verified_session_loses_the_second_step_on_reset(self, client, world):
        client.force_login(world.org_admin)
        assert client.get(reverse("areas:index")).status_code == 200
        second_factor_reset(actor=world.platform_admin, user=world.org_admin)
        response = client.get(reverse("areas:index"))
        assert response.status_code == 302
        assert client.get(response["Location"])["Location"].startswith(SETUP_PAGE)

    def test_an_unknown_address_is_said_plainly(self, client, world):
        client.force_login(world.platform_admin)
        response = client.post(RESET_PAGE, {"email": "niemand@example.nl"})
        assert "Er is geen account met dit e-mailadres" in response.content.decode()

    @pytest.mark.parametrize("persona", ["org_admin", "corp_editor", "outsider"])
    def test_only_platform_admins(self, client, world, persona):
        client.force_login(world.users[persona])
        assert client.get(RESET_PAGE).status_code == 403
        assert client.post(RESET_PAGE, {"email": world.corp_editor.email}).status_code == 403

    def test_anonymous_is_sent_to_sign_in(self, client, db):
        assert client.get(RESET_PAGE)["Location"].startswith(LOGIN)


class TestDjangoAdmin:
    @pytest.fixture
    def staff_admin(self, world):
        admin = world.platform_admin
        get_user_model().objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
        admin.refresh_from_db()
        return admin

    def test_open_to_a_platform_admin_after_the_second_step(self, client, staff_admin):
        client.force_login(staff_admin)
        assert client.get("/beheer/django/").status_code == 200
        assert client.get("/beheer/django/core/signinevent/").status_code == 200

    def test_closed_to_a_platform_admin_with_the_password_alone(self, client, staff_admin):
        force_login_password_only(client, staff_admin)
        response = client.get("/beheer/django/")
        assert response.status_code == 302
        # The admin's own sign-in page sends on to the product's code page; the middleware
        # already does that for any page.
        assert response["Location"].startswith(CODE_PAGE)
        admin_login = client.get("/beheer/django/login/")
        assert admin_login.status_code == 302 and admin_login["Location"].startswith(CODE_PAGE)

    def test_the_site_itself_asks_for_the_second_step(self, rf, staff_admin):
        from django.contrib import admin

        request = rf.get("/beheer/django/")
        request.user = staff_admin
        staff_admin.is_verified = lambda: False
        assert not admin.site.has_permission(request)
        staff_admin.is_verified = lambda: True
        assert admin.site.has_permission(request)

    def test_closed_to_a_verified_beheerder_with_staff_flag(self, client, world):
        person = world.org_admin
        get_user_model().objects.filter(pk=person.pk).update(is_staff=True)
        person.refresh_from_db()
        client.force_login(person)
        response = client.get("/beheer/django/", follow=True)
        assert response.status_code == 403

    def test_anonymous_is_sent_to_the_product_sign_in(self, client, db):
        response = client.get("/beheer/django/", follow=True)
        assert response.redirect_chain[-1][0].startswith(LOGIN)


class TestApiTokens:
    def test_a_token_works_for_someone_with_an_app(self, client, world):
        from rest_framework.authtoken.models import Token

        token = Token.objects.create(user=world.org_admin)
        response = client.get(reverse("organisation-list"), HTTP_AUTHORIZATION=f"Token {token.key}")
        assert response.status_code == 200
        assert world.corporatie.name in response.content.decode()


class TestSignInAudit:
    def test_failure_success_and_sign_out_are_recorded(self, client, world):
        editor = world.corp_editor
        sign_in(client, editor, password="niet-het-goede-wachtwoord")
        sign_in(client, editor)
        client.post(reverse("logout"))
        assert kinds(editor) == [
            SignInEvent.Kind.SIGN_IN_FAILED,
            SignInEvent.Kind.SIGNED_IN,
            SignInEvent.Kind.SIGNED_OUT,
        ]
        event = SignInEvent.objects.filter(user=editor).first()
        assert event.ip_address == "127.0.0.1"

    def test_a_failure_for_an_unknown_address_keeps_the_address(self, client, db):
        client.post(LOGIN, {"username": "Onbekend@Example.nl", "password": "wat-dan-ook-123"})
        event = SignInEvent.objects.get()
        assert event.kind == SignInEvent.Kind.SIGN_IN_FAILED
        assert event.user is None and event.email == "onbekend@example.nl"

    def test_people_see_their_own_recent_sign_ins(self, client, world):
        sign_in(client, world.corp_editor)
        sign_in(client.__class__(), world.partner_reader)
        page = client.get(SECURITY_PAGE)
        events = list(page.context["events"])
        assert [event.user for event in events] == [world.corp_editor]
        assert "ingelogd" in page.content.decode()


class TestDemo:
    def test_demo_code_signs_in_a_demo_beheerder(self, client, world):
        from io import StringIO

        from django.core.management import call_command

        from core.services import second_factor_install_known
        from core.two_factor import DEMO_TOTP_SECRET

        person = factories.member(world.corporatie, role=Role.BEHEERDER, email="bram@example.nl")
        second_factor_install_known(user=person, secret=DEMO_TOTP_SECRET)
        second_factor_install_known(user=person, secret=DEMO_TOTP_SECRET)  # idempotent
        assert TOTPDevice.objects.filter(user=person).count() == 1
        out = StringIO()
        call_command("demo_code", stdout=out)
        sign_in(client, person)
        assert client.post(CODE_PAGE, {"code": out.getvalue().strip()})["Location"] == "/"
