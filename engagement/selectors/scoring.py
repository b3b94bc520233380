"""Reads for scoring rounds: a reviewer's queue, the blind proposal they review, conflict
suggestions, the round's scores, the moderation table and its CSV export.

Blind: whatever a reviewer can reach returns a proposal's reference, title, lay summary and
anonymised summary only (Proposal.BLIND_FIELDS), never its team, organisations or
document."""

import math
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, Count, Exists, F, IntegerField, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce

from core.spreadsheets import csv_safe
from engagement import aggregation
from engagement.models import (
    ConflictDeclaration,
    Criterion,
    Decision,
    Descriptor,
    Proposal,
    ReviewAssignment,
    RoundReviewer,
    Score,
    ScoringRound,
    Topic,
)

WORDS_PER_MINUTE = 200
LIVE = [ReviewAssignment.Status.ASSIGNED, ReviewAssignment.Status.SUBMITTED]
# Soonest deadline first; a round without one last (SQLite would put it first).
DEADLINE_LAST = F("round__deadline").asc(nulls_last=True)


@dataclass(frozen=True)
class QueueItem:
    assignment_id: int
    round_id: int
    status: str
    reference: str
    title: str
    lay_summary: str
    criteria_scored: int
    criteria_total: int
    deadline: datetime | None
    reading_minutes: int


@dataclass(frozen=True)
class ReviewQueue:
    items: list[QueueItem]
    scored: int  # reviews submitted
    total: int  # reviews to do or done
    deadline: datetime | None  # the soonest deadline among the reviews still to do

    @property
    def percent(self) -> int:
        return round(100 * self.scored / self.total) if self.total else 0


def reading_minutes(*texts: str) -> int:
    words = sum(len(text.split()) for text in texts)
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def review_queue_for(user) -> ReviewQueue:
    """The reviews a person has in rounds that are scoring: to do first, then submitted, by
    deadline and reference, with the number of criteria scored so far. One query."""
    criteria_total = (
        Criterion.objects.filter(round=OuterRef("round"))
        .order_by()
        .values("round")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        ReviewAssignment.objects.filter(
            reviewer=user, status__in=LIVE, round__phase=ScoringRound.Phase.SCORING
        )
        .annotate(
            criteria_scored=Count("scores", filter=Q(scores__value__isnull=False)),
            criteria_total=Coalesce(Subquery(criteria_total, output_field=IntegerField()), 0),
        )
        # "assigned" sorts before "submitted": reviews to do come first. A round without a
        # deadline comes last, on SQLite as on PostgreSQL.
        .order_by("status", DEADLINE_LAST, "proposal__reference", "pk")
        .values_list(
            "pk",
            "round_id",
            "status",
            "proposal__reference",
            "proposal__title",
            "proposal__lay_summary",
            "proposal__anonymised_summary",
            "criteria_scored",
            "criteria_total",
            "round__deadline",
        )
    )
    items = [
        QueueItem(
            assignment_id=pk,
            round_id=round_id,
            status=status,
            reference=reference,
            title=title,
            lay_summary=lay_summary,
            criteria_scored=scored,
            criteria_total=total,
            deadline=deadline,
            reading_minutes=reading_minutes(lay_summary, anonymised),
        )
        for (
            pk,
            round_id,
            status,
            reference,
            title,
            lay_summary,
            anonymised,
            scored,
            total,
            deadline,
        ) in rows
    ]
    to_do = [i.deadline for i in items if i.status == "assigned" and i.deadline is not None]
    return ReviewQueue(
        items=items,
        scored=sum(i.status == "submitted" for i in items),
        total=len(items),
        deadline=min(to_do) if to_do else None,
    )


def proposal_for_review(user, assignment_id: int) -> dict | None:
    """The blind view of the proposal one of the person's live reviews is about, or None if
    it is not theirs, they have a conflict with it, or the round is not past conflicts."""
    return (
        ReviewAssignment.objects.filter(
            pk=assignment_id,
            reviewer=user,
            status__in=LIVE,
            round__phase__in=[
                ScoringRound.Phase.SCORING,
                ScoringRound.Phase.MODERATION,
                ScoringRound.Phase.CLOSED,
            ],
        )
        .exclude(proposal__conflicts__reviewer=user)
        .values(*(f"proposal__{name}" for name in Proposal.BLIND_FIELDS))
        .first()
    )


