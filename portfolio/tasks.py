"""Background jobs of the portfolio: reading an uploaded complex register."""

from core.imports import import_task, job_run_task
from portfolio import services
from portfolio.models import ComplexImport


@import_task
def complex_import_run(self, job_id: int) -> None:
    """Run a queued register import (see ``core.imports.job_run_task``)."""
    job_run_task(ComplexImport, job_id, lambda: services.complex_import_run(job_id=job_id))
