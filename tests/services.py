"""Which external services this test run can reach.

Tests that need PostgreSQL, Redis, a Celery worker or Chromium carry a marker. When the service
is missing they skip with a visible reason, unless REQUIRE_SERVICES turns the skip into a
failure: REQUIRE_SERVICES=1 (or "all") for every marker, or a comma-separated list of markers
such as REQUIRE_SERVICES=browser. CI sets it."""

import os
import shutil
from functools import cache

import pytest
from django.conf import settings
from django.db import connection

CHROMIUM = "/usr/bin/chromium"


def _redis_answers() -> bool:
    if not settings.REDIS_URL:
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2).ping())
    except redis.RedisError:
        return False


@cache
def unavailable_reason(marker: str) -> str | None:
    if marker == "postgres" and connection.vendor != "postgresql":
        return "needs PostgreSQL: set DATABASE_URL=postgres://…"
    if marker in {"redis", "celery_worker"} and not _redis_answers():
        return "needs Redis: set REDIS_URL=redis://… to a running server"
    if marker == "browser" and not shutil.which(CHROMIUM):
        return f"needs Chromium at {CHROMIUM} (apt-get install -y chromium)"
    return None


def required_markers() -> set[str]:
    value = os.environ.get("REQUIRE_SERVICES", "").strip().lower()
    if value in {"1", "all", "true", "yes"}:
        return {"postgres", "redis", "celery_worker", "browser"}
    return {item.strip() for item in value.split(",") if item.strip()}


def require(marker: str) -> None:
    reason = unavailable_reason(marker)
    if reason is None:
        return
    if marker in required_markers():
        pytest.fail(f"REQUIRE_SERVICES says {marker} must be available, but this test {reason}")
    pytest.skip(reason)
