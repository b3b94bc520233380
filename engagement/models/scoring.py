"""Scoring rounds: criteria co-designed with a lived-experience panel, reviewers and their
conflicts, assignments, scores and the moderation's decisions."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.rules import is_coordinator
from core.fields import EncryptedTextField
from core.transitions import GrantsAccess, StateMachine, Transition
from engagement.models.calls import FundingCall, Proposal
from engagement.predicates import approves_criteria, is_assignee


class ReviewerGroup(models.TextChoices):
    # The values are the groups engagement.assignment and engagement.aggregation know.
    LIVED_EXPERIENCE = "lived_experience", _("Lived experience")
    ACADEMIC = "academic", _("Academic")
    STAFF = "staff", _("Staff")


class ScoringRound(models.Model):
    """How a call's proposals are scored: the scale, the criteria, who reviews, how many
    reviews each proposal gets and how the groups' scores are weighted. Its phase decides what
    reviewers can see and do; its criteria are approved by the co-design panel before the
    call opens."""

    class Phase(models.TextChoices):
        SETUP = "setup", _("Set-up")
        CONFLICTS = "conflicts", _("Conflicts of interest")
        SCORING = "scoring", _("Scoring")
        MODERATION = "moderation", _("Moderation")
        CLOSED = "closed", _("Closed")

    class CriteriaStatus(models.TextChoices):
        DRAFTING = "drafting", _("Being drafted")
        APPROVED = "approved", _("Approved")

    call = models.OneToOneField(FundingCall, on_delete=models.PROTECT, related_name="round")
    scale_min = models.PositiveSmallIntegerField(_("lowest score"), default=1)
    scale_max = models.PositiveSmallIntegerField(_("highest score"), default=5)
    rationale_required = models.BooleanField(_("reasons required"), default=True)
    blind = models.BooleanField(_("blind review"), default=True)
    reviewers_per_proposal = models.PositiveSmallIntegerField(default=3)
    lived_minimum = models.PositiveSmallIntegerField(
        _("lived-experience reviewers per proposal, at least"), default=1
    )
    load_cap = models.PositiveSmallIntegerField(_("most proposals per reviewer"), default=10)
    deadline = models.DateTimeField(_("scoring deadline"), null=True, blank=True)
    lived_weight = models.DecimalField(max_digits=5, decimal_places=2, default=1)
    academic_weight = models.DecimalField(max_digits=5, decimal_places=2, default=1)
    staff_weight = models.DecimalField(max_digits=5, decimal_places=2, default=1)
    disagreement_threshold = models.DecimalField(max_digits=4, decimal_places=2, default=1)
    phase = models.CharField(max_length=20, choices=Phase.choices, default=Phase.SETUP)
    criteria_status = models.CharField(
        max_length=20, choices=CriteriaStatus.choices, default=CriteriaStatus.DRAFTING
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    workflow = StateMachine(
        Transition(
            "start_conflicts", source=[Phase.SETUP], target=Phase.CONFLICTS, allowed=is_coordinator
        ),
        Transition(
            "start_scoring", source=[Phase.CONFLICTS], target=Phase.SCORING, allowed=is_coordinator
        ),
        Transition(
            "start_moderation",
            source=[Phase.SCORING],
            target=Phase.MODERATION,
            allowed=is_coordinator,
        ),
        Transition(
            "close_round", source=[Phase.MODERATION], target=Phase.CLOSED, allowed=is_coordinator
        ),
        field="phase",
    )
    criteria_workflow = StateMachine(
        Transition(
            "approve_criteria",
            source=[CriteriaStatus.DRAFTING],
            target=CriteriaStatus.APPROVED,
            allowed=approves_criteria,
        ),
        # Only while the call is a draft: the service checks it.
        Transition(
            "reopen_criteria",
            source=[CriteriaStatus.APPROVED],
            target=CriteriaStatus.DRAFTING,
            allowed=is_coordinator,
        ),
        field="criteria_status",
    )
    audit_events = GenericRelation("core.AuditEvent", related_query_name="scoring_round")

    class Meta:
        verbose_name = _("scoring round")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(scale_min__lt=models.F("scale_max")),
                name="round_scale_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(lived_minimum__lte=models.F("reviewers_per_proposal")),
                name="round_lived_minimum_within_reviewers",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    lived_weight__gte=0, academic_weight__gte=0, staff_weight__gte=0
                ),
                name="round_group_weights_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"Scoring round for {self.call}"

    @property
    def panel(self):
        """The call's co-design panel: its members discuss the criteria, its chair approves."""
        return self.call.co_design_panel

    @property
    def group_weights(self) -> dict[str, object]:
        return {
            ReviewerGroup.LIVED_EXPERIENCE: self.lived_weight,
            ReviewerGroup.ACADEMIC: self.academic_weight,
            ReviewerGroup.STAFF: self.staff_weight,
        }

    @property
    def scale(self) -> range:
        return range(self.scale_min, self.scale_max + 1)


