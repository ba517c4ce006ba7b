"""The cache backend: Redis, but a Redis that cannot be reached is a cache that is empty.

Everything kept in the cache (map bodies, data versions, summaries) can be built again
from the database, so an outage of Redis must cost time, never a page. Reads answer as a
miss and writes are dropped, with a warning in the log. After a failure the cache is
skipped for ``RETRY_AFTER`` seconds, so a request does not wait for a connection timeout
at every cache call while Redis is down.
"""

import functools
import hashlib
import importlib
import logging
import time
from pathlib import Path

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# What redis-py raises when the server cannot be reached or answers with an error
# (ConnectionError and TimeoutError are RedisErrors; OSError for sockets that fail below it).
CACHE_ERRORS = (RedisError, OSError)


class FailSoftRedisCache(RedisCache):
    """Django's Redis cache whose errors are logged and read as misses."""

    RETRY_AFTER = 5.0  # seconds the cache is left alone after a failure

    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_until = 0.0

    def _soft(self, operation: str, default, call, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return default
        try:
            return call(*args, **kwargs)
        except CACHE_ERRORS as exc:
            self._down_until = time.monotonic() + self.RETRY_AFTER
            logger.warning(
                "Cache unavailable (%s: %s); %s runs without it for %.0f s",
                type(exc).__name__,
                exc,
                operation,
                self.RETRY_AFTER,
            )
            return default

    def get(self, key, default=None, version=None):
        return self._soft("get", default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._soft("get_many", {}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._soft("has_key", False, super().has_key, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft("add", False, super().add, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft("set", None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft("set_many", list(data), super().set_many, data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft("touch", False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._soft("delete", False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        return self._soft("delete_many", None, super().delete_many, keys, version)

    def incr(self, key, delta=1, version=None):
        # As for a key that is not there: the caller decides what a missing count means.
        result = self._soft("incr", None, super().incr, key, delta, version)
        if result is None:
            raise ValueError(f"Key '{key}' not found")
        return result

    def clear(self):
        return self._soft("clear", False, super().clear)


@functools.cache
def code_version(*, templates: tuple[str, ...] = (), modules: tuple[str, ...] = ()) -> str:
    """A digest of the source of ``templates`` and ``modules`` (dotted names), made once per
    process. Kept HTML and kept results are keyed on the code that made them as well, so a
    release that changes that code never serves what the old code made."""
    from django.template.loader import get_template

    digest = hashlib.sha256()
    for name in templates:
        digest.update(get_template(name).template.source.encode())
    for name in modules:
        digest.update(Path(importlib.import_module(name).__file__).read_bytes())
    return digest.hexdigest()[:16]
