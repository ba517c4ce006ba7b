"""One data version for everything scores draw: it changes after every import,
recomputation or model edit, so cached maps and tables built under an older version are
never served again.

The version is a row in the database (``scores.models.DataVersion``), not a cache entry:
the cache may be unreachable when the data changes, and come back later with the old
version still in it. Each process keeps the version it read for ``LOCAL_TTL`` seconds,
which spares a query per request; a change made in another process shows after at most
that long.
"""

import time
import uuid

from django.db import OperationalError, connection

_KEY = "data-version"  # of the process-local copy
LOCAL_TTL = 2.0
_local: dict[str, tuple[float, str]] = {}
_ROW = 1


def data_version() -> str:
    from scores.models import DataVersion

    now = time.monotonic()
    local = _local.get(_KEY)
    if local is not None and local[0] > now:
        return local[1]
    try:
        row, _created = DataVersion.objects.get_or_create(pk=_ROW, defaults={"token": _new_token()})
    except OperationalError:
        if local is None or connection.in_atomic_block:
            # Nothing read before, or a transaction that this error has ended: say so.
            raise
        # The database cannot be reached: the last version read still names what was
        # built from it (the warm maps served without the database), for another while.
        _local[_KEY] = (now + LOCAL_TTL, local[1])
        return local[1]
    _local[_KEY] = (now + LOCAL_TTL, row.token)
    return row.token


def data_changed() -> None:
    """Call after scores or indicator values changed (after the transaction commits)."""
    from scores.models import DataVersion

    DataVersion.objects.update_or_create(pk=_ROW, defaults={"token": _new_token()})
    _local.clear()


def _new_token() -> str:
    return uuid.uuid4().hex[:16]
