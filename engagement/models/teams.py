from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.transitions import GrantsAccess, StateMachine, Transition
from core.validators import validate_name_characters
from engagement.predicates import is_invited_person, is_team_member


class ResearchTeam(models.Model):
    """A research team (part of an organisation) that asks experts for advice. Its members
    see its requests, panels and sessions, so who belongs to it changes only through
    engagement.services.teams."""

    name = models.CharField(_("team name"), max_length=200, validators=[validate_name_characters])
    organisation = models.CharField(
        _("organisation"), max_length=200, validators=[validate_name_characters]
    )
    description = models.TextField(_("about the team"), max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    access = GrantsAccess("memberships")
    audit_events = GenericRelation("core.AuditEvent", related_query_name="team")

    class Meta:
        ordering = ["name"]
        verbose_name = _("research team")

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"


class TeamMembership(models.Model):
    team = models.ForeignKey(ResearchTeam, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships"
    )
    joined_at = models.DateTimeField(auto_now_add=True)
    access = GrantsAccess(all_fields=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="team_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"


class TeamInvitation(models.Model):
    """An invitation by email to join a research team. Only a hash of its one-time token is
    stored; the token itself travels only in the (encrypted) email."""

    class Status(models.TextChoices):
        SENT = "sent", _("Sent")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Withdrawn")
        EXPIRED = "expired", _("Expired")

    team = models.ForeignKey(ResearchTeam, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("email address"))
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SENT)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    status_changed_at = models.DateTimeField(null=True, blank=True)

    workflow = StateMachine(
        Transition(
            "accept", source=[Status.SENT], target=Status.ACCEPTED, allowed=is_invited_person
        ),
        Transition("revoke", source=[Status.SENT], target=Status.REVOKED, allowed=is_team_member),
        Transition("expire", source=[Status.SENT], target=Status.EXPIRED, system=True),
        stamp="status_changed_at",
    )
    audit_events = GenericRelation("core.AuditEvent", related_query_name="team_invitation")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One open invitation per address and team: a second one would be a duplicate.
            models.UniqueConstraint(
                fields=["team", "email"],
                condition=models.Q(status="sent"),
                name="team_invitation_one_open_per_address",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation to {self.team}"
