"""The proposal form a research team fills in for an open funding call. It checks what a person
typed; engagement.services.calls.proposal_submit checks the rest (the budget, a partner when
the call asks for one, the document by its content and size) and stores the proposal."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from engagement.models import ResearchTeam, Topic


class TeamChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.organisation})"


class ProposalForm(forms.Form):
    team = TeamChoiceField(
        label=_("Which team is this proposal from?"),
        queryset=ResearchTeam.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Choose the team this proposal is from"),
            "invalid_choice": _("Choose the team this proposal is from"),
        },
    )
    title = forms.CharField(
        label=_("Title of the research"),
        max_length=300,
        error_messages={
            "required": _("Enter the title of the research"),
            "max_length": _("The title must be 300 characters or fewer"),
        },
    )
    lay_summary = forms.CharField(
        label=_("Summary in plain language"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=3000,
        help_text=_(
            "What you want to find out and why it matters, in words anyone can follow. Every "
            "reviewer reads this, including experts with lived experience."
        ),
        error_messages={
            "required": _("Enter a summary in plain language"),
            "max_length": _("The summary must be 3,000 characters or fewer"),
        },
    )
    full_summary = forms.CharField(
        label=_("Full summary"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=20000,
        help_text=_(
            "Your research questions, methods, ethics and plans for sharing what you find."
        ),
        error_messages={
            "required": _("Enter the full summary"),
            "max_length": _("The full summary must be 20,000 characters or fewer"),
        },
    )
    anonymised_summary = forms.CharField(
        label=_("Full summary without names"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=20000,
        help_text=_(
            "The same summary with the names of people, teams and organisations taken out. "
            "Reviewers read this one, so that they judge the research, not who proposes it."
        ),
        error_messages={
            "required": _("Enter the full summary without names"),
            "max_length": _("The summary without names must be 20,000 characters or fewer"),
        },
    )
    budget = forms.CharField(
        label=_("Budget, in pounds"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "input--short"}),
        help_text=_("For example, 25000 or 25000.50"),
        error_messages={"required": _("Enter the budget in pounds, like 25000")},
    )
    lead_organisation = forms.CharField(
        label=_("Lead organisation"),
        max_length=200,
        error_messages={
            "required": _("Enter the lead organisation"),
            "max_length": _("The name must be 200 characters or fewer"),
        },
    )
    team_description = forms.CharField(
        label=_("About the team"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        required=False,
        help_text=_("Who will do the work, and how people with lived experience take part."),
        error_messages={"max_length": _("This must be 5,000 characters or fewer")},
    )
    partner_organisations = forms.CharField(
        label=_("Partner organisations"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        required=False,
        help_text=_("One per line."),
        error_messages={"max_length": _("This must be 2,000 characters or fewer")},
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics"),
        queryset=Topic.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Choose any that fit. We use them to find reviewers who know the topic."),
    )
    attachment = forms.FileField(
        label=_("Proposal document (PDF)"),
        error_messages={
            "required": _("Choose the proposal document, as a PDF"),
            "empty": _("The file you chose is empty: choose the proposal document"),
            "invalid": _("Choose the proposal document, as a PDF"),
        },
    )

    def __init__(self, *args, teams: list[ResearchTeam], call, **kwargs):
        super().__init__(*args, **kwargs)
        if len(teams) > 1:
            self.fields["team"].queryset = ResearchTeam.objects.filter(
                pk__in=[team.pk for team in teams]
            ).order_by("name", "pk")
        else:
            # One team: nothing to choose.
            del self.fields["team"]
        if call.requires_partner:
            partners = self.fields["partner_organisations"]
            partners.required = True
            partners.error_messages["required"] = _(
                "This call asks for at least one non-academic partner organisation"
            )
            partners.help_text = _(
                "One per line. This call asks for at least one non-academic partner, such as "
                "a charity or a survivor-led group."
            )
        megabytes = settings.PROPOSAL_ATTACHMENT_MAX_BYTES // (1024 * 1024)
        self.fields["attachment"].help_text = _(
            "One PDF file, up to %(mb)s MB. Only your team and Tandem's staff can open it."
        ) % {"mb": megabytes}
        self.fields["attachment"].widget.attrs["accept"] = ".pdf,application/pdf"
