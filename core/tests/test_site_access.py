"""Who reaches the routes of the site as a whole: the about page, the health check, the
favicon and the language switch are open to everybody by design (a visitor reads them
before signing in; the load balancer asks for the health check); the API's root lists
the endpoints to signed-in people only."""

from django.urls import reverse

from tests.matrix import AccessMatrix, Case

SIGNED_IN = {"corp_editor", "org_admin", "gemeente_reviewer", "tenant_rep", "partner_reader", "outsider"}


class TestSiteRoutes(AccessMatrix):
    cases = [
        Case("about page", url=lambda w: reverse("about"), public=True, contains="Wijkkoers"),
        Case("health check", api=True, url=lambda w: reverse("health"), public=True, contains='"ok"'),
        Case("favicon", url=lambda w: "/favicon.ico", public=True),
        Case(
            "language switch",
            method="post",
            url=lambda w: reverse("set_language"),
            data={"language": "nl", "next": "/"},
            public=True,
        ),
        Case("api root", api=True, url=lambda w: reverse("api-root"), allowed=SIGNED_IN),
    ]
