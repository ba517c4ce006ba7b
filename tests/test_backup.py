"""A backup restores into an empty database and serves: ``pg_dump`` of the database,
``pg_restore`` into a new one, and the site, pointed at the new one, shows the data.
The commands are the ones in README.md, "Operations"."""

import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from areas.models import Area
from interventions.models import Intervention
from interventions.tests.helpers import build_intervention, build_team, velsen
from organisations.models import Organisation

BASE_DIR = Path(settings.BASE_DIR)

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql" or not (shutil.which("pg_dump") and shutil.which("pg_restore")),
    reason="needs PostgreSQL and its pg_dump and pg_restore",
)

# Rendered in a fresh process whose only database is the restored one.
SERVE = """
import json
import django
django.setup()
from django.test import Client
from core.models import User
client = Client()
client.force_login(User.objects.get(email="corp.editor@example.nl"))
page = client.get("/interventies/")
print(json.dumps({"status": page.status_code, "page": page.content.decode()}))
"""


def _libpq_env(database: dict) -> dict:
    env = {**os.environ, "PGUSER": database["USER"] or "", "PGHOST": database["HOST"] or ""}
    if database["PORT"]:
        env["PGPORT"] = str(database["PORT"])
    if database["PASSWORD"]:
        env["PGPASSWORD"] = database["PASSWORD"]
    return env


def _url(database: dict, name: str) -> str:
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    port = f":{database['PORT']}" if database["PORT"] else ""
    return f"postgres://{database['USER']}{password}@{database['HOST']}{port}/{name}"


def _run(args, env):
    result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result


def test_a_dump_restores_into_an_empty_database_and_serves(committed_world, tmp_path):
    team = build_team(committed_world, velsen()["wijk"])
    intervention = build_intervention(committed_world, team)
    counts = {
        "organisations": Organisation.objects.count(),
        "areas": Area.objects.count(),
        "interventions": Intervention.objects.count(),
    }
    database = settings.DATABASES["default"]
    env = _libpq_env(database)
    dump = tmp_path / "wijkkoers.dump"
    restored = f"{database['NAME']}_restore_{uuid.uuid4().hex[:8]}"

    _run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", database["NAME"]], env)
    _run(["createdb", restored], env)
    try:
        _run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={restored}", str(dump)], env)
        # Counted in the restored database itself.
        for table, model in [
            ("organisations", Organisation),
            ("areas", Area),
            ("interventions", Intervention),
        ]:
            result = _run(["psql", "-tAc", f"SELECT count(*) FROM {model._meta.db_table}", restored], env)
            assert int(result.stdout.strip()) == counts[table], table
        # And the site, on the restored database alone, serves the intervention list.
        served = subprocess.run(
            [sys.executable, "-c", SERVE],
            cwd=BASE_DIR,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "DATABASE_URL": _url(database, restored),
                "REDIS_URL": "",
            },
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert served.returncode == 0, served.stderr
        answer = json.loads(served.stdout.strip().splitlines()[-1])
        assert answer["status"] == 200
        assert intervention.title in answer["page"]
    finally:
        _run(["dropdb", "--if-exists", "--force", restored], env)
