"""Browser tests: real Chromium (Debian's) driven by Playwright, with axe-core on every page.

`visit(page, path)` opens a page on the live server and fails on any axe-core violation
(WCAG 2.2 A/AA and best-practice rules), a missing quick exit or a missing skip link.

Browser tests spread over both xdist workers like any other test; each worker launches its own
Chromium once (the `browser` fixture)."""

import os
import re
from datetime import timedelta
from io import StringIO

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.db import connections
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.services import CHROMIUM, require

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from this
# thread are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
NEUTRAL_PAGE = "<!DOCTYPE html><html lang='en'><title>Weather</title><h1>Weather</h1></html>"
_axe = Axe()


@pytest.fixture(scope="session")
def serialized_db(django_db_setup):
    """The test database's contents as serialized at set-up (migrations' data included).

    Once Playwright starts its event loop, Django's per-context connection lookup returns a
    fresh connection object without this attribute, so it is captured here, before the
    browser starts, and handed to that new connection once it has."""
    return getattr(connections["default"], "_test_serialized_contents", None)


@pytest.fixture(scope="session")
def browser(serialized_db):
    require("browser")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        if serialized_db is not None:
            connections["default"]._test_serialized_contents = serialized_db
        yield browser
        browser.close()


@pytest.fixture
def page(browser, django_db_serialized_rollback, live_server):
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    # Live-server tests flush the database afterwards; serialized rollback (requested above,
    # before the live server) restores what migrations created: Wagtail's root page, languages.
    # There is no internet here: any page off the live server (the quick exit's neutral site)
    # is answered with a stand-in.
    context.route(
        re.compile(r"^https?://(?!127\.0\.0\.1|localhost)"),
        lambda route: route.fulfill(status=200, content_type="text/html", body=NEUTRAL_PAGE),
    )
    page = context.new_page()
    yield page
    context.close()


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


