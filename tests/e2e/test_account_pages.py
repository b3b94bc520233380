"""Browser tests for the account pages (allauth's views, Tandem's templates): sign-up, "check
your email" and sending it again, sign-in, a forgotten password, email addresses, changing the
password, two-factor authentication and the staff code page. Every page is checked with
axe-core, the quick exit and the skip link; headings, labels and buttons are in sentence case,
and the pages for managing an account lead back to the dashboard."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from allauth.core import ratelimit
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.core import mail
from django.test import Client, RequestFactory
from playwright.sync_api import expect

from accounts.roles import Role
from tests.e2e.conftest import arrive, main_headings, sign_in, sign_in_with_code, visit
from tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET, UserFactory, coordinator
from tests.helpers import totp_code

pytestmark = pytest.mark.browser

NEW_EMAIL = "river@tandem.test"
NEW_PASSWORD = "a quiet river at dawn 42"
LINK = re.compile(r"https?://[^/\s]+(/accounts/[^\s]+/)")
# The library's own wording, which no page may show.
LIBRARY_WORDING = [
    "Email Addresses",
    "Make Primary",
    "Re-send Verification",
    "Sign In",
    "Sign Up",
    "Sign Out",
    "Change Password",
    "Password Reset",
    "Two-Factor Authentication",
    "Authenticator App",
    "Recovery Codes",
    "Confirm Access",
    "This field is required.",
]
# The code box when setting up an app: "Code from the app" once config/settings.py names
# accounts.allauth_forms.ActivateTOTPForm in MFA_FORMS, allauth's "Authenticator code" until then.
APP_CODE = re.compile("code", re.IGNORECASE)
# Words that keep their capital letter in the middle of a sentence-case heading or button.
PROPER_NOUNS = {"Tandem", "I", "QR"}


def assert_sentence_case(page) -> None:
    """The page title, headings, labels and buttons are in sentence case, and nothing on the
    page uses the library's wording."""
    main = page.get_by_role("main")
    title = page.title().removeprefix("Error: ").removesuffix(" \N{EN DASH} Tandem")
    texts = [title, *main.locator("h1, h2, h3, label, legend, button, a.button").all_inner_texts()]
    for text in texts:
        later_words = re.findall(r"[A-Za-z][\w'-]*", text)[1:]
        capitals = [word for word in later_words if word[0].isupper()]
        assert set(capitals) <= PROPER_NOUNS, f"{page.url}: not sentence case: {text!r}"
    content = main.inner_text()
    for wording in LIBRARY_WORDING:
        assert wording not in content, f"{page.url}: {wording!r}"


def assert_back_to_dashboard(page) -> None:
    back = page.get_by_role("main").get_by_role("link", name="Back to your dashboard")
    expect(back).to_have_attribute("href", "/me/")


def check(page) -> None:
    """What every account page must be, on top of what `visit` and `arrive` check."""
    assert_sentence_case(page)


def error_summary_links(page):
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    return summary.get_by_role("link")


def hrefs(links) -> list[str]:
    return [links.nth(i).get_attribute("href") for i in range(links.count())]


def emails_to(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


def allow_another_confirmation_email(address: str) -> None:
    """allauth sends at most one confirmation email per address every few minutes."""
    ratelimit.clear(RequestFactory().get("/"), action="confirm_email", key=address)


def use_session(page, live_server, client: Client) -> None:
    """Give the browser the session a test client signed in with."""
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def notification(page):
    return page.locator(".notification")


# 1. Signing up ------------------------------------------------------------------------------


def test_an_empty_sign_up_form_on_a_phone_says_what_each_field_needs(phone, db):
    visit(phone, "/accounts/signup/")
    check(phone)

    phone.get_by_role("button", name="Create account").click()

    arrive(phone, "/accounts/signup/")
    check(phone)
    expect(phone).to_have_title("Error: Create an account \N{EN DASH} Tandem")
    links = error_summary_links(phone)
    expect(links).to_have_text(
        [
            "Enter your email address",
            "Enter a display name",
            "Create a password",
            "Enter the password again",
        ]
    )
    assert hrefs(links) == ["#id_email", "#id_display_name", "#id_password1", "#id_password2"]
    expect(phone.get_by_label("Password (again)")).to_have_accessible_description(
        "Error: Enter the password again"
    )
    links.nth(2).click()
    expect(phone.get_by_label("Password", exact=True)).to_be_focused()


def test_check_your_email_sends_the_confirmation_again(page, db):
    visit(page, "/accounts/signup/")
    page.get_by_label("Email address").fill(NEW_EMAIL)
    page.get_by_label("Display name").fill("River")
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Password (again)").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create account").click()

    arrive(page, "/accounts/confirm-email/")
    check(page)
    expect(main_headings(page, 1)).to_have_text("Check your email")
    expect(notification(page)).to_have_text(f"We have sent an email to {NEW_EMAIL}.")
    assert len(emails_to(NEW_EMAIL)) == 1

    # Asking at once: nothing is sent, and the page says why.
    page.get_by_label("Email address").fill(NEW_EMAIL)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Send the email again").click()
    arrive(page, "/accounts/confirm-email/")
    expect(notification(page)).to_have_text(re.compile("We sent you an email a few minutes ago"))
    assert len(emails_to(NEW_EMAIL)) == 1

    # A few minutes later, it is sent again.
    allow_another_confirmation_email(NEW_EMAIL)
    page.get_by_label("Email address").fill(NEW_EMAIL)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Send the email again").click()
    arrive(page, "/accounts/confirm-email/")
    expect(notification(page)).to_have_text(f"We have sent a confirmation email to {NEW_EMAIL}.")
    assert len(emails_to(NEW_EMAIL)) == 2
    again = emails_to(NEW_EMAIL)[-1]
    assert again.subject == "Tandem: Confirm your email address"

    # The new email's link confirms the address and signs in.
    visit(page, LINK.search(again.body).group(1))
    check(page)
    page.get_by_role("button", name="Confirm my email address").click()
    arrive(page, "/me/")
    assert EmailAddress.objects.get(email=NEW_EMAIL).verified


