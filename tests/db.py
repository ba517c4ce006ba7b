"""Test data kept for a whole module or class, then rolled back."""

from contextlib import contextmanager

from django.db import transaction


@contextmanager
def rolled_back(django_db_blocker):
    """Database writes inside stay visible until the block ends, then are rolled back:
    a transaction, or a savepoint within one that is already open."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)
