"""Invitation mail through a real Celery worker and the Redis broker, as in production.

The worker runs in a thread of this process, so it shares the in-memory mail outbox; it
uses its own database connection, so the test needs committed data (``transactional_db``).
It listens on a queue of its own, so a worker started by another test run on the same
Redis never takes this test's task (and this worker never takes theirs).
"""

import re

import pytest
from django.core import mail

from config.celery import app
from organisations import services
from organisations.models import Invitation, Role
from tests.worker import WAIT_SECONDS, redis_worker, wait_for

pytestmark = pytest.mark.worker


def test_invitation_mail_is_sent_by_the_worker(committed_world):
    email = "via.worker@example.nl"
    with redis_worker():
        assert app.conf.task_always_eager is False
        invitation = services.invitation_create(
            actor=committed_world.org_admin,
            organisation=committed_world.corporatie,
            email=email,
            role=Role.BEWERKER,
        )
        sent = wait_for(lambda: Invitation.objects.filter(pk=invitation.pk, sent_at__isnull=False).exists())
        assert sent, f"the worker did not send the invitation within {WAIT_SECONDS} s"
        assert wait_for(lambda: len(mail.outbox) == 1, seconds=5)

    message = mail.outbox[0]
    assert message.to == [email]
    match = re.search(r"http://testserver/organisaties/uitnodiging/([^/\s]+)/", message.body)
    assert match, message.body
    assert services.invitation_from_token(match.group(1)) == invitation
    invitation.refresh_from_db()
    assert invitation.sent_at is not None
    # The private queue is gone from the app's configuration for the tests that follow.
    assert app.conf.task_default_queue == "celery"


def test_revoked_before_the_worker_runs_sends_nothing(committed_world):
    """The task re-reads the invitation: one withdrawn in the meantime is not mailed."""
    from django.db import transaction

    with redis_worker():
        with transaction.atomic():
            invitation = services.invitation_create(
                actor=committed_world.org_admin,
                organisation=committed_world.corporatie,
                email="ingetrokken@example.nl",
                role=Role.LEZER,
            )
            # Withdrawn inside the same transaction: the task is queued after the commit
            # and then finds the invitation withdrawn.
            services.invitation_revoke(actor=committed_world.org_admin, invitation=invitation)
        # A second, open invitation acts as the marker that the worker has run the queue.
        marker = services.invitation_create(
            actor=committed_world.org_admin,
            organisation=committed_world.corporatie,
            email="marker@example.nl",
            role=Role.LEZER,
        )
        assert wait_for(lambda: Invitation.objects.filter(pk=marker.pk, sent_at__isnull=False).exists())

    assert [m.to for m in mail.outbox] == [["marker@example.nl"]]
    invitation.refresh_from_db()
    assert invitation.sent_at is None
