"""Team news: notifications to the people of a team, the mail preference and the daily
digest."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Notification
from core.queueing import queue_on_commit
from core.services import notify
from interventions.models import (
    AreaTeam,
    Intervention,
    NotificationPreference,
    TeamMember,
)
from interventions.services.common import NOTIFICATION_KINDS, User, intervention_url
from organisations.models import Membership


def team_people(team: AreaTeam, *, exclude=None):
    """Active people in the team's organisations (any organisation role), except ``exclude``."""
    people = User.objects.filter(
        is_active=True,
        pk__in=Membership.objects.filter(
            organisation_id__in=TeamMember.objects.filter(team_id=team.pk).values("organisation_id")
        ).values("user_id"),
    )
    if exclude is not None:
        people = people.exclude(pk=exclude.pk)
    return people


def notify_team(*, actor, team: AreaTeam, kind: str, text: str, url: str) -> list[Notification]:
    """Notify the team's people (never the actor) in the product, and queue the e-mail for
    those who want each event by mail. Digest readers get it in the daily overview."""
    people = list(team_people(team, exclude=actor))
    if not people:
        return []
    notes = notify(recipients=people, kind=kind, text=text, url=url)
    modes = dict(NotificationPreference.objects.filter(user__in=people).values_list("user_id", "mode"))
    direct = [
        note.pk
        for note in notes
        if modes.get(note.recipient_id, NotificationPreference.Mode.DIRECT)
        == NotificationPreference.Mode.DIRECT
    ]
    if direct:
        queue_on_commit("interventions.tasks.notification_mail_send", direct, what=f"team news mail {direct}")
    return notes


def _notify_team(*, actor, intervention: Intervention, kind: str, text: str) -> list[Notification]:
    """``notify_team`` about an intervention, linking to its page."""
    return notify_team(
        actor=actor, team=intervention.team, kind=kind, text=text, url=intervention_url(intervention)
    )


@transaction.atomic
def preference_set(*, actor, mode: str) -> NotificationPreference:
    """Choose how the actor hears about their teams: each event by e-mail, a daily digest,
    or only in the product."""
    if mode not in NotificationPreference.Mode.values:
        raise ValidationError(
            {"mode": _("Kies: direct per e-mail, een dagelijks overzicht of alleen in Wijkkoers.")}
        )
    preference, _created = NotificationPreference.objects.select_for_update().get_or_create(user=actor)
    if mode == NotificationPreference.Mode.DIGEST and (
        preference.mode != mode or preference.last_digest_at is None
    ):
        # The first overview covers what happens from now on, not all earlier events.
        preference.last_digest_at = timezone.now()
    preference.mode = mode
    preference.full_clean()
    preference.save()
    return preference


def digest_due_user_ids(*, now=None) -> list[int]:
    """The people who chose the daily digest and have not had one in this period (day)."""
    now = now or timezone.now()
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    return list(
        NotificationPreference.objects.filter(mode=NotificationPreference.Mode.DIGEST, user__is_active=True)
        .filter(Q(last_digest_at__isnull=True) | Q(last_digest_at__lt=start_of_day))
        .values_list("user_id", flat=True)
    )


def digest_claim(*, user_id: int, now=None) -> list[Notification] | None:
    """Within the caller's transaction: lock the person's preference, and return the
    notifications since their last digest (marking this period as done), or None when a
    digest is not due. If sending fails, the caller's rollback leaves it due."""
    now = now or timezone.now()
    preference = (
        NotificationPreference.objects.select_for_update()
        .select_related("user")
        .filter(user_id=user_id, mode=NotificationPreference.Mode.DIGEST)
        .first()
    )
    if preference is None:
        return None
    last = preference.last_digest_at
    if last is not None and timezone.localdate(last) >= timezone.localdate(now):
        return None
    since = last or now - datetime.timedelta(days=1)
    notes = list(
        Notification.objects.select_related("recipient")
        .filter(recipient_id=user_id, kind__in=NOTIFICATION_KINDS, created_at__gt=since, created_at__lte=now)
        .order_by("created_at", "pk")
    )
    preference.last_digest_at = now
    preference.save(update_fields=["last_digest_at"])
    return notes
