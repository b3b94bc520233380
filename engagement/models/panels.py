from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedTextField
from core.transitions import GrantsAccess
from core.validators import validate_name_characters
from engagement.models.experts import ExpertProfile, Region


class Panel(models.Model):
    """A group of experts advising together: a standing panel, or one formed for a research
    team's request. Its coordinators may see members' access needs, so who coordinates it and
    who belongs to it change only through engagement.services.panels and invitations."""

    class Kind(models.TextChoices):
        STANDING = "standing", _("Standing panel")
        REQUEST = "request", _("For a research request")

    name = models.CharField(_("name"), max_length=200, validators=[validate_name_characters])
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.STANDING)
    request = models.OneToOneField(
        "engagement.AdvisoryRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="panel",
    )
    region = models.CharField(
        _("region"),
        max_length=20,
        choices=Region.choices,
        blank=True,
        help_text=_("Where in-person meetings happen, if they do. Used to suggest experts nearby."),
    )
    seats = models.PositiveSmallIntegerField(
        _("experts wanted"),
        default=0,
        help_text=_("How many experts the panel needs. Invitations go out until it is full."),
    )
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="coordinated_panels",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    access = GrantsAccess("coordinators", "memberships")
    audit_events = GenericRelation("core.AuditEvent", related_query_name="panel")

    class Meta:
        ordering = ["name"]
        verbose_name = _("panel")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="standing", request__isnull=True)
                | models.Q(kind="request", request__isnull=False),
                name="panel_request_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def team_id(self):
        """The research team a request panel works for (None for a standing panel)."""
        return self.request.team_id if self.request_id else None


class PanelMembershipQuerySet(models.QuerySet):
    def current(self, on=None):
        """Memberships in force on a day (today by default): started, and not yet ended."""
        day = on or timezone.localdate()
        return self.filter(started_on__lte=day).filter(
            models.Q(ended_on__isnull=True) | models.Q(ended_on__gte=day)
        )


class PanelMembership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        CHAIR = "chair", _("Chair")

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="memberships")
    expert = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.MEMBER)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)

    objects = PanelMembershipQuerySet.as_manager()
    access = GrantsAccess(all_fields=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["panel", "expert"], name="panel_membership_unique"),
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="panel_membership_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.expert} in {self.panel}"


class PanelSuggestion(models.Model):
    """A chair suggests someone for the panel. Chairs cannot browse the expert directory, so
    the suggestion is in their words (encrypted: it may name a person); a coordinator acts on
    it."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="suggestions")
    suggested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = EncryptedTextField(_("who and why"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Suggestion for {self.panel}"
