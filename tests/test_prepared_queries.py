"""PostgreSQL prepares the queries a connection runs repeatedly (``config.settings``,
``DATABASE_PREPARE_THRESHOLD``): the test database runs with the same options."""

import pytest
from django.db import connection

from core.models import Notification, User

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared queries are PostgreSQL's"),
]


def _prepared(marker: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", [f"%{marker}%"])
        return cursor.fetchone()[0]


def test_a_query_run_repeatedly_on_a_connection_is_prepared_once():
    marker = '"core_user"."email" = $1'
    before = _prepared(marker)
    for _ in range(3):
        list(User.objects.filter(email="niemand@example.nl"))
    assert _prepared(marker) == before + 1


def test_a_bulk_insert_of_more_rows_than_parameters_fit_in_one_query():
    """At most 65,535 parameters fit in a query sent with its parameters apart; a bulk
    insert sends a column as one parameter, so the reminders of a whole country fit."""
    user = User.objects.create_user("veel@example.nl", "wachtwoord-voor-de-test")
    Notification.objects.bulk_create(
        [Notification(recipient=user, kind="reminder_test", text="t", url="/") for _ in range(12_000)]
    )
    assert Notification.objects.filter(recipient=user).count() == 12_000
