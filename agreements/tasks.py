"""Background jobs for prestatieafspraken: notification mails and the daily deadline
reminders (Celery beat, see ``CELERY_BEAT_SCHEDULE``)."""

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection, send_mail
from django.db import InterfaceError, OperationalError
from django.utils import timezone, translation

from agreements import services
from core.queueing import mail_task


@mail_task(soft_time_limit=60, time_limit=120)
def mail_people(self, user_ids: list[int], subject: str, body: str) -> int:
    """Send the same message to each person (one mail each, so addresses stay private).
    Returns how many mails went out."""
    people = get_user_model().objects.filter(pk__in=user_ids, is_active=True).exclude(email="")
    with translation.override("nl"):
        messages = [
            EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email]) for person in people
        ]
        if not messages:
            return 0
        return get_connection().send_messages(messages) or 0


@mail_task()
def mail_person(self, user_id: int, subject: str, body: str) -> None:
    """Send one personal message (a reminder digest) to one person."""
    person = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if person is None or not person.email:
        return
    send_mail(subject, body, None, [person.email])


@shared_task(
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=60,
    retry_kwargs={"max_retries": 3},
    soft_time_limit=600,
    time_limit=900,
    acks_late=True,
)
def send_deadline_reminders() -> int:
    """Daily: remind people of the bod, signing, monitoring and review deadlines that come
    up. Safe to run twice (and so to retry): a reminder already sent is never sent again."""
    return services.reminders_send(today=timezone.localdate())
