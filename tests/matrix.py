"""Generic access checks: declare each page or endpoint once, get a test per persona.

A test class subclasses ``AccessMatrix`` and lists ``cases``. For every case and every
persona in ``tests.personas.PERSONAS`` one test runs, expecting:

- anonymous: pages redirect to the sign-in page, the API answers 401/403;
- personas in ``allowed``: success (2xx, or a redirect that is not to sign-in);
- personas in ``visible`` but not in ``allowed``: 403 (they may read, not do this);
- everybody else: 404, so the existence of the object is not revealed.

For list pages and list endpoints use ``contains``: the personas in ``allowed`` find the
text in the response, all others get 200 without it (or the sign-in redirect).

Example::

    class TestMemberPages(AccessMatrix):
        cases = [
            Case("members page", url=lambda w: reverse("organisations:members", args=[w.corporatie.slug]),
                 allowed={"corp_editor", "org_admin"}),
            Case("change role", method="post", url=..., data=lambda w: {...},
                 allowed={"org_admin"}, visible={"corp_editor"}),
        ]
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.conf import settings

from tests.personas import PERSONAS

ALWAYS_ALLOWED = {"platform_admin"}


@dataclass
class Case:
    name: str
    url: Callable
    method: str = "get"
    data: Callable | dict | None = None
    allowed: set = field(default_factory=set)
    visible: set = field(default_factory=set)
    api: bool = False
    contains: Callable | str | None = None
    setup: Callable | None = None
    # Platform admins may do everything unless a case says otherwise.
    admin_allowed: bool = True
    content_type: str | None = None

    def expected_for(self, persona):
        allowed = set(self.allowed) | (ALWAYS_ALLOWED if self.admin_allowed else set())
        if persona == "anonymous":
            return "anonymous"
        if persona in allowed:
            return "allowed"
        if self.contains is not None:
            return "hidden"
        if persona in self.visible:
            return "forbidden"
        return "not_found"


class AccessMatrix:
    cases: list = []

    def test_access(self, client, world, case, persona):
        if case.setup:
            case.setup(world)
        if persona != "anonymous":
            client.force_login(world.users[persona])
        url = case.url(world)
        data = case.data(world) if callable(case.data) else case.data
        kwargs = {}
        if case.api and data is not None and case.method in {"post", "put", "patch"}:
            kwargs = {"data": json.dumps(data), "content_type": "application/json"}
        elif data is not None:
            kwargs = {"data": data}
        response = getattr(client, case.method)(url, **kwargs)
        expected = case.expected_for(persona)
        status = response.status_code
        where = f"{case.name} as {persona}: got {status}"
        if expected == "anonymous":
            if case.api:
                assert status in (401, 403), where
            else:
                assert status == 302 and response["Location"].startswith(
                    settings.LOGIN_URL if settings.LOGIN_URL.startswith("/") else "/account/inloggen/"
                ), where
        elif expected == "allowed":
            assert status < 400, where
            if status in (301, 302):
                assert "/inloggen/" not in response["Location"], where
            if case.contains is not None:
                text = case.contains(world) if callable(case.contains) else case.contains
                assert text in response.content.decode(), f"{where}, '{text}' missing"
        elif expected == "hidden":
            assert status == 200, where
            text = case.contains(world) if callable(case.contains) else case.contains
            assert text not in response.content.decode(), f"{where}, '{text}' should be hidden"
        elif expected == "forbidden":
            assert status == 403, where
        else:
            assert status == 404, where


def pytest_generate_tests(metafunc):
    cls = metafunc.cls
    if cls is None or not issubclass(cls, AccessMatrix):
        return
    if "case" in metafunc.fixturenames and "persona" in metafunc.fixturenames:
        params, ids = [], []
        for case in cls.cases:
            for persona in PERSONAS:
                params.append(pytest.param(case, persona))
                ids.append(f"{case.name}-{persona}")
        metafunc.parametrize(("case", "persona"), params, ids=ids)