@pytest.fixture
def phone(browser, django_db_serialized_rollback, live_server):
    """A page as a phone shows it: 390 pixels wide, touch, no hover."""
    context = browser.new_context(base_url=live_server.url, **PHONE)
    context.set_default_timeout(10_000)
    context.route(
        re.compile(r"^https?://(?!127\.0\.0\.1|localhost)"),
        lambda route: route.fulfill(status=200, content_type="text/html", body=NEUTRAL_PAGE),
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(params=["page", "phone"])
def screen(request):
    """The same journey at 1280 pixels wide and on a 390-pixel phone."""
    return request.getfixturevalue(request.param)


@pytest.fixture
def demo_site(page):
    call_command("seed_demo", stdout=StringIO())


@pytest.fixture
def public_site(page):
    """The public pages alone, without the demo's accounts, panels and calls: a few seconds
    less than `demo_site` for every test of the site's shell."""
    from cms.seed import site_seed

    site_seed()


def assert_region_is_accessible(page, selector: str) -> None:
    """Zero axe-core violations inside one part of a page (for Tandem's own panels on the
    Wagtail admin's pages, whose shell is Wagtail's)."""
    results = _axe.run(page, context=selector, options=AXE_OPTIONS)
    assert results.violations_count == 0, f"{page.url} {selector}\n{results.generate_report()}"


def assert_page_is_accessible(page) -> None:
    """Zero axe-core violations, a visible quick exit and a working skip link."""
    results = _axe.run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"
    quick_exit = page.locator("#quick-exit")
    assert quick_exit.is_visible(), f"{page.url}: no visible quick exit"
    assert quick_exit.inner_text().strip() == "Leave this site"
    skip_link = page.locator("a.skip-link")
    assert skip_link.get_attribute("href") == "#main-content", f"{page.url}: no skip link"
    assert page.locator("#main-content").count() == 1


def visit(page, path: str):
    response = page.goto(path)
    assert response is not None and response.status == 200, (
        f"{path}: {response and response.status}"
    )
    assert_page_is_accessible(page)
    return response


def visit_each(page, paths: list[str]) -> None:
    """`visit` every path in one test (one seeded site for all of them), reporting every
    page that fails rather than only the first."""
    failures = []
    for path in paths:
        try:
            visit(page, path)
        except AssertionError as error:
            failures.append(str(error))
    assert not failures, "\n\n".join(failures)


def arrive(page, path: str) -> None:
    """Wait for the browser to land on `path`, then check that page like every other."""
    try:
        page.wait_for_url(re.compile(rf"^https?://[^/]+{re.escape(path)}(\?.*)?$"))
    except PlaywrightTimeoutError:
        raise AssertionError(
            f"expected to arrive at {path}, but the browser is at {page.url}"
        ) from None
    assert_page_is_accessible(page)


def save_and_continue(page, next_path: str) -> None:
    page.get_by_role("button", name="Save and continue").click()
    arrive(page, next_path)


def question(page, legend: str):
    """A question asked with a fieldset (radios or checkboxes), found by its legend."""
    return page.get_by_role("group", name=legend)


def main_headings(page, level: int):
    return page.get_by_role("main").get_by_role("heading", level=level)


def sign_in(page, email: str, password: str) -> None:
    visit(page, "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    arrive(page, "/me/")


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    arrive(page, "/")


def sign_in_with_code(page, email: str, password: str, secret: str, *, lands_on: str) -> None:
    """Staff sign-in: password, then the one-time code from their authenticator app."""
    from tests.helpers import totp_code

    visit(page, "/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
    from django.contrib.auth import get_user_model
    from django.core.cache import cache

    code = totp_code(secret)
    # allauth refuses a code already used in its 30-second period (replay protection, kept
    # in the cache). A journey that signs the same person in twice within the period forgets
    # the first use rather than waiting for the next code.
    user_id = get_user_model().objects.get(email=email).pk
    cache.delete(f"allauth.mfa.totp.used?user={user_id}&code={code}")
    page.get_by_label(re.compile("code", re.IGNORECASE)).fill(code)
    page.get_by_role("button", name=re.compile("Sign in|Continue|Verify", re.IGNORECASE)).click()
    page.wait_for_url(re.compile(rf"^https?://[^/]+{re.escape(lands_on)}(\?.*)?$"))


def fill_date(page, legend: str, day) -> None:
    """A date asked as day, month and year boxes in a fieldset whose legend matches."""
    group = question(page, re.compile(legend))
    group.get_by_label("Day").fill(str(day.day))
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))


def fill_request(page, title: str, *, starts_on, topic: str = "Housing", advisers: int = 3) -> None:
    """Answer every question of /requests/new/ (the page must be open)."""
    page.get_by_label("A short name for this research").fill(title)
    page.get_by_label("What is the research about?").fill(
        "What helps people leaving exploitation find a safe home."
    )
    question(page, "What stage is the research at?").get_by_label("Designing the research").check()
    question(page, "What kind of advice would help?").get_by_label("Panel meetings").check()
    question(page, re.compile("Which topics")).get_by_label(topic).check()
    question(page, "Which languages could the advisers use?").get_by_label("English").check()
    page.get_by_label("How many advisers would you like?").fill(str(advisers))
    page.get_by_label("Preparation time for each adviser, in hours").fill("1")
    page.get_by_label("Session time for each adviser, in hours").fill("2")
    fill_date(page, "The earliest date", starts_on)
    fill_date(page, "The date the work must finish by", starts_on + timedelta(days=60))
    question(page, "How would you like to meet?").get_by_label("Online").check()
    page.get_by_label("Our team will pay each adviser").check()


def sign_in_from_link(page, email: str, password: str, token_path: str) -> None:
    """Opening a token link signed out asks for sign-in first, then comes back to the link."""
    page.goto(token_path)
    page.wait_for_url(re.compile(r"/accounts/login/"))
    assert_page_is_accessible(page)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    arrive(page, token_path)
