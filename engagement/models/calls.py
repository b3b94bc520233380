"""Funding calls and the proposals research teams submit to them."""

import uuid

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.rules import is_coordinator
from core.transitions import StateMachine, Transition
from core.uploads import PrivateStorage
from core.validators import validate_name_characters
from engagement.models.experts import Topic
from engagement.models.panels import Panel
from engagement.predicates import is_team_member


class FundingCall(models.Model):
    """A call for research proposals. Its scoring round's criteria are co-designed by a
    lived-experience panel and must be approved before the call opens."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    summary = models.TextField(_("summary"))
    eligibility = models.TextField(_("who can apply"), blank=True)
    budget = models.DecimalField(_("budget (£)"), max_digits=12, decimal_places=2)
    opens_at = models.DateTimeField(_("opens"))
    closes_at = models.DateTimeField(_("closes"))
    requires_partner = models.BooleanField(
        _("proposals must name a non-academic partner"), default=False
    )
    co_design_panel = models.ForeignKey(
        Panel,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="co_designed_calls",
        verbose_name=_("co-design panel"),
        help_text=_("The lived-experience panel that co-designs the criteria."),
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    workflow = StateMachine(
        Transition("open", source=[Status.DRAFT], target=Status.OPEN, allowed=is_coordinator),
        # Also the periodic job, once closes_at has passed.
        Transition(
            "close",
            source=[Status.OPEN],
            target=Status.CLOSED,
            allowed=is_coordinator,
            system=True,
        ),
        stamp="status_changed_at",
    )
    audit_events = GenericRelation("core.AuditEvent", related_query_name="funding_call")

    class Meta:
        ordering = ["-opens_at", "pk"]
        verbose_name = _("funding call")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(budget__gte=0), name="call_budget_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(closes_at__gt=models.F("opens_at")),
                name="call_closes_after_opening",
            ),
        ]

    def __str__(self) -> str:
        return self.title


def proposal_storage() -> PrivateStorage:
    return PrivateStorage("PROPOSAL_ATTACHMENTS_ROOT")


def proposal_upload_to(instance, filename: str) -> str:
    # The uploaded name is ignored: it may name a person or an organisation.
    return f"{uuid.uuid4().hex}.pdf"


class Proposal(models.Model):
    """A research proposal to a call, submitted by a research team or imported by staff.

    Blind reviewers see only `reference`, `title`, `lay_summary` and `anonymised_summary`;
    the team, organisations and attachment are for staff and the team itself."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    BLIND_FIELDS = ("id", "reference", "title", "lay_summary", "anonymised_summary")

    call = models.ForeignKey(FundingCall, on_delete=models.PROTECT, related_name="proposals")
    team = models.ForeignKey(
        "engagement.ResearchTeam",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    reference = models.CharField(_("reference"), max_length=20)
    title = models.CharField(_("title"), max_length=300)
    lay_summary = models.TextField(_("summary in plain language"))
    full_summary = models.TextField(_("full summary"))
    anonymised_summary = models.TextField(
        _("anonymised summary"),
        blank=True,
        help_text=_("What blind reviewers read instead of the full summary."),
    )
    budget = models.DecimalField(_("budget (£)"), max_digits=12, decimal_places=2)
    lead_organisation = models.CharField(
        _("lead organisation"), max_length=200, validators=[validate_name_characters]
    )
    team_description = models.TextField(_("about the team"), blank=True)
    partner_organisations = models.TextField(
        _("partner organisations"), blank=True, help_text=_("One per line.")
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="proposals")
    attachment = models.FileField(
        _("proposal document (PDF)"),
        storage=proposal_storage,
        upload_to=proposal_upload_to,
        max_length=100,
        blank=True,
    )
    # A CSV row's id for an imported proposal (empty for one submitted here): a re-import
    # finds it instead of adding it again.
    import_key = models.CharField(max_length=100, blank=True, default="")
    # The key the submission form carries: sent twice, it finds the proposal it made.
    submit_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    workflow = StateMachine(
        Transition(
            "withdraw",
            source=[Status.SUBMITTED],
            target=Status.WITHDRAWN,
            allowed=is_team_member | is_coordinator,
        ),
        stamp="status_changed_at",
    )
    audit_events = GenericRelation("core.AuditEvent", related_query_name="proposal")

    class Meta:
        ordering = ["call", "reference"]
        verbose_name = _("proposal")
        constraints = [
            models.UniqueConstraint(fields=["call", "reference"], name="proposal_reference_unique"),
            models.UniqueConstraint(
                fields=["call", "import_key"],
                condition=~models.Q(import_key=""),
                name="proposal_import_key_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(budget__gte=0), name="proposal_budget_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    @property
    def partners(self) -> list[str]:
        return [line.strip() for line in self.partner_organisations.splitlines() if line.strip()]
