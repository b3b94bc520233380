"""Forms for the coordinators' admin pages of funding calls and scoring rounds. They check
input only; engagement.services (call_setup, calls, scoring) apply it and keep the rules."""

from django import forms
from django.core import validators
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from accounts.models import User
from accounts.roles import Role
from engagement.models import (
    ConflictDeclaration,
    ExpertProfile,
    FundingCall,
    Proposal,
    ReviewerGroup,
    RoundReviewer,
    ScoringRound,
)
from engagement.services.call_setup import CALL_FIELDS, ROUND_APPROVED_FIELDS, ROUND_FIELDS

IMPORT_MAX_BYTES = 5 * 1024 * 1024
REASON_MAX_LENGTH = 2000
SCALE_MOST_POINTS = 10
# (lowest, highest) a coordinator may set; the database keeps the orderings between them.
ROUND_LIMITS = {
    "scale_min": (0, SCALE_MOST_POINTS - 1),
    "scale_max": (1, SCALE_MOST_POINTS),
    "reviewers_per_proposal": (1, 50),
    "lived_minimum": (0, 50),
    "load_cap": (1, 500),
    "lived_weight": (0, None),
    "academic_weight": (0, None),
    "staff_weight": (0, None),
}


class FundingCallForm(WagtailAdminModelForm):
    budget = forms.DecimalField(
        label=_("Budget (£)"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("The whole call's budget in pounds, like 250000."),
    )

    class Meta:
        model = FundingCall
        fields = CALL_FIELDS
        help_texts = {
            "slug": _("The end of the call's web address, like safe-housing-2027."),
            "summary": _("What the call is for, in plain language."),
            "eligibility": _("Who can apply, and anything that rules a team out."),
            "opens_at": _("When teams can start sending proposals."),
            "closes_at": _("No proposals after this. The call closes by itself then."),
            "requires_partner": _("Checked when a team sends its proposal."),
        }

    def clean(self):
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("The call must close after it opens."))
        return cleaned


