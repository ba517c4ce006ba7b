"""Generic access checks: declare each page or endpoint once, get a test per persona.

A test class subclasses ``AccessMatrix`` and lists ``cases``. For every case and every
persona in ``tests.personas.PERSONAS`` one test runs, expecting:

- anonymous: pages redirect to the sign-in page, the API answers 401/403 (unless the
  case is ``public``: then anonymous is allowed like everybody);
- personas in ``allowed``: success (2xx, or a redirect that is not to sign-in);
- personas in ``visible`` but not in ``allowed``: 403 (they may read, not do this);
- everybody else: 404, so the existence of the object is not revealed (``hidden_status``
  400 where the object is referenced in the body: an unknown id, as for one that does
  not exist).

For list pages and list endpoints use ``contains``: the personas in ``allowed`` find the
text in the response, all others get 200 without it (or the sign-in redirect).

The personas world is built once per module; ``world_setup`` (a function of the world,
optional) adds the data a class reads once per class, and each case's ``setup`` runs once
per case, before its url, data and text are worked out. Every persona's request then runs
in a savepoint of its own, so a write by one persona is gone before the next.

Every route of the URL configuration needs at least one case (or an exemption with its
reason in ``tests/test_routes.py``): ``url_routes`` lists the routes, ``declared_routes``
the route each declared case reaches.

Example::

    class TestMemberPages(AccessMatrix):
        cases = [
            Case("members page", url=lambda w: reverse("organisations:members", args=[w.corporatie.slug]),
                 allowed={"corp_editor", "org_admin"}),
            Case("change role", method="post", url=..., data=lambda w: {...},
                 allowed={"org_admin"}, visible={"corp_editor"}),
        ]
"""

import copy
import importlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import transaction
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve

from tests.db import rolled_back
from tests.personas import PERSONAS

ALWAYS_ALLOWED = {"platform_admin"}
# ``Case.content_type`` for an API case that uploads files: the data goes as a form.
MULTIPART = "multipart/form-data"


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
    # The exact status the allowed personas get, where it is not a plain success (a stale
    # edit that is refused with 409 and shows the form again, for instance).
    allowed_status: int | None = None
    # The status for personas who may not see the object: 404 for an object in the URL,
    # 400 ("Onbekend id") for an object referenced in the request body, which reads as an
    # id that does not exist.
    hidden_status: int = 404
    # Open to everybody, signed in or not (the API's documentation and schema).
    public: bool = False

    def expected_for(self, persona):
        allowed = set(self.allowed) | (ALWAYS_ALLOWED if self.admin_allowed else set())
        if self.public:
            return "allowed"
        if persona == "anonymous":
            return "anonymous"
        if persona in allowed:
            return "allowed"
        if self.contains is not None:
            return "hidden"
        if persona in self.visible:
            return "forbidden"
        return "not_found"


@dataclass
class Prepared:
    """A case with its world set up and its url, data and expected text worked out."""

    case: Case
    world: object
    url: str
    data: dict | None
    text: str | None


class AccessMatrix:
    cases: list = []
    # Data every case of the class reads, built once per class: ``world_setup(world)``.
    world_setup: Callable | None = None

    def test_access(self, client, matrix_case, persona, db):
        case, world = matrix_case.case, matrix_case.world
        if persona != "anonymous":
            client.force_login(world.users[persona])
        data = matrix_case.data
        kwargs = {}
        if (
            case.api
            and data is not None
            and case.method in {"post", "put", "patch"}
            and case.content_type != MULTIPART
        ):
            kwargs = {"data": json.dumps(data), "content_type": "application/json"}
        elif data is not None:
            # Every persona's request reads the files in the data: each starts at the top.
            for value in data.values() if isinstance(data, dict) else ():
                if hasattr(value, "seek"):
                    value.seek(0)
            kwargs = {"data": data}
        response = getattr(client, case.method)(matrix_case.url, **kwargs)
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
        elif expected == "allowed" and case.allowed_status is not None:
            assert status == case.allowed_status, where
        elif expected == "allowed":
            assert status < 400, where
            if status in (301, 302):
                assert "/inloggen/" not in response["Location"], where
            if matrix_case.text is not None:
                assert matrix_case.text in response.content.decode(), f"{where}, '{matrix_case.text}' missing"
        elif expected == "hidden":
            assert status == 200, where
            text = matrix_case.text
            assert text not in response.content.decode(), f"{where}, '{text}' should be hidden"
        elif expected == "forbidden":
            assert status == 403, where
        else:
            assert status == case.hidden_status, where


@pytest.fixture(scope="class")
def matrix_world(request, shared_world, django_db_blocker):
    """The module's world plus the class's ``world_setup``, rolled back after the class."""
    with rolled_back(django_db_blocker):
        world = copy.deepcopy(shared_world)
        if request.cls.world_setup is not None:
            request.cls.world_setup(world)
        yield world


