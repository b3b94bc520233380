"""Browser tests for becoming an adviser (/join/) and the adviser's own dashboard (/me/).

Every page the browser lands on is checked with axe-core, the quick exit and the skip link."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import expect

from engagement.models import ExpertProfile
from engagement.selectors.consents import consents_current_for
from engagement.services.onboarding import expert_profile_start, onboarding_step_save
from engagement.steps import STEP_SLUGS
from tests.e2e.conftest import (
    arrive,
    main_headings,
    question,
    save_and_continue,
    sign_in,
    sign_out,
    visit,
    visit_each,
)
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.browser

NEW_EMAIL = "river@tandem.test"
NEW_PASSWORD = "a quiet river at dawn 42"
DEMO_EXPERT = ("expert@example.org", "tandem-demo")
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)")
DASHBOARD_PAGES = [
    "/me/",
    "/me/profile/access/",
    "/me/pause/",
    "/me/leave/",
    "/me/delete/",
    "/me/access-log/",
]


def draft_application(email: str, *, steps_done: int) -> ExpertProfile:
    """Arrange: a verified account whose application has its first `steps_done` steps saved."""
    profile = expert_profile_start(user=UserFactory(email=email, display_name="River"))
    answers = {
        "about": {"display_name": "River", "pronouns": "", "languages": [], "region": "wales"},
        "expertise": {"topics": [], "expertise_notes": "Research ethics"},
        "access": {"needs": [], "interpreter_language": "", "meeting_format": "phone", "other": ""},
        "availability": {"hours_per_month": 4, "availability": [], "paused_until": None},
        "credit": {"credit_preference": "anonymous", "credit_name": ""},
    }
    for step in STEP_SLUGS[:steps_done]:
        profile = onboarding_step_save(profile=profile, step=step, data=answers[step])
    return profile


def start_application(page, email: str) -> None:
    """A verified account, signed in, on the first question of a new application."""
    UserFactory(email=email, display_name="River")
    sign_in(page, email, TEST_PASSWORD)
    visit(page, "/join/")
    page.get_by_role("button", name="Start now").click()
    arrive(page, "/join/about/")


# One helper per onboarding step ------------------------------------------------------------


def fill_about(page, *, display_name="River", pronouns="they/them", languages=("English",)):
    page.get_by_label("Display name or pseudonym").fill(display_name)
    page.get_by_label("Pronouns").fill(pronouns)
    for language in languages:
        question(page, "Which languages can you advise in?").get_by_label(
            language, exact=True
        ).check()
    page.get_by_label("Where in the UK are you based?").select_option(label="Wales")


def fill_expertise(page, *, topics=("Housing", "Peer support"), notes=""):
    for topic in topics:
        page.get_by_label(topic, exact=True).check()
    page.get_by_label("Anything else you would like to advise on").fill(notes)


def fill_access(page):
    interpreter_language = page.get_by_label("Which language should the interpreter speak?")
    expect(interpreter_language).to_be_hidden()
    page.get_by_label("A spoken-language interpreter").check()
    # Revealed, and not marked "(optional)": once shown, it must be answered.
    expect(interpreter_language).to_be_visible()
    expect(interpreter_language).to_have_accessible_name(
        "Which language should the interpreter speak?"
    )
    interpreter_language.fill("Albanian")
    page.get_by_label("Regular breaks").check()
    page.get_by_label("Online (video call)").check()


def fill_availability(page, *, hours="6"):
    page.get_by_label("How many hours a month could you give, at most?").fill(hours)
    page.get_by_label("Weekday evenings").check()


def fill_credit(page):
    page.get_by_label("My display name").check()


def fill_payment(page, *, method="Bank transfer", right_to_work="Yes", benefits="No"):
    legal_name = page.get_by_label("Your legal name, for payments only")
    page.get_by_label(method).check()
    if method in {"Bank transfer", "Shopping vouchers"}:
        legal_name.fill("Rivka Adebayo")
    else:
        expect(legal_name).to_be_hidden()
    question(page, "Do you have the right to work in the UK?").get_by_label(
        right_to_work, exact=True
    ).check()
    question(page, "Do you receive any means-tested benefits?").get_by_label(
        benefits, exact=True
    ).check()


def fill_consents(page):
    page.get_by_label("Using my information").check()
    page.get_by_label("Contact about opportunities").check()


# 1. The whole journey ----------------------------------------------------------------------


def test_a_new_person_creates_an_account_and_sends_an_application(page, demo_site):
    # Sign up from the public "join" page, as a new person would.
    visit(page, "/join/")
    page.get_by_role("link", name="Create an account").click()
    arrive(page, "/accounts/signup/")
    page.get_by_label("Email").fill(NEW_EMAIL)
    page.get_by_label("Display name").fill("River")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password (again)").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create account").click()
    arrive(page, "/accounts/confirm-email/")
    expect(main_headings(page, 1)).to_have_text("Check your email")

    # Follow the link in the email: confirming in this browser signs in and returns to /join/.
    (confirmation,) = [message for message in mail.outbox if message.to == [NEW_EMAIL]]
    visit(page, CONFIRM_LINK.search(confirmation.body).group(1))
    expect(main_headings(page, 1)).to_have_text("Confirm your email address")
    page.get_by_role("button", name="Confirm my email address").click()
    arrive(page, "/join/")
    page.get_by_role("button", name="Start now").click()

    # Every step, one page each.
    arrive(page, "/join/about/")
    fill_about(page, display_name="River", languages=("English", "Albanian"))
    save_and_continue(page, "/join/expertise/")
    fill_expertise(page, topics=("Housing", "Peer support"), notes="Interviewing with care")
    save_and_continue(page, "/join/access/")
    fill_access(page)
    save_and_continue(page, "/join/availability/")
    fill_availability(page, hours="6")
    save_and_continue(page, "/join/credit/")
    fill_credit(page)
    save_and_continue(page, "/join/payment/")
    fill_payment(page, method="Bank transfer", right_to_work="Yes", benefits="No")
    save_and_continue(page, "/join/consents/")
    # Each statement sits with its own checkbox, read out as that checkbox's description.
    quoted = page.get_by_label("Being quoted")
    statement = (
        "Research teams can quote things I say in sessions, without my name unless I agree "
        "for that piece of work."
    )
    expect(quoted).to_have_accessible_description(statement)
    expect(page.locator(".checkbox").filter(has=quoted)).to_have_text(f"Being quoted {statement}")
    fill_consents(page)
    save_and_continue(page, "/join/check/")
    expect(main_headings(page, 1)).to_have_text(
        "Check your answers before sending your application"
    )
    page.get_by_role("button", name="Send my application").click()
    arrive(page, "/join/submitted/")
    expect(main_headings(page, 1)).to_have_text("Application sent")

    profile = ExpertProfile.objects.get(user__email=NEW_EMAIL)
    assert profile.status == ExpertProfile.Status.APPLIED
    assert profile.completed_steps == list(STEP_SLUGS)
    assert profile.user.display_name == "River"
    assert profile.pronouns == "they/them"
    assert profile.region == "wales"
    assert sorted(language.name for language in profile.languages.all()) == [
        "Albanian",
        "English",
    ]
    assert sorted(topic.name for topic in profile.topics.all()) == ["Housing", "Peer support"]
    assert profile.expertise_notes == "Interviewing with care"
    assert profile.access_needs == {
        "needs": ["interpreter", "breaks"],
        "interpreter_language": "Albanian",
        "meeting_format": "online",
        "other": "",
    }
    assert profile.hours_per_month == 6
    assert profile.availability == ["weekday_evenings"]
    assert profile.credit_preference == "pseudonym"
    assert profile.payment_method == "bank_transfer"
    assert profile.legal_name == "Rivka Adebayo"
    assert profile.right_to_work == "yes"
    assert profile.means_tested_benefits == "no"
    assert {kind: consent.given for kind, consent in consents_current_for(profile).items()} == {
        "data_processing": True,
        "contact": True,
        "quoted": False,
        "recorded": False,
        "public_credit": False,
    }


# 2. Stopping and coming back ---------------------------------------------------------------


def test_signing_out_after_three_steps_and_back_in_resumes_at_step_four(page, demo_site):
    start_application(page, NEW_EMAIL)
    fill_about(page)
    save_and_continue(page, "/join/expertise/")
    fill_expertise(page, topics=("Housing",))
    save_and_continue(page, "/join/access/")
    fill_access(page)
    save_and_continue(page, "/join/availability/")

    sign_out(page)
    sign_in(page, NEW_EMAIL, TEST_PASSWORD)
    page.goto("/join/")

    arrive(page, "/join/availability/")
    expect(page.get_by_text("Step 4 of 7")).to_be_visible()
    expect(main_headings(page, 1)).to_have_text("Your time")
    expect(
        page.get_by_role("navigation", name="Your application").get_by_role("listitem")
    ).to_have_text(
        [
            "About you Done",
            "What you want to advise on Done",
            "What helps you take part Done",
            "Your time You are here",
            "How you are credited Not started",
            "Payment Not started",
            "Your agreement Not started",
        ]
    )
    page.get_by_role("link", name="What you want to advise on").click()
    arrive(page, "/join/expertise/")
    expect(page.get_by_label("Housing", exact=True)).to_be_checked()
    expect(page.get_by_label("Peer support", exact=True)).not_to_be_checked()
    profile = ExpertProfile.objects.get(user__email=NEW_EMAIL)
    assert profile.completed_steps == ["about", "expertise", "access"]
    assert [topic.name for topic in profile.topics.all()] == ["Housing"]
    assert profile.access_needs["interpreter_language"] == "Albanian"


# 3. No right to work: expenses only, explained kindly ---------------------------------------


@pytest.mark.parametrize(("answer", "stored"), [("No", "no"), ("I'm not sure", "not_sure")])
def test_without_the_right_to_work_bank_transfer_becomes_expenses_only_and_is_explained(
    page, demo_site, answer, stored
):
    draft_application(NEW_EMAIL, steps_done=5)
    sign_in(page, NEW_EMAIL, TEST_PASSWORD)
    visit(page, "/join/payment/")

    fill_payment(page, method="Bank transfer", right_to_work=answer, benefits="No")
    page.get_by_role("button", name="Save and continue").click()

    arrive(page, "/join/payment/explained/")
    expect(main_headings(page, 1)).to_have_text("How we will pay you")
    expect(main_headings(page, 2)).to_have_text(["We will pay your expenses"])
    page.get_by_role("link", name="Continue").click()
    arrive(page, "/join/consents/")
    profile = ExpertProfile.objects.get(user__email=NEW_EMAIL)
    assert profile.right_to_work == stored
    assert profile.payment_method == "expenses_only"


# 4. Mistakes -------------------------------------------------------------------------------


def test_an_empty_step_shows_an_error_summary_that_takes_focus_and_links_to_each_field(
    page, demo_site
):
    start_application(page, NEW_EMAIL)
    page.get_by_label("Display name or pseudonym").fill("")

    page.get_by_role("button", name="Save and continue").click()

    arrive(page, "/join/about/")
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(page).to_have_title("Error: About you \N{EN DASH} Tandem")
    links = summary.get_by_role("link")
    expect(links).to_have_text(
        [
            "Enter a display name",
            "Choose at least one language",
            "Choose a region, or 'I'd rather not say'",
        ]
    )
    assert [links.nth(i).get_attribute("href") for i in range(3)] == [
        "#id_display_name",
        "#id_languages_0",
        "#id_region",
    ]
    expect(page.get_by_label("Where in the UK are you based?")).to_have_accessible_description(
        "This helps us plan in-person meetings near you. "
        "Error: Choose a region, or 'I'd rather not say'"
    )
    links.nth(1).click()
    expect(page.get_by_label("Albanian")).to_be_focused()
    assert ExpertProfile.objects.get(user__email=NEW_EMAIL).completed_steps == []


# 5. The keyboard alone ---------------------------------------------------------------------


def tab_to(page, locator, *, limit: int = 60) -> None:
    """Press Tab until `locator` has focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if locator.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"Tab never reached {locator}")


