"""Background jobs for areas: running a boundary import."""

from areas import services
from areas.models import BoundaryImport
from core.imports import import_task, job_run_task


@import_task
def boundary_import_run(self, job_id: int) -> None:
    """Run a queued boundary import (see ``core.imports.job_run_task``)."""
    job_run_task(
        BoundaryImport,
        job_id,
        lambda: services.boundary_import_run(job_id=job_id),
    )


@import_task
def boundary_fetch_run(self, job_id: int, gemeenten: list[str] | None = None) -> None:
    """Run a queued fetch of boundaries from PDOK (see ``areas.services.boundary_fetch_run``)."""
    job_run_task(
        BoundaryImport,
        job_id,
        lambda: services.boundary_fetch_run(job_id=job_id, gemeenten=gemeenten),
    )
