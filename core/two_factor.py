"""Two-factor sign-in: who must have a second factor, a person's devices, checking a code.

The second factor is an authenticator app (a TOTP device of django-otp) with recovery
codes for when the app is lost (a static device of django-otp). After the password, a
person with a second factor is signed in but not yet verified: django-otp's
``OTPMiddleware`` gives ``request.user.is_verified()``, which becomes true once the code is
right (``django_otp.login``). ``core.middleware.SecondFactorMiddleware`` keeps an
unverified person on the code page, and someone who must have a second factor but has none
on the set-up page. Writes (set up, remove, reset) are in ``core.services``.
"""

import base64
import re

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.utils.module_loading import import_string
from django_otp import verify_token
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.permissions import is_platform_admin

RECOVERY_CODE_COUNT = 10
# What the sign-in found about the person's second factor, kept in the session so the
# middleware asks the database nothing on an ordinary request: {"required": bool,
# "device": bool}. Cleared when the person sets one up or removes it.
STATE_SESSION_KEY = "second_factor"
# The published secret of the demo's platform admin and beheerder (README, "Security"):
# anyone may add it to an authenticator app, or run ``manage.py demo_code``.
DEMO_TOTP_SECRET = "WIJKKOERSDEMOWIJKKOERSDEMO234567"

_TOTP_CODE = re.compile(r"^\d{6}$")


def second_factor_required(user) -> bool:
    """Platform admins, and whoever ``settings.SECOND_FACTOR_REQUIRED_FOR`` names
    (organisation beheerders), must sign in with a second factor."""
    if user is None or not user.is_authenticated:
        return False
    if is_platform_admin(user):
        return True
    rule = getattr(settings, "SECOND_FACTOR_REQUIRED_FOR", "")
    return bool(rule) and bool(import_string(rule)(user))


def authenticator(user, *, confirmed=True):
    """The person's authenticator app (a confirmed TOTP device), or the one being set up."""
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-pk").first()


def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    return device.token_set.count() if device is not None else 0


def session_state(request) -> dict:
    """The second-factor facts of the signed-in person, from the session or, the first
    time, from the database (and then kept in the session)."""
    state = request.session.get(STATE_SESSION_KEY)
    if not isinstance(state, dict):
        state = remember_state(request)
    return state


def remember_state(request, user=None) -> dict:
    """Look up the person's second-factor facts and keep them in the session."""
    user = user if user is not None else request.user
    state = {"required": second_factor_required(user), "device": has_second_factor(user)}
    request.session[STATE_SESSION_KEY] = state
    return state


def normalise_code(code: str) -> str:
    """A code as typed: spaces and dashes are ignored, recovery codes in any case."""
    return re.sub(r"[\s-]", "", code or "").lower()


def check_code(user, code: str):
    """The device that accepts ``code`` for ``user`` (the app for six digits, the
    recovery codes otherwise; a recovery code works once), or None.

    Raises ``Throttled`` while the device refuses tries after failed ones."""
    code = normalise_code(code)
    if _TOTP_CODE.match(code):
        device = authenticator(user)
    else:
        device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if device is None or not code:
        return None
    allowed, data = device.verify_is_allowed()
    if not allowed:
        raise Throttled(data or {})
    return verify_token(user, device.persistent_id, code)


class Throttled(Exception):
    """Too many wrong codes in a row: the device waits before it checks another."""


def secret_base32(device) -> str:
    """The device's secret as an authenticator app takes it when typed in."""
    return base64.b32encode(device.bin_key).decode("ascii")


def setup_qr_svg(device) -> str:
    """The set-up QR code (the otpauth:// address with the secret) as inline SVG markup,
    made here: nothing is fetched from elsewhere."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    svg = image.to_string(encoding="unicode")
    return re.sub(r"^<\?xml[^>]*>\s*", "", svg)


def current_code(secret: str = DEMO_TOTP_SECRET) -> str:
    """The code an authenticator app shows now for a base32 ``secret`` (the demo's)."""
    key = base64.b32decode(secret)
    return f"{TOTP(key).token():06d}"