def test_a_step_can_be_completed_with_the_keyboard_alone(page, demo_site):
    draft_application(NEW_EMAIL, steps_done=3)
    sign_in(page, NEW_EMAIL, TEST_PASSWORD)
    visit(page, "/join/availability/")

    tab_to(page, page.get_by_label("How many hours a month could you give, at most?"))
    page.keyboard.type("12")
    weekends = page.get_by_label("Weekends")
    tab_to(page, weekends)
    page.keyboard.press("Space")
    expect(weekends).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Save and continue"))
    page.keyboard.press("Enter")

    arrive(page, "/join/credit/")
    profile = ExpertProfile.objects.get(user__email=NEW_EMAIL)
    assert profile.hours_per_month == 12
    assert profile.availability == ["weekends"]
    assert profile.completed_steps == ["about", "expertise", "access", "availability"]


FOCUS_PROBE = """async () => {
  const element = document.activeElement;
  if (element === document.body) return null;
  const style = getComputedStyle(element);
  const results = await axe.run(element, {runOnly: ["color-contrast"]});
  return {
    name: (element.innerText || element.id).trim(),
    indicator: style.outlineStyle !== "none" || style.boxShadow !== "none",
    contrast: results.violations.flatMap(v => v.nodes.map(n => n.failureSummary)),
  };
}"""