# 2. Signing in and a forgotten password ------------------------------------------------------


def test_a_forgotten_password_is_reset_step_by_step(page, db):
    person = UserFactory(email=NEW_EMAIL)
    visit(page, "/accounts/login/")
    check(page)
    page.get_by_role("link", name="I have forgotten my password").click()

    arrive(page, "/accounts/password/reset/")
    check(page)
    expect(page.get_by_role("link", name="Back to sign in")).to_have_attribute(
        "href", "/accounts/login/"
    )
    page.get_by_role("button", name="Send the link").click()
    arrive(page, "/accounts/password/reset/")
    expect(error_summary_links(page)).to_have_text(["Enter your email address"])
    page.get_by_label("Email address").fill(NEW_EMAIL)
    page.get_by_role("button", name="Send the link").click()

    arrive(page, "/accounts/password/reset/done/")
    check(page)
    expect(main_headings(page, 1)).to_have_text("Check your email")
    (email,) = emails_to(NEW_EMAIL)
    assert email.subject == "Tandem: Reset your password"
    page.goto(LINK.search(email.body).group(1))

    arrive(page, f"/accounts/password/reset/key/{user_pk_to_url_str(person)}-set-password/")
    check(page)
    expect(main_headings(page, 1)).to_have_text("Choose a new password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password (again)").fill(NEW_PASSWORD + " and more")
    page.get_by_role("button", name="Save new password").click()
    expect(error_summary_links(page)).to_have_text(
        ["The passwords are different. Enter the same password in both boxes"]
    )
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password (again)").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save new password").click()

    arrive(page, "/accounts/password/reset/key/done/")
    check(page)
    expect(main_headings(page, 1)).to_have_text("Your password has been changed")
    page.get_by_role("main").get_by_role("link", name="Sign in").click()
    arrive(page, "/accounts/login/")
    page.get_by_label("Email address").fill(NEW_EMAIL)
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    arrive(page, "/me/")


@pytest.mark.parametrize(
    ("path", "heading", "next_step"),
    [
        (
            "/accounts/password/reset/key/1-not-a-real-key/",
            "This link has expired",
            "Ask for a new link",
        ),
        (
            "/accounts/confirm-email/not-a-real-key/",
            "Confirm your email address",
            "To get a new link, sign in.",
        ),
        ("/accounts/inactive/", "Your account is not active", "If you think this is a mistake"),
    ],
)
def test_dead_ends_say_what_to_do_next(page, db, path, heading, next_step):
    visit(page, path)

    check(page)
    expect(main_headings(page, 1)).to_have_text(heading)
    expect(page.get_by_role("main")).to_contain_text(next_step)


def test_a_wrong_password_is_one_message_and_signing_out_asks_first(page, demo_site):
    person = UserFactory(email=NEW_EMAIL, role=Role.EXPERT)
    visit(page, "/accounts/login/")
    page.get_by_label("Email address").fill(person.email)
    page.get_by_label("Password", exact=True).fill("not my password")
    page.get_by_role("button", name="Sign in").click()

    arrive(page, "/accounts/login/")
    check(page)
    expect(error_summary_links(page)).to_have_text(
        ["The email address or password is not right. Check them and try again"]
    )

    sign_in(page, person.email, TEST_PASSWORD)
    expect(notification(page)).to_have_text(f"You are signed in as {person.display_name}.")
    visit(page, "/accounts/logout/")
    check(page)
    assert_back_to_dashboard(page)
    page.get_by_role("main").get_by_role("button", name="Sign out").click()
    arrive(page, "/")
    expect(notification(page)).to_have_text("You have signed out.")


