"""Research teams and who belongs to them. Team members see the team's requests and panels,
so membership changes only here: a researcher creates a team (and is its first member), or
accepts an emailed invitation with a verified address. Invitations carry a one-time token
whose sha256 hash alone is stored; the token travels only in the (encrypted) outbox email."""

import secrets
from datetime import timedelta

from django.contrib.auth.models import Group
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role, has_role
from core.services.audit import audit_record
from core.services.outbox import email_queue_template
from core.transitions import TransitionNotAllowed, transition_run
from engagement.models import ResearchTeam, TeamInvitation, TeamMembership
from engagement.predicates import is_team_member
from engagement.selectors.teams import team_token_hash

INVITATION_DAYS = 7


def team_create(*, name: str, organisation: str, description: str, by: User) -> ResearchTeam:
    """A new team with its creator as first member. Sending the same name and organisation
    twice (a double click) returns the team made the first time."""
    if not has_role(by, Role.RESEARCHER):
        raise TransitionNotAllowed(_("Only researchers can create a research team."))
    with transaction.atomic():
        # Serialise one person's submissions, so a double click cannot make two teams.
        User.objects.select_for_update().filter(pk=by.pk).first()
        existing = ResearchTeam.objects.filter(
            name=name, organisation=organisation, memberships__user=by
        ).first()
        if existing is not None:
            return existing
        team = ResearchTeam.objects.create(
            name=name, organisation=organisation, description=description
        )
        TeamMembership.objects.create(team=team, user=by)
        audit_record(actor=by, action="researchteam.create", subject=team)
        audit_record(
            actor=by, action="researchteam.member_add", subject=team, extra={"user_id": by.pk}
        )
    return team


def _expire_stale(team: ResearchTeam, email: str) -> None:
    stale = TeamInvitation.objects.filter(
        team=team,
        email__iexact=email,
        status=TeamInvitation.Status.SENT,
        expires_at__lte=timezone.now(),
    )
    for invitation in stale:
        transition_run(invitation, "expire", by=None)


def team_invitation_send(*, team: ResearchTeam, email: str, by: User) -> TeamInvitation:
    """Invite a colleague by email. Only team members invite; an address already in the team
    or with an open invitation is refused, so nothing is sent twice."""
    email = email.strip().lower()
    with transaction.atomic():
        team = ResearchTeam.objects.select_for_update().get(pk=team.pk)
        if not is_team_member(by, team):
            raise TransitionNotAllowed(_("Only members of this team can invite people to it."))
        if team.memberships.filter(user__email__iexact=email).exists():
            raise TransitionNotAllowed(_("Someone with that email address is already in the team."))
        _expire_stale(team, email)
        if team.invitations.filter(email__iexact=email, status=TeamInvitation.Status.SENT).exists():
            raise TransitionNotAllowed(
                _(
                    "We have already invited that email address. To send a new link, withdraw "
                    "the invitation first."
                )
            )
        token = secrets.token_urlsafe(32)
        invitation = TeamInvitation.objects.create(
            team=team,
            email=email,
            token_hash=team_token_hash(token),
            invited_by=by,
            expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
        )
        audit_record(actor=by, action="teaminvitation.send", subject=invitation)
        email_queue_template(
            template="team_invitation",
            to_address=email,
            context={
                "team": team,
                "inviter": by.display_name,
                "path": reverse("team_invitation", args=[token]),
                "expires_at": invitation.expires_at,
            },
        )
    return invitation


def team_invitation_accept(*, invitation: TeamInvitation, by: User) -> TeamMembership:
    """Join the team the invitation is for, as a researcher. Only the person who verified the
    invited address may, once, before it expires."""

    def in_time(locked: TeamInvitation) -> None:
        if locked.expires_at <= timezone.now():
            raise TransitionNotAllowed(_("This invitation has expired."))

    joined = {}

    def join(locked: TeamInvitation) -> None:
        membership, created = TeamMembership.objects.get_or_create(team=locked.team, user=by)
        by.groups.add(Group.objects.get(name=Role.RESEARCHER.value))
        if created:
            audit_record(
                actor=by,
                action="researchteam.member_add",
                subject=locked.team,
                extra={"user_id": by.pk, "invitation_id": locked.pk},
            )
        joined["membership"] = membership

    transition_run(invitation, "accept", by=by, check=in_time, effects=join)
    return joined["membership"]


def team_invitation_revoke(*, invitation: TeamInvitation, by: User) -> TeamInvitation:
    """Withdraw an open invitation: its link stops working."""
    return transition_run(invitation, "revoke", by=by)
