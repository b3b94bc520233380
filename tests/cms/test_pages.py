from html import escape

import pytest
from django.test import Client
from wagtail.models import Page, Site

from cms.models import HomePage, SiteSettings, StandardPage
from cms.seed import site_seed
from core.public_cache import public_cache_invalidate
from tests.factories import UserFactory
from tests.helpers import count_queries


@pytest.fixture
def home(db):
    return site_seed()


def test_home_and_standard_pages_render_with_the_shell(client, home):
    page = client.get("/about/").content.decode()

    assert "<h1>About Tandem</h1>" in page
    assert 'id="quick-exit"' in page
    assert 'href="https://www.bbc.co.uk/weather"' in page
    assert 'href="#main-content"' in page
    assert "Modern Slavery &amp; Exploitation Helpline" in page
    assert '<a href="/accessibility/">Accessibility statement</a>' in page
    assert '<a href="/how-we-pay/">How we pay</a>' in page
    assert 'name="language"' in page


def test_changing_site_settings_shows_on_the_next_request(client, home):
    client.get("/")
    settings = SiteSettings.for_site(Site.objects.get(root_page=home))
    settings.quick_exit_url = "https://www.example.com/news"
    settings.helpline_text = "Call the support line on 0800 000 000."
    settings.save()

    page = client.get("/").content.decode()

    assert 'href="https://www.example.com/news"' in page
    assert 'Call the support line on <a href="tel:0800000000">0800 000 000</a>.' in page


def test_a_newly_published_menu_page_appears_in_navigation_at_once(client, home):
    client.get("/")
    page = home.add_child(instance=StandardPage(title="Research news", slug="news"))
    page.show_in_menus = True
    page.save_revision().publish()

    assert '<a href="/news/">Research news</a>' in client.get("/").content.decode()

    page.unpublish()
    assert "Research news" not in client.get("/").content.decode()


@pytest.mark.parametrize("path", ["/", "/about/"])
def test_rendering_a_public_page_costs_the_same_whatever_the_number_of_pages(client, home, path):
    # Measured cold: with the page cache warm a page costs no query at all, which proves
    # nothing about rendering it.
    def cold_count():
        public_cache_invalidate()
        return count_queries(client, path)

    def add_pages(count):
        for _ in range(count):
            n = StandardPage.objects.count()
            child = home.add_child(
                instance=StandardPage(title=f"Page {n}", slug=f"page-{n}", show_in_menus=True)
            )
            child.save_revision().publish()

    add_pages(5)
    cold_count()
    small = cold_count()
    add_pages(45)
    cold_count()
    large = cold_count()

    assert small == large
    assert 0 < large <= 15
    # The navigation really lists all fifty pages.
    assert client.get(path).content.decode().count('href="/page-') == 50


def test_the_home_page_is_the_only_home(home):
    assert HomePage.objects.filter(locale__language_code="en").count() == 1
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk
    assert [page.locale.language_code for page in HomePage.objects.all()] == ["en", "cy"]
    assert HomePage.objects.get(locale__language_code="cy").translation_key == home.translation_key


def test_the_language_selector_switches_the_site_to_welsh(home):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/i18n/setlang/", {"language": "cy", "next": "/about/"})

    assert response.status_code == 302
    assert response["Location"] == "/cy/amdanom/"
    page = browser.get("/cy/amdanom/").content.decode()
    assert '<html lang="cy">' in page
    assert "<h1>Ynglŷn â Tandem</h1>" in page
    assert "Gadael y wefan hon" in page
    assert "Neidio i'r prif gynnwys" in page


@pytest.mark.parametrize(
    ("language", "next_url", "expected"),
    [
        ("cy", "/", "/cy/"),
        ("cy", "/safeguarding/", "/cy/diogelu/"),
        ("en", "/cy/diogelu/", "/safeguarding/"),
        ("en", "/cy/", "/"),
        # Pages that are not Wagtail pages keep their address, under /cy/ or not.
        ("cy", "/join/about/", "/cy/join/about/"),
        ("en", "/cy/join/about/", "/join/about/"),
        ("cy", "/accounts/login/?next=/me/", "/cy/accounts/login/?next=/me/"),
        ("en", "/cy/me/", "/me/"),
        # Another site's address is never followed: the home page instead.
        ("cy", "https://example.com/about/", "/cy/"),
    ],
)
def test_choosing_a_language_goes_to_the_same_page_in_that_language(
    client, home, language, next_url, expected
):
    response = client.post("/i18n/setlang/", {"language": language, "next": next_url})

    assert response.status_code == 302
    assert response["Location"] == expected


