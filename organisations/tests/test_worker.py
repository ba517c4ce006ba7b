"""Invitation mail through a real Celery worker and the Redis broker, as in production.

The worker runs in a thread of this process, so it shares the in-memory mail outbox; it
uses its own database connection, so the test needs committed data (``transactional_db``).
It listens on a queue of its own, so a worker started by another test run on the same
Redis never takes this test's task (and this worker never takes theirs).
"""

import re
import time
import uuid
from contextlib import contextmanager

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.core import mail

from config.celery import app
from organisations import services
from organisations.models import Invitation, Role

pytestmark = pytest.mark.worker

WAIT_SECONDS = 20


def _close_worker_db_connection(**kwargs):
    # The worker thread opened its own database connection; close it after each task so
    # nothing keeps the test database busy once the test is over.
    from django.db import connection

    connection.close()


@contextmanager
def _redis_worker():
    """A real worker on a private Redis queue, with the app's settings restored afterwards."""
    broker = app.conf.broker_url or ""
    if not broker.startswith("redis"):
        if not settings.REDIS_URL:
            pytest.skip("REDIS_URL is not set: no broker to run a real worker against")
        broker = settings.REDIS_URL
    queue = f"wijkkoers-test-{uuid.uuid4().hex[:12]}"
    saved = {
        key: app.conf[key]
        for key in ("broker_url", "task_always_eager", "task_default_queue", "worker_hijack_root_logger")
    }
    consume_from = app.amqp.queues._consume_from
    changed_broker = broker != saved["broker_url"]
    if changed_broker:
        app.conf.broker_url = broker
        app._pool = None
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    app.conf.worker_hijack_root_logger = False  # leave pytest's log capture alone
    task_postrun.connect(_close_worker_db_connection, weak=False)
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, queues=[queue], shutdown_timeout=30
        ) as worker:
            yield worker
    finally:
        task_postrun.disconnect(_close_worker_db_connection)
        # Remove the private queue from Redis. The Redis transport only deletes bindings it
        # knows in this channel, hence declare-then-delete.
        with app.connection_for_write() as connection:
            bound = app.amqp.queues[queue](connection.default_channel)
            bound.declare()
            bound.delete()
        app.amqp.queues.pop(queue, None)
        for key, value in saved.items():
            app.conf[key] = value
        app.amqp.queues._consume_from = consume_from
        if changed_broker:
            app._pool = None


def _wait_for(condition, seconds=WAIT_SECONDS):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_invitation_mail_is_sent_by_the_worker(transactional_db, world):
    email = "via.worker@example.nl"
    with _redis_worker():
        assert app.conf.task_always_eager is False
        invitation = services.invitation_create(
            actor=world.org_admin, organisation=world.corporatie, email=email, role=Role.BEWERKER
        )
        sent = _wait_for(lambda: Invitation.objects.filter(pk=invitation.pk, sent_at__isnull=False).exists())
        assert sent, f"the worker did not send the invitation within {WAIT_SECONDS} s"
        assert _wait_for(lambda: len(mail.outbox) == 1, seconds=5)

    message = mail.outbox[0]
    assert message.to == [email]
    match = re.search(r"http://testserver/organisaties/uitnodiging/([^/\s]+)/", message.body)
    assert match, message.body
    assert services.invitation_from_token(match.group(1)) == invitation
    invitation.refresh_from_db()
    assert invitation.sent_at is not None
    # The private queue is gone from the app's configuration for the tests that follow.
    assert app.conf.task_default_queue == "celery"


def test_revoked_before_the_worker_runs_sends_nothing(transactional_db, world):
    """The task re-reads the invitation: one withdrawn in the meantime is not mailed."""
    from django.db import transaction

    with _redis_worker():
        with transaction.atomic():
            invitation = services.invitation_create(
                actor=world.org_admin,
                organisation=world.corporatie,
                email="ingetrokken@example.nl",
                role=Role.LEZER,
            )
            # Withdrawn inside the same transaction: the task is queued after the commit
            # and then finds the invitation withdrawn.
            services.invitation_revoke(actor=world.org_admin, invitation=invitation)
        # A second, open invitation acts as the marker that the worker has run the queue.
        marker = services.invitation_create(
            actor=world.org_admin, organisation=world.corporatie, email="marker@example.nl", role=Role.LEZER
        )
        assert _wait_for(lambda: Invitation.objects.filter(pk=marker.pk, sent_at__isnull=False).exists())

    assert [m.to for m in mail.outbox] == [["marker@example.nl"]]
    invitation.refresh_from_db()
    assert invitation.sent_at is None
