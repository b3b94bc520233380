"""allauth's forms without placeholder text: a hint that vanishes as you type is hard to
read and easy to mistake for a filled-in answer (GOV.UK guidance)."""

from allauth.account import forms as allauth_forms


class _NoPlaceholders:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.pop("placeholder", None)


class LoginForm(_NoPlaceholders, allauth_forms.LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # allauth puts a "forgot password" link in the help text; the page has its own link
        # below the form, and a link read out as the field's description only confuses.
        self.fields["password"].help_text = ""


class SignupForm(_NoPlaceholders, allauth_forms.SignupForm):
    field_order = ["email", "display_name", "password1", "password2"]


class ResetPasswordForm(_NoPlaceholders, allauth_forms.ResetPasswordForm):
    pass


class ResetPasswordKeyForm(_NoPlaceholders, allauth_forms.ResetPasswordKeyForm):
    pass


class ChangePasswordForm(_NoPlaceholders, allauth_forms.ChangePasswordForm):
    pass
