"""Settings come from the environment: strict in production, easy for the demo.

Each case starts a fresh Python process with a controlled environment, because settings
are read once at start-up.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET = "check-deploy-only-0123456789abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ"
PRODUCTION = {"DJANGO_ENV": "production", "SECRET_KEY": SECRET, "ALLOWED_HOSTS": "wijkkoers.example.nl"}

# Only what a process needs to run; nothing the settings read leaks in from the shell
# (or from the test run itself, such as DJANGO_ALLOW_ASYNC_UNSAFE).
PASS_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV", "SYSTEMROOT")


def _env(**values):
    env = {key: os.environ[key] for key in PASS_THROUGH if key in os.environ}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env.update({key: value for key, value in values.items() if value is not None})
    return env


def _run(args, **values):
    return subprocess.run(
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=_env(**values),
        capture_output=True,
        text=True,
        timeout=120,
    )


def _check_deploy(**values):
    return _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **values)


def _settings(names, **values):
    """Values of the given settings (and the Celery app's view of them) in a new process."""
    code = (
        "import json\n"
        "from django.conf import settings\n"
        "from config.celery import app\n"
        f"names = {names!r}\n"
        "out = {name: getattr(settings, name) for name in names}\n"
        "out['app.task_always_eager'] = app.conf.task_always_eager\n"
        "out['app.broker_url'] = app.conf.broker_url\n"
        "print(json.dumps(out, default=str))\n"
    )
    result = _run(["-c", code], **values)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _error(result):
    assert result.returncode != 0, result.stdout
    return result.stderr


class TestDeployCheck:
    def test_production_with_valid_settings_passes_check_deploy(self):
        result = _check_deploy(**PRODUCTION)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "no issues" in result.stdout

    def test_the_check_is_not_vacuous_in_development(self):
        # Development with DEBUG on and insecure cookies: --deploy must complain.
        result = _check_deploy(DJANGO_ENV="development", SECRET_KEY=SECRET, DEBUG="true")
        assert result.returncode != 0
        assert "security.W018" in result.stdout + result.stderr  # DEBUG on

    def test_without_secret_key_production_refuses_to_start(self):
        stderr = _error(_check_deploy(**{**PRODUCTION, "SECRET_KEY": None}))
        assert "ImproperlyConfigured" in stderr
        assert "SECRET_KEY is verplicht in productie (minstens 50 tekens)." in stderr

    def test_short_secret_key_is_refused(self):
        stderr = _error(_check_deploy(**{**PRODUCTION, "SECRET_KEY": "te-kort"}))
        assert "SECRET_KEY is verplicht in productie" in stderr

    def test_without_allowed_hosts_production_refuses_to_start(self):
        stderr = _error(_check_deploy(**{**PRODUCTION, "ALLOWED_HOSTS": None}))
        assert "ALLOWED_HOSTS is verplicht in productie." in stderr

    def test_debug_on_in_production_is_refused(self):
        stderr = _error(_check_deploy(**{**PRODUCTION, "DEBUG": "true"}))
        assert "DEBUG mag niet aan staan in productie." in stderr

    def test_unknown_environment_is_refused(self):
        stderr = _error(_check_deploy(DJANGO_ENV="staging"))
        assert "DJANGO_ENV moet 'development' of 'production' zijn." in stderr


class TestStrictBooleans:
    @pytest.mark.parametrize("env", [{}, PRODUCTION], ids=["development", "production"])
    def test_debug_maybe_is_an_error(self, env):
        stderr = _error(_check_deploy(**{**env, "DEBUG": "maybe"}))
        assert "ImproperlyConfigured" in stderr
        assert "DEBUG moet true of false zijn, niet 'maybe'." in stderr

    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            ("true", True),
            (" Yes ", True),
            ("1", True),
            ("on", True),
            ("FALSE", False),
            ("no", False),
            ("0", False),
        ],
    )
    def test_accepted_spellings(self, raw, expected):
        assert _settings(["DEBUG"], DEBUG=raw)["DEBUG"] is expected

    def test_other_booleans_are_strict_too(self):
        stderr = _error(_run(["-c", "from django.conf import settings; settings.DEBUG"], EMAIL_USE_TLS="ja"))
        assert "EMAIL_USE_TLS moet true of false zijn, niet 'ja'." in stderr


class TestDefaults:
    def test_without_redis_tasks_run_inline(self):
        values = _settings(["CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL", "CACHES"])
        assert values["CELERY_TASK_ALWAYS_EAGER"] is True
        assert values["app.task_always_eager"] is True
        assert values["CELERY_BROKER_URL"] == "memory://"
        assert "LocMemCache" in values["CACHES"]["default"]["BACKEND"]

    def test_with_redis_tasks_go_to_the_broker(self):
        url = "redis://127.0.0.1:6379/7"
        values = _settings(["CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL", "CACHES"], REDIS_URL=url)
        assert values["CELERY_TASK_ALWAYS_EAGER"] is False
        assert values["app.task_always_eager"] is False
        assert values["CELERY_BROKER_URL"] == url
        assert values["app.broker_url"] == url
        assert values["CACHES"]["default"]["LOCATION"] == url

    def test_demo_defaults_to_sqlite_and_console_mail(self):
        values = _settings(["DATABASES", "EMAIL_BACKEND", "DEBUG", "DJANGO_ENV"])
        assert values["DATABASES"]["default"]["ENGINE"] == "django.db.backends.sqlite3"
        assert values["EMAIL_BACKEND"].endswith("console.EmailBackend")
        # No tracebacks in the demo; DEBUG=true turns them on while developing.
        assert values["DEBUG"] is False
        assert values["DJANGO_ENV"] == "development"

    def test_production_defaults_are_secure(self):
        values = _settings(
            [
                "DEBUG",
                "SESSION_COOKIE_SECURE",
                "CSRF_COOKIE_SECURE",
                "SECURE_SSL_REDIRECT",
                "SECURE_HSTS_SECONDS",
                "EMAIL_BACKEND",
                "SECRET_KEY",
            ],
            **PRODUCTION,
        )
        assert values["DEBUG"] is False
        assert values["SESSION_COOKIE_SECURE"] is True
        assert values["CSRF_COOKIE_SECURE"] is True
        assert values["SECURE_SSL_REDIRECT"] is True
        assert int(values["SECURE_HSTS_SECONDS"]) >= 60 * 60 * 24 * 365
        assert values["EMAIL_BACKEND"].endswith("smtp.EmailBackend")
        assert values["SECRET_KEY"] == SECRET

    def test_postgresql_prepares_repeated_queries_and_the_threshold_turns_it_off(self):
        url = "postgres://wijkkoers@127.0.0.1:5432/wijkkoers"
        options = _settings(["DATABASES"], DATABASE_URL=url)["DATABASES"]["default"]["OPTIONS"]
        assert options == {"server_side_binding": True, "prepare_threshold": 2}
        off = _settings(["DATABASES"], DATABASE_URL=url, DATABASE_PREPARE_THRESHOLD="0")
        assert off["DATABASES"]["default"]["OPTIONS"] == {
            "server_side_binding": True,
            "prepare_threshold": None,
        }
        negative = _run(
            ["-c", "from django.conf import settings; settings.DEBUG"],
            DATABASE_URL=url,
            DATABASE_PREPARE_THRESHOLD="-1",
        )
        assert "DATABASE_PREPARE_THRESHOLD moet 0 (uit) of groter zijn." in _error(negative)
