"""Background jobs of the product as a whole."""

from celery import shared_task

from core.imports import jobs_fail_stale


@shared_task(soft_time_limit=60, time_limit=90, ignore_result=True)
def import_jobs_sweep() -> int:
    """Mark jobs failed that a worker left running when it died (see
    ``core.imports.STALE_AFTER``), so their pages say so instead of showing them busy."""
    return jobs_fail_stale()
