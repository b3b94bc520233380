"""A lived-experience expert reviews proposals in Chromium: declares a conflict, scores two
proposals with reasons (one with the mouse, one with the keyboard alone) and sees the progress
bar advance. Every page is axe-clean, with the quick exit and the skip link."""

import datetime
import re

import pytest
from django.utils import timezone

from cms.seed import site_seed
from engagement.models import ConflictDeclaration, ReviewAssignment, Score
from engagement.services.scoring import round_phase_advance
from tests.e2e.conftest import arrive, assert_page_is_accessible, question, sign_in, visit
from tests.factories import (
    TEST_PASSWORD,
    coordinator,
    funding_call,
    proposal,
    round_reviewer,
    scoring_round,
)

pytestmark = pytest.mark.browser


def world():
    """A closed call whose blind round is in its conflicts phase, with three proposals: the
    expert reviews the first two, and will declare a conflict with the third."""
    site_seed()
    lead = coordinator()
    call = funding_call(status="closed", title="Safe housing after exploitation")
    the_round = scoring_round(
        call=call,
        criteria_status="approved",
        phase="conflicts",
        reviewers_per_proposal=1,
        deadline=timezone.now() + datetime.timedelta(days=7),
    )
    reviewer = round_reviewer(of_round=the_round, group="lived_experience").user
    proposals = [proposal(call=call) for _ in range(3)]
    reviews = [
        ReviewAssignment.objects.create(round=the_round, proposal=p, reviewer=reviewer)
        for p in proposals[:2]
    ]
    return lead, the_round, reviewer, proposals, reviews


def progress(page) -> str:
    return page.locator(".review-progress__label").inner_text()


def test_an_expert_declares_a_conflict_and_scores_two_proposals(
    django_db_serialized_rollback, live_server, page
):
    lead, the_round, reviewer, proposals, (first, second) = world()
    sign_in(page, reviewer.email, TEST_PASSWORD)

    # Conflicts first: the queue sends the expert to declare them.
    visit(page, "/review/")
    page.get_by_role("link", name=re.compile("Declare conflicts of interest")).click()
    conflicts = f"/review/rounds/{the_round.pk}/conflicts/"
    arrive(page, conflicts)
    page.get_by_text("Declare a conflict with this proposal (P-003)").click()
    page.get_by_role("button", name="Declare the conflict (P-003)").click()
    arrive(page, conflicts)  # no reason chosen: the error summary, axe-clean
    assert page.get_by_role("alert").is_visible()
    question(page, "What is your conflict with P-003?").get_by_label("I work with the team").check()
    page.get_by_label("Anything else the coordinators should know about P-003").fill("I advise")
    page.get_by_role("button", name="Declare the conflict (P-003)").click()
    arrive(page, conflicts)
    assert page.get_by_text("Conflict declared for P-003.").is_visible()
    assert ConflictDeclaration.objects.filter(reviewer=reviewer, proposal=proposals[2]).exists()

    round_phase_advance(scoring_round=the_round, to="scoring", by=lead)
    visit(page, "/review/")
    assert progress(page) == "0 of 2 scored"
    assert "P-003" not in page.get_by_role("main").inner_text()

    # The first proposal with the mouse, after a refused submission.
    page.get_by_role("link", name="P-001: Proposal 1").click()
    arrive(page, f"/review/{first.pk}/")
    page.get_by_role("button", name="Submit scores").click()
    arrive(page, f"/review/{first.pk}/")
    assert page.get_by_role("alert").is_visible()
    question(page, "Relevance").get_by_label("4: Relevance: 4").check()
    page.get_by_label("Why you gave this score for “Relevance”").fill("It asks what we asked.")
    question(page, "Method").get_by_label("3: Method: 3").check()
    page.get_by_label("Why you gave this score for “Method”").fill("Sound, but long.")
    page.get_by_role("button", name="Submit scores").click()
    arrive(page, "/review/")
    assert progress(page) == "1 of 2 scored"
    visit(page, f"/review/{first.pk}/")
    assert page.get_by_role("heading", name="What you submitted").is_visible()
    visit(page, f"/review/{second.pk}/abstain/")

    # The second with the keyboard alone: Tab to the radios, arrows to choose, type the
    # reasons, Enter on "Submit scores".
    visit(page, f"/review/{second.pk}/")
    page.get_by_role("link", name="Back to your scoring queue").focus()
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.type") == "radio":
            break
    assert page.evaluate("document.activeElement.value") == "1"
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.type("Close to what matters.")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Tab")
    page.keyboard.type("The method needs work.")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Submit scores"
    page.keyboard.press("Enter")
    arrive(page, "/review/")
    assert progress(page) == "2 of 2 scored"
    assert_page_is_accessible(page)

    given = dict(Score.objects.filter(assignment=second).values_list("criterion__name", "value"))
    assert given == {"Relevance": 3, "Method": 2}
    assert ReviewAssignment.objects.get(pk=second.pk).status == "submitted"
    reasons = set(Score.objects.filter(assignment=second).values_list("rationale", flat=True))
    assert reasons == {"Close to what matters.", "The method needs work."}
