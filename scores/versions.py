"""One data version for everything scores draw: it changes after every import,
recomputation or model edit, so cached maps and tables built under an older version are
never served again."""

import time
import uuid

from django.core.cache import cache

_KEY = "scores:data-version"
# Each process keeps the version this long to spare a cache round trip per request.
LOCAL_TTL = 2.0
_local: dict[str, tuple[float, str]] = {}


def data_version() -> str:
    now = time.monotonic()
    local = _local.get(_KEY)
    if local is not None and local[0] > now:
        return local[1]
    token = cache.get(_KEY)
    if token is None:
        # Unknown (a cleared cache): start a new version, which only means a rebuild.
        token = uuid.uuid4().hex[:16]
        if not cache.add(_KEY, token, None):
            token = cache.get(_KEY) or token
    _local[_KEY] = (now + LOCAL_TTL, token)
    return token


def data_changed() -> None:
    """Call after scores or indicator values changed (after the transaction commits)."""
    cache.set(_KEY, uuid.uuid4().hex[:16], None)
    _local.clear()
