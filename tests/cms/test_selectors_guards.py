"""What every page's shell holds (home link, quick exit, helpline, contact, menu and footer),
in each language, without a site, and how long it is kept when nothing says it changed."""

import pytest
from django.utils import translation
from wagtail.models import Page, Site

from cms.models import DEFAULT_QUICK_EXIT_URL, SiteSettings, StandardPage
from cms.selectors import site_shell_for_request

HOUR = 60 * 60


@pytest.fixture
def home(db):
    return Page.objects.get(depth=2)


def add_page(parent, title, slug, *, in_menu=False, live=True):
    return parent.add_child(
        instance=StandardPage(title=title, slug=slug, show_in_menus=in_menu, live=live)
    )


@pytest.fixture
def settings_row(home):
    row = SiteSettings.for_site(Site.objects.get())
    row.quick_exit_url = "https://example.org/weather"
    row.helpline_text = "Call the helpline."
    row.helpline_text_cy = "Ffoniwch y llinell gymorth."
    row.contact_email = "hello@tandem.example"
    row.save()
    return row


def test_the_shell_holds_the_sites_settings_its_menu_and_its_footer(rf, home, settings_row):
    about = add_page(home, "About", "about", in_menu=True)
    add_page(about, "Team", "team", in_menu=True)  # not a child of home
    add_page(home, "Not in the menu", "hidden")
    add_page(home, "Draft", "draft", in_menu=True, live=False)
    add_page(home, "Contact", "contact", in_menu=True)
    safeguarding = add_page(home, "Safeguarding", "safeguarding")
    accessibility = add_page(home, "Accessibility", "accessibility")
    settings_row.safeguarding_page = safeguarding
    settings_row.accessibility_page = accessibility
    settings_row.save()

    shell = site_shell_for_request(rf.get("/"))

    assert shell == {
        "home_url": "/",
        "quick_exit_url": "https://example.org/weather",
        "helpline_text": "Call the helpline.",
        "contact_email": "hello@tandem.example",
        "navigation": [
            {"title": "About", "url": "/about/"},
            {"title": "Contact", "url": "/contact/"},
        ],
        "footer_links": [
            {"title": "Accessibility", "url": "/accessibility/"},
            {"title": "Safeguarding", "url": "/safeguarding/"},
        ],
    }


def test_a_footer_page_that_is_not_live_is_left_out(rf, home, settings_row):
    settings_row.accessibility_page = add_page(home, "Accessibility", "accessibility", live=False)
    settings_row.safeguarding_page = add_page(home, "Safeguarding", "safeguarding")
    settings_row.save()

    shell = site_shell_for_request(rf.get("/"))

    assert shell["footer_links"] == [{"title": "Safeguarding", "url": "/safeguarding/"}]


def test_with_a_second_site_the_links_stay_on_this_site(rf, home, settings_row):
    other_root = Page.get_first_root_node().add_child(
        instance=StandardPage(title="Other home", slug="other-home")
    )
    Site.objects.create(hostname="other.example", root_page=other_root, is_default_site=False)
    add_page(home, "About", "about", in_menu=True)
    settings_row.safeguarding_page = add_page(home, "Safeguarding", "safeguarding")
    settings_row.save()

    shell = site_shell_for_request(rf.get("/"))

    assert shell["home_url"] == "/"
    assert shell["navigation"] == [{"title": "About", "url": "/about/"}]
    assert shell["footer_links"] == [{"title": "Safeguarding", "url": "/safeguarding/"}]


def test_the_welsh_shell_has_the_welsh_helpline_or_else_the_english_one(rf, home, settings_row):
    with translation.override("cy"):
        welsh = site_shell_for_request(rf.get("/cy/"))
    SiteSettings.objects.update(helpline_text_cy="")
    with translation.override("cy"):
        welsh_cached = site_shell_for_request(rf.get("/cy/"))
    with translation.override("en"):
        english = site_shell_for_request(rf.get("/"))

    assert welsh["helpline_text"] == "Ffoniwch y llinell gymorth."
    # There is no Welsh home page: the home link is the English one.
    assert welsh["home_url"] == "/"
    assert welsh_cached == welsh
    assert english["helpline_text"] == "Call the helpline."


def test_without_a_welsh_helpline_the_welsh_shell_has_the_english_one(rf, settings_row):
    SiteSettings.objects.update(helpline_text_cy="")

    with translation.override("cy"):
        shell = site_shell_for_request(rf.get("/cy/"))

    assert shell["helpline_text"] == "Call the helpline."


def test_a_request_for_no_known_site_gets_the_default_shell(rf, db):
    Site.objects.update(is_default_site=False)

    shell = site_shell_for_request(rf.get("/", HTTP_HOST="testserver"))

    assert shell == {
        "home_url": "/",
        "quick_exit_url": DEFAULT_QUICK_EXIT_URL,
        "helpline_text": "",
        "contact_email": "",
        "navigation": [],
        "footer_links": [],
    }


def test_building_the_shell_reads_the_menu_pages_without_their_specific_rows(
    rf, home, settings_row, django_assert_num_queries
):
    for n in range(3):
        add_page(home, f"Page {n}", f"page-{n}", in_menu=True)
    request = rf.get("/")

    # The site, its settings, the locale, view restrictions, the menu pages and the footer
    # pages: the menu's titles and links need no page type's own table.
    with django_assert_num_queries(7):
        shell = site_shell_for_request(request)

    assert [link["title"] for link in shell["navigation"]] == ["Page 0", "Page 1", "Page 2"]
