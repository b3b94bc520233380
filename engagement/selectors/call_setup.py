"""Reads for the coordinators' admin pages of funding calls and scoring rounds. Staff see
proposals in full (team and organisations); nothing here is shown to reviewers."""

from django.db.models import Count, Q, QuerySet

from engagement.models import (
    ConflictDeclaration,
    FundingCall,
    Proposal,
    ReviewAssignment,
    RoundReviewer,
    ScoringRound,
)

LIVE = (ReviewAssignment.Status.ASSIGNED, ReviewAssignment.Status.SUBMITTED)


def call_list_for_staff() -> QuerySet[FundingCall]:
    """Every call with its number of proposals (withdrawn ones included). One query."""
    return FundingCall.objects.annotate(
        proposal_count=Count("proposals", distinct=True),
        live_proposal_count=Count(
            "proposals", filter=Q(proposals__status=Proposal.Status.SUBMITTED), distinct=True
        ),
    )


def call_for_staff(call_id) -> FundingCall | None:
    """One call with its co-design panel and its round (or None for no such call)."""
    return (
        call_list_for_staff()
        .select_related("co_design_panel", "round", "round__approved_by")
        .filter(pk=call_id)
        .first()
    )


def call_proposals(call: FundingCall) -> QuerySet[Proposal]:
    """The call's proposals by reference, each with its team (staff only). One query."""
    return (
        Proposal.objects.filter(call=call)
        .select_related("team")
        .defer("full_summary", "anonymised_summary", "lay_summary", "team_description")
        .order_by("reference", "pk")
    )


def round_for_staff(round_id) -> ScoringRound | None:
    return (
        ScoringRound.objects.select_related("call", "call__co_design_panel", "approved_by")
        .filter(pk=round_id)
        .first()
    )


def round_counts(scoring_round: ScoringRound) -> dict:
    """How many reviewers, declared conflicts, criteria and live proposals the round has.
    One query."""
    counts = ScoringRound.objects.filter(pk=scoring_round.pk).aggregate(
        reviewers=Count("reviewers", distinct=True),
        criteria=Count("criteria", distinct=True),
        assignments=Count("assignments", filter=Q(assignments__status__in=LIVE), distinct=True),
    )
    counts["conflicts"] = ConflictDeclaration.objects.filter(
        proposal__call_id=scoring_round.call_id
    ).count()
    counts["proposals"] = Proposal.objects.filter(
        call_id=scoring_round.call_id, status=Proposal.Status.SUBMITTED
    ).count()
    return counts


def round_reviewers(scoring_round: ScoringRound) -> list[RoundReviewer]:
    """The round's reviewers by group and name, each with `live` (reviews assigned or
    submitted) and `cap` (their own limit or the round's). Two queries."""
    loads = dict(
        ReviewAssignment.objects.filter(round=scoring_round, status__in=LIVE)
        .values("reviewer_id")
        .annotate(n=Count("pk"))
        .values_list("reviewer_id", "n")
        .order_by()
    )
    reviewers = list(
        RoundReviewer.objects.filter(round=scoring_round)
        .select_related("user")
        .order_by("group", "user__display_name", "pk")
    )
    for reviewer in reviewers:
        reviewer.live = loads.get(reviewer.user_id, 0)
        reviewer.cap_shown = (
            reviewer.load_cap if reviewer.load_cap is not None else scoring_round.load_cap
        )
    return reviewers


def round_conflicts(scoring_round: ScoringRound) -> QuerySet[ConflictDeclaration]:
    """Every conflict declared on the round's proposals, by proposal, with who declared it.
    One query."""
    return (
        ConflictDeclaration.objects.filter(proposal__call_id=scoring_round.call_id)
        .select_related("proposal", "reviewer", "declared_by")
        .order_by("proposal__reference", "reviewer__display_name", "pk")
    )
