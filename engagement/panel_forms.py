"""Forms for panel sessions, notes, attendance, "you said, we did" and time zones. They
validate input only; engagement.services.sessions applies it."""

import datetime
import re
from zoneinfo import ZoneInfo, available_timezones

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import DayMonthYearField
from engagement.models import AccessSupport, ImpactRating, SessionFormat

# Shown first: where Tandem's experts and research teams mostly are.
COMMON_TIME_ZONES = (
    "Europe/London",
    "Europe/Dublin",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Warsaw",
    "Europe/Bucharest",
    "Europe/Tirane",
    "Europe/Kyiv",
    "Africa/Lagos",
    "Africa/Accra",
    "Africa/Nairobi",
    "Asia/Kolkata",
    "Asia/Ho_Chi_Minh",
    "Asia/Manila",
    "America/New_York",
)
TIME_PATTERN = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
TEXT_MAX = 5000


def time_zone_choices() -> list:
    others = sorted(available_timezones() - set(COMMON_TIME_ZONES) - {"localtime"})
    label = lambda name: name.replace("_", " ")  # noqa: E731
    return [
        (_("Common time zones"), [(name, label(name)) for name in COMMON_TIME_ZONES]),
        (_("All time zones"), [(name, label(name)) for name in others]),
    ]


class TimeZoneForm(forms.Form):
    time_zone = forms.ChoiceField(
        label=_("Your time zone"),
        help_text=_("Session times are shown to you in this time zone."),
        error_messages={
            "required": _("Choose a time zone"),
            "invalid_choice": _("Choose a time zone from the list"),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices()


class SessionForm(forms.Form):
    title = forms.CharField(
        label=_("Title"), max_length=200, error_messages={"required": _("Enter a title")}
    )
    date = DayMonthYearField(
        label=_("Date"),
        help_text=_("For example, 27 3 2027."),
        error_messages={"required": _("Enter the date of the session")},
    )
    time = forms.CharField(
        label=_("Start time"),
        max_length=5,
        help_text=_("24-hour clock, in your time zone (%(zone)s). For example, 14:30."),
        error_messages={"required": _("Enter the start time")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "input--width-5"}),
    )
    duration_minutes = forms.IntegerField(
        label=_("Length in minutes"),
        min_value=15,
        max_value=600,
        error_messages={
            "required": _("Enter how long the session lasts"),
            "invalid": _("Enter the length as a number of minutes"),
            "min_value": _("A session lasts at least 15 minutes"),
            "max_value": _("A session lasts at most 600 minutes (10 hours)"),
        },
    )
    prep_minutes = forms.IntegerField(
        label=_("Preparation in minutes"),
        min_value=0,
        max_value=2400,
        initial=0,
        help_text=_("Paid time to read papers before the session."),
        error_messages={
            "required": _("Enter the preparation time, or 0"),
            "invalid": _("Enter the preparation time as a number of minutes"),
            "min_value": _("Preparation cannot be negative"),
            "max_value": _("Preparation is at most 2400 minutes"),
        },
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=SessionFormat.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose online or in person")},
    )
    place = forms.CharField(
        label=_("Town or city"),
        max_length=200,
        required=False,
        help_text=_("For sessions in person. Everyone on the panel's page can see this."),
    )
    joining_details = forms.CharField(
        label=_("Joining details"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "The video link, or the address and room. Only the panel's members and "
            "coordinators see this."
        ),
    )
    access_support = forms.MultipleChoiceField(
        label=_("Access support offered"),
        choices=AccessSupport.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, time_zone: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = ZoneInfo(time_zone)
        self.fields["time"].help_text = self.fields["time"].help_text % {
            "zone": time_zone.replace("_", " ")
        }

    @classmethod
    def initial_for(cls, session, time_zone: str) -> dict:
        local = session.starts_at.astimezone(ZoneInfo(time_zone))
        return {
            "title": session.title,
            "date": local.date(),
            "time": local.strftime("%H:%M"),
            "duration_minutes": session.duration_minutes,
            "prep_minutes": session.prep_minutes,
            "format": session.format,
            "place": session.place,
            "joining_details": session.joining_details,
            "access_support": session.access_support,
        }

    def clean_time(self):
        match = TIME_PATTERN.match(self.cleaned_data["time"].strip())
        if not match:
            raise forms.ValidationError(_("Enter a time such as 14:30"))
        return datetime.time(int(match[1]), int(match[2]))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date") and cleaned.get("time"):
            starts_at = datetime.datetime.combine(cleaned["date"], cleaned["time"], self.zone)
            if starts_at <= timezone.now():
                self.add_error("date", _("The session must start in the future"))
            cleaned["starts_at"] = starts_at
        if cleaned.get("format") == SessionFormat.IN_PERSON and not cleaned.get("place"):
            self.add_error("place", _("Enter the town or city of a session in person"))
        return cleaned

    def session_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "starts_at": data["starts_at"],
            "duration_minutes": data["duration_minutes"],
            "prep_minutes": data["prep_minutes"],
            "format": data["format"],
            "place": data["place"],
            "joining_details": data["joining_details"],
            "access_support": list(data["access_support"]),
        }


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Message to the members (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AgendaForm(forms.Form):
    agenda = forms.CharField(
        label=_("Agenda"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("What the panel will talk about, in order. Members see it on the panel page."),
    )


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("Notes of the session"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "What was said, without saying who said it. The chair approves the notes before "
            "the research team can read them."
        ),
        error_messages={"required": _("Write the notes")},
    )


class AttendanceForm(forms.Form):
    """One yes/no question per member of the panel on the day of the session."""

    def __init__(self, *args, rows: list[dict], **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            expert = row["expert"]
            self.fields[f"expert_{expert.pk}"] = forms.TypedChoiceField(
                label=_("Did %(name)s take part?") % {"name": expert.user.display_name},
                choices=[("yes", _("Yes")), ("no", _("No"))],
                coerce=lambda value: value == "yes",
                widget=forms.RadioSelect,
                initial=None if row["attended"] is None else ("yes" if row["attended"] else "no"),
                error_messages={
                    "required": _("Say whether %(name)s took part")
                    % {"name": expert.user.display_name}
                },
            )

    def attendance(self) -> dict[int, bool]:
        return {
            row["expert"].pk: self.cleaned_data[f"expert_{row['expert'].pk}"] for row in self.rows
        }


class ImpactForm(forms.Form):
    heard = forms.CharField(
        label=_("What we heard"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The advice the panel gave, in your words. Do not say who said what."),
        error_messages={"required": _("Say what you heard")},
    )
    changed = forms.CharField(
        label=_("What we changed"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    not_changed = forms.CharField(
        label=_("What we did not change, and why"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            "heard" in cleaned
            and not cleaned.get("changed", "").strip()
            and not cleaned.get("not_changed", "").strip()
        ):
            self.add_error("changed", _("Say what you changed, or what you did not change and why"))
        return cleaned


class RatingForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Did you feel listened to?"),
        choices=ImpactRating.Answer.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose yes, partly or no")},
    )
    note = forms.CharField(
        label=_("Anything else you would like to tell us (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Only Tandem's coordinators read this. The research team never sees who said what."
        ),
    )
