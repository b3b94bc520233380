"""Issue 8's whole journey in Chromium, at 1280 and 390 pixels, axe-clean on every page (on
the admin, Tandem's own parts of the page): a researcher sends a request, a coordinator
accepts it and invites experts, an expert accepts from the email link, the session takes
place, the chair approves the notes, the researcher records "you said, we did" and the
expert sees it on their dashboard."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db.models import F
from django.utils import timezone
from playwright.sync_api import expect

from cms.seed import site_seed
from engagement.models import (
    AdvisoryRequest,
    Invitation,
    Panel,
    PanelMembership,
    PanelSession,
    SessionNote,
    Topic,
)
from tests.e2e.conftest import (
    arrive,
    assert_page_is_accessible,
    assert_region_is_accessible,
    fill_date,
    fill_request,
    question,
    sign_in,
    sign_in_from_link,
    sign_in_with_code,
    sign_out,
    visit,
)
from tests.engagement.invitation_helpers import TOKEN_LINK
from tests.factories import (
    TEST_PASSWORD,
    TEST_TOTP_SECRET,
    UserFactory,
    coordinator,
    expert,
    researcher,
    team,
)

pytestmark = pytest.mark.browser

TITLE = "How people find safe housing"
HEARD = "Ask about housing before money."
CHANGED = "We moved the money questions to the end of the interview."


def test_a_request_becomes_a_panel_whose_advice_changes_the_research(
    django_db_serialized_rollback, live_server, screen
):
    # The database fixtures come before the browser (see conftest.serialized_db), and `db`
    # is not asked for: with it, the emails and invitations sent on commit never went out.
    page = screen
    site_seed()
    housing = Topic.objects.create(name="Housing")
    priya = researcher(email="priya@tandem.test", display_name="Priya")
    team(members=[priya])
    lead = coordinator(email="alex@tandem.test")
    sam = expert(user=UserFactory(email="sam@tandem.test", display_name="Sam"), topics=[housing])
    expert(user=UserFactory(email="kit@tandem.test", display_name="Kit"), topics=[housing])
    ruth = expert(user=UserFactory(email="ruth@tandem.test", display_name="Ruth"))

    # The researcher writes the request and sends it.
    sign_in(page, priya.email, TEST_PASSWORD)
    page.get_by_role("link", name="Ask for advice").click()
    arrive(page, "/requests/new/")
    fill_request(page, TITLE, starts_on=timezone.localdate() + timedelta(days=30), advisers=2)
    page.get_by_role("button", name="Save as a draft").click()
    page.wait_for_url(re.compile(r"/requests/\d+/$"))
    assert_page_is_accessible(page)
    page.get_by_role("button", name="Send to Tandem").click()
    page.wait_for_url(re.compile(r"/requests/\d+/$"))
    assert_page_is_accessible(page)
    expect(page.locator("strong.tag")).to_have_text("Waiting for a coordinator")
    sent = AdvisoryRequest.objects.get()
    sign_out(page)

    # The coordinator accepts it in triage, which creates the panel.
    sign_in_with_code(page, lead.email, TEST_PASSWORD, TEST_TOTP_SECRET, lands_on="/admin/")
    assert_region_is_accessible(page, ".tandem-panel")
    page.goto(f"/admin/advisory-requests/inspect/{sent.pk}/")
    assert_region_is_accessible(page, ".tandem-request")
    page.locator("#id_accept-message").fill("We would love to help. We will invite advisers.")
    page.get_by_role("button", name="Accept the request").click()
    expect(page.get_by_text("Done. Every member of the team has been emailed.")).to_be_visible()
    assert_region_is_accessible(page, ".tandem-request")
    the_panel = Panel.objects.get(request=sent)

    # From the panel's admin page: invitations to two suggested experts. Invitations offer
    # no role, so the chair joins through the same page's "Add a member" form, which does.
    page.goto(f"/admin/panels/inspect/{the_panel.pk}/")
    assert_region_is_accessible(page, "section[aria-labelledby=suggestions-heading]")
    page.get_by_label("Sam", exact=True).check()
    page.get_by_label("Kit", exact=True).check()
    page.get_by_role("button", name="Send invitations").click()
    invitations = page.locator("section[aria-labelledby=invitations-heading]")
    expect(invitations.get_by_role("row")).to_have_count(3)  # the header, Sam and Kit
    assert_region_is_accessible(page, "section[aria-labelledby=invitations-heading]")
    page.get_by_label("Expert", exact=True).select_option(label=f"Ruth ({ruth.reference})")
    page.get_by_label("Role").select_option(label="Chair")
    page.get_by_role("button", name="Add to panel").click()
    expect(page.get_by_role("cell", name="Chair")).to_be_visible()
    assert_region_is_accessible(page, "section[aria-labelledby=members-heading]")
    page.context.clear_cookies()

    # Sam accepts from the link in the invitation email.
    (invitation_email,) = [m for m in mail.outbox if m.to == [sam.user.email]]
    token_path = f"/invitations/{TOKEN_LINK.search(invitation_email.body).group(1)}/"
    sign_in_from_link(page, sam.user.email, TEST_PASSWORD, token_path)
    page.get_by_role("button", name="Yes, I would like to join").click()
    arrive(page, "/me/")
    assert Invitation.objects.get(expert=sam).status == "accepted"
    sign_out(page)

    # The coordinator schedules a session on the panel's page.
    sign_in_with_code(page, lead.email, TEST_PASSWORD, TEST_TOTP_SECRET, lands_on="/admin/")
    visit(page, f"/panels/{the_panel.pk}/")
    page.get_by_role("link", name="Schedule a session").click()
    arrive(page, f"/panels/{the_panel.pk}/sessions/new/")
    page.get_by_label("Title").fill("First meeting")
    fill_date(page, "^Date", timezone.localdate() + timedelta(days=7))
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("Length in minutes").fill("90")
    page.get_by_label("Preparation in minutes").fill("30")
    question(page, "Format").get_by_label("Online").check()
    page.get_by_label("Joining details").fill("https://meet.example.org/first")
    page.get_by_role("button", name="Schedule and invite the members").click()
    arrive(page, f"/panels/{the_panel.pk}/")
    session = PanelSession.objects.get(panel=the_panel)

    # The session takes place: its start moves to half an hour ago (the live server's clock
    # cannot be frozen from here), and the members' terms a day back, so that they were
    # members on the session's day even when half an hour ago was yesterday.
    PanelSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(minutes=30)
    )
    PanelMembership.objects.filter(panel=the_panel).update(
        started_on=F("started_on") - timedelta(days=1)
    )
    visit(page, f"/sessions/{session.pk}/attendance/")
    for name in ("Sam", "Ruth"):
        question(page, f"Did {name} take part?").get_by_label("Yes").check()
    page.get_by_role("button", name="Save who took part").click()
    arrive(page, f"/panels/{the_panel.pk}/")
    page.get_by_role("link", name="Write the notes First meeting").click()
    arrive(page, f"/sessions/{session.pk}/notes/")
    page.get_by_label("Notes of the session").fill("The panel asked for housing first.")
    page.get_by_role("button", name="Save the notes").click()
    arrive(page, f"/panels/{the_panel.pk}/")
    # With a chair on the panel, approving is the chair's alone.
    expect(page.get_by_role("button", name=re.compile("Approve the notes"))).to_have_count(0)
    sign_out(page)

    # The chair approves the notes.
    sign_in(page, ruth.user.email, TEST_PASSWORD)
    visit(page, f"/panels/{the_panel.pk}/")
    page.get_by_role("button", name="Approve the notes for the research team First meeting").click()
    arrive(page, f"/panels/{the_panel.pk}/")
    assert SessionNote.objects.get(session=session).status == "approved"
    sign_out(page)

    # The researcher reaches the panel from their dashboard and records "you said, we did".
    sign_in(page, priya.email, TEST_PASSWORD)
    panels = page.get_by_role("table", name=re.compile("Panels advising"))
    panels.get_by_role("link", name=the_panel.name).click()
    arrive(page, f"/panels/{the_panel.pk}/")
    expect(page.get_by_text("The panel asked for housing first.")).to_be_visible()
    page.get_by_role("link", name="Record 'you said, we did' First meeting").click()
    arrive(page, f"/sessions/{session.pk}/impact/")
    page.get_by_label("What we heard").fill(HEARD)
    page.get_by_label("What we changed").fill(CHANGED)
    page.get_by_role("button", name="Save and tell the experts").click()
    arrive(page, f"/panels/{the_panel.pk}/")
    sign_out(page)

    # Sam sees it on their dashboard, as what their advice changed.
    sign_in(page, sam.user.email, TEST_PASSWORD)
    impact = page.get_by_role("region", name="What your advice changed")
    expect(impact.get_by_text(HEARD)).to_be_visible()
    expect(impact.get_by_text(CHANGED)).to_be_visible()
