"""Background jobs for scores."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)

RECOMPUTE_SOFT_LIMIT = 15 * 60


@shared_task(
    acks_late=True,
    max_retries=2,
    default_retry_delay=60,
    soft_time_limit=RECOMPUTE_SOFT_LIMIT,
    time_limit=RECOMPUTE_SOFT_LIMIT + 60,
)
def scores_recompute(years: list[int] | None = None, model_ids: list[int] | None = None) -> None:
    """Recompute the scores of the given boundary years (all when empty) after an import
    or a model edit. Safe to run twice: it rebuilds from the stored values."""
    from scores.services.compute import scores_recompute as recompute

    recompute(years=years, model_ids=model_ids)