def proposals_for_conflicts(user, scoring_round: ScoringRound) -> list[dict]:
    """The round's proposals, blind, for a reviewer to declare conflicts against, with
    whether they have declared one (and whether they may remove it)."""
    if not RoundReviewer.objects.filter(round=scoring_round, user=user).exists():
        return []
    declared = dict(
        ConflictDeclaration.objects.filter(
            reviewer=user, proposal__call_id=scoring_round.call_id
        ).values_list("proposal_id", "by_coordinator")
    )
    rows = Proposal.objects.filter(
        call_id=scoring_round.call_id, status=Proposal.Status.SUBMITTED
    ).values(*Proposal.BLIND_FIELDS)
    return [
        {
            **row,
            "conflict": row["id"] in declared,
            "conflict_locked": declared.get(row["id"], False),
        }
        for row in rows
    ]


def _organisation_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def conflict_suggestions_for(reviewer, scoring_round: ScoringRound) -> list[dict]:
    """Proposals in the round whose lead or partner organisation matches an organisation of
    a research team the reviewer belongs to (ignoring case and spacing), without a conflict
    declared yet: the reviewer is shown reference and title only."""
    organisations = {
        _organisation_key(name)
        for name in reviewer.team_memberships.values_list("team__organisation", flat=True)
    }
    if not organisations:
        return []
    declared = set(
        ConflictDeclaration.objects.filter(
            reviewer=reviewer, proposal__call_id=scoring_round.call_id
        ).values_list("proposal_id", flat=True)
    )
    found = []
    for pk, reference, title, lead, partners in (
        Proposal.objects.filter(call_id=scoring_round.call_id, status=Proposal.Status.SUBMITTED)
        .order_by("reference")
        .values_list("pk", "reference", "title", "lead_organisation", "partner_organisations")
    ):
        names = {_organisation_key(lead)} | {
            _organisation_key(line) for line in partners.splitlines() if line.strip()
        }
        if pk not in declared and names & organisations:
            found.append({"id": pk, "reference": reference, "title": title})
    return found


def round_scores(scoring_round: ScoringRound) -> list[aggregation.ProposalScores]:
    """Every scored proposal's figures, best first, from the round's submitted scores in one
    query (each with the weight it was submitted with, and its reviewer's group)."""
    group = RoundReviewer.objects.filter(
        round=OuterRef("assignment__round"), user=OuterRef("assignment__reviewer")
    ).values("group")[:1]
    rows = (
        Score.objects.filter(
            assignment__round=scoring_round,
            assignment__status=ReviewAssignment.Status.SUBMITTED,
            assignment__proposal__status=Proposal.Status.SUBMITTED,
            value__isnull=False,
        )
        .annotate(group=Subquery(group))
        # The aggregation does not depend on row order (it sorts by id, sums exactly): dropping
        # Score's default ordering saves two joins and a sort, about a quarter of the fetch.
        .order_by()
        .values_list(
            "assignment_id",
            "assignment__reviewer_id",
            "group",
            "assignment__proposal_id",
            "criterion_id",
            "weight",
            "value",
        )
    )
    return aggregation.aggregation_compute(
        rows=rows,
        group_weights={str(name): weight for name, weight in scoring_round.group_weights.items()},
        disagreement_threshold=scoring_round.disagreement_threshold,
    )


@dataclass(frozen=True)
class ModerationRow:
    proposal_id: int
    reference: str
    title: str
    scores: aggregation.ProposalScores | None  # None until a review is submitted
    outcome: str  # "" until decided
    rationale: str


def moderation_rows(scoring_round: ScoringRound) -> list[ModerationRow]:
    """The moderation table: every live proposal, ranked ones first in rank order, then
    those without a submitted review by reference, each with its decision. Three queries."""
    by_proposal = {s.proposal_id: s for s in round_scores(scoring_round)}
    decisions = {
        proposal_id: (outcome, rationale)
        for proposal_id, outcome, rationale in Decision.objects.filter(
            round=scoring_round
        ).values_list("proposal_id", "outcome", "rationale")
    }
    proposals = Proposal.objects.filter(
        call_id=scoring_round.call_id, status=Proposal.Status.SUBMITTED
    ).values_list("pk", "reference", "title")
    rows = [
        ModerationRow(
            proposal_id=pk,
            reference=reference,
            title=title,
            scores=by_proposal.get(pk),
            outcome=decisions.get(pk, ("", ""))[0],
            rationale=decisions.get(pk, ("", ""))[1],
        )
        for pk, reference, title in proposals
    ]
    rows.sort(key=lambda r: (r.scores is None, r.scores.rank if r.scores else 0, r.reference))
    return rows


