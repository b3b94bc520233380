from django import forms
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm, UserEditForm

from accounts.models import User
from core.validators import validate_name_characters

DISPLAY_NAME_HELP = _(
    "The name other people on Tandem will see. It does not have to be your real name."
)


class SignupDetailsForm(forms.Form):
    """Tandem's own sign-up fields, which allauth merges into its sign-up form
    (ACCOUNT_SIGNUP_FORM_CLASS)."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=80,
        validators=[validate_name_characters],
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
        help_text=DISPLAY_NAME_HELP,
        error_messages={
            "required": _("Enter a display name"),
            "max_length": _("Display name must be 80 characters or fewer"),
        },
    )

    def signup(self, request, user: User) -> None:
        user.display_name = self.cleaned_data["display_name"].strip()
        language = translation.get_language()
        if language in dict(settings.LANGUAGES):
            user.preferred_language = language
        user.save(update_fields=["display_name", "preferred_language"])


# Wagtail's user forms assume first and last names; Tandem has a display name instead.
class WagtailUserCreationForm(UserCreationForm):
    first_name = None
    last_name = None

    class Meta(UserCreationForm.Meta):
        fields = {"email", "display_name", "preferred_language", "is_superuser", "groups"}


class WagtailUserEditForm(UserEditForm):
    first_name = None
    last_name = None

    class Meta(UserEditForm.Meta):
        fields = {
            "email",
            "display_name",
            "preferred_language",
            "is_active",
            "is_superuser",
            "groups",
        }
