"""No page, message or email a person can reach through allauth is rendered from the library's
own templates: allauth's wording is title case ("Email Addresses", "Make Primary") and its
layouts have no way back to the dashboard. The walk below opens every URL allauth mounts under
/accounts/ (anonymous, as an expert, as staff) and goes through the flows that only render a
page after a POST, recording every template rendered on the way."""

import re
from pathlib import Path

import allauth
import pytest
from allauth.account.models import EmailAddress
from allauth.core import ratelimit
from allauth.mfa.totp.internal.auth import (
    SECRET_SESSION_KEY,
)
from django.core import mail
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.test.signals import template_rendered
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.roles import Role
from tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET, UserFactory, coordinator
from tests.helpers import totp_code

LIBRARY_TEMPLATES = Path(allauth.__file__).parent / "templates"

# Templates of allauth's that Tandem deliberately leaves to the library. None: every page,
# layout, element, message and email subject that the walk reaches is the project's own.
KEPT_LIBRARY_TEMPLATES: dict[str, str] = {}

# The page (first template of each response) for everything a person can reach.
REACHABLE_PAGES = {
    "account/account_inactive.html",
    "account/email.html",
    "account/email_confirm.html",
    "account/login.html",
    "account/logout.html",
    "account/password_change.html",
    "account/password_reset.html",
    "account/password_reset_done.html",
    "account/password_reset_from_key.html",
    "account/password_reset_from_key_done.html",
    "account/password_set.html",
    "account/reauthenticate.html",
    "account/request_reauthentication_code.html",
    "account/confirm_reauthentication_code.html",
    "account/signup.html",
    "account/verification_sent.html",
    "mfa/authenticate.html",
    "mfa/index.html",
    "mfa/reauthenticate.html",
    "mfa/recovery_codes/download.txt",
    "mfa/recovery_codes/generate.html",
    "mfa/recovery_codes/index.html",
    "mfa/totp/activate_form.html",
    "mfa/totp/deactivate_form.html",
}

# Messages shown after an action, and emails (subject, text and HTML), that the walk reaches.
REACHABLE_MESSAGES_AND_EMAILS = {
    "account/messages/cannot_delete_primary_email.txt",
    "account/messages/email_confirmation_sent.txt",
    "account/messages/email_confirmed.txt",
    "account/messages/email_deleted.txt",
    "account/messages/logged_in.txt",
    "account/messages/logged_out.txt",
    "account/messages/login_code_sent.txt",
    "account/messages/password_changed.txt",
    "account/messages/password_set.txt",
    "account/messages/primary_email_set.txt",
    "account/messages/unverified_primary_email.txt",
    "mfa/messages/recovery_codes_generated.txt",
    "mfa/messages/totp_activated.txt",
    "mfa/messages/totp_deactivated.txt",
    *(
        f"account/email/{kind}_{part}"
        for kind in (
            "account_already_exists",
            "email_confirmation",
            "email_confirmation_signup",
            "login_code",
            "password_reset_key",
            "unknown_account",
        )
        for part in ("subject.txt", "message.txt", "message.html")
    ),
}

NEW_ADDRESS = "new.adviser@tandem.test"
NEW_PASSWORD = "a long and unusual passphrase"
LINK = re.compile(r"http://testserver(/accounts/\S+/)")


def allauth_paths() -> list[str]:
    """Every parameterless URL that `allauth.urls` mounts under /accounts/."""
    found = []

    def walk(patterns, prefix):
        for pattern in patterns:
            route = str(pattern.pattern)
            if any(char in route.lstrip("^") for char in "<(*?[\\"):
                continue
            path = prefix + route.lstrip("^").rstrip("$")
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, path)
            elif isinstance(pattern, URLPattern) and path.startswith("/accounts/"):
                found.append(path)

    walk(get_resolver().url_patterns, "/")
    return sorted(set(found))


ALLAUTH_PATHS = allauth_paths()


