"""Queueing background tasks after a write that has already committed."""

import logging

from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

# For an import job whose task could not be queued.
IMPORT_NOT_STARTED = _(
    "De import kon niet worden gestart omdat de takenwachtrij niet bereikbaar is. "
    "Er is niets opgeslagen; probeer het later opnieuw."
)


def queue(task, *args, what: str, on_failure=None, **kwargs) -> bool:
    """Queue ``task`` with its arguments. When the broker cannot be reached the write
    that queued it must not fail after the fact: the outage is logged and
    ``on_failure()`` (for instance marking a job failed) runs instead. Returns whether
    the task was queued."""
    try:
        task.delay(*args, **kwargs)
    except Exception:
        logger.exception("Could not queue %s", what)
        if on_failure is not None:
            on_failure()
        return False
    return True
