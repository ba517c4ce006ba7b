"""The notifications API: the person's own, newest first, unread filter, marking read."""

import pytest
from django.urls import reverse

from core.models import Notification
from core.services import notify


@pytest.fixture
def notes(world):
    for text in ("Eerste", "Tweede", "Derde"):
        notify(recipients=[world.corp_editor, world.org_admin], kind="test", text=text, url="/")
    return {n.text: n for n in Notification.objects.filter(recipient=world.corp_editor)}


def test_list_is_own_newest_first_with_unread_filter(client, world, notes):
    client.force_login(world.corp_editor)
    Notification.objects.filter(pk=notes["Eerste"].pk).update(read_at="2026-01-01T10:00:00Z")

    rows = client.get(reverse("notification-list")).json()["results"]
    unread = client.get(reverse("notification-list"), {"unread": "true"}).json()["results"]

    assert [r["text"] for r in rows] == ["Derde", "Tweede", "Eerste"]
    assert [r["is_read"] for r in rows] == [False, False, True]
    assert [r["text"] for r in unread] == ["Derde", "Tweede"]


def test_mark_some_read_touches_only_own(client, world, notes):
    client.force_login(world.corp_editor)
    others = Notification.objects.filter(recipient=world.org_admin)

    response = client.post(
        reverse("notification-mark-read"),
        {"ids": [notes["Eerste"].pk, notes["Tweede"].pk, others.first().pk]},
        content_type="application/json",
    )

    # Two of the three ids are the person's own; the third is someone else's and stays unread.
    assert response.status_code == 200 and response.json() == {"marked": 2, "unread": 1}
    assert others.filter(read_at__isnull=True).count() == 3


def test_mark_all_and_one_read(client, world, notes):
    client.force_login(world.corp_editor)

    one = client.post(reverse("notification-read", args=[notes["Derde"].pk]))
    rest = client.post(reverse("notification-mark-read"), {}, content_type="application/json")

    assert one.json() == {"marked": 1, "unread": 2}
    assert rest.json() == {"marked": 2, "unread": 0}


@pytest.mark.parametrize("body", [{"ids": "alle"}, {"ids": ["x"]}, {"ids": [0]}])
def test_a_bad_body_is_a_400_with_the_field(client, world, notes, body):
    client.force_login(world.corp_editor)

    response = client.post(reverse("notification-mark-read"), body, content_type="application/json")

    assert response.status_code == 400 and "ids" in response.json()
    assert not Notification.objects.filter(read_at__isnull=False).exists()


def test_someone_elses_notification_is_not_found(client, world, notes):
    client.force_login(world.org_admin)

    assert client.post(reverse("notification-read", args=[notes["Eerste"].pk])).status_code == 404
    assert client.post(reverse("notification-read", args=[999999])).status_code == 404


def test_list_query_count_is_bounded(client, world, django_assert_max_num_queries):
    for i in range(40):
        notify(recipients=[world.corp_editor], kind="test", text=f"Melding {i}")
    client.force_login(world.corp_editor)

    with django_assert_max_num_queries(6):
        response = client.get(reverse("notification-list"))

    assert response.status_code == 200 and response.json()["count"] == 40
