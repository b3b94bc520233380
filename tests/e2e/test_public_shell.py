import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import assert_page_is_accessible, visit

pytestmark = pytest.mark.browser

PUBLIC_PAGES = ["/", "/accounts/login/", "/accounts/signup/", "/about/", "/safeguarding/"]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_pages_are_accessible_with_quick_exit_and_skip_link(page, public_site, path):
    visit(page, path)


def test_skip_link_is_the_first_thing_the_keyboard_reaches(page, public_site):
    visit(page, "/about/")

    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main-content"


def test_second_tab_stop_is_the_quick_exit(page, public_site):
    visit(page, "/")

    page.keyboard.press("Tab")
    page.keyboard.press("Tab")

    assert page.evaluate("document.activeElement.id") == "quick-exit"


@pytest.mark.parametrize("path", ["/", "/accounts/login/"])
def test_quick_exit_button_leaves_the_site_and_back_does_not_return(page, public_site, path):
    page.goto("/about/")
    visit(page, path)

    page.click("#quick-exit")
    page.wait_for_url("https://www.bbc.co.uk/weather")

    page.go_back()
    assert "127.0.0.1" not in page.url or page.url.endswith("/about/")


def test_pressing_shift_three_times_leaves_the_site(page, public_site):
    visit(page, "/safeguarding/")

    for _ in range(3):
        page.keyboard.press("Shift")
    page.wait_for_url("https://www.bbc.co.uk/weather")


def test_quick_exit_works_without_javascript(browser, live_server, public_site):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    context.route(
        "https://www.bbc.co.uk/**",
        lambda route: route.fulfill(status=200, content_type="text/html", body="<title>W</title>"),
    )
    page = context.new_page()
    page.goto("/")

    page.click("#quick-exit")
    page.wait_for_url("https://www.bbc.co.uk/weather")
    context.close()


def test_error_summary_on_sign_up_links_to_fields_and_takes_focus(page, public_site):
    visit(page, "/accounts/signup/")

    page.click("button[type=submit]")

    expect(page.locator(".error-summary")).to_be_focused()
    assert_page_is_accessible(page)
    page.click(".error-summary a[href='#id_email']")
    assert page.evaluate("document.activeElement.id") == "id_email"
