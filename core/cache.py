"""A Redis cache that fails open.

Everything Tandem caches (whole public pages, the site shell, allauth's rate-limit counters)
can be rebuilt or done without, so an unreachable Redis must cost speed, not pages. While it
is unreachable every read misses and every write is dropped (so rate limits are not enforced
until it is back: better than refusing every sign-in); after a failure Redis is left
alone for a few seconds, so each request does not wait on a dead server again and the log
gets one warning per outage window rather than one per cache call."""

import logging
import time

from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5.0


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._unavailable_until = 0.0

    def _fail_open(self, operation, default, *args, **kwargs):
        if time.monotonic() < self._unavailable_until:
            return default
        try:
            return operation(*args, **kwargs)
        except (RedisConnectionError, RedisTimeoutError) as exc:
            self._unavailable_until = time.monotonic() + RETRY_AFTER_SECONDS
            # The class name only: redis errors name the host, and a URL may carry a password.
            logger.warning(
                "Cache unavailable (%s); serving uncached for %s s",
                type(exc).__name__,
                RETRY_AFTER_SECONDS,
            )
            return default

    def add(self, key, value, timeout=None, version=None):
        # Reported as added: callers that use add() as a lock (allauth's rate limiter) go
        # ahead instead of waiting for a lock that cannot be taken and refusing everyone.
        return self._fail_open(super().add, True, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._fail_open(super().get, default, key, default, version)

    def set(self, key, value, timeout=None, version=None):
        self._fail_open(super().set, None, key, value, timeout, version)

    def touch(self, key, timeout=None, version=None):
        return self._fail_open(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._fail_open(super().delete, False, key, version)

    def get_many(self, keys, version=None):
        return self._fail_open(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._fail_open(super().has_key, False, key, version)

    def incr(self, key, delta=1, version=None):
        result = self._fail_open(super().incr, None, key, delta, version)
        if result is None:
            # What the cache API says for a missing key, and while Redis is away every key is.
            raise ValueError(f"Key '{key}' not found")
        return result

    def set_many(self, data, timeout=None, version=None):
        return self._fail_open(super().set_many, list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        self._fail_open(super().delete_many, None, keys, version)

    def clear(self):
        return self._fail_open(super().clear, False)
