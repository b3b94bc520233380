"""Tandem's subclasses of allauth's forms ask in sentence case and say, for each field, what to
do: an empty form gets one message per field, never "This field is required."."""

import pytest
from allauth.core.context import request_context
from django.conf import settings
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory
from django.utils.module_loading import import_string

from accounts import allauth_forms
from accounts.roles import Role
from tests.factories import TEST_PASSWORD, UserFactory

EMAIL_FORMAT = "Enter an email address in the correct format, like name@example.com"
PASSWORDS_DIFFER = "The passwords are different. Enter the same password in both boxes"


@pytest.fixture
def request_in_context():
    """allauth's forms read the current request (rate limits, the authenticator app's secret
    kept in the session)."""
    request = RequestFactory().post("/")
    request.session = SessionStore()
    with request_context(request):
        yield request


@pytest.fixture
def person(db):
    return UserFactory(email="river@tandem.test")


def empty(form_class, **kwargs):
    form = form_class(data={}, **kwargs)
    assert not form.is_valid()
    return form


def test_settings_use_tandems_forms():
    forms = {**settings.ACCOUNT_FORMS, **{f"mfa_{k}": v for k, v in settings.MFA_FORMS.items()}}

    assert {name: import_string(path).__module__ for name, path in forms.items()} == dict.fromkeys(
        forms, "accounts.allauth_forms"
    )
    # Every form a person can reach is Tandem's: each page asks in Tandem's words.
    assert set(settings.ACCOUNT_FORMS) >= {
        "login", "signup", "reset_password", "reset_password_from_key", "change_password",
        "add_email", "set_password", "reauthenticate", "request_reauthentication_code",
        "confirm_reauthentication_code",
    }  # fmt: skip
    assert set(settings.MFA_FORMS) == {"authenticate", "reauthenticate", "activate_totp"}


def test_sign_in_asks_for_each_field(request_in_context):
    form = empty(allauth_forms.LoginForm, request=request_in_context)

    assert form.errors == {
        "login": ["Enter your email address"],
        "password": ["Enter your password"],
    }
    assert [field.label for field in form] == ["Email address", "Password"]
    assert form.fields["password"].help_text == ""


@pytest.mark.django_db
def test_sign_up_asks_for_each_field():
    form = empty(allauth_forms.SignupForm)

    assert form.errors == {
        "email": ["Enter your email address"],
        "display_name": ["Enter a display name"],
        "password1": ["Create a password"],
        "password2": ["Enter the password again"],
    }
    assert [field.label for field in form] == [
        "Email address",
        "Display name",
        "Password",
        "Password (again)",
    ]


@pytest.mark.django_db
def test_sign_up_says_how_to_write_an_email_address_and_when_passwords_differ():
    form = allauth_forms.SignupForm(
        data={
            "email": "river.tandem.test",
            "display_name": "River",
            "password1": "a long and unusual passphrase",
            "password2": "a long and unusual passphrase!",
        }
    )

    assert not form.is_valid()
    assert form.errors == {"email": [EMAIL_FORMAT], "password2": [PASSWORDS_DIFFER]}


def test_forgotten_password_asks_for_the_address():
    assert empty(allauth_forms.ResetPasswordForm).errors == {"email": ["Enter your email address"]}
    assert allauth_forms.ResetPasswordForm(data={"email": "river"}).errors == {
        "email": [EMAIL_FORMAT]
    }


def test_a_new_password_from_the_emailed_link_is_asked_for_twice(person):
    form = empty(allauth_forms.ResetPasswordKeyForm, user=person, temp_key="key")

    assert form.errors == {
        "password1": ["Create a new password"],
        "password2": ["Enter the new password again"],
    }
    assert [field.label for field in form] == ["New password", "New password (again)"]
    differ = allauth_forms.ResetPasswordKeyForm(
        data={"password1": "a new long passphrase", "password2": "another long passphrase"},
        user=person,
        temp_key="key",
    )
    assert differ.errors == {"password2": [PASSWORDS_DIFFER]}


def test_change_password_asks_for_each_field(person):
    form = empty(allauth_forms.ChangePasswordForm, user=person)

    assert form.errors == {
        "oldpassword": ["Enter your current password"],
        "password1": ["Create a new password"],
        "password2": ["Enter the new password again"],
    }
    assert [field.label for field in form] == [
        "Current password",
        "New password",
        "New password (again)",
    ]


