"""Background jobs for scores."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from core.imports import import_task, job_run_task
from core.queueing import queue_on_commit
from scores.api import geojson
from scores.models import ScoreImport
from scores.services import compute, imports
from scores.services import fetch as source_fetch

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
    or a model edit. Safe to run twice: it rebuilds from the stored values. Then the maps
    people open first are built anew (``score_maps_warm``)."""
    report = compute.scores_recompute(years=years, model_ids=model_ids)
    queue_on_commit(
        "scores.tasks.score_maps_warm",
        model_ids=model_ids,
        years=report["years"],
        what="building the score maps after a recomputation",
    )


WARM_SOFT_LIMIT = 10 * 60


@shared_task(
    ignore_result=True, max_retries=0, soft_time_limit=WARM_SOFT_LIMIT, time_limit=WARM_SOFT_LIMIT + 60
)
def score_maps_warm(years: list[int], model_ids: list[int] | None = None) -> None:
    """Build the open score maps a recomputation made stale (see
    ``scores.api.geojson.open_maps_warm``). Cut off by its time limit, the maps not yet
    built are built on first request as before."""
    try:
        built = geojson.open_maps_warm(model_ids=model_ids, years=years)
    except SoftTimeLimitExceeded:
        logger.warning("Score maps only partly built ahead: time limit reached")
        return
    logger.info("Built %s score maps ahead", built)


@import_task
def score_import_run(self, job_id: int) -> None:
    """Run a queued indicator import (see ``core.imports.job_run_task``)."""
    job_run_task(
        ScoreImport,
        job_id,
        lambda: imports.score_import_run(job_id=job_id),
    )


@import_task
def cbs_fetch_run(self, job_id: int, table: str, gemeenten: list[str] | None = None) -> None:
    """Run a queued fetch of CBS kerncijfers (see ``scores.services.fetch``)."""
    job_run_task(
        ScoreImport,
        job_id,
        lambda: source_fetch.cbs_fetch_run(job_id=job_id, table=table, gemeenten=gemeenten),
    )
