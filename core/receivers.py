"""Sign-in events into the audit log, and rights remembered in a read forgotten on a write.

Django announces signing in, a failed attempt and signing out with its auth signals,
wherever it happens (the sign-in page, the API's browsable sign-in, the Django admin);
listening to them is the one way to catch every one. django-axes listens to the failures
as well, for its rate limit.
"""

import time

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from core.middleware import LAST_ACTIVITY, SESSION_END_ATTRIBUTE, SIGNED_IN_AT
from core.permissions import forget_remembered

# A read (core.permissions.rules_remembered) writes nothing that rights rest on; should
# it save or remove anything all the same, it reads the rights anew.
for _signal in (post_save, post_delete, m2m_changed):
    _signal.connect(forget_remembered, dispatch_uid=f"core.forget_remembered.{_signal}")


@receiver(user_logged_in, dispatch_uid="core.signed_in")
def signed_in(sender, request, user, **kwargs):
    from core.models import SignInEvent
    from core.services import sign_in_event_record
    from core.two_factor import remember_state

    if request is None:
        return
    now = int(time.time())
    if hasattr(request, "session"):
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_ACTIVITY] = now
        remember_state(request, user)
    sign_in_event_record(kind=SignInEvent.Kind.SIGNED_IN, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="core.sign_in_failed")
def sign_in_failed(sender, credentials, request=None, **kwargs):
    from django.contrib.auth import get_user_model

    from core.models import SignInEvent
    from core.services import sign_in_event_record

    email = get_user_model().objects.normalize_email(
        credentials.get("username") or credentials.get("email") or ""
    )
    user = get_user_model().objects.filter(email=email).first() if email else None
    sign_in_event_record(kind=SignInEvent.Kind.SIGN_IN_FAILED, request=request, user=user, email=email)


@receiver(user_logged_out, dispatch_uid="core.signed_out")
def signed_out(sender, request, user, **kwargs):
    from core.models import SignInEvent
    from core.services import sign_in_event_record

    if user is None:
        return
    ended = getattr(request, SESSION_END_ATTRIBUTE, None) if request is not None else None
    kind = SignInEvent.Kind.SESSION_EXPIRED if ended else SignInEvent.Kind.SIGNED_OUT
    sign_in_event_record(kind=kind, request=request, user=user, detail=ended or "")