class Walk:
    """Records every template rendered (pages, includes, layouts, elements, messages, emails)
    and the page template of each response. POSTs run their on-commit callbacks (messages
    and emails that allauth sends once the transaction commits), as a real request would."""

    NOT_PAGES = ("account/email/", "account/messages/", "mfa/messages/", "emails/")

    def __init__(self, capture_on_commit):
        self.capture_on_commit = capture_on_commit
        self.origins: dict[str, str] = {}
        self.pages: set[str] = set()

    def record(self, sender, template, context, **kwargs):
        if template.origin and template.origin.name:
            self.origins[str(template.origin.name)] = template.origin.template_name

    def see(self, response):
        assert response.status_code < 500, response
        page = next(
            (t.name for t in response.templates if not t.name.startswith(self.NOT_PAGES)), None
        )
        if page:
            self.pages.add(page)
        return response

    def get(self, client, path, **kwargs):
        return self.see(client.get(path, **kwargs))

    def post(self, client, path, data=None, **kwargs):
        with self.capture_on_commit(execute=True):
            response = client.post(path, data or {}, **kwargs)
        return self.see(response)

    def library_templates(self) -> set[str]:
        return {
            name
            for path, name in self.origins.items()
            if Path(path).is_relative_to(LIBRARY_TEMPLATES)
        }


@pytest.fixture
def walk(django_capture_on_commit_callbacks):
    walk = Walk(django_capture_on_commit_callbacks)
    template_rendered.connect(walk.record)
    yield walk
    template_rendered.disconnect(walk.record)


def last_link(to: str) -> str:
    (message,) = [m for m in mail.outbox if m.to == [to]][-1:]
    return LINK.search(message.body).group(1)


def allow_another_confirmation_email(address: str) -> None:
    """allauth sends at most one confirmation email per address every few minutes."""
    ratelimit.clear(RequestFactory().get("/"), action="confirm_email", key=address.lower())


