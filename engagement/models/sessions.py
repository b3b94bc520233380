import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedTextField
from core.transitions import StateMachine, Transition
from engagement.models.experts import ExpertProfile
from engagement.models.panels import Panel
from engagement.predicates import chairs_or_coordinates, runs_panel


class SessionFormat(models.TextChoices):
    ONLINE = "online", _("Online (video call)")
    IN_PERSON = "in_person", _("In person")


class AccessSupport(models.TextChoices):
    CAPTIONS = "captions", _("Live captions")
    BSL = "bsl", _("British Sign Language interpreter")
    INTERPRETER = "interpreter", _("Spoken-language interpreter")
    EASY_READ = "easy_read", _("Easy read papers")
    LARGE_PRINT = "large_print", _("Large print papers")
    BREAKS = "breaks", _("Regular breaks")
    STEP_FREE = "step_free", _("Step-free access")
    SUPPORT_PERSON = "support_person", _("A support person is welcome")
    QUIET_ROOM = "quiet_room", _("A quiet room")


class PanelSession(models.Model):
    """A meeting of a panel. Joining details (a video link, a room) are for the panel's
    accepted members and its coordinators only. Every change bumps `sequence`, so calendar
    updates replace the event people already have (RFC 5545: same UID, higher SEQUENCE)."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="sessions")
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts"))
    duration_minutes = models.PositiveSmallIntegerField(_("length in minutes"))
    prep_minutes = models.PositiveSmallIntegerField(_("preparation in minutes"), default=0)
    format = models.CharField(_("format"), max_length=20, choices=SessionFormat.choices)
    place = models.CharField(_("town or city"), max_length=200, blank=True)
    joining_details = EncryptedTextField(
        _("joining details"),
        blank=True,
        default="",
        help_text=_("The video link, or the address and room. Only members see this."),
    )
    access_support = models.JSONField(_("access support offered"), default=list, blank=True)
    agenda = models.TextField(_("agenda"), max_length=5000, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    sequence = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    workflow = StateMachine(
        Transition(
            "cancel",
            source=[Status.SCHEDULED],
            target=Status.CANCELLED,
            allowed=runs_panel,
        ),
        stamp="status_changed_at",
    )
    audit_events = GenericRelation("core.AuditEvent", related_query_name="panel_session")

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=15, duration_minutes__lte=600),
                name="session_duration_15_to_600",
            ),
        ]
        indexes = [models.Index(fields=["panel", "starts_at"], name="session_panel_start_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def ends_at(self):
        return self.starts_at + timedelta(minutes=self.duration_minutes)


class SessionNote(models.Model):
    """What was said in a session, written by the coordinator; the chair (or, without a
    chair, a coordinator) approves it before the research team may read it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved for the research team")

    session = models.OneToOneField(PanelSession, on_delete=models.CASCADE, related_name="note")
    text = models.TextField(_("notes"), max_length=20000)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    updated_at = models.DateTimeField(auto_now=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    workflow = StateMachine(
        Transition(
            "approve", source=[Status.DRAFT], target=Status.APPROVED, allowed=chairs_or_coordinates
        ),
        stamp="status_changed_at",
    )
    audit_events = GenericRelation("core.AuditEvent", related_query_name="session_note")

    def __str__(self) -> str:
        return f"Notes of {self.session}"


class Attendance(models.Model):
    """Who took part in a session: the record payments turn into an honorarium."""

    session = models.ForeignKey(PanelSession, on_delete=models.CASCADE, related_name="attendance")
    expert = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="attendance")
    attended = models.BooleanField(_("took part"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)
    debrief_requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "expert"], name="attendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.expert} at {self.session}"


class ImpactRecord(models.Model):
    """ "You said, we did": what the research team heard in a session and what it changed
    (or why it did not)."""

    session = models.OneToOneField(PanelSession, on_delete=models.CASCADE, related_name="impact")
    heard = models.TextField(_("what we heard"), max_length=5000)
    changed = models.TextField(_("what we changed"), max_length=5000, blank=True)
    not_changed = models.TextField(
        _("what we did not change, and why"), max_length=5000, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"You said, we did: {self.session}"


class ImpactRating(models.Model):
    """An expert's private answer to "did you feel listened to?". Coordinators see them per
    panel; the research team never sees who said what."""

    class Answer(models.TextChoices):
        YES = "yes", _("Yes")
        PARTLY = "partly", _("Partly")
        NO = "no", _("No")

    impact = models.ForeignKey(ImpactRecord, on_delete=models.CASCADE, related_name="ratings")
    expert = models.ForeignKey(
        ExpertProfile, on_delete=models.CASCADE, related_name="impact_ratings"
    )
    answer = models.CharField(_("did you feel listened to?"), max_length=10, choices=Answer.choices)
    note = EncryptedTextField(_("anything else (optional)"), blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["impact", "expert"], name="impact_rating_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_answer_display()}"