@pytest.fixture(scope="class")
def matrix_case(request, matrix_world, django_db_blocker):
    """One case set up once for all personas, rolled back before the next case."""
    case = request.param
    with rolled_back(django_db_blocker):
        world = copy.deepcopy(matrix_world)
        if case.setup:
            case.setup(world)
        data = case.data(world) if callable(case.data) else case.data
        text = case.contains(world) if callable(case.contains) else case.contains
        yield Prepared(case=case, world=world, url=case.url(world), data=data, text=text)


def pytest_generate_tests(metafunc):
    cls = metafunc.cls
    if cls is None or not issubclass(cls, AccessMatrix):
        return
    if "matrix_case" in metafunc.fixturenames and "persona" in metafunc.fixturenames:
        # The case is a class-scoped parameter, so pytest sets each case up once and runs
        # all personas on it before the next case.
        metafunc.parametrize(
            "matrix_case",
            [pytest.param(case, id=case.name) for case in cls.cases],
            indirect=True,
            scope="class",
        )
        metafunc.parametrize("persona", PERSONAS)


# --- routes: every route of the URL configuration and the cases that reach it

# The API router's ``.json`` variants (``organisations.json``) are the same route as
# their base, and so are routes with and without their final slash.
FORMAT_SUFFIX = re.compile(r"(\\\.\(\?P<format>[^)]*\)/\?|<drf_format_suffix\w*:format>)\$?$")


def route_key(route: str) -> str:
    """One spelling of a route, as ``ResolverMatch.route`` gives it: ``api/v1/areas/(?P<pk>[^/.]+)``."""
    return FORMAT_SUFFIX.sub("", route.removeprefix("^")).removesuffix("$").rstrip("/")


def url_routes(patterns=None, prefix: str = "") -> dict[str, str]:
    """Every route of the URL configuration, recursively, with the name of its view."""
    routes = {}
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        # Joined as the resolver joins them (``URLResolver._join_route``).
        route = prefix + str(pattern.pattern).removeprefix("^") if prefix else str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes.update(url_routes(pattern.url_patterns, route))
        elif isinstance(pattern, URLPattern):
            routes.setdefault(route_key(route), pattern.lookup_str)
    return routes


def access_matrices(root: Path = Path(settings.BASE_DIR)) -> list[type]:
    """Every ``AccessMatrix`` class of every test module that declares one."""
    for path in sorted([*root.glob("*/tests/test_*.py"), *root.glob("tests/test_*.py")]):
        if "(AccessMatrix)" in path.read_text():
            importlib.import_module(".".join(path.relative_to(root).with_suffix("").parts))
    found, todo = [], list(AccessMatrix.__subclasses__())
    while todo:
        cls = todo.pop(0)
        found.append(cls)
        todo += cls.__subclasses__()
    return found


class AnyObject:
    """Stands for an object a case's setup would make, to work out which route its url
    takes without making it: every attribute, item and call is another one, and in a
    url it reads ``1`` (an id, a slug, a code)."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return self

    def __getitem__(self, key):
        return self

    def __call__(self, *args, **kwargs):
        return self

    def __iter__(self):
        return iter(())

    def __str__(self):
        return "1"


class AnyObjects(dict):
    """A world's ``objects`` that holds every object already: the setups that build
    them once (``if "team" in w.objects``) have nothing left to do."""

    def __contains__(self, key):
        return True

    def __missing__(self, key):
        return AnyObject()


def case_urls(cls, world) -> Iterator[tuple[Case, str]]:
    """The url of each of the class's cases in the personas ``world``, all rolled back.

    Most urls need no data of their own, or only its ids, so they are worked out first
    with ``AnyObject`` for the data: no setup runs. A url that cannot do without gets the
    class's ``world_setup`` (once) and the case's ``setup``, as the access test does."""
    anything = copy.copy(world)
    anything.objects = AnyObjects()
    prepared = None
    with transaction.atomic():
        for case in cls.cases:
            try:
                with transaction.atomic():  # what a failed url wrote is undone
                    url = case.url(anything)
                    resolve(urlsplit(url).path)
            except Exception:
                if prepared is None:
                    prepared = copy.deepcopy(world)
                    if cls.world_setup is not None:
                        cls.world_setup(prepared)
                with transaction.atomic():
                    case_world = copy.deepcopy(prepared)
                    if case.setup is not None:
                        case.setup(case_world)
                    url = case.url(case_world)
                    transaction.set_rollback(True)
            yield case, url
        transaction.set_rollback(True)


def declared_routes(world) -> dict[str, list[str]]:
    """The route of every declared case: route -> ``Class: case (method)``."""
    routes = {}
    for cls in access_matrices():
        for case, url in case_urls(cls, copy.deepcopy(world)):
            try:
                match = resolve(urlsplit(url).path)
            except Resolver404:
                raise AssertionError(f"{cls.__name__}: {case.name}: {url} is no route") from None
            routes.setdefault(route_key(match.route), []).append(
                f"{cls.__name__}: {case.name} ({case.method.upper()})"
            )
    return routes
