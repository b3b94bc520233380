"""Forms for the expert journey. They validate input only; services apply it."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import DISPLAY_NAME_HELP
from core.validators import validate_name_characters
from engagement.models import (
    AccessNeed,
    Availability,
    ConsentStatement,
    ExpertProfile,
    Language,
    MeetingFormat,
    Region,
    Topic,
)
from payments.models import PaymentMethod

NOTES_MAX = 1000


class AboutForm(forms.Form):
    display_name = forms.CharField(
        label=_("Display name or pseudonym"),
        max_length=80,
        validators=[validate_name_characters],
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
        help_text=DISPLAY_NAME_HELP,
        error_messages={
            "required": _("Enter a display name"),
            "max_length": _("Display name must be 80 characters or fewer"),
        },
    )
    pronouns = forms.CharField(
        label=_("Pronouns"),
        max_length=40,
        required=False,
        help_text=_("For example, she/her, he/him or they/them. Leave blank if you prefer."),
    )
    languages = forms.ModelMultipleChoiceField(
        label=_("Which languages can you advise in?"),
        queryset=Language.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose all that apply."),
        error_messages={"required": _("Choose at least one language")},
    )
    region = forms.ChoiceField(
        label=_("Where in the UK are you based?"),
        choices=[("", _("Choose a region")), *Region.choices],
        help_text=_("This helps us plan in-person meetings near you."),
        error_messages={"required": _("Choose a region, or 'I'd rather not say'")},
    )

    def clean_display_name(self):
        name = self.cleaned_data["display_name"].strip()
        if not name:
            raise forms.ValidationError(_("Enter a display name"))
        return name


class ExpertiseForm(forms.Form):
    topics = forms.ModelMultipleChoiceField(
        label=_("Which topics would you like to advise on?"),
        queryset=Topic.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Choose as many as you like. You do not need to tell us why, or about anything "
            "that happened to you."
        ),
    )
    expertise_notes = forms.CharField(
        label=_("Anything else you would like to advise on"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=NOTES_MAX,
        required=False,
        help_text=_("Optional. Only you and Tandem's coordinators can read this."),
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("topics") and not cleaned.get("expertise_notes", "").strip():
            self.add_error("topics", _("Choose at least one topic, or describe one below"))
        return cleaned


class AccessForm(forms.Form):
    needs = forms.MultipleChoiceField(
        label=_("What would help you take part?"),
        choices=AccessNeed.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Choose all that apply. Only you and the coordinators of your panels can see this."
        ),
    )
    interpreter_language = forms.CharField(
        label=_("Which language should the interpreter speak?"),
        max_length=100,
        required=False,
    )
    meeting_format = forms.ChoiceField(
        label=_("How do you prefer to meet?"),
        choices=MeetingFormat.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how you prefer to meet")},
    )
    other = forms.CharField(
        label=_("Anything else we should know or arrange"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=NOTES_MAX,
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if (
            AccessNeed.INTERPRETER in cleaned.get("needs", [])
            and not cleaned.get("interpreter_language", "").strip()
        ):
            self.add_error(
                "interpreter_language", _("Enter the language the interpreter should speak")
            )
        return cleaned

    @classmethod
    def initial_from(cls, access_needs: dict) -> dict:
        return {
            "needs": access_needs.get("needs", []),
            "interpreter_language": access_needs.get("interpreter_language", ""),
            "meeting_format": access_needs.get("meeting_format", ""),
            "other": access_needs.get("other", ""),
        }


class AvailabilityForm(forms.Form):
    hours_per_month = forms.IntegerField(
        label=_("How many hours a month could you give, at most?"),
        min_value=1,
        max_value=160,
        # A text box with a numeric keypad, as GOV.UK advises for whole numbers.
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
        help_text=_("A rough number is fine. You can change it at any time."),
        error_messages={
            "required": _("Enter a number of hours, for example 4"),
            "invalid": _("Enter a whole number of hours, for example 4"),
            "min_value": _("Enter at least 1 hour"),
            "max_value": _("Enter 160 hours or fewer"),
        },
    )
    availability = forms.MultipleChoiceField(
        label=_("When are you usually free?"),
        choices=Availability.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Choose all that apply."),
    )
    paused_until = forms.DateField(
        label=_("Not available until (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("If you need a break first, we will not invite you before this date."),
        error_messages={"invalid": _("Enter a real date, for example 2027-03-31")},
    )

    def clean_paused_until(self):
        value = self.cleaned_data.get("paused_until")
        if value and value <= timezone.localdate():
            raise forms.ValidationError(_("The date must be in the future"))
        return value


class CreditForm(forms.Form):
    credit_preference = forms.ChoiceField(
        label=_("When work you helped with is published, how should we credit you?"),
        choices=ExpertProfile.Credit.choices,
        widget=forms.RadioSelect,
        help_text=_("This is your usual choice. You can change it for each piece of work."),
        error_messages={"required": _("Choose how you would like to be credited")},
    )
    credit_name = forms.CharField(
        label=_("Your full name, as it should appear"),
        max_length=120,
        validators=[validate_name_characters],
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("credit_preference") == ExpertProfile.Credit.FULL_NAME:
            if not cleaned.get("credit_name", "").strip():
                self.add_error("credit_name", _("Enter the name to show"))
        else:
            cleaned["credit_name"] = ""
        return cleaned


class PaymentForm(forms.Form):
    payment_method = forms.ChoiceField(
        label=_("How would you like to be paid?"),
        choices=[
            (PaymentMethod.BANK_TRANSFER, _("Bank transfer")),
            (PaymentMethod.VOUCHER, _("Shopping vouchers")),
            (PaymentMethod.EXPENSES_ONLY, _("Only pay my expenses")),
            (PaymentMethod.DECLINED, _("I do not want to be paid")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how you would like to be paid")},
    )
    legal_name = forms.CharField(
        label=_("Your legal name, for payments only"),
        max_length=150,
        validators=[validate_name_characters],
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text=_(
            "The name on your bank account or ID. Only you and our finance team can see it. "
            "Leave blank if you do not want to be paid."
        ),
    )
    right_to_work = forms.ChoiceField(
        label=_("Do you have the right to work in the UK?"),
        choices=ExpertProfile.RightToWork.choices,
        widget=forms.RadioSelect,
        help_text=_("We ask so that we never pay you in a way that could put you at risk."),
        error_messages={"required": _("Choose yes, no or I'm not sure")},
    )
    means_tested_benefits = forms.ChoiceField(
        label=_("Do you receive any means-tested benefits?"),
        choices=ExpertProfile.Benefits.choices,
        widget=forms.RadioSelect,
        help_text=_("For example, Universal Credit or Pension Credit."),
        error_messages={"required": _("Choose yes, no or I'd rather not say")},
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("payment_method") != PaymentMethod.DECLINED
            and not cleaned.get("legal_name", "").strip()
        ):
            self.add_error("legal_name", _("Enter your legal name so that we can pay you"))
        return cleaned


class ConsentsForm(forms.Form):
    """One checkbox per consent statement (current versions), all off unless given before."""

    def __init__(self, *args, statements: dict[str, ConsentStatement], **kwargs):
        super().__init__(*args, **kwargs)
        self.statements = statements
        for kind, statement in statements.items():
            self.fields[kind] = forms.BooleanField(
                label=statement.title,
                help_text=statement.text,
                required=statement.required,
                error_messages={
                    "required": _("You need to agree to this to join Tandem as an adviser")
                },
            )


class VettingMessageForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the expert"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
        help_text=_("Plain, kind and specific. Do not ask about their experience of exploitation."),
        error_messages={"required": _("Write a message to the expert")},
    )


class PauseForm(forms.Form):
    paused_until = forms.DateField(
        label=_("Pause until (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave blank to pause until you choose to come back."),
        error_messages={"invalid": _("Enter a real date, for example 2027-03-31")},
    )

    clean_paused_until = AvailabilityForm.clean_paused_until


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To make sure it is really you."),
        error_messages={"required": _("Enter your password")},
    )
    confirm = forms.BooleanField(
        label=_("I understand that this cannot be undone"),
        error_messages={"required": _("Tick the box to confirm")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("That password is not right"))
        return password
