from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedTextField
from core.transitions import StateMachine, Transition
from engagement.models.experts import ExpertProfile
from engagement.models.panels import Panel, PanelMembership
from engagement.predicates import is_invitee, runs_panel


class InvitationQuerySet(models.QuerySet):
    def waiting_to_send(self):
        """Invitations a coordinator (or a freed seat) has asked to send, not yet sent."""
        return self.filter(status=Invitation.Status.PENDING, send_requested_at__isnull=False)

    def waitlisted(self):
        return self.filter(
            status=Invitation.Status.PENDING, send_requested_at__isnull=True
        ).order_by("position", "pk")

    def outstanding(self):
        """Seats taken or promised: accepted, sent and not yet answered, or about to go."""
        return self.filter(
            models.Q(status__in=[Invitation.Status.ACCEPTED, Invitation.Status.SENT])
            | models.Q(status=Invitation.Status.PENDING, send_requested_at__isnull=False)
        )


class Invitation(models.Model):
    """An invitation for one expert to join one panel.

    PENDING with `send_requested_at` set means "to send": the send task (and, if the broker
    was down, the sweeper) sends it exactly once by the `send` transition. PENDING without it
    is a place on the ordered waitlist, sent when a seat frees up. Only a hash of the one-time
    token is stored; the token travels only in the (encrypted) email."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Not sent yet")
        SENT = "sent", _("Waiting for an answer")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="invitations")
    expert = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="invitations")
    role = models.CharField(
        _("role offered"),
        max_length=20,
        choices=PanelMembership.Role.choices,
        default=PanelMembership.Role.MEMBER,
    )
    position = models.PositiveIntegerField(_("order"), default=0)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    send_requested_at = models.DateTimeField(null=True, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    decline_reason = EncryptedTextField(_("reason (optional)"), blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()
    workflow = StateMachine(
        # Sent by the send task (system), never from a request: a retried task finds the
        # invitation already sent and sends nothing.
        Transition("send", source=[Status.PENDING], target=Status.SENT, system=True),
        Transition("accept", source=[Status.SENT], target=Status.ACCEPTED, allowed=is_invitee),
        Transition("decline", source=[Status.SENT], target=Status.DECLINED, allowed=is_invitee),
        Transition("expire", source=[Status.SENT], target=Status.EXPIRED, system=True),
        Transition(
            "withdraw",
            source=[Status.PENDING, Status.SENT],
            target=Status.WITHDRAWN,
            allowed=runs_panel,
        ),
        stamp="status_changed_at",
    )
    audit_events = GenericRelation("core.AuditEvent", related_query_name="invitation")

    class Meta:
        ordering = ["panel", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["panel", "expert"], name="invitation_one_per_expert"),
            models.CheckConstraint(
                condition=~models.Q(status="sent")
                | models.Q(
                    token_hash__isnull=False, sent_at__isnull=False, expires_at__isnull=False
                ),
                name="invitation_sent_has_token_and_expiry",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "expires_at"], name="invitation_due_idx"),
        ]

    def __str__(self) -> str:
        return f"Invitation to {self.panel}"