def test_a_page_not_yet_translated_switches_to_its_nearest_translated_parent(client, home):
    page = home.add_child(instance=StandardPage(title="News", slug="news"))
    page.save_revision().publish()

    response = client.post("/i18n/setlang/", {"language": "cy", "next": "/news/"})

    assert response["Location"] == "/cy/"


WELSH_PAGES = [
    ("/cy/", "Ymchwil wedi'i llunio gan bobl sydd â phrofiad bywyd"),
    ("/cy/amdanom/", "Ynglŷn â Tandem"),
    ("/cy/sut-rydyn-ni-yn-talu/", "Sut rydyn ni'n talu"),
    ("/cy/diogelu/", "Diogelu a chymorth"),
    ("/cy/hygyrchedd/", "Datganiad hygyrchedd"),
    ("/cy/galwadau-cyllid/", "Galwadau am gyllid"),
]


@pytest.mark.parametrize(("path", "title"), WELSH_PAGES)
def test_every_seeded_page_has_a_welsh_version_under_cy(client, home, path, title):
    response = client.get(path)

    page = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Language"] == "cy"
    assert '<html lang="cy">' in page
    assert f"<h1>{escape(title)}</h1>" in page


def test_welsh_pages_have_a_welsh_shell(client, home):
    client.get("/about/")  # the English shell, cached first

    page = client.get("/cy/amdanom/").content.decode()

    assert '<a class="site-header__logo" href="/cy/">Tandem</a>' in page
    assert '<a href="/cy/amdanom/" aria-current="page">Ynglŷn â Tandem</a>' in page
    assert '<a href="/cy/sut-rydyn-ni-yn-talu/">Sut rydyn ni&#x27;n talu</a>' in page
    assert '<a href="/cy/join/">Ymuno fel cynghorydd</a>' in page
    assert '<a href="/cy/hygyrchedd/">Datganiad hygyrchedd</a>' in page
    assert '<a href="/cy/diogelu/">Diogelu a chymorth</a>' in page
    assert "Llinell Gymorth Caethwasiaeth Fodern a Chamfanteisio" in page
    assert "Modern Slavery" not in page
    # The English shell is still English.
    english = client.get("/about/").content.decode()
    assert '<a href="/how-we-pay/">How we pay</a>' in english
    assert "Modern Slavery &amp; Exploitation Helpline" in english


def test_welsh_pages_show_the_english_helpline_text_when_the_welsh_one_is_blank(client, home):
    settings = SiteSettings.for_site(Site.objects.get(root_page=home))
    settings.helpline_text_cy = ""
    settings.save()

    assert "Modern Slavery &amp; Exploitation Helpline" in client.get("/cy/").content.decode()


def test_both_accessibility_statements_say_the_welsh_is_not_yet_reviewed(client, home):
    english = client.get("/accessibility/").content.decode()
    welsh = client.get("/cy/hygyrchedd/").content.decode()

    assert "has not yet been reviewed by a fluent Welsh speaker" in english
    assert "Dydy siaradwr Cymraeg rhugl ddim wedi adolygu'r cyfieithiad Cymraeg eto" in welsh


def test_seeding_twice_adds_no_second_welsh_page(home):
    before = list(Page.objects.values_list("pk", "slug", "locale__language_code"))

    site_seed()

    assert list(Page.objects.values_list("pk", "slug", "locale__language_code")) == before
    assert Page.objects.filter(locale__language_code="cy").count() == 6


@pytest.mark.parametrize(
    ("logout_path", "home_path"), [("/accounts/logout/", "/"), ("/cy/accounts/logout/", "/cy/")]
)
def test_signing_out_lands_on_the_home_page_in_the_same_language(
    client, home, logout_path, home_path
):
    client.force_login(UserFactory())

    response = client.post(logout_path)

    assert response.status_code == 302
    assert response["Location"] == home_path
    assert client.get(home_path).status_code == 200
