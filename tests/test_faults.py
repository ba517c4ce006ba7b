"""The site under faults of the services behind it: Redis down (cache and broker), a
worker killed mid-import, the database gone for a moment. Each fault is made in the test
(a closed port, an error raised where the database would raise it), not by stopping a
service.
"""

import datetime
import json
import time
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import OperationalError
from django.db.backends.utils import CursorWrapper
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from areas.selectors import clear_map_memory
from config.celery import app
from core import imports as core_imports
from core.cache import FailSoftRedisCache
from core.queueing import IMPORT_NOT_STARTED
from core.tasks import import_jobs_sweep
from interventions.importers import InterventionImporter
from interventions.models import Intervention, InterventionImport
from interventions.services import imports as import_services
from interventions.tests.test_import import csv_file, job_of, page_text, row
from scores import versions
from scores.api import geojson
from scores.tests.test_maps import build_map_data

# Nothing listens on port 1: every connection is refused at once.
CLOSED_PORT = "redis://127.0.0.1:1/0"
REDIS_DOWN = {
    "default": {
        "BACKEND": "core.cache.FailSoftRedisCache",
        "LOCATION": CLOSED_PORT,
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}


def _forget_maps():
    """No map body or data version left in process memory: every map is built anew."""
    clear_map_memory()
    geojson.clear_memory()
    versions._local.clear()


# --- Redis down: the cache -----------------------------------------------------------


def test_a_cache_that_cannot_be_reached_reads_as_empty():
    broken = FailSoftRedisCache(CLOSED_PORT, {"OPTIONS": {"socket_connect_timeout": 1}})
    assert broken.get("key", "default") == "default"
    # After the failure the cache is left alone for a while: no connection is tried.
    with mock.patch("django.core.cache.backends.redis.RedisCache.get") as get:
        assert broken.get("key") is None
        assert broken.get_many(["a", "b"]) == {}
        get.assert_not_called()
    broken.set("key", "value")  # dropped, no error
    assert broken.add("key", "value") is False
    assert broken.delete("key") is False
    with pytest.raises(ValueError):
        broken.incr("counter")


def test_maps_and_pages_answer_with_redis_down(client, world):
    build_map_data(world)
    client.force_login(world.users["tenant_rep"])
    urls = [
        reverse("area-geojson") + "?gemeente=GM0453&year=2023&level=buurt&zoom=13",
        reverse("score-geojson") + "?model=wijkkoers-veerkracht&year=2023&level=buurt&gemeente=GM0453",
        reverse("home"),
        reverse("scores:map"),
        reverse("areas:index"),
        "/api/v1/areas/?year=2023",
    ]
    with override_settings(CACHES=REDIS_DOWN):
        _forget_maps()
        started = time.monotonic()
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
        # Built without the cache, without waiting for Redis at every cache call.
        assert time.monotonic() - started < 20
        map_response = client.get(urls[1])
        assert map_response.status_code == 200
        assert map_response["X-Feature-Count"] == "5"
    cache.clear()


# --- Redis down: the broker -----------------------------------------------------------


@pytest.fixture
def broker_down():
    """Tasks are queued on a broker that cannot be reached."""
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.broker_url = CLOSED_PORT
    app.conf.task_always_eager = False
    _forget_connections()
    yield
    for key, value in saved.items():
        app.conf[key] = value
    _forget_connections()


def _forget_connections():
    """Drop the connections and producers an earlier task opened to the real broker, so
    the next task connects to the configured one."""
    app._pool = None
    app.amqp._producer_pool = None


def test_an_import_is_refused_in_dutch_when_the_broker_is_down(
    client, world, broker_down, django_capture_on_commit_callbacks
):
    client.force_login(world.corp_editor)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("interventions:import"), {"file": csv_file(row())})
    assert time.monotonic() - started < 15
    job = job_of(response)
    job.refresh_from_db()
    # Not left waiting in the queue for ever: failed, with what to do, and nothing stored.
    assert job.status == InterventionImport.Status.FAILED
    assert job.finished_at is not None
    assert [error["message"] for error in job.errors] == [str(IMPORT_NOT_STARTED)]
    assert not Intervention.objects.exists()
    page = page_text(client.get(response["Location"]))
    assert "takenwachtrij niet bereikbaar" in page


# --- a worker killed mid-import --------------------------------------------------------


class WorkerKilled(BaseException):
    """What the import sees of a killed worker: it stops where it is, no handler runs."""