class ScoringRoundForm(WagtailAdminModelForm):
    """The round's settings. The scale and the group weights are chosen here when the round is
    made; after that they are shown but not changed here."""

    class Meta:
        model = ScoringRound
        fields = ROUND_FIELDS
        labels = {
            "reviewers_per_proposal": _("Reviewers per proposal"),
            "lived_weight": _("Weight of lived-experience reviewers' scores"),
            "academic_weight": _("Weight of academic reviewers' scores"),
            "staff_weight": _("Weight of staff reviewers' scores"),
        }
        help_texts = {
            "scale_min": _("Usually 1."),
            "scale_max": _("Usually 5. Each criterion needs a descriptor for every score."),
            "rationale_required": _("Reviewers must say why they gave each score."),
            "blind": _(
                "Reviewers see the plain-language summary and an anonymised summary, never "
                "the team, its organisations or the document."
            ),
            "lived_weight": _(
                "Published on the call page. Weights are relative: 2, 1 and 1 means "
                "lived-experience reviewers' scores count for half."
            ),
            "lived_minimum": _("Each proposal gets at least this many lived-experience reviewers."),
            "load_cap": _("No reviewer is given more than this, unless you set their own limit."),
            "deadline": _("Reviewers are reminded before it."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (low, high) in ROUND_LIMITS.items():
            field = self.fields[name]
            field.validators.append(validators.MinValueValidator(low))
            field.widget.attrs["min"] = low
            if high is not None:
                field.validators.append(validators.MaxValueValidator(high))
                field.widget.attrs["max"] = high
        if self.instance.pk:
            # One editor for what the panel approves: after the round is made, the scale and
            # the group weights change with the criteria, in the co-design workspace.
            for name in ROUND_APPROVED_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = _(
                    "The co-design panel sets this with the criteria, in the co-design workspace."
                )

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("scale_min"), cleaned.get("scale_max")
        if low is not None and high is not None and low >= high:
            self.add_error("scale_max", _("The highest score must be more than the lowest."))
        per, lived = cleaned.get("reviewers_per_proposal"), cleaned.get("lived_minimum")
        if per is not None and lived is not None and lived > per:
            self.add_error(
                "lived_minimum",
                _("There cannot be more lived-experience reviewers than reviewers per proposal."),
            )
        weights = [cleaned.get(n) for n in ("lived_weight", "academic_weight", "staff_weight")]
        if None not in weights and not any(weights):
            self.add_error("lived_weight", _("At least one group's weight must be more than 0."))
        return cleaned


class ProposalImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file of proposals"),
        help_text=_("Saved as CSV (UTF-8) from a spreadsheet, with the header row first."),
        error_messages={"required": _("Choose the CSV file to import.")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file must be smaller than %(mb)s MB.")
                % {"mb": IMPORT_MAX_BYTES // (1024 * 1024)}
            )
        return upload


class CriteriaReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why reopen the criteria?"),
        help_text=_("The co-design panel sees this. They will need to approve the criteria again."),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the criteria need to change.")},
    )


def reviewer_candidates(scoring_round: ScoringRound) -> list:
    """The people who may join the round, grouped as `reviewer_add` places them: active
    experts in the lived-experience group, researchers in the academic group, coordinators
    and finance staff in the staff group. Three queries."""
    taken = RoundReviewer.objects.filter(round=scoring_round).values("user_id")
    experts = (
        ExpertProfile.objects.filter(status=ExpertProfile.Status.ACTIVE, user__is_active=True)
        .exclude(user_id__in=taken)
        .select_related("user")
        .order_by("user__display_name", "pk")
    )
    researchers = (
        User.objects.filter(groups__name=Role.RESEARCHER, is_active=True)
        .exclude(pk__in=taken)
        .prefetch_related("team_memberships__team")
        .order_by("display_name", "pk")
        .distinct()
    )
    staff = (
        User.objects.filter(groups__name__in=[Role.COORDINATOR, Role.FINANCE], is_active=True)
        .exclude(pk__in=taken)
        .order_by("display_name", "pk")
        .distinct()
    )

    def organisations(user) -> str:
        names = sorted({m.team.organisation for m in user.team_memberships.all()})
        return f"{user.display_name} ({', '.join(names)})" if names else user.display_name

    return [
        (
            ReviewerGroup.LIVED_EXPERIENCE.label,
            [
                (
                    f"{ReviewerGroup.LIVED_EXPERIENCE}:{p.user_id}",
                    f"{p.user.display_name} ({p.reference})",
                )
                for p in experts
            ],
        ),
        (
            ReviewerGroup.ACADEMIC.label,
            [(f"{ReviewerGroup.ACADEMIC}:{u.pk}", organisations(u)) for u in researchers],
        ),
        (
            ReviewerGroup.STAFF.label,
            [(f"{ReviewerGroup.STAFF}:{u.pk}", u.display_name) for u in staff],
        ),
    ]


class ReviewerAddForm(forms.Form):
    person = forms.ChoiceField(
        label=_("Who"),
        help_text=_(
            "Active experts review in the lived-experience group, researchers in the academic "
            "group and staff in the staff group."
        ),
        error_messages={
            "required": _("Choose who to add."),
            "invalid_choice": _("Choose someone from the list."),
        },
    )
    load_cap = forms.IntegerField(
        label=_("Most proposals for this reviewer"),
        help_text=_("Leave empty to use the round's limit."),
        required=False,
        min_value=1,
        max_value=500,
        error_messages={"min_value": _("A reviewer takes at least one proposal.")},
    )

    def __init__(self, *args, scoring_round: ScoringRound, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [
            ("", _("Choose a person")),
            *reviewer_candidates(scoring_round),
        ]

    def clean_person(self):
        group, _sep, user_id = self.cleaned_data["person"].partition(":")
        user = User.objects.filter(pk=user_id).first() if user_id.isdigit() else None
        if group not in ReviewerGroup.values or user is None:
            raise forms.ValidationError(_("Choose someone from the list."))
        return group, user


class ConflictAddForm(forms.Form):
    reviewer = forms.ModelChoiceField(
        label=_("Reviewer"),
        queryset=User.objects.none(),
        empty_label=_("Choose a reviewer"),
        error_messages={
            "required": _("Choose the reviewer."),
            "invalid_choice": _("Choose a reviewer of this round."),
        },
    )
    proposal = forms.ModelChoiceField(
        label=_("Proposal"),
        queryset=Proposal.objects.none(),
        empty_label=_("Choose a proposal"),
        error_messages={
            "required": _("Choose the proposal."),
            "invalid_choice": _("Choose a proposal of this call."),
        },
    )
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[("", _("Choose a reason")), *ConflictDeclaration.Reason.choices],
        error_messages={
            "required": _("Choose the reason."),
            "invalid_choice": _("Choose a reason from the list."),
        },
    )
    note = forms.CharField(
        label=_("Note"),
        help_text=_("Only staff read it. The reviewer cannot remove a conflict you add."),
        required=False,
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, scoring_round: ScoringRound, **kwargs):
        super().__init__(*args, **kwargs)
        reviewer_field = self.fields["reviewer"]
        reviewer_field.queryset = User.objects.filter(round_reviews__round=scoring_round).order_by(
            "display_name", "pk"
        )
        reviewer_field.label_from_instance = lambda user: user.display_name
        self.fields["proposal"].queryset = Proposal.objects.filter(
            call_id=scoring_round.call_id, status=Proposal.Status.SUBMITTED
        ).only("pk", "reference", "title")
