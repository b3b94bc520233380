from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.rules import is_coordinator
from core.transitions import StateMachine, Transition
from engagement.models.experts import Language, Topic
from engagement.models.teams import ResearchTeam
from engagement.predicates import is_team_member


class ResearchStage(models.TextChoices):
    DESIGN = "design", _("Designing the research")
    DATA_COLLECTION = "data_collection", _("Collecting data")
    ANALYSIS = "analysis", _("Making sense of the findings")
    DISSEMINATION = "dissemination", _("Sharing the results")


class InputKind(models.TextChoices):
    PANEL_MEETING = "panel_meeting", _("Panel meetings")
    DOCUMENT_REVIEW = "document_review", _("Reviewing documents")
    CO_DESIGN = "co_design", _("A co-design workshop")


class RequestFormat(models.TextChoices):
    ONLINE = "online", _("Online")
    IN_PERSON = "in_person", _("In person")
    EITHER = "either", _("Either")


class AdvisoryRequest(models.Model):
    """A research team asking for lived-experience advice. A coordinator triages it; an
    accepted request gets a panel."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Waiting for a coordinator")
        CHANGES_REQUESTED = "changes_requested", _("Changes asked for")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Not accepted")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    team = models.ForeignKey(ResearchTeam, on_delete=models.PROTECT, related_name="requests")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)

    title = models.CharField(_("a short name for this research"), max_length=200)
    about = models.TextField(_("what the research is about"), max_length=3000)
    stage = models.CharField(_("research stage"), max_length=20, choices=ResearchStage.choices)
    input_kind = models.CharField(_("kind of input"), max_length=20, choices=InputKind.choices)
    topics = models.ManyToManyField(Topic, blank=True, related_name="requests")
    languages = models.ManyToManyField(Language, blank=True, related_name="requests")
    experts_wanted = models.PositiveSmallIntegerField(
        _("number of experts"), validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    prep_hours = models.DecimalField(
        _("preparation hours per expert"), max_digits=4, decimal_places=1
    )
    session_hours = models.DecimalField(
        _("session hours per expert"), max_digits=4, decimal_places=1
    )
    earliest_date = models.DateField(_("from"))
    latest_date = models.DateField(_("until"))
    format = models.CharField(_("format"), max_length=20, choices=RequestFormat.choices)
    place = models.CharField(_("place"), max_length=200, blank=True)
    content_notes = models.TextField(_("content notes"), max_length=2000, blank=True)
    agrees_to_fund = models.BooleanField(_("agrees to fund honoraria"), default=False)

    # Each new-request form carries a fresh key: the same form sent twice (a double click, a
    # retry) finds the draft it made the first time instead of making another.
    draft_key = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    workflow = StateMachine(
        Transition(
            "submit",
            source=[Status.DRAFT, Status.CHANGES_REQUESTED],
            target=Status.SUBMITTED,
            allowed=is_team_member,
        ),
        Transition(
            "accept", source=[Status.SUBMITTED], target=Status.ACCEPTED, allowed=is_coordinator
        ),
        Transition(
            "request_changes",
            source=[Status.SUBMITTED],
            target=Status.CHANGES_REQUESTED,
            allowed=is_coordinator,
        ),
        Transition(
            "decline", source=[Status.SUBMITTED], target=Status.DECLINED, allowed=is_coordinator
        ),
        Transition(
            "withdraw",
            source=[Status.DRAFT, Status.SUBMITTED, Status.CHANGES_REQUESTED],
            target=Status.WITHDRAWN,
            allowed=is_team_member,
        ),
        stamp="status_changed_at",
    )
    audit_events = GenericRelation("core.AuditEvent", related_query_name="advisory_request")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("advisory request")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latest_date__gte=models.F("earliest_date")),
                name="request_dates_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(experts_wanted__gte=1, experts_wanted__lte=20),
                name="request_experts_wanted_1_to_20",
            ),
            models.CheckConstraint(
                condition=models.Q(prep_hours__gte=0, session_hours__gt=0),
                name="request_hours_positive",
            ),
        ]

    def __str__(self) -> str:
        return self.title
