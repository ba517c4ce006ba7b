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
