"""Who reaches the account security pages: every signed-in person their own; resetting
someone's second factor only a platform admin (others 403: the page is no secret)."""

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
