"""Background jobs of the year report: making an export file."""

from core.imports import import_task, job_run_task
from reports import jobs
from reports.models import YearReportExport


@import_task
def year_report_export_run(self, job_id: int) -> None:
    """Make the file of a queued year report export (see ``reports.jobs.export_run``);
    not retried, since the same data gives the same file."""
    job_run_task(
        YearReportExport,
        job_id,
        lambda: jobs.export_run(job_id=job_id),
        timed_out=jobs.EXPORT_TIMED_OUT,
        unexpected=jobs.EXPORT_UNEXPECTED,
    )
