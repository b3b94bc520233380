import pytest
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import Site

from cms.models import SiteSettings, StandardPage
from cms.seed import site_seed
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
