"""A boundary upload imported by a real Celery worker on the Redis broker, as in
production. The worker uses its own database connection, so the test runs on committed
data (``committed_world``), in a module of its own."""

import pytest

from areas import services
from areas.models import Area, BoundaryImport
from areas.tests.test_services import DONE, upload

pytestmark = pytest.mark.worker


def test_upload_is_imported_by_a_real_worker(committed_world):
    from tests.worker import redis_worker, wait_for

    with redis_worker():
        job = services.boundary_import_start(
            actor=committed_world.platform_admin, uploaded_file=upload(), year=2022
        )
        finished = wait_for(lambda: BoundaryImport.objects.filter(pk=job.pk, status=DONE).exists())
        assert finished, BoundaryImport.objects.get(pk=job.pk).errors
    job.refresh_from_db()
    assert (job.created, job.progress) == (1, 100)
    assert Area.objects.filter(year=2022, code="GM0453").exists()
