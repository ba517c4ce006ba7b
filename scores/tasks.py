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


IMPORT_SOFT_LIMIT = 30 * 60


@shared_task(
    bind=True,
    acks_late=True,
    max_retries=0,
    soft_time_limit=IMPORT_SOFT_LIMIT,
    time_limit=IMPORT_SOFT_LIMIT + 120,
)
def score_import_run(self, job_id: int) -> None:
    """Run a queued indicator import. Problems in the file end up in the job's report;
    they are not retried, since the same file gives the same result. Anything
    unexpected marks the job failed with a message the job page shows."""
    from celery.exceptions import SoftTimeLimitExceeded
    from django.utils.translation import gettext as _

    from scores.services import imports as services

    try:
        services.score_import_run(job_id=job_id)
    except SoftTimeLimitExceeded:
        logger.warning("Score import %s hit its time limit", job_id)
        services.score_import_fail(
            job_id=job_id,
            message=_(
                "De import duurde langer dan 30 minuten en is afgebroken. Er is niets opgeslagen. "
                "Probeer het opnieuw met een kleiner bestand of neem contact op met de beheerder."
            ),
        )
    except Exception:
        logger.exception("Score import %s failed", job_id)
        services.score_import_fail(
            job_id=job_id,
            message=_(
                "De import is mislukt door een onverwachte fout. Er is niets opgeslagen. "
                "Probeer het later opnieuw; blijft het misgaan, neem dan contact op met de beheerder."
            ),
        )
