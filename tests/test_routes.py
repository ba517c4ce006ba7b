"""Every route of the URL configuration has a declared access rule.

A route is covered by at least one ``Case`` of an ``AccessMatrix`` (``tests.matrix``),
which says what each persona gets there, or it is listed in ``EXEMPT`` with the reason
and the place where it is tested. A new route without either fails here.
"""

from tests.matrix import declared_routes, url_routes

# Routes (as ``tests.matrix.route_key`` spells them) left out of the access matrix; an
# entry covers the route itself and every route below it.
EXEMPT = {
    "beheer/django": (
        "Django's admin: platform admins after the second step only, everybody else to the "
        "admin's own sign-in; core/tests/test_two_factor.py::TestDjangoAdmin"
    ),
    "account/uitloggen": (
        "signing out, by POST only, ends the session of whoever sends it and sends them to "
        "the sign-in page; organisations/tests/test_auth.py::TestSignOut"
    ),
    "api/v1/auth/logout": "the API browser's signing out: the same view as account/uitloggen",
}


def exempted_by(entry: str, route: str) -> bool:
    return route == entry or route.startswith(entry + "/")


def test_every_route_has_a_declared_access_rule(world):
    routes = url_routes()
    declared = declared_routes(world)  # fails on a case whose url is no route
    missing = [
        f"{route}  ({view})"
        for route, view in routes.items()
        if route not in declared and not any(exempted_by(entry, route) for entry in EXEMPT)
    ]
    assert not missing, (
        "Routes without an access rule. Declare a Case for each in the AccessMatrix of the "
        "app's tests/test_access.py, saying what every persona gets; only a route that is "
        "public by design or Django's admin goes in EXEMPT in tests/test_routes.py, with the "
        "reason:\n  " + "\n  ".join(missing)
    )
    unused = [entry for entry in EXEMPT if not any(exempted_by(entry, route) for route in routes)]
    assert not unused, f"EXEMPT lists routes that no longer exist: {unused}"
