"""An indicator upload through a real Celery worker on Redis, as in production: the
import job runs in the worker, and the recomputation it queues runs there too."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from scores.models import Score, ScoreImport, SourceKind
from scores.services.imports import score_import_start
from scores.tests.helpers import score_world
from tests.worker import WAIT_SECONDS, redis_worker, wait_for

pytestmark = pytest.mark.worker


# Inhabitants and every indicator of the veerkracht-index.
COLUMNS = (
    "a_inw",
    "p_hh_li",
    "p_hh_osm",
    "p_wmo_t",
    "p_jz_tn",
    "p_arb_pp",
    "p_wcorpw",
    "g_wozbag",
    "a_gewsek",
    "a_vernoo",
)


def _kwb_file(world) -> SimpleUploadedFile:
    lines = [";".join(("gwb_code_10", *COLUMNS))]
    for i, buurt in enumerate(world.per_year[2022].buurten):
        values = [300 + 100 * i] + [10 + 3 * i + 7 * (c % 3) for c in range(len(COLUMNS) - 1)]
        lines.append(";".join([buurt.code, *map(str, values)]))
    return SimpleUploadedFile("kwb.csv", "\n".join(lines).encode(), content_type="text/csv")


def test_upload_is_imported_and_scored_by_the_worker(committed_world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    scores = score_world(years=(2022,))
    source = scores.sources[SourceKind.CBS_KWB]
    with redis_worker():
        job = score_import_start(
            actor=committed_world.platform_admin,
            source=source,
            file_format=SourceKind.CBS_KWB,
            uploaded_file=_kwb_file(scores),
            year=2022,
        )
        assert ScoreImport.objects.get(pk=job.pk).status == ScoreImport.Status.QUEUED
        recomputed = wait_for(
            lambda: ScoreImport.objects.filter(pk=job.pk, recomputed_at__isnull=False).exists()
        )
        assert recomputed, f"the worker did not import and recompute within {WAIT_SECONDS} s"

    job.refresh_from_db()
    assert job.status == ScoreImport.Status.DONE
    assert job.values_written == len(COLUMNS) * len(scores.per_year[2022].buurten)
    index = Score.objects.filter(model__key="wijkkoers-veerkracht", year=2022, area__kind="buurt")
    assert index.exclude(value=None).count() == len(scores.per_year[2022].buurten)
