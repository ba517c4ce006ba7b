"""Write helpers every domain service uses."""

from django.utils.translation import gettext as _

from core.exceptions import ConflictError


def check_version(obj, expected_version):
    """Refuse a stale edit: the version the user started from must still be current.

    ``obj`` must have been loaded with ``select_for_update()`` inside the caller's
    transaction, so two saves cannot both pass this check.
    """
    if expected_version is None:
        raise ConflictError(
            _("De versie van het formulier ontbreekt. Laad de pagina opnieuw en probeer het nog eens."),
            current=obj,
        )
    if int(expected_version) != obj.version:
        raise ConflictError(
            _(
                "Iemand anders heeft dit intussen gewijzigd. Uw wijziging is niet opgeslagen; "
                "bekijk de huidige gegevens hieronder en voer uw wijziging opnieuw in."
            ),
            current=obj,
        )


def save_versioned(obj, *, actor, reason=""):
    """Validate and save a versioned object, raising its version and recording the actor."""
    obj.version = (obj.version or 0) + 1 if obj.pk else 1
    obj.full_clean()
    obj._history_user = actor
    if reason:
        obj._change_reason = reason
    obj.save()
    return obj


def changed_fields(obj, data):
    """Set the given attributes; return the names that really changed."""
    changed = []
    for name, value in data.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def api_token_rotate(*, actor):
    """Give the signed-in person a new API token; the previous one stops working."""
    from django.db import transaction
    from rest_framework.authtoken.models import Token

    with transaction.atomic():
        Token.objects.filter(user=actor).delete()
        return Token.objects.create(user=actor)


def api_token_revoke(*, actor) -> None:
    """Remove the person's API token."""
    from rest_framework.authtoken.models import Token

    Token.objects.filter(user=actor).delete()


def notify(*, recipients, kind: str, text: str, url: str = ""):
    """Put a notification in the product for each recipient (one query)."""
    from core.models import Notification
    from core.text import shorten

    people = {person.pk: person for person in recipients if person is not None}
    return Notification.objects.bulk_create(
        [Notification(recipient_id=pk, kind=kind, text=shorten(text, 300), url=url) for pk in people]
    )


def notifications_mark_read(*, actor, ids=None) -> int:
    """Mark the actor's notifications (all, or the given ids) as read."""
    from django.utils import timezone

    from core.models import Notification

    qs = Notification.objects.restrict(actor, "change").unread()
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())


# --- sign-in audit and the second factor -----------------------------------------------


def sign_in_event_record(*, kind, request=None, user=None, email: str = "", actor=None, detail: str = ""):
    """Write one event to the sign-in audit log, with the client's address and browser
    when there is a request (the address as the sign-in rate limit reads it)."""
    from axes.helpers import get_client_ip_address

    from core.models import SignInEvent

    ip_address = user_agent = None
    if request is not None:
        ip_address = get_client_ip_address(request) or None
        user_agent = request.META.get("HTTP_USER_AGENT", "")[:300]
    if user is not None and not email:
        email = user.email
    return SignInEvent.objects.create(
        kind=kind,
        user=user if user is not None and user.pk else None,
        email=(email or "")[:254],
        actor=actor,
        ip_address=ip_address,
        user_agent=user_agent or "",
        detail=detail[:300],
    )


def second_factor_setup_start(*, actor):
    """Start setting up an authenticator app: a new, unconfirmed device with a fresh
    secret. A set-up begun earlier and not finished is dropped; a confirmed app stays in
    use until the new one is confirmed."""
    from django.db import transaction
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
        return TOTPDevice.objects.create(user=actor, name=_("Authenticator-app"), confirmed=False)