# 3. Managing an account -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("link", "path", "heading"),
    [
        ("Email address", "/accounts/email/", "Email addresses"),
        ("Change your password", "/accounts/password/change/", "Change your password"),
        ("Two-factor authentication", "/accounts/2fa/", "Two-factor authentication"),
    ],
)
def test_each_account_page_opens_from_the_dashboard_and_leads_back(page, db, link, path, heading):
    person = UserFactory(role=Role.EXPERT)
    sign_in(page, person.email, TEST_PASSWORD)

    page.get_by_role("main").get_by_role("link", name=link, exact=True).click()

    arrive(page, path)
    check(page)
    expect(main_headings(page, 1)).to_have_text(heading)
    assert_back_to_dashboard(page)
    page.get_by_role("link", name="Back to your dashboard").click()
    arrive(page, "/me/")


def test_email_addresses_are_added_confirmed_made_main_and_removed(page, db):
    person = UserFactory(email=NEW_EMAIL, role=Role.EXPERT)
    second = "river.second@tandem.test"
    sign_in(page, person.email, TEST_PASSWORD)
    visit(page, "/accounts/email/")
    page.get_by_label("Email").fill(NEW_EMAIL)
    page.get_by_role("button", name="Add email address").click()

    arrive(page, "/accounts/email/")
    check(page)
    expect(error_summary_links(page)).to_have_text(
        ["This email address is already on your account"]
    )
    page.get_by_label("Email").fill(second)
    page.get_by_role("button", name="Add email address").click()

    arrive(page, "/accounts/email/")
    check(page)
    expect(notification(page)).to_have_text(f"We have sent a confirmation email to {second}.")
    rows = page.locator(".summary-list__row")
    expect(rows.filter(has_text=second)).to_contain_text("Not confirmed")
    expect(rows.filter(has_text=NEW_EMAIL)).to_contain_text("Main address")
    allow_another_confirmation_email(second)
    page.get_by_role("button", name=f"Send the confirmation email again to {second}").click()
    arrive(page, "/accounts/email/")
    assert len(emails_to(second)) == 2

    visit(page, LINK.search(emails_to(second)[-1].body).group(1))
    page.get_by_role("button", name="Confirm my email address").click()
    arrive(page, "/me/")
    expect(notification(page)).to_have_text(f"Your email address {second} is confirmed.")
    visit(page, "/accounts/email/")
    expect(rows.filter(has_text=second)).to_contain_text("Confirmed")
    page.get_by_role("button", name=f"Make this your main address ({second})").click()
    arrive(page, "/accounts/email/")
    expect(notification(page)).to_have_text("Your main email address has been changed.")
    page.get_by_role("button", name=f"Remove {NEW_EMAIL}").click()

    arrive(page, "/accounts/email/")
    check(page)
    expect(notification(page)).to_have_text(f"{NEW_EMAIL} has been removed from your account.")
    assert list(EmailAddress.objects.filter(user=person).values_list("email", "primary")) == [
        (second, True)
    ]


def test_changing_the_password_says_what_each_field_needs(page, db):
    person = UserFactory(role=Role.EXPERT)
    sign_in(page, person.email, TEST_PASSWORD)
    visit(page, "/accounts/password/change/")
    page.get_by_role("button", name="Save new password").click()

    arrive(page, "/accounts/password/change/")
    check(page)
    expect(error_summary_links(page)).to_have_text(
        ["Enter your current password", "Create a new password", "Enter the new password again"]
    )
    page.get_by_label("Current password").fill(TEST_PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password (again)").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save new password").click()

    arrive(page, "/me/")
    expect(notification(page)).to_have_text("Your password has been changed.")
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)


# 4. Two-factor authentication -----------------------------------------------------------------


