import pytest
from wagtail.models import Site

from cms.models import HomePage, SiteSettings, StandardPage
from cms.seed import site_seed
from core.public_cache import public_cache_invalidate
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
    page = home.add_child(instance=StandardPage(title="Funding calls", slug="calls-info"))
    page.show_in_menus = True
    page.save_revision().publish()

    assert '<a href="/calls-info/">Funding calls</a>' in client.get("/").content.decode()

    page.unpublish()
    assert "Funding calls" not in client.get("/").content.decode()


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
    assert HomePage.objects.count() == 1
    assert Site.objects.get(is_default_site=True).root_page_id == home.pk


def test_the_language_selector_switches_the_site_to_welsh(home):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/i18n/setlang/", {"language": "cy", "next": "/about/"})

    assert response.status_code == 302
    assert response["Location"] == "/about/"
    page = browser.get("/about/").content.decode()
    assert '<html lang="cy">' in page
    assert "Gadael y wefan hon" in page
    assert "Neidio i'r prif gynnwys" in page
