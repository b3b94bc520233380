"""Forms for the expert journey. They validate input only; services apply it."""

from django import forms
from django.utils import timezone
from django.utils.html import format_html, linebreaks
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.forms import DISPLAY_NAME_HELP
from accounts.models import User
from accounts.roles import Role
from core.forms import DayMonthYearField
from core.validators import validate_name_characters
from engagement.models import (
    AccessNeed,
    Availability,
    ConsentStatement,
    ExpertProfile,
    InputKind,
    Language,
    MeetingFormat,
    Panel,
    PanelMembership,
    Region,
    RequestFormat,
    ResearchStage,
    ResearchTeam,
    Topic,
)
from payments.eligibility import NEEDS_LEGAL_NAME, Benefits, RightToWork
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
    paused_until = DayMonthYearField(
        label=_("Not available until"),
        required=False,
        help_text=_(
            "If you need a break first, we will not invite you before this date. "
            "For example, 27 3 2027."
        ),
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
            if "credit_name" not in self.errors and not cleaned.get("credit_name", "").strip():
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
            "The name on your bank account or ID. Only you and our finance team can see it."
        ),
    )
    right_to_work = forms.ChoiceField(
        label=_("Do you have the right to work in the UK?"),
        choices=RightToWork.choices,
        widget=forms.RadioSelect,
        help_text=_("We ask so that we never pay you in a way that could put you at risk."),
        error_messages={"required": _("Choose yes, no or I'm not sure")},
    )
    means_tested_benefits = forms.ChoiceField(
        label=_("Do you receive any means-tested benefits?"),
        choices=Benefits.choices,
        widget=forms.RadioSelect,
        help_text=_("For example, Universal Credit or Pension Credit."),
        error_messages={"required": _("Choose yes, no or I'd rather not say")},
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("payment_method") in NEEDS_LEGAL_NAME:
            # A name already refused (for hidden characters) needs no second message.
            if "legal_name" not in self.errors and not cleaned.get("legal_name", "").strip():
                self.add_error(
                    "legal_name", _("Enter your legal name, as it is on your bank account or ID")
                )
        else:
            # Asked only when a method needs it: nothing else keeps a legal name.
            cleaned["legal_name"] = ""
        return cleaned


class ConsentsForm(forms.Form):
    """One checkbox per consent statement (current versions). A box is ticked only if the
    person agreed to exactly the wording shown; wording changed since their last answer is
    shown unticked, with a note saying so.

    The wording is text from the database: it is escaped, keeping only its paragraphs."""

    def __init__(
        self,
        *args,
        statements: dict[str, ConsentStatement],
        current: dict | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.statements = statements
        current = current or {}
        self.changed = {
            kind
            for kind, statement in statements.items()
            if kind in current and current[kind].statement_id != statement.pk
        }
        for kind, statement in statements.items():
            # linebreaks escapes the text itself (autoescape) before adding paragraph tags.
            # Shown in the reader's language where the catalogue has this version's wording.
            text = mark_safe(linebreaks(gettext(statement.text), autoescape=True))  # noqa: S308
            if kind in self.changed:
                text = format_html(
                    '<strong class="changed-note">{}</strong>{}',
                    _("We changed this wording since you last answered. Please read it again."),
                    text,
                )
            self.fields[kind] = forms.BooleanField(
                label=gettext(statement.title),
                help_text=text,
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


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("Your reply to the coordinator"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
        required=False,
        help_text=_(
            "Answer their question here, or tell them what you changed in your answers above."
        ),
        error_messages={"max_length": _("Your reply must be 2,000 characters or fewer")},
    )


class PauseForm(forms.Form):
    paused_until = DayMonthYearField(
        label=_("Pause until"),
        required=False,
        help_text=_("Leave blank to pause until you choose to come back. For example, 27 3 2027."),
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


class ActiveExpertChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        # Two experts may share a display name; the reference tells them apart.
        return f"{obj.user.display_name} ({obj.reference})"


class PanelMemberAddForm(forms.Form):
    expert = ActiveExpertChoiceField(
        label=_("Expert"),
        queryset=ExpertProfile.objects.none(),
        help_text=_("Only active experts can join a panel."),
        error_messages={
            "required": _("Choose an expert"),
            "invalid_choice": _("Choose an active expert who is not on this panel yet"),
        },
    )
    role = forms.ChoiceField(
        label=_("Role"),
        choices=PanelMembership.Role.choices,
        initial=PanelMembership.Role.MEMBER,
        error_messages={"required": _("Choose member or chair")},
    )
    started_on = forms.DateField(
        label=_("From"),
        # A date box takes only ISO dates; the locale's 30/11/2026 would leave it empty.
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        error_messages={
            "required": _("Enter the date the membership starts"),
            "invalid": _("Enter a real date, for example 2027-03-31"),
        },
    )

    def __init__(self, *args, panel: Panel, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["started_on"].initial = timezone.localdate()
        self.fields["expert"].queryset = (
            ExpertProfile.objects.filter(status=ExpertProfile.Status.ACTIVE)
            .exclude(pk__in=panel.memberships.current().values("expert"))
            .order_by("user__display_name", "reference")
        )


class PanelCoordinatorAddForm(forms.Form):
    coordinator = forms.ModelChoiceField(
        label=_("Coordinator"),
        queryset=User.objects.none(),
        error_messages={
            "required": _("Choose a coordinator"),
            "invalid_choice": _("Choose a coordinator who is not on this panel yet"),
        },
    )

    def __init__(self, *args, panel: Panel, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].queryset = (
            User.objects.filter(groups__name=Role.COORDINATOR.value, is_active=True)
            .exclude(pk__in=panel.coordinators.values("pk"))
            .order_by("display_name")
        )


class InvitationDeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Anything you would like to tell us (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("You do not have to give a reason. Only the coordinators will read this."),
        error_messages={"max_length": _("Keep it under 2,000 characters")},
    )


class InvitationChooseForm(forms.Form):
    """Who to invite now and who waits, in order, from the panel's suggestions."""

    invite = forms.TypedMultipleChoiceField(
        label=_("Invite now"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _("Choose from the suggested experts: the list may have changed")
        },
    )
    waitlist = forms.CharField(
        label=_("Waitlist, in order"),
        required=False,
        help_text=_(
            "References of the experts to invite when a seat frees up, first one first, "
            "separated by commas. For example: ADV-AB23CD, ADV-EF45GH"
        ),
    )

    def __init__(self, *args, suggestions, **kwargs):
        super().__init__(*args, **kwargs)
        self.suggestion_list = list(suggestions)
        self.suggestions = {s.reference: s for s in suggestions}
        self.fields["invite"].choices = [
            (s.expert_id, f"{s.display_name} ({s.reference})") for s in suggestions
        ]

    def clean_waitlist(self):
        references = [r.strip().upper() for r in self.cleaned_data["waitlist"].split(",")]
        references = [r for r in references if r]
        unknown = [r for r in references if r not in self.suggestions]
        if unknown:
            raise forms.ValidationError(
                _("Use references from the suggestions: %(refs)s is not one")
                % {"refs": ", ".join(unknown)}
            )
        return [self.suggestions[r].expert_id for r in references]

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("invite") and not cleaned.get("waitlist") and not self.errors:
            raise forms.ValidationError(_("Choose at least one expert to invite"))
        return cleaned


class TeamForm(forms.Form):
    name = forms.CharField(
        label=_("Team name"),
        max_length=200,
        validators=[validate_name_characters],
        help_text=_("For example, the name of your project or research group."),
        error_messages={
            "required": _("Enter the team's name"),
            "max_length": _("The team's name must be 200 characters or fewer"),
        },
    )
    organisation = forms.CharField(
        label=_("Organisation"),
        max_length=200,
        validators=[validate_name_characters],
        help_text=_("The university, charity or company the team is part of."),
        error_messages={
            "required": _("Enter the organisation"),
            "max_length": _("The organisation must be 200 characters or fewer"),
        },
    )
    description = forms.CharField(
        label=_("About the team"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
        help_text=_("What the team researches, in a sentence or two."),
        error_messages={"max_length": _("About the team must be 2,000 characters or fewer")},
    )

    def clean(self):
        data = super().clean()
        for name in ("name", "organisation"):
            if name in data:
                data[name] = data[name].strip()
        return data


class TeamInviteForm(forms.Form):
    email = forms.EmailField(
        label=_("Their email address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("We will email them a link to join the team. It works for 7 days."),
        error_messages={
            "required": _("Enter their email address"),
            "invalid": _("Enter an email address like name@example.org"),
        },
    )


HOURS_ERRORS = {
    "invalid": _("Enter a number of hours, like 2 or 1.5"),
    "max_decimal_places": _("Enter hours to one decimal place, like 1.5"),
    "max_digits": _("Enter no more than 40 hours"),
    "max_value": _("Enter no more than 40 hours"),
}


class AdvisoryRequestForm(forms.Form):
    """Every answer of an advisory request, in plain language. The status is not here: it
    changes only through the request's transitions."""

    team = forms.ModelChoiceField(
        label=_("Which team is this for?"),
        queryset=None,
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": _("Choose the team this request is for")},
    )
    title = forms.CharField(
        label=_("A short name for this research"),
        max_length=200,
        help_text=_("Advisers see this first. For example, 'How people find safe housing'."),
        error_messages={
            "required": _("Enter a short name for the research"),
            "max_length": _("The name must be 200 characters or fewer"),
        },
    )
    about = forms.CharField(
        label=_("What is the research about?"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=3000,
        help_text=_("In plain words: what you want to find out, and why it matters."),
        error_messages={
            "required": _("Say what the research is about"),
            "max_length": _("This must be 3,000 characters or fewer"),
        },
    )
    stage = forms.ChoiceField(
        label=_("What stage is the research at?"),
        choices=ResearchStage.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the stage the research is at")},
    )
    input_kind = forms.ChoiceField(
        label=_("What kind of advice would help?"),
        choices=InputKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the kind of advice you would like")},
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Which topics does it touch on?"),
        queryset=Topic.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Choose all that apply. We invite advisers who chose these topics."),
    )
    languages = forms.ModelMultipleChoiceField(
        label=_("Which languages could the advisers use?"),
        queryset=Language.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose all that apply. We can arrange interpreters."),
        error_messages={"required": _("Choose at least one language")},
    )
    experts_wanted = forms.IntegerField(
        label=_("How many advisers would you like?"),
        min_value=1,
        max_value=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "input--short"}),
        help_text=_("Between 1 and 20."),
        error_messages={
            "required": _("Enter how many advisers you would like"),
            "invalid": _("Enter a whole number, like 4"),
            "min_value": _("Enter at least 1 adviser"),
            "max_value": _("Enter no more than 20 advisers"),
        },
    )
    prep_hours = forms.DecimalField(
        label=_("Preparation time for each adviser, in hours"),
        min_value=0,
        max_value=40,
        max_digits=3,
        decimal_places=1,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "input--short"}),
        help_text=_("Reading and thinking before the session. Advisers are paid for this too."),
        error_messages={
            "required": _("Enter the preparation time, or 0"),
            "min_value": _("Enter 0 hours or more"),
            **HOURS_ERRORS,
        },
    )
    session_hours = forms.DecimalField(
        label=_("Session time for each adviser, in hours"),
        min_value=0.5,
        max_value=40,
        max_digits=3,
        decimal_places=1,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "input--short"}),
        help_text=_("All the sessions together, for one adviser."),
        error_messages={
            "required": _("Enter the session time"),
            "min_value": _("Enter at least half an hour"),
            **HOURS_ERRORS,
        },
    )
    earliest_date = DayMonthYearField(
        label=_("The earliest date the work could start"),
        help_text=_("For example, 27 3 2027."),
        error_messages={"required": _("Enter the earliest date")},
    )
    latest_date = DayMonthYearField(
        label=_("The date the work must finish by"),
        help_text=_("For example, 30 6 2027."),
        error_messages={"required": _("Enter the date the work must finish by")},
    )
    format = forms.ChoiceField(
        label=_("How would you like to meet?"),
        choices=RequestFormat.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how you would like to meet")},
    )
    place = forms.CharField(
        label=_("Where, if you meet in person?"),
        max_length=200,
        required=False,
        help_text=_("The town or city. We tell advisers the exact address later."),
        error_messages={"max_length": _("The place must be 200 characters or fewer")},
    )
    content_notes = forms.CharField(
        label=_("Content notes"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
        help_text=_(
            "Tell us about any sensitive material advisers will see or hear, such as "
            "descriptions of abuse, so that they can choose whether to take part."
        ),
        error_messages={"max_length": _("Content notes must be 2,000 characters or fewer")},
    )
    agrees_to_fund = forms.BooleanField(
        label=_("Our team will pay each adviser's honorarium at Tandem's published rates"),
        help_text=_("For their preparation and session time, and their travel expenses."),
        error_messages={"required": _("Confirm that your team will pay the advisers")},
    )

    def __init__(self, *args, teams, **kwargs):
        super().__init__(*args, **kwargs)
        if len(teams) > 1:
            self.fields["team"].queryset = ResearchTeam.objects.filter(
                pk__in=[team.pk for team in teams]
            )
        else:
            # One team: nothing to choose.
            del self.fields["team"]

    def clean(self):
        data = super().clean()
        earliest, latest = data.get("earliest_date"), data.get("latest_date")
        if earliest and earliest < timezone.localdate() and "earliest_date" in self.changed_data:
            self.add_error("earliest_date", _("The earliest date must be today or later"))
        if earliest and latest and latest < earliest:
            self.add_error("latest_date", _("The finish date must be on or after the start date"))
        if (
            data.get("format") in {RequestFormat.IN_PERSON, RequestFormat.EITHER}
            and not (data.get("place") or "").strip()
        ):
            self.add_error("place", _("Enter the town or city where you would meet"))
        for name in ("title", "about", "place", "content_notes"):
            if isinstance(data.get(name), str):
                data[name] = data[name].strip()
        return data


class TriageMessageForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the research team"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
        help_text=_("Every member of the team gets it by email, and it stays on the request."),
        error_messages={
            "required": _("Write a message to the research team"),
            "max_length": _("The message must be 2,000 characters or fewer"),
        },
    )

    def clean_message(self):
        message = self.cleaned_data["message"].strip()
        if not message:
            raise forms.ValidationError(_("Write a message to the research team"))
        return message


class PanelSuggestionForm(forms.Form):
    text = forms.CharField(
        label=_("Who would you suggest, and why?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=2000,
        help_text=_(
            "Their name or how a coordinator can find them, and what they would bring. Only "
            "the panel's coordinators read this."
        ),
        error_messages={
            "required": _("Say who you suggest and why"),
            "max_length": _("Your suggestion must be 2,000 characters or fewer"),
        },
    )
