"""Reads for research teams, their invitations and their advisory requests. What a
researcher may see is always one of these querysets, filtered by their own memberships."""

import hashlib
import re

from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from core.models import AuditEvent
from engagement.models import (
    AdvisoryRequest,
    Panel,
    ResearchTeam,
    TeamInvitation,
    TeamMembership,
)

# secrets.token_urlsafe(32): 43 characters of the URL-safe base64 alphabet.
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")


def team_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def teams_for(user: User) -> QuerySet[ResearchTeam]:
    if not user.is_authenticated:
        return ResearchTeam.objects.none()
    return ResearchTeam.objects.filter(memberships__user=user).order_by("name", "pk")


def team_detail(team: ResearchTeam) -> dict:
    """The team's members and open invitations, in two queries."""
    now = timezone.now()
    return {
        "team": team,
        "members": list(
            TeamMembership.objects.filter(team=team)
            .select_related("user")
            .order_by("user__display_name", "pk")
        ),
        "open_invitations": list(
            team.invitations.filter(status=TeamInvitation.Status.SENT, expires_at__gt=now)
            .select_related("invited_by")
            .order_by("created_at", "pk")
        ),
    }


def team_invitation_by_token(token: str) -> TeamInvitation | None:
    """The invitation a link is for, or None for a malformed or unknown token."""
    if not TOKEN_PATTERN.match(token):
        return None
    return (
        TeamInvitation.objects.select_related("team", "invited_by")
        .filter(token_hash=team_token_hash(token))
        .first()
    )


def advisory_request_detail(advisory_request: AdvisoryRequest) -> dict:
    """What the request page shows: its topics, languages, panel and history."""
    labels = dict(AdvisoryRequest.Status.choices)
    history = list(
        AuditEvent.objects.filter(advisory_request=advisory_request)
        .exclude(to_state="")
        .select_related("actor")
        .order_by("created_at", "pk")
    )
    for event in history:
        event.from_label = labels.get(event.from_state, event.from_state)
        event.to_label = labels.get(event.to_state, event.to_state)
    return {
        "advisory_request": advisory_request,
        "topics": list(advisory_request.topics.all()),
        "languages": list(advisory_request.languages.all()),
        "panel": Panel.objects.filter(request=advisory_request).first(),
        "history": history,
    }


def researcher_dashboard(user: User) -> dict:
    """The person's teams, each with its requests (newest first) and its panels with how many
    seats are filled today, in three queries."""
    today = timezone.localdate()
    current = Q(memberships__started_on__lte=today) & (
        Q(memberships__ended_on__isnull=True) | Q(memberships__ended_on__gte=today)
    )
    panels = Panel.objects.annotate(filled=Count("memberships", filter=current)).order_by("name")
    teams = list(
        teams_for(user).prefetch_related(
            Prefetch("requests", queryset=AdvisoryRequest.objects.order_by("-created_at", "-pk"))
        )
    )
    team_panels = {}
    for panel in panels.filter(request__team__in=[t.pk for t in teams]).select_related("request"):
        team_panels.setdefault(panel.request.team_id, []).append(panel)
    for team in teams:
        team.panel_list = team_panels.get(team.pk, [])
    return {"teams": teams}


def advisory_requests_waiting() -> dict:
    """How many requests wait for a coordinator, and how long the oldest has waited."""
    row = AdvisoryRequest.objects.filter(status=AdvisoryRequest.Status.SUBMITTED).aggregate(
        n=Count("pk"), since=Min("submitted_at")
    )
    since = row["since"]
    days = (timezone.localdate() - timezone.localdate(since)).days if since else None
    return {"count": row["n"], "oldest_days": days}


def advisory_requests_for_triage() -> QuerySet[AdvisoryRequest]:
    """Every request a team has sent (drafts stay the team's own), oldest first."""
    return (
        AdvisoryRequest.objects.exclude(status=AdvisoryRequest.Status.DRAFT)
        .select_related("team")
        .order_by("submitted_at", "pk")
    )
