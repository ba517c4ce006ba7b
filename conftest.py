"""Fixtures for every test suite: the personas world, eager tasks, mail and cache."""

import os

import pytest

from tests.matrix import pytest_generate_tests  # noqa: F401  (generic access checks)

# Playwright's sync API runs an event loop in the test thread; the ORM calls the tests
# make around it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def world(db):
    from tests.personas import build_world

    return build_world()


@pytest.fixture(autouse=True)
def _test_settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SITE_URL = "http://testserver"


@pytest.fixture(autouse=True)
def _eager_tasks():
    """Tasks run inline in tests unless a test starts a real worker (see ``celery_worker``)."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from areas.selectors import clear_map_memory

    cache.clear()
    clear_map_memory()  # map bodies and data versions kept in process memory
    yield


@pytest.fixture
def api_client(client):
    return client
