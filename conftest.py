"""Fixtures for every test suite: the personas world, eager tasks, mail and cache.

Data that tests only read is built once and rolled back afterwards, as Django's
``TestCase.setUpTestData`` does: the personas ``world`` once per module, an access-matrix
class's data once per class and each of its cases once per case. Every test then runs in
a savepoint of its own inside that transaction (pytest-django's ``db``), so what a test
writes is gone before the next one starts, and it gets its own copy of the Python
objects. A test that needs committed data (a real worker in another thread, a live server)
uses ``transactional_db`` with ``committed_world`` instead.
"""

import copy
import itertools
import os
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.test import override_settings

from tests.db import rolled_back
from tests.matrix import matrix_case, matrix_world, pytest_generate_tests  # noqa: F401  (access matrix)

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
# make around it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

TRANSACTIONAL = {
    "transactional_db",
    "live_server",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


REDIS_DATABASES = 16  # Redis's default number of numbered databases


def _worker_caches(caches: dict, worker: str) -> dict:
    """Parallel test processes (pytest-xdist workers gw0, gw1, ...) each get a Redis
    database of their own for the cache: every test empties the cache (FLUSHDB), which
    must not empty another process's cache, nor the configured database, where the tests
    with a real Celery worker keep their broker queues."""
    caches = copy.deepcopy(caches)
    default = caches["default"]
    if "redis" not in default["BACKEND"].lower() or not worker.startswith("gw"):
        return caches
    url = urlsplit(default["LOCATION"])
    base = int(url.path.strip("/") or 0)
    others = [number for number in range(REDIS_DATABASES) if number != base]
    database = others[(base + int(worker[2:])) % len(others)]
    default["LOCATION"] = urlunsplit(url._replace(path=f"/{database}"))
    return caches


@pytest.fixture(scope="session", autouse=True)
def _test_settings(tmp_path_factory):
    """Settings for the whole run, in force before any shared data is built."""
    from django.conf import settings

    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        SITE_URL="http://testserver",
        MEDIA_ROOT=str(tmp_path_factory.mktemp("media")),
        CACHES=_worker_caches(settings.CACHES, os.environ.get("PYTEST_XDIST_WORKER", "")),
    ):
        yield


@pytest.fixture(scope="session", autouse=True)
def _static_files_listed_once():
    """Every test client loads the middleware anew, and WhiteNoise lists the static files
    through the finders when it starts (tens of milliseconds a client): the list is made
    once per test process and handed to every later start. The static files do not change
    during a run."""
    from whitenoise.middleware import WhiteNoiseMiddleware

    listing = WhiteNoiseMiddleware.add_files_from_finders
    listed = {}

    def add_files_from_finders(self):
        if not listed:
            listing(self)
            listed.update(self.files)
        else:
            self.files.update(listed)

    WhiteNoiseMiddleware.add_files_from_finders = add_files_from_finders
    yield
    WhiteNoiseMiddleware.add_files_from_finders = listing


@pytest.fixture(scope="session", autouse=True)
def _second_factor_sessions():
    """``client.force_login`` gives platform admins and beheerders a session that passed
    the second step, as signing in does in production (``tests.two_factor``)."""
    from tests import two_factor

    two_factor.install()
    yield
    two_factor.uninstall()


@pytest.fixture(scope="session", autouse=True)
def _eager_tasks():
    """Tasks run inline in tests unless a test starts a real worker (``tests.worker``)."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(scope="session", autouse=True)
def _catalogue(django_db_setup, django_db_blocker):
    """The open sources, indicators and score models, installed once per test database
    (committed, as on an installed site). A test on committed data empties the database
    afterwards; ``pytest_runtest_teardown`` then installs it again."""
    from django.db import connection

    from scores.services.catalogue import catalogue_install

    with django_db_blocker.unblock():
        catalogue_install()
        _content_types_known()
        # Leave no connection open behind: a test without database access must find none
        # (a request_finished signal, for one, closes old connections).
        connection.close()


def _content_types_known():
    """Every model's content type in Django's cache, as in a process that has served a
    while: a query count in a test does not depend on whether a test before it in the
    process looked them up (emptying the database clears that cache)."""
    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.get_for_models(*apps.get_models(include_auto_created=True))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A test on committed data empties the database when its fixtures end: after that,
    what every test may expect installed is put back (the catalogue of ``_catalogue`` and
    the scores' data version that a migration creates, the content types in Django's
    cache), so no test depends on which test ran before it in its process."""
    yield
    if _on_committed_data(item):
        from django.db import connection
        from pytest_django.plugin import blocking_manager_key

        from scores import versions
        from scores.services.catalogue import catalogue_install

        with item.config.stash[blocking_manager_key].unblock():
            catalogue_install()
            versions.data_changed()
            _content_types_known()
            connection.close()


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from areas.selectors import clear_map_memory
    from scores import versions

    cache.clear()
    clear_map_memory()  # map bodies and boundary versions kept in process memory
    versions._local.clear()  # and the scores' data version
    # Within a test the version read stays until the data changes (``data_changed``) or the
    # test clears it: a query count does not depend on how long the test took.
    local_ttl, versions.LOCAL_TTL = versions.LOCAL_TTL, 3600.0
    yield
    versions.LOCAL_TTL = local_ttl


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """The personas world, built once per module and rolled back at its end."""
    from tests.personas import build_world

    with rolled_back(django_db_blocker):
        yield build_world()


@pytest.fixture
def world(shared_world, db):
    """The personas world (``tests.personas``) for one test: the module's shared rows,
    and Python objects of the test's own."""
    return copy.deepcopy(shared_world)


@pytest.fixture
def committed_world(transactional_db):
    """The personas world committed to the database, for tests whose code runs on another
    connection (a real Celery worker); emptied after the test like all committed data."""
    from tests.personas import build_world

    return build_world()


@pytest.fixture
def api_client(client):
    return client


def _on_committed_data(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(set(item.fixturenames) & TRANSACTIONAL) or bool(marker and marker.kwargs.get("transaction"))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Within each module, run the tests without the shared world first: it stays in the
    database until the module ends, so a test that did not ask for it never finds it.

    Tests on committed data (a real worker, a live server) live in modules of their own:
    the shared world's transaction would still be open around them."""
    ordered = []
    modules = [
        (path, list(group))
        for path, group in itertools.groupby(items, key=lambda item: item.nodeid.split("::")[0])
    ]
    for path, group in modules:
        shared = [item for item in group if "shared_world" in getattr(item, "fixturenames", ())]
        committed = [item for item in group if hasattr(item, "fixturenames") and _on_committed_data(item)]
        if shared and committed:
            raise pytest.UsageError(
                f"{path}: {committed[0].name} runs on committed data (transactional_db, live_server), "
                f"but {shared[0].name} in the same module uses the shared world, whose transaction is "
                "still open then. Move the test on committed data to a module of its own and give it "
                "committed_world."
            )
        ordered += [item for item in group if item not in shared] + shared
    items[:] = ordered