class Criterion(models.Model):
    round = models.ForeignKey(ScoringRound, on_delete=models.CASCADE, related_name="criteria")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=200)
    guidance = models.TextField(_("guidance"), blank=True)
    weight = models.DecimalField(_("weight"), max_digits=5, decimal_places=2, default=1)

    class Meta:
        ordering = ["round", "position", "pk"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(fields=["round", "position"], name="criterion_position_unique"),
            models.CheckConstraint(
                condition=models.Q(weight__gt=0), name="criterion_weight_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Descriptor(models.Model):
    """What a score means on one criterion: the anchor for one point of the scale."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="descriptors")
    point = models.PositiveSmallIntegerField(_("score"))
    text = models.CharField(_("what this score means"), max_length=500)

    class Meta:
        ordering = ["criterion", "point"]
        constraints = [
            models.UniqueConstraint(fields=["criterion", "point"], name="descriptor_point_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.point}: {self.text}"


class CriteriaComment(models.Model):
    """The co-design discussion of a round's criteria."""

    round = models.ForeignKey(ScoringRound, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Comment on {self.round}"


class RoundReviewer(models.Model):
    """Someone who reviews in a round, in one group. Being one opens the round's proposals
    (blind) to them, so it changes only through engagement.services.scoring."""

    round = models.ForeignKey(ScoringRound, on_delete=models.CASCADE, related_name="reviewers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="round_reviews"
    )
    group = models.CharField(max_length=20, choices=ReviewerGroup.choices)
    load_cap = models.PositiveSmallIntegerField(
        _("most proposals (instead of the round's)"), null=True, blank=True
    )
    added_at = models.DateTimeField(auto_now_add=True)

    access = GrantsAccess(all_fields=True)

    class Meta:
        ordering = ["round", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="round_reviewer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.round}"

    @property
    def cap(self) -> int:
        return self.load_cap if self.load_cap is not None else self.round.load_cap


class ConflictDeclaration(models.Model):
    class Reason(models.TextChoices):
        WORKS_WITH_TEAM = "works_with_team", _("I work with the team")
        SAME_ORGANISATION = "same_organisation", _("Same organisation")
        PERSONAL = "personal", _("Personal relationship")
        FINANCIAL = "financial", _("Financial interest")
        OTHER = "other", _("Another reason")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="conflicts")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="conflicts"
    )
    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices)
    note = EncryptedTextField(_("note (optional)"), blank=True, default="")
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Added by a coordinator: the reviewer cannot remove it.
    by_coordinator = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["proposal", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "reviewer"], name="conflict_unique"),
        ]

    def __str__(self) -> str:
        return f"Conflict on {self.proposal.reference}"


class ReviewAssignment(models.Model):
    """One reviewer asked to review one proposal. `explanation` holds the plan's reasons as
    data; `snapshot` the criteria, weights and scale the review was submitted against."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("To score")
        SUBMITTED = "submitted", _("Submitted")
        ABSTAINED = "abstained", _("Abstained")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    LIVE = (Status.ASSIGNED, Status.SUBMITTED)

    round = models.ForeignKey(ScoringRound, on_delete=models.CASCADE, related_name="assignments")
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="assignments")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_assignments"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ASSIGNED)
    explanation = models.JSONField(default=dict, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    snapshot = models.JSONField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    abstain_reason = models.TextField(blank=True)
    # The deadline reminder went out (once per review).
    reminded_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    workflow = StateMachine(
        Transition(
            "submit", source=[Status.ASSIGNED], target=Status.SUBMITTED, allowed=is_assignee
        ),
        Transition(
            "abstain", source=[Status.ASSIGNED], target=Status.ABSTAINED, allowed=is_assignee
        ),
        # A conflict (declared by the reviewer or a coordinator), a coordinator by hand, or
        # the system when the proposal is withdrawn.
        Transition(
            "withdraw",
            source=[Status.ASSIGNED, Status.SUBMITTED],
            target=Status.WITHDRAWN,
            allowed=is_assignee | is_coordinator,
            system=True,
        ),
        stamp="status_changed_at",
    )
    access = GrantsAccess("round", "proposal", "reviewer")
    audit_events = GenericRelation("core.AuditEvent", related_query_name="review_assignment")

    class Meta:
        ordering = ["round", "proposal", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "reviewer"],
                condition=~models.Q(status="withdrawn"),
                name="assignment_one_live_per_reviewer",
            ),
        ]
        indexes = [models.Index(fields=["reviewer", "status"], name="assignment_queue_idx")]

    def __str__(self) -> str:
        return f"{self.proposal.reference} for {self.reviewer}"


class Score(models.Model):
    """One criterion's score on one review, with the weight and scale it was given (a draft
    has no value yet; only submitted reviews count)."""

    assignment = models.ForeignKey(
        ReviewAssignment, on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    value = models.PositiveSmallIntegerField(null=True, blank=True)
    rationale = models.TextField(blank=True)
    weight = models.DecimalField(max_digits=5, decimal_places=2)
    scale_min = models.PositiveSmallIntegerField()
    scale_max = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["assignment", "criterion__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "criterion"], name="score_once_per_criterion"
            ),
            models.CheckConstraint(
                condition=models.Q(value__isnull=True)
                | models.Q(value__gte=models.F("scale_min"), value__lte=models.F("scale_max")),
                name="score_within_scale",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.value}"


class Decision(models.Model):
    class Outcome(models.TextChoices):
        FUND = "fund", _("Fund")
        RESERVE = "reserve", _("Reserve")
        REJECT = "reject", _("Do not fund")

    round = models.ForeignKey(ScoringRound, on_delete=models.CASCADE, related_name="decisions")
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    rationale = models.TextField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField()
    voters = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")

    class Meta:
        ordering = ["round", "proposal"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "proposal"], name="decision_once_per_proposal"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.proposal.reference}"