def test_a_worker_killed_mid_import_leaves_nothing_and_the_job_shows_failed(client, world):
    from interventions.tests.helpers import build_team, haarlem, velsen

    haarlem()
    build_team(world, velsen()["wijk"])
    job = import_services.intervention_import_start(
        actor=world.corp_editor,
        uploaded_file=csv_file(row(), row(Titel="Schoonmaakactie"), row(Titel="Buurtbarbecue")),
    )
    original_save = InterventionImporter.save
    saved_rows = []

    def save_then_die(self, *args, **kwargs):
        if saved_rows:
            raise WorkerKilled
        saved_rows.append(original_save(self, *args, **kwargs))
        return saved_rows[-1]

    with mock.patch.object(InterventionImporter, "save", save_then_die), pytest.raises(WorkerKilled):
        core_imports.job_run_task(
            InterventionImport, job.pk, lambda: import_services.intervention_import_run(job_id=job.pk)
        )
    # One row was written before the worker died; the database rolled it back with the rest.
    assert len(saved_rows) == 1
    assert not Intervention.objects.exists()
    job.refresh_from_db()
    assert job.status == InterventionImport.Status.RUNNING

    # Within the task's time limit the job may still be running somewhere: left alone.
    assert core_imports.jobs_fail_stale() == 0
    client.force_login(world.corp_editor)
    url = reverse("interventions:import-detail", args=[job.pk])
    assert "mislukt" not in page_text(client.get(url))

    # Past it, the page shows the job failed, with what to do.
    InterventionImport.objects.filter(pk=job.pk).update(
        updated_at=timezone.now() - core_imports.STALE_AFTER - datetime.timedelta(minutes=1)
    )
    page = page_text(client.get(url))
    job.refresh_from_db()
    assert job.status == InterventionImport.Status.FAILED
    assert "De import is onderbroken" in page
    assert [error["message"] for error in job.errors] == [str(core_imports.INTERRUPTED)]


def test_every_kind_of_job_page_fails_a_job_left_running(world):
    """The stale check lives in the shared job getter, so the portfolio's register
    import and the year-report file fail like the imports, without waiting for the sweep."""
    from portfolio.models import ComplexImport
    from portfolio.selectors import complex_import_get

    old = timezone.now() - core_imports.STALE_AFTER - datetime.timedelta(minutes=1)
    job = ComplexImport.objects.create(
        organisation=world.corporatie,
        year=2025,
        original_name="register.csv",
        file="imports/complexes/register.csv",
        started_by=world.corp_editor,
        status=ComplexImport.Status.RUNNING,
        version=1,
    )
    ComplexImport.objects.filter(pk=job.pk).update(updated_at=old)
    shown = complex_import_get(user=world.corp_editor, pk=job.pk)
    assert shown.status == ComplexImport.Status.FAILED
    assert [error["message"] for error in shown.errors] == [str(core_imports.INTERRUPTED)]


def test_the_periodic_sweep_fails_jobs_left_running(world, settings):
    assert import_jobs_sweep.name in {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    old = timezone.now() - core_imports.STALE_AFTER - datetime.timedelta(minutes=1)
    jobs = [
        InterventionImport.objects.create(
            original_name=f"{n}.csv", started_by=world.corp_editor, status=status, version=1
        )
        for n, status in enumerate(
            [
                InterventionImport.Status.RUNNING,
                InterventionImport.Status.RUNNING,
                InterventionImport.Status.DONE,
            ]
        )
    ]
    InterventionImport.objects.filter(pk__in=[jobs[0].pk, jobs[2].pk]).update(updated_at=old)
    # 1 running and stale; 1 running and recent; 1 done long ago.
    assert import_jobs_sweep.apply().get() == 1
    assert [InterventionImport.objects.get(pk=job.pk).status for job in jobs] == [
        InterventionImport.Status.FAILED,
        InterventionImport.Status.RUNNING,
        InterventionImport.Status.DONE,
    ]


# --- the database gone for a moment -----------------------------------------------------

DATABASE_GONE = OperationalError("server closed the connection unexpectedly")


def test_a_database_outage_answers_503_and_the_site_recovers(world):
    client = Client(raise_request_exception=False)
    client.force_login(world.corp_editor)
    with mock.patch.object(CursorWrapper, "execute", side_effect=DATABASE_GONE):
        page = client.get(reverse("interventions:list"))
    assert page.status_code == 503
    assert page["Retry-After"] == "30"
    assert "Even niet bereikbaar" in page.content.decode()
    assert "Traceback" not in page.content.decode()
    # The next request, with the database back, is served as usual.
    assert client.get(reverse("interventions:list")).status_code == 200


def test_a_database_outage_in_the_api_answers_503_json(world):
    token = Token.objects.create(user=world.corp_editor)
    client = Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {token.key}")
    with mock.patch.object(CursorWrapper, "execute", side_effect=DATABASE_GONE):
        response = client.get("/api/v1/interventions/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert json.loads(response.content)["code"] == "service_unavailable"
    assert client.get("/api/v1/interventions/").status_code == 200


def test_connections_are_checked_before_reuse(settings):
    # A connection broken by a database restart is replaced by the next request.
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
