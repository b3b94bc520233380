"""Panel and session pages in Chromium, at 1280 and 390 pixels: axe-clean, quick exit and
skip link on every page, for the expert, the research team and the coordinator."""

import re

import pytest

from cms.seed import site_seed
from engagement.models import ImpactRating
from tests.e2e.conftest import (
    arrive,
    assert_page_is_accessible,
    assert_region_is_accessible,
    sign_in,
    sign_in_with_code,
    sign_out,
    visit,
)
from tests.factories import (
    TEST_PASSWORD,
    TEST_TOTP_SECRET,
    advisory_request,
    coordinator,
    expert,
    panel,
    panel_session,
    researcher,
    team,
)

pytestmark = pytest.mark.browser


def test_sessions_journey_is_accessible(django_db_serialized_rollback, live_server, screen):
    # The database fixtures come before the browser, as in test_journey.py: with `db` beside
    # `screen` (which finds its browser at run time) the test ran in one open transaction,
    # and on PostgreSQL the live server's first page timed out waiting on it.
    site_seed()
    lead = coordinator()
    member = expert()
    scientist = researcher()
    request = advisory_request(research_team=team(members=[scientist]), status="accepted")
    the_panel = panel(coordinators=[lead], members=[member], request=request)
    held = panel_session(of_panel=the_panel, days_ahead=-2, title="Held")
    panel_session(of_panel=the_panel, title="Upcoming")

    sign_in_with_code(screen, lead.email, TEST_PASSWORD, TEST_TOTP_SECRET, lands_on="/admin/")
    visit(screen, f"/panels/{the_panel.pk}/")
    visit(screen, f"/panels/{the_panel.pk}/sessions/new/")
    with screen.expect_navigation():
        screen.get_by_role("button", name="Schedule and invite the members").click()
    assert_page_is_accessible(screen)
    assert screen.get_by_role("alert").is_visible()
    visit(screen, f"/sessions/{held.pk}/attendance/")
    screen.get_by_role("group", name=re.compile("take part")).get_by_label("Yes").check()
    screen.get_by_role("button", name="Save who took part").click()
    arrive(screen, f"/panels/{the_panel.pk}/")
    visit(screen, f"/sessions/{held.pk}/notes/")
    screen.goto("/admin/")
    assert_region_is_accessible(screen, "section[aria-labelledby='impact-overdue-heading']")
    visit(screen, f"/panels/{the_panel.pk}/")
    sign_out(screen)

    sign_in(screen, scientist.email, TEST_PASSWORD)
    visit(screen, f"/panels/{the_panel.pk}/")
    visit(screen, f"/sessions/{held.pk}/impact/")
    screen.get_by_label("What we heard").fill("Ask about housing first.")
    screen.get_by_label("What we changed").fill("We moved the money questions to the end.")
    screen.get_by_role("button", name="Save and tell the experts").click()
    arrive(screen, f"/panels/{the_panel.pk}/")
    sign_out(screen)

    sign_in(screen, member.user.email, TEST_PASSWORD)
    assert screen.get_by_text("We moved the money questions to the end.").is_visible()
    visit(screen, f"/sessions/{held.pk}/rating/")
    screen.get_by_label("Partly").check()
    screen.get_by_role("button", name="Send my answer").click()
    arrive(screen, "/me/")
    visit(screen, "/me/time-zone/")
    screen.get_by_label("Your time zone").select_option("Africa/Lagos")
    screen.get_by_role("button", name="Save").click()
    arrive(screen, "/me/")
    visit(screen, f"/panels/{the_panel.pk}/")
    assert screen.get_by_text(re.compile(r"\(Africa/Lagos, WAT\)")).first.is_visible()
    assert ImpactRating.objects.get().answer == "partly"