def test_an_expert_sets_up_an_app_keeps_recovery_codes_and_turns_it_off(page, db):
    person = UserFactory(role=Role.EXPERT)
    sign_in(page, person.email, TEST_PASSWORD)
    visit(page, "/accounts/2fa/")
    page.get_by_role("link", name="Set up an authenticator app").click()

    # allauth asks again before any change to two-factor authentication.
    arrive(page, "/accounts/reauthenticate/")
    check(page)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Continue").click()

    arrive(page, "/accounts/2fa/totp/activate/")
    check(page)
    assert_back_to_dashboard(page)
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    secret = page.locator(".secret-key code").inner_text()
    page.get_by_label(APP_CODE).fill("000000")
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    arrive(page, "/accounts/2fa/totp/activate/")
    expect(error_summary_links(page)).to_have_text(
        [
            "The code is not right. Enter the newest code from your authenticator app, "
            "or one of your recovery codes"
        ]
    )
    page.get_by_label(APP_CODE).fill(totp_code(secret))
    page.get_by_role("button", name="Turn on two-factor authentication").click()

    arrive(page, "/accounts/2fa/recovery-codes/")
    check(page)
    assert_back_to_dashboard(page)
    codes = page.get_by_role("list", name="Recovery codes").get_by_role("listitem")
    expect(codes).to_have_count(10)
    page.get_by_role("link", name="I have saved my codes").click()

    arrive(page, "/accounts/2fa/")
    check(page)
    expect(page.get_by_role("main")).to_contain_text("Two-factor authentication is on.")
    page.get_by_role("link", name="Get new recovery codes").click()
    arrive(page, "/accounts/2fa/recovery-codes/generate/")
    check(page)
    page.get_by_role("button", name="Get new codes").click()
    arrive(page, "/accounts/2fa/recovery-codes/")
    expect(notification(page)).to_contain_text("Your recovery codes are ready.")

    visit(page, "/accounts/2fa/")
    page.get_by_role("link", name="Turn off two-factor authentication").click()
    arrive(page, "/accounts/2fa/totp/deactivate/")
    check(page)
    page.get_by_role("button", name="Turn off two-factor authentication").click()
    arrive(page, "/accounts/2fa/")
    expect(notification(page)).to_have_text("Two-factor authentication is off.")
    assert not Authenticator.objects.filter(user=person).exists()


def test_confirming_it_is_you_before_a_change(page, db):
    person = UserFactory(role=Role.EXPERT)
    sign_in(page, person.email, TEST_PASSWORD)

    visit(page, "/accounts/reauthenticate/?next=/accounts/2fa/")

    check(page)
    assert_back_to_dashboard(page)
    expect(main_headings(page, 1)).to_have_text("Confirm it is you")
    expect(page.get_by_role("link", name="Get a code by email")).to_be_visible()
    page.get_by_label("Password").fill("not my password")
    page.get_by_role("button", name="Continue").click()
    arrive(page, "/accounts/reauthenticate/")
    expect(error_summary_links(page)).to_have_text(
        ["Your password is not right. Check it and try again"]
    )
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Continue").click()
    arrive(page, "/accounts/2fa/")


# 5. Staff: the code page after the password ---------------------------------------------------


def test_staff_enter_a_code_after_their_password_on_a_phone(phone, db):
    lead = coordinator(email="alex@tandem.test")
    visit(phone, "/accounts/login/?next=/admin/")
    phone.get_by_label("Email address").fill(lead.email)
    phone.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    phone.get_by_role("button", name="Sign in").click()

    arrive(phone, "/accounts/2fa/authenticate/")
    check(phone)
    expect(main_headings(phone, 1)).to_have_text("Enter the code from your authenticator app")
    phone.get_by_label("Code").fill("000000")
    phone.get_by_role("button", name="Continue").click()
    arrive(phone, "/accounts/2fa/authenticate/")
    check(phone)
    links = error_summary_links(phone)
    expect(links).to_have_text(
        [
            "The code is not right. Enter the newest code from your authenticator app, "
            "or one of your recovery codes"
        ]
    )
    assert hrefs(links) == ["#id_code"]
    phone.get_by_label("Code").fill(totp_code(TEST_TOTP_SECRET))
    phone.get_by_role("button", name="Continue").click()
    phone.wait_for_url(re.compile(r"/admin/$"))


def test_a_staff_session_without_a_code_is_asked_for_one(page, live_server, db):
    lead = coordinator(email="alex@tandem.test")
    client = Client()
    client.force_login(lead, mfa=False)
    use_session(page, live_server, client)

    page.goto("/admin/")

    arrive(page, "/accounts/2fa/reauthenticate/")
    check(page)
    expect(main_headings(page, 1)).to_have_text("Confirm it is you")
    page.get_by_label("Code").fill(totp_code(TEST_TOTP_SECRET))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/admin/$"))


def test_staff_are_told_plainly_they_cannot_turn_off_their_app(page, db):
    lead = coordinator(email="alex@tandem.test")
    sign_in_with_code(page, lead.email, TEST_PASSWORD, TEST_TOTP_SECRET, lands_on="/admin/")

    page.goto("/accounts/2fa/totp/deactivate/")
    arrive(page, "/accounts/reauthenticate/")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Continue").click()

    arrive(page, "/accounts/2fa/totp/deactivate/")
    check(page)
    expect(main_headings(page, 1)).to_have_text("You cannot turn off two-factor authentication")
    expect(page.get_by_role("main")).to_contain_text(
        "Your role needs two-factor authentication, so you cannot turn it off."
    )
    expect(page.get_by_role("main").get_by_role("button")).to_have_count(0)
