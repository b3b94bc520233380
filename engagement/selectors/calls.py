"""Reads for funding calls: what the public sees of them, and a research team's own proposals.

A draft call is never public: every read here starts from `calls_public()`. What a call page
shows (criteria, descriptors, group weights, the co-design panel's name) is read in a fixed
number of queries, whatever the number of calls, criteria or proposals."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from engagement.models import Criterion, FundingCall, Proposal, ResearchTeam, ScoringRound
from engagement.models.scoring import ReviewerGroup

OPEN = "open"
UPCOMING = "upcoming"
CLOSED = "closed"


def calls_public() -> QuerySet[FundingCall]:
    """Every call anybody may read about: open, opening later, or closed; never a draft."""
    return FundingCall.objects.exclude(status=FundingCall.Status.DRAFT).select_related(
        "co_design_panel"
    )


def call_state(call: FundingCall, now: datetime | None = None) -> str:
    """OPEN while proposals are taken, UPCOMING before the call opens, CLOSED after (or once
    closed by hand). A draft is never asked about here."""
    now = now or timezone.now()
    if call.status == FundingCall.Status.OPEN and call.opens_at <= now < call.closes_at:
        return OPEN
    if call.status == FundingCall.Status.OPEN and now < call.opens_at:
        return UPCOMING
    return CLOSED


def calls_public_grouped() -> dict[str, list[FundingCall]]:
    """The public calls in one query: open ones closing soonest first, upcoming ones opening
    soonest first, closed ones most recent first."""
    now = timezone.now()
    groups: dict[str, list[FundingCall]] = {OPEN: [], UPCOMING: [], CLOSED: []}
    for call in calls_public().order_by("closes_at", "pk"):
        groups[call_state(call, now)].append(call)
    groups[UPCOMING].sort(key=lambda call: (call.opens_at, call.pk))
    groups[CLOSED].reverse()
    return groups


@dataclass(frozen=True)
class GroupWeight:
    group: str
    label: str
    weight: Decimal
    percent: int  # of the whole, when every group has reviewed a proposal


GROUP_PHRASES = {
    ReviewerGroup.LIVED_EXPERIENCE: _("experts with lived experience"),
    ReviewerGroup.ACADEMIC: _("academic reviewers"),
    ReviewerGroup.STAFF: _("staff reviewers"),
}


def group_weights_published(scoring_round: ScoringRound) -> list[GroupWeight]:
    """The round's group weights as the call page publishes them: each group's share of a
    proposal's score (engagement.aggregation weights each group's mean by them)."""
    weights = scoring_round.group_weights
    total = sum(weights.values())
    return [
        GroupWeight(
            group=group,
            label=GROUP_PHRASES[group],
            weight=weight,
            percent=round(weight * 100 / total) if total else 0,
        )
        for group, weight in weights.items()
    ]


def call_public_detail(slug: str) -> dict | None:
    """The public call with this slug and everything its page shows, or None (no such call,
    or a draft). Three queries: the call with its round and panel, the criteria, their
    descriptors."""
    call = (
        calls_public()
        .select_related("round")
        .prefetch_related(
            Prefetch(
                "round__criteria",
                queryset=Criterion.objects.order_by("position", "pk").prefetch_related(
                    "descriptors"
                ),
            )
        )
        .filter(slug=slug)
        .first()
    )
    if call is None:
        return None
    scoring_round = getattr(call, "round", None)
    return {
        "call": call,
        "state": call_state(call),
        "round": scoring_round,
        "criteria": list(scoring_round.criteria.all()) if scoring_round else [],
        "group_weights": group_weights_published(scoring_round) if scoring_round else [],
    }


def call_for_applicants(slug: str) -> FundingCall | None:
    """A public call by its slug, for the submission pages (None for a draft or no call)."""
    return calls_public().filter(slug=slug).first()


def teams_of(user: User) -> list[ResearchTeam]:
    if not user.is_authenticated:
        return []
    return list(ResearchTeam.objects.filter(memberships__user=user).order_by("name", "pk"))


def proposals_of_teams(*, call: FundingCall, teams: list[ResearchTeam]) -> list[Proposal]:
    """The proposals these teams made to the call, newest first, in one query."""
    return list(
        Proposal.objects.filter(call=call, team__in=teams)
        .select_related("team")
        .order_by("-submitted_at", "-pk")
    )


def proposal_of_teams(*, call: FundingCall, teams: list[ResearchTeam], pk) -> Proposal | None:
    """One of the teams' proposals to the call, or None (another team's, or none)."""
    return Proposal.objects.filter(call=call, team__in=teams, pk=pk).select_related("team").first()
