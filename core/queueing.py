"""Queueing background tasks after a write has committed.

Every task a service starts goes through here. A service names its task by dotted path
(``"areas.tasks.boundary_import_run"``), loaded only when it is queued, so a service
never imports its app's tasks and the tasks can import the services: no import cycle
between the two.
"""

import logging
import smtplib

from celery import shared_task
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError as KombuOperationalError

logger = logging.getLogger(__name__)

# For an import job whose task could not be queued.
IMPORT_NOT_STARTED = _(
    "De import kon niet worden gestart omdat de takenwachtrij niet bereikbaar is. "
    "Er is niets opgeslagen; probeer het later opnieuw."
)


# What a mail server that cannot be reached or refuses for now raises: a mail task retries.
MAIL_ERRORS = (smtplib.SMTPException, ConnectionError, TimeoutError)


def mail_task(*, soft_time_limit: int = 30, time_limit: int = 60):
    """The Celery task decorator every mail task uses: retried with backoff (five times)
    while the mail server cannot be reached, acknowledged only when done."""
    return shared_task(
        bind=True,
        autoretry_for=MAIL_ERRORS,
        retry_backoff=30,
        retry_kwargs={"max_retries": 5},
        soft_time_limit=soft_time_limit,
        time_limit=time_limit,
        acks_late=True,
    )


# What a broker that cannot be reached raises (kombu wraps transport errors in its own).
BROKER_ERRORS = (KombuOperationalError, ConnectionError, TimeoutError)


def queue(task, *args, what: str, on_failure=None, **kwargs) -> bool:
    """Queue ``task`` (a task or its dotted path) with its arguments. When the broker
    cannot be reached the write that queued it must not fail after the fact: the outage
    is logged and ``on_failure()`` (for instance marking a job failed) runs instead.
    Any other error (a task that fails when tasks run inline, a wrong path) is raised.
    Returns whether the task was queued."""
    if isinstance(task, str):
        task = import_string(task)
    try:
        task.delay(*args, **kwargs)
    except BROKER_ERRORS:
        logger.exception("Could not queue %s", what)
        if on_failure is not None:
            on_failure()
        return False
    return True


def queue_on_commit(task, *args, what: str, on_failure=None, **kwargs) -> None:
    """``queue`` once the current transaction has committed (at once outside one), so a
    task never runs on data that is not there yet or was rolled back."""
    transaction.on_commit(lambda: queue(task, *args, what=what, on_failure=on_failure, **kwargs))
