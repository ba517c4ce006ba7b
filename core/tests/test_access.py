"""Who may read and mark which notifications through the API: each person only their
own, platform admins included (a notification is personal). The API's documentation
and schema are open to everybody: they describe the API, not its data."""

from django.urls import reverse

from core.models import Notification
from core.services import notify
from tests.matrix import AccessMatrix, Case

SIGNED_IN = {"corp_editor", "org_admin", "gemeente_reviewer", "tenant_rep", "partner_reader", "outsider"}
TEXT = "Bod Velsen is ingediend"


def _notify_corp_editor(w):
    notify(recipients=[w.corp_editor], kind="test", text=TEXT, url="/")
    w.objects["notification"] = Notification.objects.get(recipient=w.corp_editor)


class TestNotificationApi(AccessMatrix):
    cases = [
        Case(
            "api own notifications only",
            api=True,
            url=lambda w: reverse("notification-list"),
            setup=_notify_corp_editor,
            contains=TEXT,
            allowed={"corp_editor"},
            admin_allowed=False,
        ),
        Case(
            "api notification",
            api=True,
            url=lambda w: reverse("notification-detail", args=[w.notification.pk]),
            setup=_notify_corp_editor,
            allowed={"corp_editor"},
            admin_allowed=False,
        ),
        Case(
            "api notification read",
            api=True,
            method="post",
            url=lambda w: reverse("notification-read", args=[w.notification.pk]),
            setup=_notify_corp_editor,
            allowed={"corp_editor"},
            admin_allowed=False,
        ),
        Case(
            "api mark own notifications read",
            api=True,
            method="post",
            url=lambda w: reverse("notification-mark-read"),
            data={},
            setup=_notify_corp_editor,
            allowed=SIGNED_IN,
        ),
    ]


class TestApiDocumentation(AccessMatrix):
    cases = [
        Case("api docs page", url=lambda w: reverse("api-docs"), public=True, contains="GET /api/v1/areas/"),
        Case(
            "api docs part",
            url=lambda w: reverse("api-docs-tag", args=["areas"]),
            public=True,
            contains="Parameters van GET /api/v1/areas/",
        ),
        Case("api schema", api=True, url=lambda w: reverse("api-schema"), public=True),
    ]
