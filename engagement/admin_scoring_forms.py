"""Forms of the coordinators' assignment and moderation pages. Choices come from the page's
own reads (no query per form); the services check everything again when they write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from engagement.models import Decision

REASON_MAX_LENGTH = 500
RATIONALE_MAX_LENGTH = 5000


class AssignmentAddForm(forms.Form):
    proposal = forms.TypedChoiceField(
        label=_("Proposal"),
        coerce=int,
        error_messages={
            "required": _("Choose a proposal."),
            "invalid_choice": _("Choose a proposal from the list."),
        },
    )
    reviewer = forms.TypedChoiceField(
        label=_("Reviewer"),
        coerce=int,
        help_text=_("Their reviews so far and their cap are shown beside their name."),
        error_messages={
            "required": _("Choose a reviewer."),
            "invalid_choice": _("Choose a reviewer from the list."),
        },
    )

    def __init__(self, *args, proposals, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposal"].choices = [("", _("Choose a proposal")), *proposals]
        self.fields["reviewer"].choices = [("", _("Choose a reviewer")), *reviewers]


class AssignmentWithdrawForm(forms.Form):
    assignment = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Why you are taking this review back"),
        max_length=REASON_MAX_LENGTH,
        error_messages={"required": _("Say why you are taking this review back.")},
    )


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Decision"),
        choices=Decision.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose fund, reserve or do not fund.")},
    )
    rationale = forms.CharField(
        label=_("Reasons for the decision"),
        help_text=_("What the panel weighed up, in a few sentences."),
        max_length=RATIONALE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reasons for the decision.")},
    )
    voters = forms.TypedMultipleChoiceField(
        label=_("Who took the decision"),
        help_text=_("At least one lived-experience reviewer must be among them."),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose who took the decision."),
            "invalid_choice": _("Choose reviewers of this round."),
        },
    )

    def __init__(self, *args, voters, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["voters"].choices = voters
