"""A real Celery worker on the Redis broker, for tests that must see a task run as in
production.

The worker runs in a thread of the test process; it uses its own database connection, so
such a test needs committed data (``transactional_db``). It listens on a queue of its
own, so a worker started by another test run on the same Redis never takes this test's
task (and this worker never takes theirs).
"""

import time
import uuid
from contextlib import contextmanager

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings

from config.celery import app

WAIT_SECONDS = 20


def _close_worker_db_connection(**kwargs):
    # The worker thread opened its own database connection; close it after each task so
    # nothing keeps the test database busy once the test is over.
    from django.db import connection

    connection.close()


@contextmanager
def redis_worker():
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


def wait_for(condition, seconds=WAIT_SECONDS):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()
