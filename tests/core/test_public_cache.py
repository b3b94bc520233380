import time

import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from cms.models import SiteSettings, StandardPage
from cms.seed import site_seed
from core.public_cache import public_cache_invalidate, public_cache_version
from tests.factories import UserFactory


@pytest.fixture
def home(db):
    return site_seed()


def get(client, path="/about/", **extra):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, **extra)
    return response, len(ctx.captured_queries)


def test_an_anonymous_page_is_served_from_the_cache_without_queries(client, home):
    first, _ = get(client)
    second, queries = get(client)

    assert first["X-Tandem-Cache"] == "miss"
    assert second["X-Tandem-Cache"] == "hit"
    assert queries == 0
    assert second.content == first.content
    assert second["Content-Type"] == "text/html; charset=utf-8"
    assert "Content-Security-Policy" in second


def test_publishing_a_change_shows_on_the_very_next_request(client, home):
    get(client)
    page = StandardPage.objects.get(slug="about")
    page.title = "About us, rewritten"
    page.save_revision().publish()

    response, _ = get(client)

    assert response["X-Tandem-Cache"] == "miss"
    assert "About us, rewritten" in response.content.decode()


def test_unpublishing_a_page_removes_it_at_once(client, home):
    get(client)
    StandardPage.objects.get(slug="about").unpublish()

    response, _ = get(client)

    assert response.status_code == 404


def test_changing_site_settings_invalidates_cached_pages(client, home):
    get(client)
    settings = SiteSettings.for_site(Site.objects.get(root_page=home))
    settings.helpline_text = "New helpline text"
    settings.save()

    assert "New helpline text" in get(client)[0].content.decode()


def test_signed_in_people_never_get_or_fill_the_cache(client, home):
    client.force_login(UserFactory(display_name="Signed In Person"))

    response, _ = get(client)
    client.logout()
    anonymous, _ = get(client)

    assert "X-Tandem-Cache" not in response
    assert "Signed In Person" not in anonymous.content.decode()


def test_each_language_is_cached_separately(client, home):
    english, _ = get(client, "/about/")
    welsh, _ = get(client, "/cy/amdanom/")

    assert english["X-Tandem-Cache"] == "miss"
    assert welsh["X-Tandem-Cache"] == "miss"
    assert welsh["Content-Language"] == "cy"


def test_query_strings_and_non_page_views_are_not_cached(client, home):
    assert "X-Tandem-Cache" not in get(client, "/about/?utm=x")[0]
    assert "X-Tandem-Cache" not in get(client, "/accounts/login/")[0]
    assert "X-Tandem-Cache" not in get(client, "/no-such-page/")[0]


def pending_message_cookie(text):
    """The cookie Django's message framework gives a visitor who has a message waiting."""
    storage = CookieStorage(HttpRequest())
    storage.add(messages.SUCCESS, text)
    response = HttpResponse()
    storage.update(response)
    return response.cookies["messages"].value


def test_a_visitor_with_a_pending_message_gets_a_fresh_page_with_it(client, home):
    get(client)  # the page is in the cache
    client.cookies["messages"] = pending_message_cookie("You have signed out of Tandem.")

    response, _ = get(client)

    assert "X-Tandem-Cache" not in response
    assert "You have signed out of Tandem." in response.content.decode()


def test_a_page_showing_one_visitors_message_is_never_served_to_another(client, home):
    client.cookies["messages"] = pending_message_cookie("You have signed out of Tandem.")
    get(client)

    someone_else, _ = get(Client())

    assert someone_else["X-Tandem-Cache"] == "miss"
    assert "You have signed out of Tandem." not in someone_else.content.decode()


def test_a_head_request_is_answered_from_the_cache(client, home):
    get(client)

    with CaptureQueriesContext(connection) as ctx:
        response = client.head("/about/")

    assert response["X-Tandem-Cache"] == "hit"
    assert len(ctx.captured_queries) == 0


def test_a_cached_welsh_page_keeps_its_language(client, home):
    get(client, "/cy/amdanom/")

    welsh, _ = get(client, "/cy/amdanom/")

    assert welsh["X-Tandem-Cache"] == "hit"
    assert welsh["Content-Language"] == "cy"


def test_a_visitor_with_a_session_neither_gets_nor_fills_the_cache(client, home):
    get(client)
    client.cookies["sessionid"] = "an-anonymous-session"

    with_session, _ = get(client)
    del client.cookies["sessionid"]
    without, _ = get(client)

    assert "X-Tandem-Cache" not in with_session
    assert without["X-Tandem-Cache"] == "hit"


def test_a_view_that_does_not_opt_in_is_never_cached(client, home):
    first = client.get("/healthz")
    second = client.get("/healthz")

    assert (first.status_code, second.status_code) == (200, 200)
    assert "X-Tandem-Cache" not in first
    assert "X-Tandem-Cache" not in second


def test_a_page_is_kept_for_public_cache_seconds_then_rendered_afresh(
    client, home, settings, monkeypatch
):
    settings.PUBLIC_CACHE_SECONDS = 60
    # The clock is moved in this process, which only a local-memory cache follows (Redis
    # expires keys by its own clock).
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ttl"}
    }
    get(client)
    started = time.time()

    monkeypatch.setattr(time, "time", lambda: started + 59)
    within, _ = get(client)
    monkeypatch.setattr(time, "time", lambda: started + 61)
    after, _ = get(client)

    assert within["X-Tandem-Cache"] == "hit"
    assert after["X-Tandem-Cache"] == "miss"


def test_an_invalidation_after_the_version_was_evicted_still_hides_old_pages(client, home):
    cache.clear()
    get(client)  # cached under the first version there is
    cache.delete("public-cache:version")  # evicted, or lost with a cache restart

    public_cache_invalidate()
    response, _ = get(client)

    assert response["X-Tandem-Cache"] == "miss"


@pytest.mark.parametrize("first_read", [True, False])
def test_the_version_never_expires(db, monkeypatch, first_read):
    cache.delete("public-cache:version")
    if first_read:
        public_cache_version()
    public_cache_invalidate()
    started = time.time()

    # A day later (past any default timeout) the version must still be the invalidated one,
    # or pages cached before the invalidation could come back.
    monkeypatch.setattr(time, "time", lambda: started + 86400)
    assert public_cache_version() == 2
