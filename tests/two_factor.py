"""The second factor in tests, as in production: whoever must have one has an
authenticator app, and their signed-in session has passed the second step.

``Client.force_login`` (the access matrix and most page tests) is extended once for the
whole run (``install``): after the login it marks the session verified with the person's
app, setting one up first for a platform admin or beheerder who has none. Tests of the
second step itself sign in through the pages, or with ``force_login_password_only``.
"""

import base64

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

# The secret of every test person's app (base32): codes can be worked out in a test.
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"

_password_only_login = Client.force_login


def give_app(user) -> TOTPDevice:
    """The person's confirmed authenticator app with the test secret (made if missing)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name="app", confirmed=True, key=base64.b32decode(TEST_TOTP_SECRET).hex()
        )
    return device


def code_now(device: TOTPDevice) -> str:
    """A code the device accepts now: the app's current code, with the device's memory of
    the last used code cleared (a second sign-in within the same 30 seconds would
    otherwise be refused as a replay)."""
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def verify_session(client, user) -> None:
    """Mark the client's session as having passed the second step with the person's app."""
    device = give_app(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def force_login_password_only(client, user, backend=None) -> None:
    """Django's own ``force_login``: signed in with the password step only."""
    _password_only_login(client, user, backend)


def _force_login(self, user, backend=None):
    from core.two_factor import has_second_factor, second_factor_required

    _password_only_login(self, user, backend)
    if second_factor_required(user) or has_second_factor(user):
        verify_session(self, user)


def install() -> None:
    Client.force_login = _force_login


def uninstall() -> None:
    Client.force_login = _password_only_login
