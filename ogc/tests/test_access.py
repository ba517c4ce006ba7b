"""Who may read which OGC API – Features route: every signed-in person reads the areas
and the open scores; the licensed Aedes model of the corporation (shared with the
gemeente) is listed and served only to the corporation and the gemeente, and is a 404
for everyone else, platform admins included, exactly like a collection that does not
exist. Without sign-in the API answers 401, the HTML pages send to the sign-in page."""

from django.urls import reverse

from scores.tests.test_maps import HIDDEN_FROM, SEES_LICENSED, build_map_data
from tests.matrix import AccessMatrix, Case

SIGNED_IN = SEES_LICENSED | HIDDEN_FROM
LICENSED = "aedes-test-2023-buurten"
OPEN = "wijkkoers-veerkracht-2023-buurten"


def _build(world):
    world.objects["map_data"] = build_map_data(world)


def _open(name, *args, query=""):
    return lambda w: reverse(name, args=args) + query


def _licensed(name, *args, query=""):
    return Case(
        f"{name} {LICENSED}{query}",
        api=not query,
        url=_open(name, LICENSED, *args, query=query),
        allowed=SEES_LICENSED,
        admin_allowed=False,
    )


class TestOgcRoutes(AccessMatrix):
    world_setup = staticmethod(_build)
    cases = [
        Case("landing", api=True, url=_open("ogc:landing"), allowed=SIGNED_IN),
        Case("conformance", api=True, url=_open("ogc:conformance"), allowed=SIGNED_IN),
        Case("api definition", api=True, url=_open("ogc:api"), allowed=SIGNED_IN),
        Case(
            "collections list open",
            api=True,
            url=_open("ogc:collections"),
            allowed=SIGNED_IN,
            contains=f'"id": "{OPEN}"',
        ),
        Case(
            "collections list licensed",
            api=True,
            url=_open("ogc:collections"),
            allowed=SEES_LICENSED,
            contains=f'"id": "{LICENSED}"',
            admin_allowed=False,
        ),
        Case("area collection", api=True, url=_open("ogc:collection", "buurten-2023"), allowed=SIGNED_IN),
        Case("area items", api=True, url=_open("ogc:items", "buurten-2023"), allowed=SIGNED_IN),
        Case("area item", api=True, url=_open("ogc:item", "buurten-2023", "BU04530000"), allowed=SIGNED_IN),
        Case("open collection", api=True, url=_open("ogc:collection", OPEN), allowed=SIGNED_IN),
        Case("open items", api=True, url=_open("ogc:items", OPEN), allowed=SIGNED_IN),
        Case("open item", api=True, url=_open("ogc:item", OPEN, "BU04530000"), allowed=SIGNED_IN),
        _licensed("ogc:collection"),
        _licensed("ogc:items"),
        _licensed("ogc:item", "BU04530000"),
        _licensed("ogc:items", query="?f=html"),
        Case("landing page", url=_open("ogc:landing", query="?f=html"), allowed=SIGNED_IN),
        Case(
            "collections page",
            url=_open("ogc:collections", query="?f=html"),
            allowed=SEES_LICENSED,
            contains=LICENSED,
            admin_allowed=False,
        ),
    ]
