"""The API under a fuzzer: schemathesis sends requests generated from the OpenAPI schema
(``/api/v1/schema/``), valid ones and deliberately wrong ones (ids that are no number,
bodies of the wrong shape, unknown fields), as a reader and as an editor, through the
WSGI application.

Every request must be answered without a server error and with a status the schema
declares for the operation. Each request runs in a savepoint that is rolled back, so a
DELETE or another write never changes what the next request finds. The examples are
derandomized and bounded per operation, so a failure reproduces and the run stays short.
"""

import copy

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import status_code_conformance

from agreements.tests.test_access import build_agreement_world, build_bod_world
from config.wsgi import application
from interventions.tests.helpers import build_intervention, build_team
from tests.db import rolled_back

SCHEMA_PATH = "/api/v1/schema/"
CHECKS = [not_a_server_error, status_code_conformance]
# Examples per operation and persona: about 126 operations x 2 personas, some 1,300
# requests (derandomized: every run sends the same ones).
MAX_EXAMPLES = 5

CONFIG = SchemathesisConfig.from_dict(
    {
        "generation": {"deterministic": True},
        "phases": {"stateful": {"enabled": False}, "coverage": {"enabled": False}},
    }
)
# Loaded when the tests are collected (the schema view reads no data); the ids of the
# objects the fixture builds are filled in before the first request.
schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, application, config=CONFIG)
KNOWN = {"id": [], "slug": []}
SENT = {"requests": 0, "server_errors": 0}


@schema.hook
def after_call(context, case, response):
    SENT["requests"] += 1
    SENT["server_errors"] += response.status_code >= 500


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    # Besides what the generator made up, the ids of objects that exist.
    if not path_parameters:
        return st.just(path_parameters)
    variants = [path_parameters]
    for name, values in KNOWN.items():
        if name in path_parameters:
            variants += [{**path_parameters, name: value} for value in values]
    return st.sampled_from(variants)


@pytest.fixture(scope="module")
def in_process_requests():
    """Requests go straight to the WSGI application inside the test's transaction, as
    Django's test client sends them: the end of a request must not close the connection."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def fuzz_world(shared_world, django_db_blocker, in_process_requests):
    """The personas world with a team, an intervention, a signed agreement and a bod, so
    generated requests also reach objects that exist; an API token per persona."""
    with rolled_back(django_db_blocker):
        world = copy.deepcopy(shared_world)
        team = build_team(world)
        intervention = build_intervention(world, team)
        build_agreement_world(world)
        build_bod_world(world)
        world.objects.update(team=team, intervention=intervention)
        world.objects["tokens"] = {
            persona: Token.objects.create(user=world.users[persona]).key
            for persona in ("partner_reader", "corp_editor")
        }
        KNOWN["id"] = sorted({obj.pk for obj in world.objects.values() if hasattr(obj, "pk")})
        KNOWN["slug"] = sorted(org.slug for org in world.orgs.values())
        yield world
        KNOWN.update(id=[], slug=[])
        print(f"\nFuzzed: {SENT['requests']} requests, {SENT['server_errors']} server errors")


def _call(case, world, persona):
    headers = {"Authorization": f"Token {world.tokens[persona]}"}
    with transaction.atomic():
        case.call_and_validate(headers=headers, checks=CHECKS)
        transaction.set_rollback(True)


FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_reader(case, fuzz_world, db):
    _call(case, fuzz_world, "partner_reader")


@schema.parametrize()
@FUZZ_SETTINGS
def test_api_as_editor(case, fuzz_world, db):
    _call(case, fuzz_world, "corp_editor")
