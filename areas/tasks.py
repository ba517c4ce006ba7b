"""Background jobs for areas: running a boundary import."""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from areas import services

logger = logging.getLogger(__name__)

SOFT_LIMIT = 30 * 60


@shared_task(
    bind=True, acks_late=True, max_retries=0, soft_time_limit=SOFT_LIMIT, time_limit=SOFT_LIMIT + 120
)
def boundary_import_run(self, job_id: int) -> None:
    """Run a queued boundary import. Problems in the file end up in the job's report;
    they are not retried, since the same file gives the same result. Anything
    unexpected marks the job failed with a message the upload page shows."""
    try:
        services.boundary_import_run(job_id=job_id)
    except SoftTimeLimitExceeded:
        logger.warning("Boundary import %s hit its time limit", job_id)
        services.boundary_import_fail(
            job_id=job_id,
            message=(
                "De import duurde langer dan 30 minuten en is afgebroken. Er is niets opgeslagen. "
                "Probeer het opnieuw met een kleiner bestand of neem contact op met de beheerder."
            ),
        )
    except Exception:
        logger.exception("Boundary import %s failed", job_id)
        services.boundary_import_fail(
            job_id=job_id,
            message=(
                "De import is mislukt door een onverwachte fout. Er is niets opgeslagen. "
                "Probeer het later opnieuw; blijft het misgaan, neem dan contact op met de beheerder."
            ),
        )