def test_change_password_says_when_the_current_password_is_wrong(person):
    form = allauth_forms.ChangePasswordForm(
        data={
            "oldpassword": "not it",
            "password1": "a new long passphrase",
            "password2": "a new long passphrase",
        },
        user=person,
    )

    assert form.errors == {
        "oldpassword": ["Your current password is not right. Check it and try again"]
    }


def test_set_password_asks_for_each_field(person):
    form = empty(allauth_forms.SetPasswordForm, user=person)

    assert form.errors == {
        "password1": ["Create a password"],
        "password2": ["Enter the password again"],
    }


def test_adding_an_email_address_asks_for_it(person):
    form = empty(allauth_forms.AddEmailForm, user=person)

    assert form.errors == {"email": ["Enter the email address you want to add"]}
    assert allauth_forms.AddEmailForm(data={"email": "nope"}, user=person).errors == {
        "email": [EMAIL_FORMAT]
    }
    assert allauth_forms.AddEmailForm(data={"email": person.email}, user=person).errors == {
        "email": ["This email address is already on your account"]
    }


def test_confirming_it_is_you_asks_for_the_password(person, request_in_context):
    form = empty(allauth_forms.ReauthenticateForm, user=person)

    assert form.errors == {"password": ["Enter your password"]}
    wrong = allauth_forms.ReauthenticateForm(data={"password": "not it"}, user=person)
    assert wrong.errors == {"password": ["Your password is not right. Check it and try again"]}
    right = allauth_forms.ReauthenticateForm(data={"password": TEST_PASSWORD}, user=person)
    assert right.is_valid()


def test_confirming_it_is_you_by_email_asks_where_to_send_and_for_the_code(person):
    ask = empty(allauth_forms.RequestReauthenticationCodeForm, user=person)
    code = empty(allauth_forms.ConfirmReauthenticationCodeForm, code="ABCD-EFGH")

    assert ask.errors == {"recipient": ["Choose the email address to send the code to"]}
    assert code.errors == {"code": ["Enter the code from the email"]}
    wrong = allauth_forms.ConfirmReauthenticationCodeForm(
        data={"code": "ABCD-XXXX"}, code="ABCD-EFGH"
    )
    assert wrong.errors == {
        "code": ["The code is not right. Check the code in the email and try again"]
    }


@pytest.mark.parametrize(
    "form_class", [allauth_forms.AuthenticateForm, allauth_forms.MFAReauthenticateForm]
)
def test_the_code_page_asks_for_the_code(person, request_in_context, form_class):
    form = empty(form_class, user=person)

    assert form.errors == {"code": ["Enter the code from your authenticator app"]}
    assert [field.label for field in form] == ["Code"]


def test_setting_up_an_app_asks_for_its_code(person, request_in_context):
    form = empty(allauth_forms.ActivateTOTPForm, user=person)

    assert form.errors == {"code": ["Enter the 6-digit code from your authenticator app"]}
    assert [field.label for field in form] == ["Code from the app"]
    assert form.fields["code"].widget.attrs["inputmode"] == "numeric"


def test_no_form_keeps_placeholder_text(person, request_in_context):
    forms = [
        allauth_forms.LoginForm(request=request_in_context),
        allauth_forms.SignupForm(),
        allauth_forms.ResetPasswordForm(),
        allauth_forms.ResetPasswordKeyForm(user=person),
        allauth_forms.ChangePasswordForm(user=person),
        allauth_forms.SetPasswordForm(user=person),
        allauth_forms.AddEmailForm(user=person),
        allauth_forms.ReauthenticateForm(user=person),
        allauth_forms.RequestReauthenticationCodeForm(user=person),
        allauth_forms.ConfirmReauthenticationCodeForm(code="ABCD-EFGH"),
        allauth_forms.AuthenticateForm(user=person),
        allauth_forms.MFAReauthenticateForm(user=person),
        allauth_forms.ActivateTOTPForm(user=person),
    ]

    placeholders = {
        (type(form).__name__, name)
        for form in forms
        for name, field in form.fields.items()
        if "placeholder" in field.widget.attrs
    }
    assert placeholders == set()


@pytest.mark.django_db
def test_the_staff_code_page_answers_an_empty_code_in_tandems_words(client):
    staff = UserFactory(role=Role.COORDINATOR, mfa=True)
    client.post("/accounts/login/", {"login": staff.email, "password": TEST_PASSWORD})

    page = client.post("/accounts/2fa/authenticate/", {"code": ""}).content.decode()

    assert "Enter the code from your authenticator app" in page
    assert "This field is required." not in page
