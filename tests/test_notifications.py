from django.urls import reverse

from core.models import Notification
from core.services import notify
from tests.matrix import AccessMatrix, Case

SIGNED_IN = {"corp_editor", "org_admin", "gemeente_reviewer", "tenant_rep", "partner_reader", "outsider"}


def _notify_corp_editor(w):
    notify(recipients=[w.corp_editor], kind="test", text="Bod Velsen is ingediend", url="/")


class TestNotificationPage(AccessMatrix):
    cases = [
        Case("notifications", url=lambda w: reverse("notifications"), allowed=SIGNED_IN),
        Case(
            "own notifications only",
            url=lambda w: reverse("notifications"),
            setup=_notify_corp_editor,
            contains="Bod Velsen is ingediend",
            allowed={"corp_editor"},
            admin_allowed=False,
        ),
    ]


def test_mark_read_touches_only_own_notifications(client, world):
    notify(recipients=[world.corp_editor, world.org_admin], kind="test", text="Nieuwe interventie")
    client.force_login(world.corp_editor)
    assert "1" in client.get(reverse("home")).content.decode()  # unread badge
    response = client.post(reverse("notifications"))
    assert response.status_code == 302
    assert Notification.objects.get(recipient=world.corp_editor).read_at is not None
    assert Notification.objects.get(recipient=world.org_admin).read_at is None


def test_notification_list_query_count_is_bounded(client, world, django_assert_max_num_queries):
    notify(recipients=[world.corp_editor] * 1, kind="test", text="Eerste")
    for i in range(30):
        notify(recipients=[world.corp_editor], kind="test", text=f"Melding {i}")
    client.force_login(world.corp_editor)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("notifications"))
    assert response.status_code == 200
    assert "Melding 29" in response.content.decode()