EXPORT_HEADER = (
    "reference",
    "title",
    "rank",
    "reviews",
    "mean",
    "median",
    "sd",
    "high_disagreement",
    "lived_experience_mean",
    "academic_mean",
    "staff_mean",
    "group_weighted",
    "calibrated",
    "decision",
    "rationale",
)


def _figure(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def round_export_rows(scoring_round: ScoringRound) -> list[tuple]:
    """The whole round as CSV rows (header first): the moderation table with every figure to
    two decimal places, text cells safe from spreadsheet formulas. Blind like everything
    else: reference and title, no team."""
    rows: list[tuple] = [EXPORT_HEADER]
    for row in moderation_rows(scoring_round):
        s = row.scores
        means = s.group_means if s else {}
        rows.append(
            (
                csv_safe(row.reference),
                csv_safe(row.title),
                s.rank if s else "",
                len(s.reviews) if s else 0,
                _figure(s.mean if s else None),
                _figure(s.median if s else None),
                _figure(s.sd if s else None),
                ("yes" if s.high_disagreement else "no") if s else "",
                _figure(means.get("lived_experience")),
                _figure(means.get("academic")),
                _figure(means.get("staff")),
                _figure(s.group_weighted if s else None),
                _figure(s.calibrated if s else None),
                row.outcome,
                csv_safe(row.rationale),
            )
        )
    return rows


# The reviewer's pages at /review/ (engagement.views.review).

REVIEWER_PHASES = [
    ScoringRound.Phase.CONFLICTS,
    ScoringRound.Phase.SCORING,
    ScoringRound.Phase.MODERATION,
]
PHASES_WITH_PROPOSALS = [
    ScoringRound.Phase.SCORING,
    ScoringRound.Phase.MODERATION,
    ScoringRound.Phase.CLOSED,
]
# What a reviewer of a round that is not blind reads besides the blind fields.
OPEN_FIELDS = ("full_summary", "lead_organisation", "partner_organisations", "team_description")


@dataclass(frozen=True)
class QueueReview:
    assignment_id: int
    status: str  # "to_do", "draft", "submitted" or "abstained"
    reference: str
    title: str
    lay_summary: str
    reading_minutes: int


@dataclass(frozen=True)
class QueueRound:
    round_id: int
    call_title: str
    phase: str
    phase_label: str
    deadline: datetime | None
    reviews: list[QueueReview]

    @property
    def total(self) -> int:
        """Reviews to do or done (one stepped back from is someone else's now)."""
        return sum(r.status != "abstained" for r in self.reviews)

    @property
    def scored(self) -> int:
        return sum(r.status == "submitted" for r in self.reviews)


def review_rounds_for(user) -> list[QueueRound]:
    """Every round the person reviews in that is in its conflicts, scoring or moderation
    phase, soonest deadline first, each with their reviews (blind: reference, title, lay
    summary, and a reading time from what they will read). A review is "draft" once any
    score or reason is saved. Two queries, whatever the number of rounds and reviews."""
    rounds = {
        reviewer.round_id: reviewer.round
        for reviewer in RoundReviewer.objects.filter(user=user, round__phase__in=REVIEWER_PHASES)
        .select_related("round__call")
        .order_by(DEADLINE_LAST, "round_id")
    }
    if not rounds:
        return []
    summary = Case(
        When(round__blind=True, then=F("proposal__anonymised_summary")),
        default=F("proposal__full_summary"),
    )
    rows = (
        ReviewAssignment.objects.filter(
            reviewer=user,
            round_id__in=list(rounds),
            round__phase__in=PHASES_WITH_PROPOSALS,
            status__in=[*LIVE, ReviewAssignment.Status.ABSTAINED],
        )
        .exclude(proposal__conflicts__reviewer=user)
        .annotate(
            summary=summary,
            drafted=Exists(
                Score.objects.filter(assignment=OuterRef("pk")).filter(
                    Q(value__isnull=False) | ~Q(rationale="")
                )
            ),
        )
        .order_by("status", "proposal__reference", "pk")
        .values_list(
            "pk",
            "round_id",
            "status",
            "drafted",
            "proposal__reference",
            "proposal__title",
            "proposal__lay_summary",
            "summary",
        )
    )
    reviews: dict[int, list[QueueReview]] = {pk: [] for pk in rounds}
    for pk, round_id, status, drafted, reference, title, lay_summary, text in rows:
        if status == ReviewAssignment.Status.ASSIGNED:
            status = "draft" if drafted else "to_do"
        reviews[round_id].append(
            QueueReview(
                assignment_id=pk,
                status=str(status),
                reference=reference,
                title=title,
                lay_summary=lay_summary,
                reading_minutes=reading_minutes(lay_summary, text),
            )
        )
    return [
        QueueRound(
            round_id=pk,
            call_title=scoring_round.call.title,
            phase=scoring_round.phase,
            phase_label=scoring_round.get_phase_display(),
            deadline=scoring_round.deadline,
            reviews=reviews[pk],
        )
        for pk, scoring_round in rounds.items()
    ]


@dataclass(frozen=True)
class CriterionToScore:
    id: int
    name: str
    guidance: str
    weight: object
    descriptors: dict[int, str]  # scale point -> what it means


@dataclass(frozen=True)
class ReviewPage:
    assignment: ReviewAssignment  # with its round and call; never its proposal object
    proposal: dict | None  # blind fields (and the open ones when the round is not blind)
    criteria: list[CriterionToScore]
    scores: dict[int, tuple[int | None, str]]  # criterion id -> (value, rationale)


def review_page_for(user, assignment_id: int) -> ReviewPage | None:
    """One of the person's own reviews (not withdrawn, no conflict with the proposal), or
    None. The proposal is read only once the round is scoring, and only its blind fields
    when the round is blind. Five queries."""
    assignment = (
        ReviewAssignment.objects.filter(pk=assignment_id, reviewer=user)
        .exclude(status=ReviewAssignment.Status.WITHDRAWN)
        .exclude(proposal__conflicts__reviewer=user)
        .select_related("round__call")
        .first()
    )
    if assignment is None:
        return None
    scoring_round = assignment.round
    proposal = None
    if scoring_round.phase in PHASES_WITH_PROPOSALS:
        fields = Proposal.BLIND_FIELDS + (() if scoring_round.blind else OPEN_FIELDS)
        proposal = Proposal.objects.filter(pk=assignment.proposal_id).values(*fields).first()
    descriptors: dict[int, dict[int, str]] = {}
    for criterion_id, point, text in Descriptor.objects.filter(
        criterion__round=scoring_round
    ).values_list("criterion_id", "point", "text"):
        descriptors.setdefault(criterion_id, {})[point] = text
    criteria = [
        CriterionToScore(
            id=pk,
            name=name,
            guidance=guidance,
            weight=weight,
            descriptors=descriptors.get(pk, {}),
        )
        for pk, name, guidance, weight in scoring_round.criteria.values_list(
            "pk", "name", "guidance", "weight"
        )
    ]
    scores = {
        criterion_id: (value, rationale)
        for criterion_id, value, rationale in Score.objects.filter(
            assignment=assignment
        ).values_list("criterion_id", "value", "rationale")
    }
    return ReviewPage(assignment=assignment, proposal=proposal, criteria=criteria, scores=scores)


def reviewer_round_for(user, round_id: int) -> ScoringRound | None:
    """A round the person reviews in, with its call, or None. One query."""
    return (
        ScoringRound.objects.filter(pk=round_id, reviewers__user=user)
        .select_related("call")
        .first()
    )


def conflict_of(user, proposal_id: int, scoring_round: ScoringRound) -> ConflictDeclaration | None:
    """The person's own conflict declaration on a proposal of the round, or None."""
    return (
        ConflictDeclaration.objects.filter(
            reviewer=user, proposal_id=proposal_id, proposal__call_id=scoring_round.call_id
        )
        .select_related("proposal")
        .first()
    )


def round_proposal(scoring_round: ScoringRound, proposal_id) -> Proposal | None:
    """A live proposal of the round's call (for a service to act on), or None."""
    return Proposal.objects.filter(
        pk=proposal_id, call_id=scoring_round.call_id, status=Proposal.Status.SUBMITTED
    ).first()


# The coordinators' assignment and moderation pages (staff: not blind to the team).


@dataclass(frozen=True)
class RoundReviewerRow:
    user_id: int
    name: str
    group: str
    cap: int  # the reviewer's own cap, or the round's
    load: int  # live reviews (to do or submitted) in the round


@dataclass(frozen=True)
class StaffProposal:
    proposal_id: int
    reference: str
    title: str
    lead_organisation: str
    team: str  # "" for a proposal imported without a team


@dataclass(frozen=True)
class LiveAssignment:
    assignment_id: int
    proposal_id: int
    reviewer_id: int
    status: str
    by_hand: bool


@dataclass(frozen=True)
class AssignmentOverview:
    reviewers: list[RoundReviewerRow]  # by group, then name
    proposals: list[StaffProposal]  # live proposals by reference
    live: list[LiveAssignment]  # by proposal reference, then reviewer name


def round_reviewer_rows(scoring_round: ScoringRound) -> list[RoundReviewerRow]:
    """The round's reviewers with their cap and live load, by group and name. One query."""
    live_load = (
        ReviewAssignment.objects.filter(
            round=OuterRef("round"), reviewer=OuterRef("user"), status__in=LIVE
        )
        .order_by()
        .values("reviewer")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        RoundReviewer.objects.filter(round=scoring_round)
        .annotate(load=Coalesce(Subquery(live_load, output_field=IntegerField()), 0))
        .order_by("group", "user__display_name", "user_id")
        .values_list("user_id", "user__display_name", "group", "load_cap", "load")
    )
    return [
        RoundReviewerRow(
            user_id=user_id,
            name=name,
            group=group,
            cap=cap if cap is not None else scoring_round.load_cap,
            load=load,
        )
        for user_id, name, group, cap, load in rows
    ]


def round_proposals_for_staff(scoring_round: ScoringRound) -> list[StaffProposal]:
    """The round's live proposals by reference, with team and lead organisation (for staff
    only, never a reviewer). One query."""
    rows = (
        Proposal.objects.filter(call_id=scoring_round.call_id, status=Proposal.Status.SUBMITTED)
        .order_by("reference", "pk")
        .values_list("pk", "reference", "title", "lead_organisation", "team__name")
    )
    return [
        StaffProposal(
            proposal_id=pk,
            reference=reference,
            title=title,
            lead_organisation=organisation,
            team=team or "",
        )
        for pk, reference, title, organisation, team in rows
    ]


def assignment_overview(scoring_round: ScoringRound) -> AssignmentOverview:
    """What the assignment page lists besides the plan: reviewers with load and cap, live
    proposals, and the live reviews (to do or submitted). Three queries."""
    reviewers = round_reviewer_rows(scoring_round)
    proposals = round_proposals_for_staff(scoring_round)
    names = {r.user_id: r.name for r in reviewers}
    references = {p.proposal_id: p.reference for p in proposals}
    live = [
        LiveAssignment(
            assignment_id=pk,
            proposal_id=proposal_id,
            reviewer_id=reviewer_id,
            status=status,
            by_hand=bool((explanation or {}).get("by_hand")),
        )
        for pk, proposal_id, reviewer_id, status, explanation in ReviewAssignment.objects.filter(
            round=scoring_round, status__in=LIVE, proposal__status=Proposal.Status.SUBMITTED
        ).values_list("pk", "proposal_id", "reviewer_id", "status", "explanation")
    ]
    live.sort(
        key=lambda a: (
            references.get(a.proposal_id, ""),
            names.get(a.reviewer_id, ""),
            a.assignment_id,
        )
    )
    return AssignmentOverview(reviewers=reviewers, proposals=proposals, live=live)


def decision_voters(scoring_round: ScoringRound) -> dict[int, list[str]]:
    """Who voted on each decided proposal of the round (display names, sorted). One query."""
    voters: dict[int, list[str]] = {}
    for proposal_id, name in (
        Decision.voters.through.objects.filter(decision__round=scoring_round)
        .order_by("decision__proposal_id", "user__display_name", "user_id")
        .values_list("decision__proposal_id", "user__display_name")
    ):
        voters.setdefault(proposal_id, []).append(name)
    return voters


def live_review_counts(scoring_round: ScoringRound) -> dict[int, int]:
    """How many live reviews (to do or submitted) each proposal of the round has. One query."""
    return dict(
        ReviewAssignment.objects.filter(round=scoring_round, status__in=LIVE)
        .order_by()
        .values("proposal_id")
        .annotate(n=Count("pk"))
        .values_list("proposal_id", "n")
    )


def topic_names(topic_ids) -> dict[int, str]:
    """Names of these topics, to explain shared topics in words. One query (none for none)."""
    ids = set(topic_ids)
    if not ids:
        return {}
    return dict(Topic.objects.filter(pk__in=ids).values_list("pk", "name"))
