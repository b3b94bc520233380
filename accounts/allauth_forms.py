"""allauth's forms, asking Tandem's questions in Tandem's words: sentence-case labels, no
placeholder text (a hint that vanishes as you type is hard to read and easy to mistake for
an answer), and for each field a message that says what to do (GOV.UK error messages), never
"This field is required."."""

from allauth.account import forms as account_forms
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms
from django import forms
from django.utils.translation import gettext_lazy as _

EMAIL_LABEL = _("Email address")
EMAIL_INVALID = _("Enter an email address in the correct format, like name@example.com")
PASSWORDS_DIFFER = _("The passwords are different. Enter the same password in both boxes")
TOTP_CODE = {
    "required": _("Enter the code from your authenticator app"),
}


class TandemFields:
    """Sets each field's label, hint and messages from the class's `labels`, `help_texts` and
    `messages` (field name → error code → message), after allauth has built its fields."""

    labels: dict = {}
    help_texts: dict = {}
    messages: dict = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.pop("placeholder", None)
            if name in self.labels:
                field.label = self.labels[name]
            if name in self.help_texts:
                field.help_text = self.help_texts[name]
            field.error_messages.update(self.messages.get(name, {}))


class PasswordTwice:
    """The second password box says when it differs from the first. Raised here, as a field
    error, it replaces the library's own check, which only runs when both boxes are valid."""

    def clean_password2(self):
        password1 = self.cleaned_data.get("password1")
        password2 = self.cleaned_data["password2"]
        if password1 and password1 != password2:
            raise forms.ValidationError(PASSWORDS_DIFFER, code="password_mismatch")
        return password2


class LoginForm(TandemFields, account_forms.LoginForm):
    labels = {"login": EMAIL_LABEL, "password": _("Password")}
    # allauth puts a "forgot password" link in the help text; the page has its own link
    # below the form, and a link read out as the field's description only confuses.
    help_texts = {"password": ""}
    messages = {
        "login": {"required": _("Enter your email address"), "invalid": EMAIL_INVALID},
        "password": {"required": _("Enter your password")},
    }


class SignupForm(TandemFields, PasswordTwice, account_forms.SignupForm):
    field_order = ["email", "display_name", "password1", "password2"]
    labels = {"email": EMAIL_LABEL, "password1": _("Password"), "password2": _("Password (again)")}
    messages = {
        "email": {"required": _("Enter your email address"), "invalid": EMAIL_INVALID},
        "password1": {"required": _("Create a password")},
        "password2": {"required": _("Enter the password again")},
    }


class ResetPasswordForm(TandemFields, account_forms.ResetPasswordForm):
    labels = {"email": EMAIL_LABEL}
    messages = {
        "email": {"required": _("Enter your email address"), "invalid": EMAIL_INVALID},
    }


class ResetPasswordKeyForm(TandemFields, PasswordTwice, account_forms.ResetPasswordKeyForm):
    labels = {"password1": _("New password"), "password2": _("New password (again)")}
    messages = {
        "password1": {"required": _("Create a new password")},
        "password2": {"required": _("Enter the new password again")},
    }


class ChangePasswordForm(TandemFields, PasswordTwice, account_forms.ChangePasswordForm):
    labels = {
        "oldpassword": _("Current password"),
        "password1": _("New password"),
        "password2": _("New password (again)"),
    }
    help_texts = {"oldpassword": ""}
    messages = {
        "oldpassword": {"required": _("Enter your current password")},
        "password1": {"required": _("Create a new password")},
        "password2": {"required": _("Enter the new password again")},
    }


class SetPasswordForm(TandemFields, PasswordTwice, account_forms.SetPasswordForm):
    labels = {"password1": _("Password"), "password2": _("Password (again)")}
    messages = {
        "password1": {"required": _("Create a password")},
        "password2": {"required": _("Enter the password again")},
    }


class AddEmailForm(TandemFields, account_forms.AddEmailForm):
    labels = {"email": EMAIL_LABEL}
    help_texts = {"email": _("We will email a link to this address to check it is yours.")}
    messages = {
        "email": {
            "required": _("Enter the email address you want to add"),
            "invalid": EMAIL_INVALID,
        },
    }


class ReauthenticateForm(TandemFields, account_forms.ReauthenticateForm):
    labels = {"password": _("Password")}
    help_texts = {"password": ""}
    messages = {"password": {"required": _("Enter your password")}}


class RequestReauthenticationCodeForm(TandemFields, account_forms.RequestReauthenticationCodeForm):
    labels = {"recipient": _("Email address to send the code to")}
    messages = {"recipient": {"required": _("Choose the email address to send the code to")}}


class ConfirmReauthenticationCodeForm(TandemFields, account_forms.ConfirmReauthenticationCodeForm):
    labels = {"code": _("Code")}
    messages = {"code": {"required": _("Enter the code from the email")}}


class AuthenticateForm(TandemFields, mfa_forms.AuthenticateForm):
    labels = {"code": _("Code")}
    messages = {"code": TOTP_CODE}


class MFAReauthenticateForm(TandemFields, mfa_forms.ReauthenticateForm):
    labels = {"code": _("Code")}
    messages = {"code": TOTP_CODE}


class ActivateTOTPForm(TandemFields, totp_forms.ActivateTOTPForm):
    labels = {"code": _("Code from the app")}
    messages = {"code": {"required": _("Enter the 6-digit code from your authenticator app")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update({"inputmode": "numeric", "spellcheck": "false"})
