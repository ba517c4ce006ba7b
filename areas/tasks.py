"""Background jobs for areas: running a boundary import."""

from celery import shared_task

from areas import services
from areas.models import BoundaryImport
from core.imports import job_run_task

SOFT_LIMIT = 30 * 60


@shared_task(
    bind=True, acks_late=True, max_retries=0, soft_time_limit=SOFT_LIMIT, time_limit=SOFT_LIMIT + 120
)
def boundary_import_run(self, job_id: int) -> None:
    """Run a queued boundary import (see ``core.imports.job_run_task``)."""
    job_run_task(
        BoundaryImport,
        job_id,
        lambda: services.boundary_import_run(job_id=job_id),
        soft_limit=SOFT_LIMIT,
    )
