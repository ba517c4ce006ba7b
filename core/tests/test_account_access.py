"""Who reaches the account pages: every signed-in person their own security page and
password change; resetting someone's second factor only a platform admin (others 403: the
page is no secret). Signing in and the forgotten-password pages are open to everybody;
signed-in people are sent on from the sign-in page."""

from django.urls import reverse

from tests.matrix import AccessMatrix, Case

SIGNED_IN = {"corp_editor", "org_admin", "gemeente_reviewer", "tenant_rep", "partner_reader", "outsider"}


class TestAccountSecurityPages(AccessMatrix):
    cases = [
        Case("security page", url=lambda w: reverse("account-security"), allowed=SIGNED_IN),
        Case(
            "new recovery codes",
            method="post",
            url=lambda w: reverse("account-security"),
            data={"action": "herstelcodes"},
            allowed=SIGNED_IN,
        ),
        # Everyone passed the second step already (or has none): the code page sends on.
        Case("code page", url=lambda w: reverse("second-factor"), allowed=SIGNED_IN),
        Case("set-up page", url=lambda w: reverse("second-factor-setup"), allowed=SIGNED_IN),
        Case(
            "reset page",
            url=lambda w: reverse("second-factor-reset"),
            visible=SIGNED_IN,
        ),
        Case(
            "reset someone",
            method="post",
            url=lambda w: reverse("second-factor-reset"),
            data=lambda w: {"email": w.org_admin.email},
            visible=SIGNED_IN,
        ),
    ]


class TestPasswordPages(AccessMatrix):
    cases = [
        Case("password change page", url=lambda w: reverse("password_change"), allowed=SIGNED_IN),
        Case("password changed page", url=lambda w: reverse("password_change_done"), allowed=SIGNED_IN),
        Case("sign-in page", url=lambda w: reverse("login"), public=True),
        Case("api sign-in page", url=lambda w: reverse("rest_framework:login"), public=True),
        Case("forgotten password page", url=lambda w: reverse("password_reset"), public=True),
        Case("reset mail sent page", url=lambda w: reverse("password_reset_done"), public=True),
        # A link with a wrong token is a page that says the link no longer works.
        Case(
            "reset link page",
            url=lambda w: reverse("password_reset_confirm", args=["MQ", "set-password"]),
            public=True,
        ),
        Case("password reset page", url=lambda w: reverse("password_reset_complete"), public=True),
    ]
