"""The coordinators' funding-call and scoring-round pages in Chromium, axe-clean: on the
admin, Tandem's own part of each page (Wagtail's shell is Wagtail's, as in the other admin
browser tests); the co-design workspace, a site page, whole. One world per test: a draft call
set up with its round; a round in its conflicts phase whose plan falls short, applied from
the keyboard; a round in moderation whose decision is recorded from the keyboard."""

import re

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import expect

from cms.seed import site_seed
from engagement.models import Decision, ReviewAssignment
from tests.e2e.conftest import assert_region_is_accessible, sign_in_with_code, visit
from tests.e2e.test_onboarding import tab_to
from tests.engagement.test_scoring_admin import assigning, moderated  # noqa: F401 (fixtures)
from tests.engagement.test_scoring_selectors import scored  # noqa: F401 (a fixture)
from tests.factories import (
    TEST_PASSWORD,
    TEST_TOTP_SECRET,
    coordinator,
    expert,
    funding_call,
    panel,
    proposal,
    round_reviewer,
    scoring_round,
)

pytestmark = pytest.mark.browser

ADMIN = ".nice-padding"  # Tandem's part of the admin's pages (the shell is Wagtail's)
LISTING = "table.listing"  # the calls' list (Wagtail's index page, Tandem's columns)
PDF = b"%PDF-1.7\n% a proposal\n"
HEADER = "id,title,lay_summary,full_summary,budget,lead_organisation\n"


def open_admin(page, path: str, region: str = ADMIN) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, f"{path}: {response.status}"
    assert page.locator(region).count() >= 1, f"{path}: no {region}"
    assert_region_is_accessible(page, region)


def sign_in_staff(page, lead) -> None:
    sign_in_with_code(page, lead.email, TEST_PASSWORD, TEST_TOTP_SECRET, lands_on="/admin/")


def test_a_draft_call_and_its_round_are_set_up(page, settings, tmp_path):
    settings.PROPOSAL_ATTACHMENTS_ROOT = tmp_path / "proposals"
    site_seed()
    lead = coordinator(email="alex@tandem.test")
    co_design = panel(coordinators=[lead], chairs=[expert()], members=[expert()])
    call = funding_call(co_design_panel=co_design, title="Safe work after exploitation")
    # The panel approved the criteria: the round's page offers to reopen them.
    the_round = scoring_round(call=call, criteria_status="approved")
    with_pdf = proposal(call=call)
    with_pdf.attachment.save("p.pdf", ContentFile(PDF))
    proposal(call=call)
    reviewer = round_reviewer(of_round=the_round, group="lived_experience").user
    round_reviewer(of_round=the_round, group="academic")

    sign_in_staff(page, lead)
    open_admin(page, "/admin/calls/", LISTING)
    open_admin(page, "/admin/calls/new/")
    open_admin(page, f"/admin/calls/inspect/{call.pk}/")
    open_admin(page, f"/admin/calls/open/{call.pk}/")
    expect(page.get_by_role("button", name="Yes, open the call")).to_be_visible()
    open_admin(page, f"/admin/calls/{call.pk}/proposals/")
    expect(page.get_by_role("link", name="Download the PDF of P-001")).to_be_visible()

    # A CSV with a bad row imports nothing and says which row to fix.
    open_admin(page, f"/admin/calls/{call.pk}/proposals/import/")
    page.get_by_label("CSV file of proposals").set_input_files(
        files=[
            {
                "name": "proposals.csv",
                "mimeType": "text/csv",
                "buffer": (
                    HEADER + "a1,Housing,Plain,Full,1000,Org A\na2,,Plain,Full,lots,B\n"
                ).encode(),
            }
        ]
    )
    page.get_by_role("button", name="Import the proposals").click()
    problems = page.get_by_role("alert")
    expect(problems).to_contain_text("Row 3: title is missing")
    expect(problems).to_contain_text("Row 3: budget must be a number")
    assert_region_is_accessible(page, ADMIN)
    assert call.proposals.count() == 2

    open_admin(page, f"/admin/scoring-rounds/{the_round.pk}/")
    expect(page.get_by_role("button", name="Reopen the criteria")).to_be_visible()
    open_admin(page, f"/admin/scoring-rounds/{the_round.pk}/settings/")
    open_admin(page, f"/admin/scoring-rounds/{the_round.pk}/reviewers/")
    expect(page.get_by_role("cell", name=reviewer.display_name, exact=True)).to_be_visible()

    # A conflict added with nothing chosen: the error summary links to each question.
    open_admin(page, f"/admin/scoring-rounds/{the_round.pk}/conflicts/")
    page.get_by_role("button", name="Add the conflict").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary.get_by_role("link", name="Choose the reviewer.")).to_be_visible()
    expect(summary.get_by_role("link", name="Choose the proposal.")).to_be_visible()
    assert_region_is_accessible(page, ADMIN)

    # The co-design workspace is a site page: the whole of it is checked.
    visit(page, f"/co-design/{the_round.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Safe work after exploitation")