def focus_stops(page, *, limit: int = 150) -> list[dict]:
    """Tab from the top of the page to the end, probing each focused element on the way."""
    page.evaluate(Axe().axe_script)
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUS_PROBE)
        if stop is None:
            return stops
        stops.append(stop)
    raise AssertionError(f"focus did not leave the page after {limit} presses of Tab")


@pytest.mark.parametrize("path", ["/me/", "/me/profile/credit/"])
def test_every_focus_stop_shows_a_focus_indicator_and_stays_readable(page, demo_site, path):
    sign_in(page, *DEMO_EXPERT)
    visit(page, path)

    stops = focus_stops(page)

    assert stops[0]["name"] == "Skip to main content"
    assert stops[-1]["name"] == "Change language"
    assert [stop["name"] for stop in stops if not stop["indicator"]] == []
    assert [(stop["name"], stop["contrast"]) for stop in stops if stop["contrast"]] == []


# 6. The adviser's dashboard ----------------------------------------------------------------


def test_the_demo_experts_dashboard_pages_are_accessible(page, demo_site):
    sign_in(page, *DEMO_EXPERT)

    visit_each(page, DASHBOARD_PAGES)


def test_the_dashboard_nests_each_part_of_the_profile_under_your_profile(page, demo_site):
    sign_in(page, *DEMO_EXPERT)

    expect(main_headings(page, 2)).to_have_text(
        [
            "Your status",
            # The demo expert is on panels (seeded with invitations, sessions and impact).
            "Your invitations",
            "Your panels",
            "Your upcoming sessions",
            "Talk it through",
            "What your advice changed",
            "Your payments",
            "Your profile",
            "Your data and privacy",
            "Your account",
        ]
    )
    profile = page.locator("section[aria-labelledby=profile-heading]")
    expect(profile.get_by_role("heading", level=3)).to_have_text(
        [
            "About you",
            "What you want to advise on",
            "What helps you take part",
            "Your time",
            "How you are credited",
            "Payment",
            "Your agreement",
        ]
    )
