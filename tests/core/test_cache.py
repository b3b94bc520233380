"""With Redis unreachable the site works uncached, and the health check says so."""

import logging

import pytest
from django.core.cache import cache, caches

from cms.models import StandardPage
from cms.seed import site_seed
from core.cache import ResilientRedisCache
from tests.factories import TEST_PASSWORD, UserFactory

CLOSED_PORT = "redis://127.0.0.1:1/0"


@pytest.fixture
def redis_down(settings):
    settings.REDIS_URL = CLOSED_PORT
    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": CLOSED_PORT,
            "KEY_PREFIX": "tandem",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.mark.django_db
def test_with_redis_down_pages_render_uncached_and_healthz_is_503(client, redis_down, caplog):
    site_seed()
    user = UserFactory()

    with caplog.at_level(logging.WARNING, logger="core.cache"):
        home = client.get("/")
        about = client.get("/about/")
        about_again = client.get("/about/")
        health = client.get("/healthz")
        login_page = client.get("/accounts/login/")
        login = client.post("/accounts/login/", {"login": user.email, "password": TEST_PASSWORD})

    assert [r.status_code for r in (home, about, about_again, health, login_page)] == [
        200,
        200,
        200,
        503,
        200,
    ]
    assert about_again["X-Tandem-Cache"] == "miss"
    assert health.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "broker": "unavailable"},
    }
    assert (login.status_code, login["Location"]) == (302, "/me/")
    # One warning for the outage window, not one per cache call, and no address in it.
    assert [r.getMessage() for r in caplog.records if r.name == "core.cache"] == [
        "Cache unavailable (ConnectionError); serving uncached for 5.0 s"
    ]


@pytest.mark.django_db
def test_with_redis_down_publishing_a_page_still_works(redis_down):
    site_seed()
    page = StandardPage.objects.get(slug="about")
    page.title = "About us, rewritten"

    page.save_revision().publish()

    assert StandardPage.objects.get(slug="about").title == "About us, rewritten"


def test_an_unreachable_cache_reads_as_empty_and_drops_writes(redis_down):
    assert cache.get("key", "default") == "default"
    assert cache.get_or_set("key", 1) == 1
    assert cache.add("key", 1) is True
    assert cache.set("key", 1) is None
    assert cache.get_many(["key"]) == {}
    assert cache.set_many({"key": 1}) == ["key"]
    assert cache.has_key("key") is False
    assert cache.delete("key") is False
    with pytest.raises(ValueError, match="not found"):
        cache.incr("key")


@pytest.mark.redis
def test_a_reachable_cache_works_as_redis_does():
    assert isinstance(caches["default"], ResilientRedisCache)
    cache.set("counter", 1)

    assert cache.incr("counter") == 2
    assert cache.get_many(["counter", "missing"]) == {"counter": 2}
    assert cache.add("counter", 5) is False
    assert cache.delete("counter") is True
    with pytest.raises(ValueError, match="not found"):
        cache.incr("counter")
