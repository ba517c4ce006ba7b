"""The daily deadline reminders on a real Celery worker and the Redis broker, as in
production. The worker uses its own database connection, so the test runs on committed
data (``committed_world``), in a module of its own."""

import datetime
import time

import pytest
from django.core import mail

from agreements.models import GemeenteCalendar, ReminderSent
from agreements.tasks import send_deadline_reminders
from agreements.tests.test_reminders import negotiating, recipients

pytestmark = pytest.mark.worker


def test_daily_task_through_a_real_worker_reminds_once(committed_world):
    """The beat task on a real Celery worker and Redis: reminders go out once, the mails
    are sent by the worker after the commit, and a second run sends nothing."""
    import threading

    from celery.signals import task_postrun
    from django.utils import timezone

    from tests.worker import redis_worker, wait_for

    negotiating(committed_world)
    due = timezone.localdate() + datetime.timedelta(days=5)
    GemeenteCalendar.objects.create(gemeente_code="GM0453", signing_month=due.month, signing_day=due.day)
    mail.outbox.clear()  # the announcements of the set-up
    runs = []
    lock = threading.Lock()

    def count(sender=None, **kwargs):
        if sender is not None and sender.name == send_deadline_reminders.name:
            with lock:
                runs.append(1)

    task_postrun.connect(count, weak=False)
    try:
        with redis_worker():
            send_deadline_reminders.delay()
            assert wait_for(lambda: len(mail.outbox) == 3), [m.to for m in mail.outbox]
            send_deadline_reminders.delay()
            assert wait_for(lambda: len(runs) == 2)
            time.sleep(0.5)  # a mail queued by the second run would have arrived by now
    finally:
        task_postrun.disconnect(count)
    assert recipients() == ["corp.editor@example.nl", "gemeente.reviewer@example.nl", "org.admin@example.nl"]
    assert ReminderSent.objects.count() == 3
