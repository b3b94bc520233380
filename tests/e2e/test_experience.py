"""Browser tests for how each kind of person experiences Tandem, on a phone (390 px, touch)
where the problem was a phone's, at desktop width otherwise. axe-core runs on every page
visited (on the admin, on Tandem's own panels)."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from engagement.models import ExpertProfile
from engagement.services.experts import expert_request_info
from engagement.services.onboarding import expert_profile_start, onboarding_step_save
from engagement.steps import STEP_SLUGS
from tests.e2e.conftest import (
    arrive,
    assert_page_is_accessible,
    assert_region_is_accessible,
    sign_in,
    sign_in_with_code,
    visit,
)
from tests.factories import (
    TEST_PASSWORD,
    TEST_TOTP_SECRET,
    UserFactory,
    coordinator,
    expert,
    finance,
    researcher,
)

pytestmark = pytest.mark.browser

ANSWERS = {
    "about": {"display_name": "River", "pronouns": "", "languages": [], "region": "wales"},
    "expertise": {"topics": [], "expertise_notes": "Research ethics"},
    "access": {"needs": [], "interpreter_language": "", "meeting_format": "phone", "other": ""},
    "availability": {"hours_per_month": 4, "availability": [], "paused_until": None},
    "credit": {"credit_preference": "anonymous", "credit_name": ""},
}


def draft(email: str, steps_done: int) -> ExpertProfile:
    profile = expert_profile_start(user=UserFactory(email=email, display_name="River"))
    for step in STEP_SLUGS[:steps_done]:
        profile = onboarding_step_save(profile=profile, step=step, data=ANSWERS[step])
    return profile


def top_of(locator) -> float:
    return locator.bounding_box()["y"]


# 1. Every role has somewhere to go ----------------------------------------------------------


def test_a_researcher_signs_in_to_a_dashboard_for_research_teams(phone, db):
    person = researcher(email="priya@tandem.test")

    sign_in(phone, person.email, TEST_PASSWORD)

    main = phone.get_by_role("main")
    expect(main.get_by_role("heading", name="What Tandem offers research teams")).to_be_visible()
    expect(main.get_by_role("heading", name="How to work with advisers")).to_be_visible()
    expect(main.get_by_role("heading", name="Get in touch")).to_be_visible()
    expect(main.get_by_text("Join as an adviser")).to_have_count(0)


def test_staff_are_pointed_to_the_staff_area_not_to_joining(page, db):
    lead = coordinator(email="alex@tandem.test")

    sign_in_with_code(page, lead.email, TEST_PASSWORD, TEST_TOTP_SECRET, lands_on="/admin/")
    visit(page, "/me/")

    main = page.get_by_role("main")
    expect(main.get_by_role("link", name="Go to the staff area")).to_be_visible()
    expect(main.get_by_text("Join as an adviser")).to_have_count(0)


# 2. An applicant answers a coordinator's question --------------------------------------------


def test_an_applicant_reads_the_question_replies_and_sends_the_application_again(phone, db):
    applicant = expert(status="applied", user=UserFactory(email="sam@tandem.test"))
    expert_request_info(
        profile=applicant, by=coordinator(), message="Which region would you meet in?"
    )
    sign_in(phone, "sam@tandem.test", TEST_PASSWORD)

    main = phone.get_by_role("main")
    expect(main.get_by_text("Which region would you meet in?")).to_be_visible()
    profile_heading = main.get_by_role("heading", name="Your profile")
    reply_heading = main.get_by_role("heading", name="Reply and send your application again")
    # The send button comes after the profile the person may want to change first.
    assert top_of(reply_heading) > top_of(profile_heading)
    phone.get_by_label("Your reply to the coordinator").fill("Cardiff, or online.")
    phone.get_by_role("button", name="Send my updated application").click()
    arrive(phone, "/me/")

    expect(phone.get_by_text("Thank you. We have sent your updated application.")).to_be_visible()
    applicant.refresh_from_db()
    assert applicant.status == "applied"
    assert applicant.audit_events.get(action="expertprofile.submit").note == "Cardiff, or online."


# 3. On a phone the question comes first -------------------------------------------------------


def test_on_a_phone_each_step_starts_with_its_question(phone, db):
    draft("river@tandem.test", steps_done=2)
    sign_in(phone, "river@tandem.test", TEST_PASSWORD)

    visit(phone, "/join/access/")

    main = phone.get_by_role("main")
    heading = main.get_by_role("heading", level=1)
    expect(main.get_by_text("Step 3 of 7")).to_be_visible()
    assert top_of(heading) < 300
    # The full list waits behind a disclosure after the question.
    steps = phone.get_by_text("All steps of your application")
    expect(steps).to_be_visible()
    assert top_of(steps) > top_of(phone.get_by_role("button", name="Save and continue"))
    expect(main.get_by_role("link", name="About you")).to_be_hidden()
    steps.click()
    expect(main.get_by_role("link", name="About you")).to_be_visible()
    assert_page_is_accessible(phone)


def test_on_a_wide_screen_the_steps_sit_beside_the_question(page, db):
    draft("river@tandem.test", steps_done=2)
    sign_in(page, "river@tandem.test", TEST_PASSWORD)

    visit(page, "/join/access/")

    nav = page.get_by_role("navigation", name="Your application")
    expect(nav).to_be_visible()
    heading = page.get_by_role("main").get_by_role("heading", level=1)
    assert nav.bounding_box()["x"] < heading.bounding_box()["x"]
    assert abs(top_of(nav) - top_of(heading)) < 200


# 4. The payment step asks for a legal name only when it is needed ---------------------------


def test_the_legal_name_is_asked_only_for_bank_transfer_or_vouchers(phone, db):
    draft("river@tandem.test", steps_done=5)
    sign_in(phone, "river@tandem.test", TEST_PASSWORD)
    visit(phone, "/join/payment/")
    legal_name = phone.get_by_label("Your legal name, for payments only")

    expect(legal_name).to_be_hidden()
    phone.get_by_label("Shopping vouchers").check()
    expect(legal_name).to_be_visible()
    expect(phone.get_by_text("(optional)")).to_have_count(0)
    phone.get_by_label("I do not want to be paid").check()
    expect(legal_name).to_be_hidden()
    phone.get_by_role("group", name="Do you have the right to work in the UK?").get_by_label(
        "Yes", exact=True
    ).check()
    phone.get_by_role("group", name="Do you receive any means-tested benefits?").get_by_label(
        "No", exact=True
    ).check()
    phone.get_by_role("button", name="Save and continue").click()
    arrive(phone, "/join/consents/")

    profile = ExpertProfile.objects.get(user__email="river@tandem.test")
    assert (profile.payment_method, profile.legal_name) == ("declined", "")


# 5. The quick exit promises only what it does -----------------------------------------------


def test_the_safeguarding_page_is_truthful_about_leaving_and_helplines_can_be_tapped(
    phone, demo_site
):
    visit(phone, "/safeguarding/")

    main = phone.get_by_role("main")
    expect(main.get_by_text("the back button will not bring you back")).to_have_count(0)
    expect(
        main.get_by_text(re.compile("pressing Back can still show other Tandem"))
    ).to_be_visible()
    expect(main.get_by_role("heading", name="Covering your tracks")).to_be_visible()
    expect(main.get_by_role("link", name="08000 121 700")).to_have_attribute(
        "href", "tel:08000121700"
    )
    footer = phone.get_by_role("contentinfo")
    expect(footer.get_by_role("link", name="08000 121 700")).to_have_attribute(
        "href", "tel:08000121700"
    )
    expect(footer.get_by_role("link", name="999")).to_have_attribute("href", "tel:999")
    # A phone has no Shift key: the hint is not offered there.
    expect(phone.get_by_text("Or press Shift three times to leave quickly.")).to_be_hidden()


def test_on_a_computer_the_shift_hint_is_shown(page, demo_site):
    visit(page, "/safeguarding/")

    expect(page.get_by_text("Or press Shift three times to leave quickly.")).to_be_visible()


# 8. Coordinators and finance on a phone -------------------------------------------------------


def test_the_expert_directory_reads_on_a_phone(phone, db):
    lead = coordinator(email="alex@tandem.test")
    expert(status="applied", user=UserFactory(display_name="Amira Khalil"))

    sign_in_with_code(phone, lead.email, TEST_PASSWORD, TEST_TOTP_SECRET, lands_on="/admin/")
    phone.goto("/admin/experts/")

    name = phone.get_by_role("link", name="Amira Khalil")
    expect(name).to_be_visible()
    # The whole name on one line, not squeezed into a sliver.
    box = name.bounding_box()
    assert box["height"] < 40
    assert box["width"] > 80
    expect(phone.locator("td[data-label='Status']").first).to_contain_text("Waiting for review")
    assert_region_is_accessible(phone, "table.listing")


def test_each_staff_role_has_its_own_dashboard_panels(page, db):
    lead = coordinator(email="alex@tandem.test")
    money = finance(email="jo@tandem.test")
    waiting = expert(status="applied")
    ExpertProfile.objects.filter(pk=waiting.pk).update(
        status_changed_at=timezone.now() - timedelta(days=6)
    )

    sign_in_with_code(page, lead.email, TEST_PASSWORD, TEST_TOTP_SECRET, lands_on="/admin/")
    panel = page.locator(".tandem-panel")
    expect(panel.get_by_text("1 application waiting for review")).to_be_visible()
    expect(panel.get_by_text("the oldest for 6 days")).to_be_visible()
    assert_region_is_accessible(page, ".tandem-panel")
    for link in panel.get_by_role("link").all():
        assert link.bounding_box()["height"] >= 24

    page.context.clear_cookies()
    sign_in_with_code(page, money.email, TEST_PASSWORD, TEST_TOTP_SECRET, lands_on="/admin/")
    expect(page.locator(".tandem-panel").get_by_text("Payments waiting")).to_be_visible()
    assert_region_is_accessible(page, ".tandem-panel")


# 9. Smaller form problems ---------------------------------------------------------------------


def test_dates_are_day_month_and_year_and_optional_is_said_once(phone, db):
    draft("river@tandem.test", steps_done=3)
    sign_in(phone, "river@tandem.test", TEST_PASSWORD)

    visit(phone, "/join/availability/")

    group = phone.get_by_role("group", name=re.compile("Not available until"))
    expect(group).to_contain_text("(optional)")
    assert group.inner_text().count("(optional)") == 1
    until = timezone.localdate() + timedelta(days=40)
    group.get_by_label("Day").fill(str(until.day))
    group.get_by_label("Month").fill(str(until.month))
    group.get_by_label("Year").fill(str(until.year))
    phone.get_by_label("How many hours a month could you give, at most?").fill("6")
    phone.get_by_role("button", name="Save and continue").click()
    arrive(phone, "/join/credit/")
    assert ExpertProfile.objects.get(user__email="river@tandem.test").paused_until == until


def test_the_interpreter_question_sits_under_its_checkbox(phone, db):
    draft("river@tandem.test", steps_done=2)
    sign_in(phone, "river@tandem.test", TEST_PASSWORD)
    visit(phone, "/join/access/")

    phone.get_by_label("A spoken-language interpreter").check()
    language = phone.get_by_label("Which language should the interpreter speak?")
    expect(language).to_be_visible()

    interpreter = phone.get_by_label("A spoken-language interpreter")
    bsl = phone.get_by_label("A British Sign Language (BSL) interpreter")
    assert top_of(interpreter) < top_of(language) < top_of(bsl)
    assert_page_is_accessible(phone)


def test_accepting_an_application_asks_first_and_errors_are_in_view(page, db):
    lead = coordinator(email="alex@tandem.test")
    applicant = expert(status="applied", user=UserFactory(display_name="Nadia"))
    sign_in_with_code(page, lead.email, TEST_PASSWORD, TEST_TOTP_SECRET, lands_on="/admin/")
    page.goto(f"/admin/experts/inspect/{applicant.pk}/")

    page.get_by_role("button", name="Send question").click()
    # The page opens on the question with the problem, its message beside it; a summary at
    # the top links to it as well.
    message = page.locator("#id_request_info-message")
    expect(message).to_be_focused()
    expect(message).to_be_in_viewport()
    expect(page.get_by_role("alert").filter(has_text="There is a problem")).to_have_count(1)

    page.get_by_role("button", name="Accept and activate").click()
    expect(page.get_by_role("heading", name=re.compile("Accept Nadia"))).to_be_in_viewport()
    applicant.refresh_from_db()
    assert applicant.status == "applied"
    page.get_by_role("button", name="Yes, accept and activate").click()
    expect(page.get_by_text("Done. The expert has been emailed.")).to_be_visible()
    applicant.refresh_from_db()
    assert applicant.status == "active"


def test_the_data_page_is_readable_and_the_file_is_still_there(phone, db):
    person = expert(status="active", user=UserFactory(email="sam@tandem.test"))
    sign_in(phone, "sam@tandem.test", TEST_PASSWORD)

    visit(phone, "/me/data/")

    main = phone.get_by_role("main")
    expect(main.get_by_role("heading", name="The information we hold about you")).to_be_visible()
    expect(main.get_by_text(person.reference)).to_be_visible()
    with phone.expect_download() as download:
        main.get_by_role("link", name=re.compile("Download it as a file")).click()
    assert download.value.suggested_filename == "my-tandem-data.json"