def walk_as_anonymous(walk: Walk) -> None:
    client = Client()
    for path in ALLAUTH_PATHS:
        walk.get(client, path)
    walk.get(client, "/accounts/confirm-email/not-a-real-key/")
    walk.get(client, "/accounts/password/reset/key/1-not-a-real-key/", follow=True)

    # Sign up: empty, wrong, then right; "Check your email"; send it again by signing in.
    walk.post(client, "/accounts/signup/")
    walk.post(client, "/accounts/signup/", {"email": "nope", "password1": "x", "password2": "y"})
    walk.post(
        client,
        "/accounts/signup/",
        {
            "email": NEW_ADDRESS,
            "display_name": "River",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
        follow=True,
    )
    allow_another_confirmation_email(NEW_ADDRESS)
    walk.post(
        client, "/accounts/login/", {"login": NEW_ADDRESS, "password": NEW_PASSWORD}, follow=True
    )
    # Asking again at once: the library sends nothing, the page says so.
    walk.post(client, "/accounts/login/", {"login": NEW_ADDRESS, "password": NEW_PASSWORD})
    link = last_link(NEW_ADDRESS)
    walk.get(client, link)
    walk.post(client, link, follow=True)
    walk.get(client, link)
    walk.post(client, "/accounts/logout/", follow=True)

    # Someone signs up with an address that already has an account.
    allow_another_confirmation_email(NEW_ADDRESS)
    walk.post(
        Client(),
        "/accounts/signup/",
        {
            "email": NEW_ADDRESS,
            "display_name": "Wren",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
        follow=True,
    )

    # Sign in: empty, wrong, right.
    walk.post(client, "/accounts/login/")
    walk.post(client, "/accounts/login/", {"login": NEW_ADDRESS, "password": "wrong"})
    walk.post(
        client, "/accounts/login/", {"login": NEW_ADDRESS, "password": NEW_PASSWORD}, follow=True
    )
    walk.post(client, "/accounts/logout/", follow=True)

    # Forgotten password: empty, unknown address, known address, then the emailed link.
    walk.post(client, "/accounts/password/reset/")
    walk.post(client, "/accounts/password/reset/", {"email": "nobody@tandem.test"})
    walk.post(client, "/accounts/password/reset/", {"email": NEW_ADDRESS}, follow=True)
    walk.get(client, last_link(NEW_ADDRESS), follow=True)
    key_page = client.get(last_link(NEW_ADDRESS))["Location"]
    walk.post(client, key_page)
    walk.post(client, key_page, {"password1": "short", "password2": "other"})
    walk.post(
        client,
        key_page,
        {"password1": "another long passphrase", "password2": "another long passphrase"},
        follow=True,
    )

    # A person whose account has been switched off.
    inactive = UserFactory(is_active=False)
    walk.post(
        client,
        "/accounts/login/",
        {"login": inactive.email, "password": TEST_PASSWORD},
        follow=True,
    )


def walk_as_expert(walk: Walk) -> None:
    person = UserFactory(role=Role.EXPERT)
    client = Client()
    client.post("/accounts/login/", {"login": person.email, "password": TEST_PASSWORD})
    for path in ALLAUTH_PATHS:
        if path not in {"/accounts/logout/"}:
            walk.get(client, path)
    walk.get(client, "/accounts/logout/")

    # Email addresses: add (empty, wrong, right), send again, make main, remove.
    email = "/accounts/email/"
    walk.post(client, email, {"action_add": ""})
    walk.post(client, email, {"action_add": "", "email": "nope"})
    walk.post(client, email, {"action_add": "", "email": person.email})
    walk.post(client, email, {"action_add": "", "email": "second@tandem.test"}, follow=True)
    allow_another_confirmation_email("second@tandem.test")
    walk.post(client, email, {"action_send": "", "email": "second@tandem.test"}, follow=True)
    walk.post(client, email, {"action_primary": "", "email": "second@tandem.test"}, follow=True)
    walk.post(client, email, {"action_remove": "", "email": person.email}, follow=True)
    EmailAddress.objects.filter(email="second@tandem.test").update(verified=True)
    walk.post(client, email, {"action_primary": "", "email": "second@tandem.test"}, follow=True)
    walk.post(client, email, {"action_remove": "", "email": person.email}, follow=True)

    # Change password: empty, wrong current password, right.
    change = "/accounts/password/change/"
    walk.post(client, change)
    walk.post(client, change, {"oldpassword": "wrong", "password1": "short", "password2": "other"})
    walk.post(
        client,
        change,
        {"oldpassword": TEST_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        follow=True,
    )

    # Confirm it's you: empty, wrong, right.
    walk.post(client, "/accounts/reauthenticate/")
    walk.post(client, "/accounts/reauthenticate/", {"password": "wrong"})
    walk.post(client, "/accounts/reauthenticate/", {"password": NEW_PASSWORD}, follow=True)

    # Confirm it's you with a code by email: ask (empty, right), then the code (empty, wrong,
    # a new one, right).
    ask = "/accounts/reauthenticate/code/"
    walk.get(client, ask)
    walk.post(client, ask)
    walk.post(client, ask, {"recipient": "second@tandem.test"}, follow=True)
    confirm = "/accounts/reauthenticate/code/confirm/"
    walk.post(client, confirm)
    walk.post(client, confirm, {"code": "WRONG1"})
    walk.post(client, confirm, {"action": "resend"}, follow=True)
    (code,) = re.findall(r"^(\w{4}-\w{4})$", mail.outbox[-1].body, re.MULTILINE)
    walk.post(client, confirm, {"code": code}, follow=True)

    # Two-factor authentication: set up an app (empty, wrong, right), recovery codes, remove.
    activate = "/accounts/2fa/totp/activate/"
    walk.get(client, activate)
    walk.post(client, activate)
    walk.post(client, activate, {"code": "000000"})
    secret = client.session[SECRET_SESSION_KEY]
    walk.post(client, activate, {"code": totp_code(secret)}, follow=True)
    for path in ALLAUTH_PATHS:
        if path.startswith("/accounts/2fa/"):
            walk.get(client, path)
    walk.post(client, "/accounts/2fa/recovery-codes/generate/", follow=True)
    walk.post(client, "/accounts/2fa/totp/deactivate/", follow=True)

    # Signing out.
    walk.post(client, "/accounts/logout/", follow=True)

    # Someone without a password (an account made for them) sets one.
    passwordless = UserFactory(role=Role.EXPERT)
    passwordless.set_unusable_password()
    passwordless.save()
    client.force_login(passwordless)
    walk.get(client, "/accounts/password/change/", follow=True)
    walk.post(client, "/accounts/password/set/")
    walk.post(
        client,
        "/accounts/password/set/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        follow=True,
    )


def walk_as_staff(walk: Walk) -> None:
    staff = coordinator()
    client = Client()

    # Sign in with a password, then the code: empty, wrong, right.
    walk.post(client, "/accounts/login/", {"login": staff.email, "password": TEST_PASSWORD})
    walk.get(client, "/accounts/2fa/authenticate/")
    walk.post(client, "/accounts/2fa/authenticate/")
    walk.post(client, "/accounts/2fa/authenticate/", {"code": "000000"})
    walk.post(
        client, "/accounts/2fa/authenticate/", {"code": totp_code(TEST_TOTP_SECRET)}, follow=True
    )
    for path in ALLAUTH_PATHS:
        if path != "/accounts/logout/":
            walk.get(client, path)
    # Staff cannot remove their app.
    walk.post(client, "/accounts/reauthenticate/", {"password": TEST_PASSWORD})
    walk.get(client, "/accounts/2fa/totp/deactivate/")
    walk.post(client, "/accounts/2fa/totp/deactivate/")

    # A staff session that never passed a code is asked for one: empty, wrong, right.
    other = Client()
    other.force_login(staff, mfa=False)
    asked = other.get("/admin/")["Location"]
    walk.get(other, asked)
    walk.post(other, asked)
    walk.post(other, asked, {"code": "000000"})
    walk.post(other, asked, {"code": totp_code(TEST_TOTP_SECRET)})

    # Staff without an app are sent to set one up.
    new_staff = UserFactory(role=Role.FINANCE)
    fresh = Client()
    fresh.post("/accounts/login/", {"login": new_staff.email, "password": TEST_PASSWORD})
    walk.get(fresh, "/admin/", follow=True)


def test_the_walk_finds_every_url_allauth_mounts():
    assert ALLAUTH_PATHS == [
        "/accounts/2fa/",
        "/accounts/2fa/authenticate/",
        "/accounts/2fa/reauthenticate/",
        "/accounts/2fa/recovery-codes/",
        "/accounts/2fa/recovery-codes/download/",
        "/accounts/2fa/recovery-codes/generate/",
        "/accounts/2fa/totp/activate/",
        "/accounts/2fa/totp/deactivate/",
        "/accounts/confirm-email/",
        "/accounts/email/",
        "/accounts/inactive/",
        "/accounts/login/",
        "/accounts/login/code/confirm/",
        "/accounts/logout/",
        "/accounts/password/change/",
        "/accounts/password/reset/",
        "/accounts/password/reset/done/",
        "/accounts/password/reset/key/done/",
        "/accounts/password/set/",
        "/accounts/reauthenticate/",
        "/accounts/reauthenticate/code/",
        "/accounts/reauthenticate/code/confirm/",
        "/accounts/signup/",
    ]


def test_the_walk_notices_a_library_template(walk):
    # allauth's page for when sign-up is closed (Tandem never closes it) is not overridden.
    render_to_string("account/signup_closed.html")

    assert "account/signup_closed.html" in walk.library_templates()


@pytest.mark.django_db
def test_no_account_page_message_or_email_uses_a_library_template(walk):
    walk_as_anonymous(walk)
    walk_as_expert(walk)
    walk_as_staff(walk)

    rendered = set(walk.origins.values())
    assert walk.pages >= REACHABLE_PAGES, sorted(REACHABLE_PAGES - walk.pages)
    assert rendered >= REACHABLE_MESSAGES_AND_EMAILS, sorted(
        REACHABLE_MESSAGES_AND_EMAILS - rendered
    )
    assert walk.library_templates() <= set(KEPT_LIBRARY_TEMPLATES), sorted(
        walk.library_templates() - set(KEPT_LIBRARY_TEMPLATES)
    )
