"""Browser test: a researcher creates a team, writes and sends a request for advice, and a
coordinator accepts it in the admin, at desktop and phone widths. Every page is checked with
axe-core (on the admin, Tandem's own parts of the page)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cms.seed import site_seed
from engagement.models import AdvisoryRequest, Panel, Topic
from tests.e2e.conftest import (
    arrive,
    assert_page_is_accessible,
    assert_region_is_accessible,
    fill_request,
    sign_in,
    sign_in_with_code,
    sign_out,
)
from tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET, coordinator, researcher

pytestmark = pytest.mark.browser


def test_a_researcher_asks_for_advice_and_a_coordinator_accepts(
    django_db_serialized_rollback, live_server, screen
):
    # The database fixtures come before the browser, as in test_journey.py: with `db` beside
    # `screen` (which finds its browser at run time) the test ran in one open transaction,
    # and on PostgreSQL the live server's first page timed out waiting on it.
    page = screen
    site_seed()
    Topic.objects.create(name="Housing")
    researcher(email="priya@tandem.test", display_name="Priya")
    lead = coordinator(email="alex@tandem.test")

    # The researcher has no team yet: the dashboard leads them to create one.
    sign_in(page, "priya@tandem.test", TEST_PASSWORD)
    page.get_by_role("link", name="Create your research team").click()
    arrive(page, "/teams/new/")
    page.get_by_role("button", name="Create team").click()
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_visible()
    assert_page_is_accessible(page)
    page.get_by_label("Team name").fill("Safe Homes Study")
    page.get_by_label("Organisation").fill("University of Tandem")
    page.get_by_role("button", name="Create team").click()
    page.wait_for_url(re.compile(r"/teams/\d+/$"))
    assert_page_is_accessible(page)
    expect(page.get_by_text("Your team is ready.")).to_be_visible()

    # The request: a first attempt with nothing filled in says what each answer needs.
    page.get_by_role("link", name="Ask for advice").click()
    arrive(page, "/requests/new/")
    page.get_by_role("button", name="Save as a draft").click()
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="Enter a short name for the research")).to_be_visible()
    assert_page_is_accessible(page)
    fill_request(
        page, "How people find safe housing", starts_on=timezone.localdate() + timedelta(days=30)
    )
    page.get_by_role("button", name="Save as a draft").click()
    page.wait_for_url(re.compile(r"/requests/\d+/$"))
    assert_page_is_accessible(page)
    expect(page.locator("strong.tag")).to_have_text("Draft")

    page.get_by_role("button", name="Send to Tandem").click()
    page.wait_for_url(re.compile(r"/requests/\d+/$"))
    assert_page_is_accessible(page)
    expect(page.locator("strong.tag")).to_have_text("Waiting for a coordinator")
    sent = AdvisoryRequest.objects.get()
    assert sent.status == "submitted"
    sign_out(page)

    # The coordinator sees it waiting, opens it and accepts it with a message.
    sign_in_with_code(page, lead.email, TEST_PASSWORD, TEST_TOTP_SECRET, lands_on="/admin/")
    dashboard_panel = page.locator(".tandem-panel").filter(has_text="Requests for advice")
    expect(dashboard_panel.get_by_text("1 request waiting for triage")).to_be_visible()
    assert_region_is_accessible(page, ".tandem-panel")
    dashboard_panel.get_by_role("link", name="1 request waiting for triage").click()
    page.wait_for_url(re.compile(r"/admin/advisory-requests/"))
    assert_region_is_accessible(page, "table.listing")
    page.get_by_role("link", name="How people find safe housing").click()
    page.wait_for_url(re.compile(rf"/admin/advisory-requests/inspect/{sent.pk}/$"))
    assert_region_is_accessible(page, ".tandem-request")
    # A decision without a message is refused, with the problem in view.
    page.get_by_role("button", name="Accept the request").click()
    expect(page.locator("#id_accept-message")).to_be_focused()
    assert_region_is_accessible(page, ".tandem-request")
    page.locator("#id_accept-message").fill("We would love to help. We will invite advisers.")
    page.get_by_role("button", name="Accept the request").click()
    expect(page.get_by_text("Done. Every member of the team has been emailed.")).to_be_visible()
    assert_region_is_accessible(page, ".tandem-request")

    sent.refresh_from_db()
    assert sent.status == "accepted"
    panel = Panel.objects.get(request=sent)
    assert (panel.seats, list(panel.coordinators.all())) == (3, [lead])
