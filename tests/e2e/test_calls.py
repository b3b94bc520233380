"""Browser test: a visitor reads the funding calls and a call page; a researcher submits a
proposal with its PDF, sees the error summary first, then the confirmation with its
reference. axe-core checks every page."""

import re

import pytest
from playwright.sync_api import expect

from cms.seed import site_seed
from engagement.models import Proposal
from tests.e2e.conftest import arrive, assert_page_is_accessible, sign_in, visit
from tests.factories import TEST_PASSWORD, funding_call, panel, researcher, scoring_round, team

pytestmark = pytest.mark.browser


def test_a_visitor_reads_a_call_and_a_researcher_submits_a_proposal(
    django_db_serialized_rollback, live_server, page, settings, tmp_path
):
    settings.PROPOSAL_ATTACHMENTS_ROOT = tmp_path / "proposals"
    site_seed()
    call = funding_call(
        status="open",
        slug="safer-work",
        title="Safer work after exploitation",
        requires_partner=True,
        co_design_panel=panel(name="Safer Work Panel"),
    )
    scoring_round(call=call, criteria_status="approved")
    person = researcher(email="priya@tandem.test", display_name="Priya")
    team(members=[person], name="Safe Homes Study")
    document = tmp_path / "proposal.pdf"
    document.write_bytes(b"%PDF-1.7\n% our proposal\n")

    # Anyone reads the calls and the call page.
    visit(page, "/calls/")
    page.get_by_role("link", name="Safer work after exploitation").click()
    arrive(page, "/calls/safer-work/")
    expect(page.get_by_text("Safer Work Panel, a panel of experts")).to_be_visible()
    expect(page.get_by_role("table", name="The weight of each group of reviewers")).to_be_visible()

    # A researcher signs in and submits.
    sign_in(page, "priya@tandem.test", TEST_PASSWORD)
    visit(page, "/calls/safer-work/apply/")
    page.get_by_role("button", name="Send the proposal").click()
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_be_visible()
    expect(page.get_by_role("link", name="Enter the title of the research")).to_be_visible()
    assert_page_is_accessible(page)

    page.get_by_label("Title of the research").fill("Finding safe work")
    page.get_by_label("Summary in plain language").fill("What helps people find safe work.")
    page.get_by_label("Full summary", exact=True).fill("Tandem University interviews 40 people.")
    page.get_by_label("Full summary without names").fill("A university interviews 40 people.")
    page.get_by_label("Budget, in pounds").fill("25000")
    page.get_by_label("Lead organisation").fill("Tandem University")
    page.get_by_label("Partner organisations").fill("Safe Homes Charity")
    page.get_by_label("Proposal document (PDF)").set_input_files(str(document))
    page.get_by_role("button", name="Send the proposal").click()

    page.wait_for_url(re.compile(r"/calls/safer-work/proposals/\d+/$"))
    assert_page_is_accessible(page)
    expect(page.get_by_role("heading", level=1, name="Proposal P-001")).to_be_visible()
    assert Proposal.objects.get().title == "Finding safe work"
