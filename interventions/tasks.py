"""Background jobs for interventions: the e-mail per team event, the daily digest and
reading a file of interventions."""

import logging

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.imports import import_task, job_run_task
from core.models import Notification
from core.queueing import MAIL_ERRORS
from core.text import shorten
from interventions import services
from interventions.models import InterventionImport, NotificationPreference
from interventions.services import imports as import_services

logger = logging.getLogger(__name__)


def _link(url: str) -> str:
    return f"{settings.SITE_URL}{url}" if url else settings.SITE_URL


def _footer() -> str:
    return _(
        "U ontvangt dit bericht omdat uw organisatie in dit gebiedsteam zit. In Wijkkoers kiest u "
        "bij uw e-mailvoorkeur voor elk bericht apart, één overzicht per dag of geen e-mail."
    )


SUBJECT_MAX = 200


def _subject(text: str) -> str:
    """``Wijkkoers: <text>`` on one line in at most ``SUBJECT_MAX`` characters."""
    prefix = "Wijkkoers: "
    return prefix + shorten(text, SUBJECT_MAX - len(prefix))


def _event_message(note: Notification) -> EmailMessage:
    body = f"{note.text}\n\n{_('Bekijk het in Wijkkoers')}: {_link(note.url)}\n\n-- \n{_footer()}\n"
    return EmailMessage(_subject(note.text), body, None, [note.recipient.email])


@shared_task(
    bind=True,
    max_retries=5,
    soft_time_limit=60,
    time_limit=90,
    acks_late=True,
)
def notification_mail_send(self, notification_ids: list[int]) -> int:
    """Mail one team event to each person who wants every event by e-mail.

    Only the messages that failed are tried again, so nobody gets the same mail twice.
    """
    notes = list(
        Notification.objects.select_related("recipient")
        .filter(pk__in=notification_ids, recipient__is_active=True)
        .exclude(
            recipient__intervention_mail__mode__in=[
                NotificationPreference.Mode.DIGEST,
                NotificationPreference.Mode.NONE,
            ]
        )
    )
    failed, sent, error = [], 0, None
    with translation.override("nl"):
        connection = get_connection()
        for note in notes:
            try:
                connection.send_messages([_event_message(note)])
                sent += 1
            except MAIL_ERRORS as exc:
                logger.warning("Mail for notification %s failed: %s", note.pk, exc)
                failed.append(note.pk)
                error = exc
    if failed:
        raise self.retry(args=[failed], exc=error, countdown=60 * (self.request.retries + 1))
    return sent


def _digest_message(user, notes) -> EmailMessage:
    lines = [
        ngettext(
            "Er is %(n)s nieuw bericht uit uw gebiedsteams:",
            "Er zijn %(n)s nieuwe berichten uit uw gebiedsteams:",
            len(notes),
        )
        % {"n": len(notes)},
        "",
    ]
    for note in notes:
        when = timezone.localtime(note.created_at).strftime("%d-%m-%Y %H:%M")
        lines.append(f"- {when}  {note.text}")
        lines.append(f"  {_link(note.url)}")
    lines += ["", "-- ", _footer(), ""]
    subject = _("Wijkkoers: dagelijks overzicht van uw gebiedsteams")
    return EmailMessage(subject, "\n".join(lines), None, [user.email])


@shared_task(bind=True, soft_time_limit=600, time_limit=900, acks_late=True)
def digest_send(self) -> int:
    """Mail one overview per person who chose the daily digest, of the notifications since
    their last overview. Runs daily (Celery beat); a second run on the same day sends
    nothing. A person whose mail fails stays due for the next run."""
    now = timezone.now()
    sent = 0
    with translation.override("nl"):
        for user_id in services.digest_due_user_ids(now=now):
            try:
                with transaction.atomic():
                    notes = services.digest_claim(user_id=user_id, now=now)
                    if notes:
                        _digest_message(notes[0].recipient, notes).send()
                        sent += 1
            except MAIL_ERRORS as exc:
                logger.warning("Digest for user %s failed: %s", user_id, exc)
    return sent


@import_task
def intervention_import_run(self, job_id: int) -> None:
    """Run a queued intervention import (see ``core.imports.job_run_task``)."""
    job_run_task(
        InterventionImport,
        job_id,
        lambda: import_services.intervention_import_run(job_id=job_id),
    )