def test_a_plan_that_falls_short_is_applied_from_the_keyboard(page, assigning):  # noqa: F811
    the_round, proposals, *_ = assigning
    site_seed()
    lead = coordinator(email="alex@tandem.test")
    assignment = f"/admin/scoring-rounds/{the_round.pk}/assignment/"

    sign_in_staff(page, lead)
    # The conflicts phase: reviewers listed, and the two conflicts, each removable.
    open_admin(page, f"/admin/scoring-rounds/{the_round.pk}/reviewers/")
    open_admin(page, f"/admin/scoring-rounds/{the_round.pk}/conflicts/")
    expect(page.get_by_role("button", name=re.compile("conflict with P-003"))).to_have_count(2)

    open_admin(page, assignment)
    expect(page.locator("#shortfalls")).to_contain_text("1 proposal cannot be fully covered")
    expect(page.locator("#shortfalls")).to_contain_text(f"P-003: {proposals[2].title}")

    # The keyboard alone: Tab to "Apply this assignment", press Enter.
    tab_to(page, page.get_by_role("button", name="Apply this assignment"), limit=200)
    page.keyboard.press("Enter")
    expect(page.get_by_text("5 reviews assigned.")).to_be_visible()
    assert_region_is_accessible(page, ADMIN)
    assert ReviewAssignment.objects.filter(round=the_round).count() == 5
    expect(page.get_by_role("button", name=re.compile("^Take back"))).to_have_count(5)


def test_the_panels_decision_is_recorded_from_the_keyboard(page, moderated):  # noqa: F811
    the_round, (first, *_), lived, _academic = moderated
    site_seed()
    lead = coordinator(email="alex@tandem.test")
    moderation = f"/admin/scoring-rounds/{the_round.pk}/moderation/"

    sign_in_staff(page, lead)
    open_admin(page, moderation)
    expect(page.get_by_role("img", name="Scores 3.0 to 4.0, mean 3.5")).to_be_visible()

    # Without reasons the decision is refused, the summary links to the question.
    page.locator(f"#decide-{first.pk} summary").click()
    form = page.locator(f"#decide-{first.pk}")
    form.get_by_label("Fund", exact=True).check()
    form.get_by_label(f"{lived.display_name} (Lived experience)", exact=True).check()
    form.get_by_role("button", name=re.compile("Record the decision")).click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_contain_text("Give the reasons for the decision.")
    assert_region_is_accessible(page, ADMIN)
    assert not Decision.objects.exists()

    # The keyboard alone: open the proposal's form, arrow through the radios, type the
    # reasons, tick the lived-experience voter with Space and send with Enter.
    page.goto(moderation)
    opener = page.locator(f"#decide-{first.pk} summary")
    tab_to(page, opener, limit=300)
    page.keyboard.press("Enter")
    form = page.locator(f"#decide-{first.pk}")
    fund = form.get_by_label("Fund", exact=True)
    tab_to(page, fund, limit=10)
    page.keyboard.press("ArrowDown")
    expect(form.get_by_label("Reserve", exact=True)).to_be_checked()
    tab_to(page, form.get_by_label(re.compile("Reasons for the decision")), limit=10)
    page.keyboard.type("Strong plan; the panel wants the budget checked first.")
    voter = form.get_by_label(f"{lived.display_name} (Lived experience)", exact=True)
    tab_to(page, voter, limit=10)
    page.keyboard.press("Space")
    expect(voter).to_be_checked()
    tab_to(page, form.get_by_role("button", name=re.compile("Record the decision")), limit=10)
    page.keyboard.press("Enter")
    expect(page.get_by_text("Decision recorded for P-001: Reserve.")).to_be_visible()
    assert_region_is_accessible(page, ADMIN)
    decision = Decision.objects.get()
    assert (decision.proposal, decision.outcome) == (first, "reserve")
    assert list(decision.voters.all()) == [lived]
