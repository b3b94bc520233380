"""The criteria co-design workspace in Chromium: a panel member changes a descriptor and
comments, the chair approves, with the keyboard alone where it counts and axe-clean on every
page."""

import pytest
from playwright.sync_api import expect

from cms.seed import site_seed
from engagement.models import Descriptor, ScoringRound
from tests.e2e.conftest import arrive, sign_in, sign_out, visit
from tests.e2e.test_onboarding import tab_to
from tests.factories import TEST_PASSWORD, coordinator, expert, funding_call, panel, scoring_round

pytestmark = pytest.mark.browser


def test_a_member_edits_and_comments_and_the_chair_approves(
    django_db_serialized_rollback, live_server, page
):
    site_seed()
    chair, member = expert(), expert()
    co_design = panel(coordinators=[coordinator()], chairs=[chair], members=[member])
    call = funding_call(co_design_panel=co_design, title="Safe housing")
    the_round = scoring_round(call=call)
    workspace = f"/co-design/{the_round.pk}/"

    sign_in(page, member.user.email, TEST_PASSWORD)
    page.get_by_role("link", name="Help shape the criteria for Safe housing").click()
    arrive(page, workspace)
    page.get_by_role("link", name="Change the criteria").click()
    arrive(page, f"{workspace}edit/")

    # The keyboard alone: reach the descriptor, type, reach the save button, press Enter.
    descriptor = page.get_by_role("group", name="Criterion 1").get_by_label(
        "What a score of 3 means"
    )
    tab_to(page, descriptor, limit=200)
    page.keyboard.press("Control+A")
    page.keyboard.type("Matters to the people it is about")
    tab_to(page, page.get_by_role("button", name="Save the criteria"), limit=200)
    page.keyboard.press("Enter")
    arrive(page, workspace)
    expect(page.get_by_text("Matters to the people it is about")).to_be_visible()
    assert (
        Descriptor.objects.get(
            criterion__round=the_round, criterion__name="Relevance", point=3
        ).text
        == "Matters to the people it is about"
    )

    # An empty comment is explained; a real one is added.
    page.get_by_role("button", name="Add your comment").click()
    arrive(page, f"{workspace}comments/")
    expect(page.get_by_role("alert")).to_contain_text("Write your comment.")
    page.get_by_label("Add a comment").fill("Should safety be its own criterion?")
    page.get_by_role("button", name="Add your comment").click()
    arrive(page, workspace)
    expect(page.get_by_text("Should safety be its own criterion?")).to_be_visible()
    sign_out(page)

    sign_in(page, chair.user.email, TEST_PASSWORD)
    visit(page, workspace)
    page.get_by_role("link", name="Approve the criteria").click()
    arrive(page, f"{workspace}approve/")
    page.get_by_role("button", name="Yes, approve the criteria").click()
    arrive(page, workspace)
    expect(page.get_by_text("The call can now open.")).to_be_visible()
    expect(page.get_by_role("link", name="Change the criteria")).to_have_count(0)
    the_round.refresh_from_db()
    assert the_round.criteria_status == ScoringRound.CriteriaStatus.APPROVED
    assert the_round.approved_by == chair.user
