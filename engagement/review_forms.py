"""Forms for the reviewer's pages at /review/: scores with reasons, stepping back from a
proposal, and conflicts of interest. They validate input only; engagement.services.scoring
applies it (and checks the scale, the reasons a round requires and who may do what)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from engagement.models import ConflictDeclaration
from engagement.services.scoring import RATIONALE_MAX_LENGTH

NOTE_MAX_LENGTH = 2000


def errors_to_form(form: forms.Form, error: ValidationError) -> None:
    """A service's refusal shown beside the fields it names (the rest above the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, messages in error.message_dict.items():
        form.add_error(name if name in form.fields else None, messages)


def score_field_name(criterion_id: int) -> str:
    # The names engagement.services.scoring uses for its errors.
    return f"score_{criterion_id}"


def rationale_field_name(criterion_id: int) -> str:
    return f"rationale_{criterion_id}"


class ReviewForm(forms.Form):
    """One radio group per criterion, each point labelled with what it means, and the reasons
    for it. Nothing is required here: a draft may be partial; submitting asks for all."""

    def __init__(self, *args, criteria, scale, rationale_required: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        self.rationale_required = rationale_required
        for criterion in criteria:
            self.fields[score_field_name(criterion.id)] = forms.ChoiceField(
                label=criterion.name,
                help_text=criterion.guidance,
                required=False,
                choices=[
                    (str(point), _score_label(point, criterion.descriptors.get(point)))
                    for point in scale
                ],
                widget=forms.RadioSelect,
                error_messages={
                    "invalid_choice": _("Choose a score from %(low)s to %(high)s.")
                    % {"low": scale[0], "high": scale[-1]}
                },
            )
            self.fields[rationale_field_name(criterion.id)] = forms.CharField(
                label=_("Why you gave this score for “%(name)s”") % {"name": criterion.name},
                required=False,
                max_length=RATIONALE_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 4}),
                error_messages={
                    "max_length": _("Keep your reasons to %(limit_value)s characters or fewer.")
                },
            )

    @classmethod
    def initial_for(cls, scores: dict) -> dict:
        initial = {}
        for criterion_id, (value, rationale) in scores.items():
            initial[score_field_name(criterion_id)] = "" if value is None else str(value)
            initial[rationale_field_name(criterion_id)] = rationale
        return initial

    def rows(self):
        """Each criterion with its two bound fields, in order, for the template."""
        return [
            (
                criterion,
                self[score_field_name(criterion.id)],
                self[rationale_field_name(criterion.id)],
            )
            for criterion in self.criteria
        ]

    def scores(self) -> dict[int, tuple[str | None, str]]:
        """{criterion id: (value or None, reasons)}, as the scoring services take them."""
        data = self.cleaned_data
        return {
            criterion.id: (
                data.get(score_field_name(criterion.id)) or None,
                data.get(rationale_field_name(criterion.id), ""),
            )
            for criterion in self.criteria
        }


def _score_label(point: int, descriptor: str | None) -> str:
    if not descriptor:
        return str(point)
    return _("%(point)s: %(meaning)s") % {"point": point, "meaning": descriptor}


class AbstainForm(forms.Form):
    reason = forms.CharField(
        label=_("Why can you not score this proposal?"),
        help_text=_(
            "A sentence is enough. Only the round's coordinators read this. For example, "
            "“It is outside what I know” or “I do not have time before the deadline”."
        ),
        max_length=RATIONALE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Say briefly why you are not scoring this one."),
            "max_length": _("Keep your reason to %(limit_value)s characters or fewer."),
        },
    )


class ConflictForm(forms.Form):
    """A conflict of interest with one proposal (each form on the page has its own prefix)."""

    reason = forms.ChoiceField(
        label=_("What is the conflict?"),  # named for its proposal in __init__
        choices=ConflictDeclaration.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what the conflict is"),
            "invalid_choice": _("Choose what the conflict is from the list"),
        },
    )
    note = forms.CharField(
        label=_("Anything else the coordinators should know"),
        help_text=_("Only the round's coordinators read this."),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "max_length": _("Keep the note to %(limit_value)s characters or fewer."),
        },
    )

    def __init__(self, *args, reference: str, **kwargs):
        super().__init__(*args, **kwargs)
        # The page has a form for every proposal: each label says which one it is about.
        self.fields["reason"].label = _("What is your conflict with %(reference)s?") % {
            "reference": reference
        }
        self.fields["note"].label = _(
            "Anything else the coordinators should know about %(reference)s"
        ) % {"reference": reference}
