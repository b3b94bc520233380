"""Invitations in Chromium, axe-clean on every page at 1280 and 390 pixels: a coordinator
chooses from the suggestions, the expert opens the link from the email, signs in, reads the
offer and answers; unusable links get their own clear pages."""

import pytest
from django.core import mail
from playwright.sync_api import expect

from engagement.models import Invitation
from tests.e2e.conftest import (
    arrive,
    assert_page_is_accessible,
    assert_region_is_accessible,
    sign_in_from_link,
    sign_in_with_code,
)
from tests.engagement.invitation_helpers import TOKEN_LINK, invite
from tests.factories import (
    TEST_PASSWORD,
    TEST_TOTP_SECRET,
    UserFactory,
    advisory_request,
    coordinator,
    expert,
    panel,
)

pytestmark = pytest.mark.browser


def test_a_coordinator_invites_and_the_expert_accepts_from_the_email(
    django_db_serialized_rollback, live_server, screen
):
    browser_page = screen
    lead = coordinator(email="alex@tandem.test")
    the_panel = panel(
        coordinators=[lead],
        seats=1,
        request=advisory_request(status="accepted", content_notes="Some papers describe violence."),
    )
    person = expert(user=UserFactory(email="sam@tandem.test", display_name="Sam"))
    waiting = expert(user=UserFactory(email="kit@tandem.test", display_name="Kit"))

    sign_in_with_code(browser_page, lead.email, TEST_PASSWORD, TEST_TOTP_SECRET, lands_on="/admin/")
    browser_page.goto(f"/admin/panels/inspect/{the_panel.pk}/")
    assert_region_is_accessible(browser_page, "section[aria-labelledby=suggestions-heading]")
    browser_page.get_by_label("Sam").check()
    browser_page.get_by_label("Waitlist, in order").fill(waiting.reference)
    browser_page.get_by_role("button", name="Send invitations").click()
    expect(browser_page.get_by_role("cell", name="On the waitlist")).to_be_visible()
    assert_region_is_accessible(browser_page, "section[aria-labelledby=invitations-heading]")
    browser_page.context.clear_cookies()

    (message,) = [m for m in mail.outbox if m.to == ["sam@tandem.test"]]
    token_path = f"/invitations/{TOKEN_LINK.search(message.body).group(1)}/"
    sign_in_from_link(browser_page, "sam@tandem.test", TEST_PASSWORD, token_path)
    main = browser_page.get_by_role("main")
    expect(main.get_by_text("Some papers describe violence.")).to_be_visible()
    expect(main.get_by_text("honorarium for your preparation and session time")).to_be_visible()
    browser_page.get_by_role("button", name="Yes, I would like to join").click()
    arrive(browser_page, "/me/")
    expect(browser_page.get_by_role("heading", name="Your panels")).to_be_visible()

    browser_page.goto(token_path)
    expect(browser_page.get_by_role("heading", level=1)).to_have_text(
        "You have already answered this invitation"
    )
    assert_page_is_accessible(browser_page)
    assert Invitation.objects.get(expert=person).status == "accepted"


def test_declining_with_an_optional_reason_on_a_phone(phone, db):
    page = phone
    lead = coordinator()
    the_panel = panel(coordinators=[lead], seats=1)
    person = expert(user=UserFactory(email="sam@tandem.test"))
    # Outside a transaction the send task runs at once (in-process), as on commit.
    invite(the_panel, lead, [person])
    token_path = f"/invitations/{TOKEN_LINK.search(mail.outbox[-1].body).group(1)}/"
    sign_in_from_link(page, "sam@tandem.test", TEST_PASSWORD, token_path)

    page.get_by_label("Anything you would like to tell us (optional)").fill("Too busy this month")
    page.get_by_role("button", name="No, thank you").click()
    arrive(page, "/me/")
    expect(page.get_by_role("status")).to_have_text("Thank you for letting us know.")
    invitation = Invitation.objects.get(expert=person)
    assert (invitation.status, invitation.decline_reason) == ("declined", "Too busy this month")


@pytest.mark.parametrize("path", ["/invitations/not-a-token/", "/invitations/" + "A" * 43 + "/"])
def test_a_broken_link_gets_a_clear_accessible_page(phone, db, path):
    response = phone.goto(path)

    assert response.status == 404
    expect(phone.get_by_role("heading", level=1)).to_have_text("This invitation link does not work")
    assert_page_is_accessible(phone)
