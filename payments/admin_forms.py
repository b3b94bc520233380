from django import forms
from django.utils.translation import gettext_lazy as _

from payments.models import Honorarium

KINDS = [
    ("", _("Honoraria and expenses")),
    ("honorarium", _("Honoraria")),
    ("expense", _("Expenses")),
]
SOURCES = [("", _("Any")), *Honorarium.Source.choices, ("expense", _("Expense claims"))]
AGES = [
    ("", _("Any age")),
    ("7", _("Over a week")),
    ("14", _("Over two weeks")),
    ("30", _("Over 30 days")),
]


class ApprovalQueueFilterForm(forms.Form):
    """The approval queue's filters (GET). Anything unrecognised falls back to the default."""

    status = forms.ChoiceField(label=_("Status"), choices=Honorarium.Status.choices, required=False)
    kind = forms.ChoiceField(label=_("Show"), choices=KINDS, required=False)
    source = forms.ChoiceField(label=_("Kind of work"), choices=SOURCES, required=False)
    age = forms.ChoiceField(
        label=_("Days since the work"),
        choices=AGES,
        required=False,
        help_text=_("Ageing counts from the day of the work or the cost."),
    )

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "status": data.get("status") or Honorarium.Status.PENDING,
            "kind": data.get("kind") or "",
            "source": data.get("source") or "",
            "older_than_days": int(data["age"]) if data.get("age") else None,
        }