def second_factor_setup_confirm(*, actor, code: str, request=None) -> list[str]:
    """Finish the set-up with the first code the app shows: the new app replaces any
    earlier one, and the person gets fresh recovery codes (returned; shown once).

    Raises ``ValidationError`` when the code is wrong or no set-up was started."""
    from django.core.exceptions import ValidationError
    from django.db import transaction
    from django_otp import verify_token
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from core.models import SignInEvent
    from core.two_factor import authenticator, normalise_code

    device = authenticator(actor, confirmed=False)
    if device is None:
        raise ValidationError(_("Begin opnieuw met het instellen: er is geen nieuwe app in voorbereiding."))
    if not device.verify_is_allowed()[0]:
        raise ValidationError(
            {
                "code": _(
                    "U heeft te vaak een verkeerde code gegeven. Wacht een halve minuut en probeer het opnieuw."
                )
            }
        )
    if verify_token(actor, device.persistent_id, normalise_code(code)) is None:
        raise ValidationError(
            {"code": _("Deze code klopt niet. Typ de zes cijfers die de app nu toont, zonder spaties.")}
        )
    with transaction.atomic():
        TOTPDevice.objects.filter(user=actor, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _recovery_codes_replace(actor)
        sign_in_event_record(kind=SignInEvent.Kind.DEVICE_ADDED, request=request, user=actor, actor=actor)
    return codes


def recovery_codes_renew(*, actor, request=None) -> list[str]:
    """New recovery codes for a person with an authenticator app; the old ones stop
    working. Returns the codes (shown once)."""
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from core.models import SignInEvent
    from core.two_factor import has_second_factor

    if not has_second_factor(actor):
        raise ValidationError(_("Stel eerst een authenticator-app in; herstelcodes horen daarbij."))
    with transaction.atomic():
        codes = _recovery_codes_replace(actor)
        sign_in_event_record(
            kind=SignInEvent.Kind.RECOVERY_CODES_RENEWED, request=request, user=actor, actor=actor
        )
    return codes


def _recovery_codes_replace(user) -> list[str]:
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    from core.two_factor import RECOVERY_CODE_COUNT

    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_("Herstelcodes"), confirmed=True)
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def second_factor_remove(*, actor, request=None) -> None:
    """Remove the person's own second factor (app and recovery codes). Someone who must
    sign in with a second factor cannot remove it; they set up a new app instead."""
    from django.core.exceptions import ValidationError
    from django.db import transaction

    from core.models import SignInEvent
    from core.two_factor import second_factor_required

    if second_factor_required(actor):
        raise ValidationError(
            _(
                "U moet met een tweede stap inloggen, daarom kunt u die niet uitzetten. "
                "Heeft u een nieuwe telefoon? Stel dan de nieuwe app in."
            )
        )
    with transaction.atomic():
        _devices_delete(actor)
        sign_in_event_record(kind=SignInEvent.Kind.DEVICE_REMOVED, request=request, user=actor, actor=actor)


def second_factor_reset(*, actor, user, request=None) -> None:
    """A platform admin removes someone's second factor (a lost phone and no recovery
    codes left). Their sessions lose the second step; at their next sign-in they set up
    a new app if they must have one. Recorded in the sign-in audit log."""
    from django.core.exceptions import PermissionDenied
    from django.db import transaction

    from core.models import SignInEvent
    from core.permissions import is_platform_admin

    if not is_platform_admin(actor):
        raise PermissionDenied(_("Alleen platformbeheerders kunnen een tweede stap terugzetten."))
    with transaction.atomic():
        _devices_delete(user)
        sign_in_event_record(kind=SignInEvent.Kind.DEVICE_RESET, request=request, user=user, actor=actor)
        notify(
            recipients=[user],
            kind="tweede-stap",
            text=_(
                "Uw tweede stap is teruggezet door {name}. Stel bij het inloggen een nieuwe app in."
            ).format(name=actor.get_full_name()),
        )


def _devices_delete(user) -> None:
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def second_factor_install_known(*, user, secret: str) -> None:
    """Give ``user`` an authenticator app with a known base32 ``secret``, unless they have
    one: for the demo accounts, whose secret is published (README, "Security")."""
    import base64

    from django_otp.plugins.otp_totp.models import TOTPDevice

    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return
    TOTPDevice.objects.create(
        user=user, name=_("Authenticator-app"), confirmed=True, key=base64.b32decode(secret).hex()
    )
