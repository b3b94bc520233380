"""Scoring rounds: phases, reviewers, conflicts of interest, assignment, reviews and
decisions.

Invariants kept here (the database keeps the rest): a reviewer with a conflict on a proposal
is never assigned it, and a conflict declared while they have it withdraws the review and,
during scoring, finds someone else for the place; nobody is given more proposals than their
cap by the plan or by hand; applying a plan twice adds nothing the second time; a submitted
review has every criterion scored within the scale (with reasons when the round asks for
them) and keeps a snapshot of what it was scored against; each submitted review by an expert
becomes one honorarium; a decision is recorded in moderation with a rationale and at least one
lived-experience reviewer among its voters."""

import csv
import io
from collections import Counter
from dataclasses import asdict
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role, has_role
from core.services.audit import audit_record
from core.services.outbox import email_queue_template
from core.transitions import TransitionNotAllowed, transition_run
from engagement import assignment
from engagement.models import (
    ConflictDeclaration,
    Decision,
    ExpertProfile,
    Proposal,
    ReviewAssignment,
    ReviewerGroup,
    RoundReviewer,
    Score,
    ScoringRound,
)
from engagement.selectors.scoring import round_export_rows
from engagement.services.honoraria import review_honorarium_enqueue_on_commit

Phase = ScoringRound.Phase
Status = ReviewAssignment.Status
LIVE = [Status.ASSIGNED, Status.SUBMITTED]
RATIONALE_MAX_LENGTH = 5000

PHASE_TRANSITIONS = {
    Phase.CONFLICTS: "start_conflicts",
    Phase.SCORING: "start_scoring",
    Phase.MODERATION: "start_moderation",
    Phase.CLOSED: "close_round",
}


def _coordinator_only(by: User, message: str) -> None:
    if not has_role(by, Role.COORDINATOR):
        raise TransitionNotAllowed(message)


def _locked_round(scoring_round: ScoringRound) -> ScoringRound:
    return ScoringRound.objects.select_for_update().select_related("call").get(pk=scoring_round.pk)


def _round_of_proposal(proposal: Proposal) -> ScoringRound:
    scoring_round = ScoringRound.objects.filter(call_id=proposal.call_id).first()
    if scoring_round is None:
        raise TransitionNotAllowed(_("This call has no scoring round yet."))
    return _locked_round(scoring_round)


# Phases


def round_phase_advance(*, scoring_round: ScoringRound, to: str, by: User) -> ScoringRound:
    """Move the round to its next phase. Conflicts open once the criteria are approved and
    the round has reviewers; scoring starts once the call has closed to proposals, and the
    reviewers with reviews to do are emailed."""
    name = PHASE_TRANSITIONS.get(to)
    if name is None:
        raise TransitionNotAllowed(_("Choose the next phase."))

    def check(locked: ScoringRound) -> None:
        if to == Phase.CONFLICTS:
            if locked.criteria_status != ScoringRound.CriteriaStatus.APPROVED:
                raise TransitionNotAllowed(_("The criteria must be approved first."))
            if not locked.reviewers.exists():
                raise TransitionNotAllowed(_("Add the reviewers first."))
        if to == Phase.SCORING and locked.call.status != locked.call.Status.CLOSED:
            raise TransitionNotAllowed(_("Close the call to proposals before scoring starts."))

    return transition_run(
        scoring_round,
        name,
        by=by,
        check=check,
        effects=_tell_assigned if to == Phase.SCORING else None,
        queryset=ScoringRound.objects.select_related("call"),
    )


def _tell_assigned(locked: ScoringRound) -> None:
    """Scoring starts: everyone with reviews to do hears of them (reviews assigned later are
    told as they are made)."""
    _tell_reviewers(
        locked,
        set(
            ReviewAssignment.objects.filter(round=locked, status=Status.ASSIGNED).values_list(
                "reviewer_id", flat=True
            )
        ),
    )


# Reviewers


def reviewer_add(
    *, scoring_round: ScoringRound, user: User, group: str, by: User, load_cap: int | None = None
) -> RoundReviewer:
    """A coordinator adds a reviewer before scoring starts. Lived-experience reviewers are
    active experts."""
    _coordinator_only(by, _("Only coordinators can choose reviewers."))
    if group not in ReviewerGroup.values:
        raise ValidationError({"group": _("Choose the reviewer's group.")})
    if load_cap is not None and load_cap < 1:
        raise ValidationError({"load_cap": _("A reviewer takes at least one proposal.")})
    if not user.is_active:
        raise TransitionNotAllowed(_("This person's account is not active."))
    if (
        group == ReviewerGroup.LIVED_EXPERIENCE
        and not ExpertProfile.objects.filter(user=user, status=ExpertProfile.Status.ACTIVE).exists()
    ):
        raise TransitionNotAllowed(_("Lived-experience reviewers must be active experts."))
    with transaction.atomic():
        locked = _locked_round(scoring_round)
        if locked.phase not in {Phase.SETUP, Phase.CONFLICTS}:
            raise TransitionNotAllowed(_("Reviewers are chosen before scoring starts."))
        if RoundReviewer.objects.filter(round=locked, user=user).exists():
            raise TransitionNotAllowed(_("This person already reviews in this round."))
        reviewer = RoundReviewer.objects.create(
            round=locked, user=user, group=group, load_cap=load_cap
        )
        audit_record(
            actor=by,
            action="scoringround.reviewer_add",
            subject=locked,
            extra={"user_id": user.pk, "group": group, "load_cap": load_cap},
        )
    return reviewer


def reviewer_remove(*, scoring_round: ScoringRound, user: User, by: User) -> None:
    """A coordinator removes a reviewer before scoring starts; their reviews go with them."""
    _coordinator_only(by, _("Only coordinators can choose reviewers."))
    with transaction.atomic():
        locked = _locked_round(scoring_round)
        if locked.phase not in {Phase.SETUP, Phase.CONFLICTS}:
            raise TransitionNotAllowed(_("Reviewers are chosen before scoring starts."))
        deleted, _rows = RoundReviewer.objects.filter(round=locked, user=user).delete()
        if not deleted:
            return
        for live in ReviewAssignment.objects.filter(round=locked, reviewer=user, status__in=LIVE):
            transition_run(live, "withdraw", by=by, extra={"why": "reviewer_removed"})
        audit_record(
            actor=by,
            action="scoringround.reviewer_remove",
            subject=locked,
            extra={"user_id": user.pk},
        )


# Conflicts of interest


def conflict_declare(
    *, proposal: Proposal, reviewer: User, reason: str, by: User, note: str = ""
) -> ConflictDeclaration:
    """A reviewer declares a conflict for themselves, or a coordinator declares one for a
    reviewer (which the reviewer cannot remove). A live review of the proposal by that
    reviewer is withdrawn; during scoring the proposal is given someone else in their place."""
    if reason not in ConflictDeclaration.Reason.values:
        raise ValidationError({"reason": _("Choose the reason.")})
    by_coordinator = by.pk != reviewer.pk
    if by_coordinator:
        _coordinator_only(by, _("You can declare conflicts only for yourself."))
    with transaction.atomic():
        locked = _round_of_proposal(proposal)
        if locked.phase in {Phase.MODERATION, Phase.CLOSED}:
            raise TransitionNotAllowed(_("Scoring has finished in this round."))
        if not RoundReviewer.objects.filter(round=locked, user=reviewer).exists():
            raise TransitionNotAllowed(_("Only the round's reviewers declare conflicts."))
        conflict, created = ConflictDeclaration.objects.get_or_create(
            proposal=proposal,
            reviewer=reviewer,
            defaults={
                "reason": reason,
                "note": note.strip(),
                "declared_by": by,
                "by_coordinator": by_coordinator,
            },
        )
        if not created and by_coordinator and not conflict.by_coordinator:
            # A coordinator confirms the reviewer's own: now it stays.
            conflict.by_coordinator = True
            conflict.save(update_fields=["by_coordinator"])
        audit_record(
            actor=by,
            action="conflict.declare",
            subject=proposal,
            extra={
                "reviewer_id": reviewer.pk,
                "reason": conflict.reason,
                "by_coordinator": conflict.by_coordinator,
            },
        )
        withdrawn = False
        for live in ReviewAssignment.objects.filter(
            proposal=proposal, reviewer=reviewer, status__in=LIVE
        ):
            transition_run(live, "withdraw", by=by, extra={"why": "conflict"})
            withdrawn = True
        if withdrawn and locked.phase == Phase.SCORING:
            _apply(locked, by=None, proposal_ids={proposal.pk})
    return conflict


def conflict_remove(*, conflict: ConflictDeclaration, by: User) -> None:
    """The reviewer removes a conflict they declared (never one a coordinator added), or a
    coordinator removes one, before moderation."""
    mine = conflict.reviewer_id == by.pk and not conflict.by_coordinator
    if not (mine or has_role(by, Role.COORDINATOR)):
        raise TransitionNotAllowed(_("A coordinator added this conflict: ask them about it."))
    with transaction.atomic():
        locked = _round_of_proposal(conflict.proposal)
        if locked.phase in {Phase.MODERATION, Phase.CLOSED}:
            raise TransitionNotAllowed(_("Scoring has finished in this round."))
        deleted, _rows = ConflictDeclaration.objects.filter(pk=conflict.pk).delete()
        if deleted:
            audit_record(
                actor=by,
                action="conflict.remove",
                subject=conflict.proposal,
                extra={"reviewer_id": conflict.reviewer_id},
            )


# Assignment


def assignment_plan(*, scoring_round: ScoringRound, proposal_ids=None) -> assignment.Plan:
    """The plan for the round as it stands: every live proposal's missing reviewers (and
    lived-experience reviewers), every reviewer's capacity left, conflicts and existing pairs
    (of any status: a withdrawn or abstained pair is never proposed again). Six queries,
    whatever the size of the round."""
    call_id = scoring_round.call_id
    reviewers = list(
        RoundReviewer.objects.filter(round=scoring_round).values_list(
            "user_id", "group", "load_cap"
        )
    )
    user_ids = [user_id for user_id, _group, _cap in reviewers]
    groups = {user_id: group for user_id, group, _cap in reviewers}
    reviewer_topics: dict[int, set[int]] = {user_id: set() for user_id in user_ids}
    for user_id, topic_id in ExpertProfile.topics.through.objects.filter(
        expertprofile__user_id__in=user_ids
    ).values_list("expertprofile__user_id", "topic_id"):
        reviewer_topics[user_id].add(topic_id)
    proposals = Proposal.objects.filter(call_id=call_id, status=Proposal.Status.SUBMITTED)
    if proposal_ids is not None:
        proposals = proposals.filter(pk__in=proposal_ids)
    proposal_topics: dict[int, set[int]] = {
        pk: set() for pk in proposals.values_list("pk", flat=True)
    }
    for proposal_id, topic_id in Proposal.topics.through.objects.filter(
        proposal_id__in=list(proposal_topics)
    ).values_list("proposal_id", "topic_id"):
        proposal_topics[proposal_id].add(topic_id)
    load: dict[int, int] = dict.fromkeys(user_ids, 0)
    live: dict[int, int] = dict.fromkeys(proposal_topics, 0)
    live_lived: dict[int, int] = dict.fromkeys(proposal_topics, 0)
    existing = set()
    for reviewer_id, proposal_id, status in ReviewAssignment.objects.filter(
        round=scoring_round
    ).values_list("reviewer_id", "proposal_id", "status"):
        existing.add((reviewer_id, proposal_id))
        if status in LIVE:
            load[reviewer_id] = load.get(reviewer_id, 0) + 1
            if proposal_id in live:
                live[proposal_id] += 1
                live_lived[proposal_id] += groups.get(reviewer_id) == ReviewerGroup.LIVED_EXPERIENCE
    conflicts = set(
        ConflictDeclaration.objects.filter(proposal__call_id=call_id).values_list(
            "reviewer_id", "proposal_id"
        )
    )
    per_proposal = scoring_round.reviewers_per_proposal
    return assignment.assignment_solve(
        reviewers=[
            assignment.Reviewer(
                id=user_id,
                group=group,
                topics=frozenset(reviewer_topics[user_id]),
                capacity=max(
                    0, (cap if cap is not None else scoring_round.load_cap) - load[user_id]
                ),
                load=load[user_id],
            )
            for user_id, group, cap in reviewers
        ],
        proposals=[
            assignment.Proposal(
                id=pk,
                topics=frozenset(topics),
                needed=(needed := max(0, per_proposal - live[pk])),
                lived_needed=min(needed, max(0, scoring_round.lived_minimum - live_lived[pk])),
            )
            for pk, topics in proposal_topics.items()
        ],
        conflicts=conflicts,
        assigned=existing,
    )


def _apply(locked: ScoringRound, *, by: User | None, proposal_ids=None) -> list[ReviewAssignment]:
    plan = assignment_plan(scoring_round=locked, proposal_ids=proposal_ids)
    created = ReviewAssignment.objects.bulk_create(
        ReviewAssignment(
            round=locked,
            proposal_id=pair.proposal_id,
            reviewer_id=pair.reviewer_id,
            assigned_by=by,
            explanation={**asdict(pair), "shared_topics": list(pair.shared_topics)},
        )
        for pair in plan.assignments
    )
    audit_record(
        actor=by,
        action="scoringround.assignments_apply",
        subject=locked,
        extra={
            "created": len(created),
            "proposals": sorted(proposal_ids) if proposal_ids is not None else None,
            "shortfalls": [asdict(s) for s in plan.shortfalls],
        },
    )
    if locked.phase == Phase.SCORING:
        _tell_reviewers(locked, {pair.reviewer_id for pair in plan.assignments})
    return created


def _tell_reviewers(scoring_round: ScoringRound, reviewer_ids) -> None:
    for reviewer in User.objects.filter(pk__in=reviewer_ids, is_active=True):
        email_queue_template(
            template="review_assigned",
            recipient=reviewer,
            context={"scoring_round": scoring_round, "call_title": scoring_round.call.title},
        )


def assignment_apply(*, scoring_round: ScoringRound, by: User) -> list[ReviewAssignment]:
    """A coordinator applies the plan (in the conflicts or scoring phase). It is planned
    again under the round's lock, so it adds only what is still missing: applying twice adds
    nothing the second time. Reviewers hear of new reviews once scoring has started."""
    _coordinator_only(by, _("Only coordinators can assign reviewers."))
    with transaction.atomic():
        locked = _locked_round(scoring_round)
        if locked.phase not in {Phase.CONFLICTS, Phase.SCORING}:
            raise TransitionNotAllowed(
                _("Reviewers are assigned once conflicts are declared, and until scoring ends.")
            )
        return _apply(locked, by=by)


def assignment_add(
    *, scoring_round: ScoringRound, proposal: Proposal, reviewer: User, by: User
) -> ReviewAssignment:
    """A coordinator assigns a reviewer by hand: never onto a conflict, never twice, never
    over the reviewer's cap."""
    _coordinator_only(by, _("Only coordinators can assign reviewers."))
    with transaction.atomic():
        locked = _locked_round(scoring_round)
        if locked.phase not in {Phase.CONFLICTS, Phase.SCORING}:
            raise TransitionNotAllowed(
                _("Reviewers are assigned once conflicts are declared, and until scoring ends.")
            )
        if proposal.call_id != locked.call_id or proposal.status != Proposal.Status.SUBMITTED:
            raise TransitionNotAllowed(_("This proposal is not in the round."))
        member = RoundReviewer.objects.filter(round=locked, user=reviewer).first()
        if member is None:
            raise TransitionNotAllowed(_("Add this person as a reviewer in the round first."))
        if ConflictDeclaration.objects.filter(proposal=proposal, reviewer=reviewer).exists():
            raise TransitionNotAllowed(_("This reviewer has a conflict with this proposal."))
        if (
            ReviewAssignment.objects.filter(proposal=proposal, reviewer=reviewer)
            .exclude(status=Status.WITHDRAWN)
            .exists()
        ):
            raise TransitionNotAllowed(_("This reviewer already has this proposal."))
        load = ReviewAssignment.objects.filter(
            round=locked, reviewer=reviewer, status__in=LIVE
        ).count()
        cap = member.load_cap if member.load_cap is not None else locked.load_cap
        if load >= cap:
            raise TransitionNotAllowed(
                _("This reviewer already has %(n)s proposals, the most they can take.")
                % {"n": load}
            )
        created = ReviewAssignment.objects.create(
            round=locked,
            proposal=proposal,
            reviewer=reviewer,
            assigned_by=by,
            explanation={"by_hand": True, "load_after": load + 1, "cap": cap},
        )
        audit_record(
            actor=by,
            action="reviewassignment.add",
            subject=created,
            extra={"proposal": proposal.reference, "reviewer_id": reviewer.pk},
        )
        if locked.phase == Phase.SCORING:
            _tell_reviewers(locked, {reviewer.pk})
    return created


def assignment_withdraw(
    *, assignment: ReviewAssignment, by: User, reason: str = ""
) -> ReviewAssignment:
    """A coordinator takes a review back by hand (not replaced automatically), also in
    moderation (a conflict found late), but not once the round is closed: its scores and
    decisions are then the record."""
    _coordinator_only(by, _("Only coordinators can take reviews back."))
    with transaction.atomic():
        locked = _locked_round(assignment.round)
        if locked.phase == Phase.CLOSED:
            raise TransitionNotAllowed(
                _("This round is closed: its reviews can no longer be taken back.")
            )
        return transition_run(assignment, "withdraw", by=by, note=reason, extra={"why": "by_hand"})


def assignments_withdraw_for_proposal(*, proposal: Proposal) -> int:
    """A withdrawn proposal's reviews still to do are withdrawn (by the system)."""
    withdrawn = 0
    for live in ReviewAssignment.objects.filter(proposal=proposal, status=Status.ASSIGNED):
        transition_run(live, "withdraw", by=None, extra={"why": "proposal_withdrawn"})
        withdrawn += 1
    return withdrawn


# Reviews


def _clean_scores(locked: ScoringRound, scores: dict) -> dict[int, tuple[int | None, str]]:
    criteria_ids = set(locked.criteria.values_list("pk", flat=True))
    cleaned = {}
    errors = {}
    for criterion_id, (value, rationale) in scores.items():
        criterion_id = int(criterion_id)
        if criterion_id not in criteria_ids:
            raise TransitionNotAllowed(_("That criterion is not in this round."))
        rationale = (rationale or "").strip()
        if len(rationale) > RATIONALE_MAX_LENGTH:
            errors[f"rationale_{criterion_id}"] = _(
                "Keep your reasons to %(n)s characters or fewer."
            ) % {"n": RATIONALE_MAX_LENGTH}
        if value in (None, ""):
            value = None
        else:
            try:
                value = int(value)
            except (TypeError, ValueError):
                value = locked.scale_min - 1
            if value not in locked.scale:
                errors[f"score_{criterion_id}"] = _("Choose a score from %(low)s to %(high)s.") % {
                    "low": locked.scale_min,
                    "high": locked.scale_max,
                }
        cleaned[criterion_id] = (value, rationale)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _guard_review(locked_assignment: ReviewAssignment, by: User) -> ScoringRound:
    if locked_assignment.reviewer_id != getattr(by, "pk", None):
        raise TransitionNotAllowed(_("This review is not yours."))
    if locked_assignment.status != Status.ASSIGNED:
        raise TransitionNotAllowed(_("This review is finished."))
    scoring_round = locked_assignment.round
    if scoring_round.phase != Phase.SCORING:
        raise TransitionNotAllowed(_("Scores can be given only while the round is scoring."))
    return scoring_round


def _scores_write(locked_assignment: ReviewAssignment, scores: dict) -> None:
    scoring_round = locked_assignment.round
    cleaned = _clean_scores(scoring_round, scores)
    weights = dict(scoring_round.criteria.values_list("pk", "weight"))
    for criterion_id, (value, rationale) in cleaned.items():
        Score.objects.update_or_create(
            assignment=locked_assignment,
            criterion_id=criterion_id,
            defaults={
                "value": value,
                "rationale": rationale,
                "weight": weights[criterion_id],
                "scale_min": scoring_round.scale_min,
                "scale_max": scoring_round.scale_max,
            },
        )


def review_save_draft(*, assignment: ReviewAssignment, by: User, scores: dict) -> ReviewAssignment:
    """The reviewer saves scores so far ({criterion id: (value or None, rationale)}); a
    draft does not count until submitted. A score outside the scale is refused."""
    with transaction.atomic():
        locked = (
            ReviewAssignment.objects.select_for_update()
            .select_related("round")
            .get(pk=assignment.pk)
        )
        _guard_review(locked, by)
        _scores_write(locked, scores)
    return locked


def _snapshot(scoring_round: ScoringRound) -> dict:
    return {
        "scale": [scoring_round.scale_min, scoring_round.scale_max],
        "rationale_required": scoring_round.rationale_required,
        "criteria": [
            {"id": pk, "name": name, "weight": str(weight), "position": position}
            for pk, name, weight, position in scoring_round.criteria.values_list(
                "pk", "name", "weight", "position"
            )
        ],
        "group_weights": {group: str(w) for group, w in scoring_round.group_weights.items()},
    }


def review_submit(
    *, assignment: ReviewAssignment, by: User, scores: dict | None = None
) -> ReviewAssignment:
    """The reviewer submits: every criterion scored within the scale, with reasons when the
    round asks for them. The review keeps a snapshot of the criteria, weights and scale, and
    each score its weight and scale. An expert's review becomes an honorarium once it
    commits."""
    with transaction.atomic():
        if scores:
            review_save_draft(assignment=assignment, by=by, scores=scores)

        def check(locked: ReviewAssignment) -> None:
            scoring_round = _guard_review(locked, by)
            if ConflictDeclaration.objects.filter(
                proposal_id=locked.proposal_id, reviewer_id=locked.reviewer_id
            ).exists():
                raise TransitionNotAllowed(_("You have declared a conflict with this proposal."))
            given = {
                criterion_id: (value, rationale)
                for criterion_id, value, rationale in locked.scores.values_list(
                    "criterion_id", "value", "rationale"
                )
            }
            errors = {}
            for criterion_id, name in scoring_round.criteria.values_list("pk", "name"):
                value, rationale = given.get(criterion_id, (None, ""))
                if value is None:
                    errors[f"score_{criterion_id}"] = _("Give a score for “%(name)s”.") % {
                        "name": name
                    }
                elif value not in scoring_round.scale:
                    errors[f"score_{criterion_id}"] = _(
                        "Choose a score from %(low)s to %(high)s."
                    ) % {"low": scoring_round.scale_min, "high": scoring_round.scale_max}
                if scoring_round.rationale_required and not rationale.strip():
                    errors[f"rationale_{criterion_id}"] = _(
                        "Say why you gave this score for “%(name)s”."
                    ) % {"name": name}
            if errors:
                raise ValidationError(errors)

        def refresh_scores(locked: ReviewAssignment) -> None:
            scoring_round = locked.round
            for criterion_id, weight in scoring_round.criteria.values_list("pk", "weight"):
                locked.scores.filter(criterion_id=criterion_id).update(
                    weight=weight,
                    scale_min=scoring_round.scale_min,
                    scale_max=scoring_round.scale_max,
                )
            if _is_expert(locked.reviewer_id):
                review_honorarium_enqueue_on_commit(locked.pk)

        return transition_run(
            assignment,
            "submit",
            by=by,
            check=check,
            together=lambda locked: {
                "submitted_at": timezone.now(),
                "snapshot": _snapshot(locked.round),
            },
            effects=refresh_scores,
            queryset=ReviewAssignment.objects.select_related("round"),
        )


def _is_expert(user_id: int) -> bool:
    return ExpertProfile.objects.filter(
        user_id=user_id, status__in=[ExpertProfile.Status.ACTIVE, ExpertProfile.Status.PAUSED]
    ).exists()


def review_abstain(*, assignment: ReviewAssignment, by: User, reason: str) -> ReviewAssignment:
    """The reviewer steps back from a proposal, saying why (only staff read it). During
    scoring, someone else is found for the place."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say briefly why you are not scoring this one.")})

    def check(locked: ReviewAssignment) -> None:
        _guard_review(locked, by)

    with transaction.atomic():
        done = transition_run(
            assignment,
            "abstain",
            by=by,
            check=check,
            together=lambda _locked: {"abstain_reason": reason[:RATIONALE_MAX_LENGTH]},
            queryset=ReviewAssignment.objects.select_related("round"),
        )
        _apply(_locked_round(done.round), by=None, proposal_ids={done.proposal_id})
    return done


# Moderation


def decision_record(
    *,
    scoring_round: ScoringRound,
    proposal: Proposal,
    outcome: str,
    rationale: str,
    voters: list[User],
    by: User,
) -> Decision:
    """A coordinator records the moderation panel's decision on a proposal: fund, reserve or
    reject, with the rationale and who voted (at least one lived-experience reviewer of the
    round). Recording again changes the decision, and the change is audited."""
    _coordinator_only(by, _("Only coordinators record decisions."))
    errors = {}
    if outcome not in Decision.Outcome.values:
        errors["outcome"] = _("Choose fund, reserve or do not fund.")
    rationale = (rationale or "").strip()
    if not rationale:
        errors["rationale"] = _("Give the reasons for the decision.")
    voter_ids = {v.pk for v in voters}
    if not voter_ids:
        errors["voters"] = _("Choose who took the decision.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _locked_round(scoring_round)
        if locked.phase != Phase.MODERATION:
            raise TransitionNotAllowed(_("Decisions are recorded in the moderation phase."))
        if proposal.call_id != locked.call_id or proposal.status != Proposal.Status.SUBMITTED:
            raise TransitionNotAllowed(_("This proposal is not in the round."))
        groups = dict(
            RoundReviewer.objects.filter(round=locked, user_id__in=voter_ids).values_list(
                "user_id", "group"
            )
        )
        if set(groups) != voter_ids:
            raise ValidationError({"voters": _("Only the round's reviewers can be voters.")})
        if ReviewerGroup.LIVED_EXPERIENCE not in groups.values():
            raise ValidationError(
                {"voters": _("At least one lived-experience reviewer must be among the voters.")}
            )
        previous = Decision.objects.filter(round=locked, proposal=proposal).first()
        decision, _created = Decision.objects.update_or_create(
            round=locked,
            proposal=proposal,
            defaults={
                "outcome": outcome,
                "rationale": rationale,
                "decided_by": by,
                "decided_at": timezone.now(),
            },
        )
        decision.voters.set(voter_ids)
        audit_record(
            actor=by,
            action="decision.record",
            subject=proposal,
            from_state=previous.outcome if previous else "",
            to_state=outcome,
            extra={"round": locked.pk, "voters": sorted(voter_ids)},
        )
    return decision


def round_export_csv(*, scoring_round: ScoringRound, by: User) -> str:
    """The whole round as CSV for a coordinator (blind, formula-safe: see
    `round_export_rows`). Every export is audited: scores leaving Tandem are on record."""
    _coordinator_only(by, _("Only coordinators export a round's scores."))
    rows = round_export_rows(scoring_round)
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    audit_record(
        actor=by, action="scoringround.export", subject=scoring_round, extra={"rows": len(rows) - 1}
    )
    return out.getvalue()


# Reminders


def reviews_remind_due() -> int:
    """The periodic job: remind each reviewer once about their reviews still to do when the
    round's deadline is less than REVIEW_REMINDER_HOURS away. Returns how many reminders
    were queued (one per reviewer and round)."""
    now = timezone.now()
    horizon = now + timedelta(hours=settings.REVIEW_REMINDER_HOURS)
    with transaction.atomic():
        # Claimed and emailed in one transaction: a second run finds nothing left to claim.
        due = list(
            ReviewAssignment.objects.select_for_update()
            .filter(
                status=Status.ASSIGNED,
                reminded_at__isnull=True,
                round__phase=Phase.SCORING,
                round__deadline__gt=now,
                round__deadline__lte=horizon,
            )
            .values_list("pk", "reviewer_id", "round_id")
        )
        if not due:
            return 0
        ReviewAssignment.objects.filter(pk__in=[pk for pk, _r, _s in due]).update(reminded_at=now)
        counts = Counter((reviewer_id, round_id) for _pk, reviewer_id, round_id in due)
        reviewers = User.objects.in_bulk({reviewer_id for reviewer_id, _round in counts})
        rounds = ScoringRound.objects.select_related("call").in_bulk(
            {round_id for _reviewer, round_id in counts}
        )
        queued = 0
        for (reviewer_id, round_id), count in sorted(counts.items()):
            reviewer = reviewers[reviewer_id]
            if not reviewer.is_active:
                continue
            scoring_round = rounds[round_id]
            email_queue_template(
                template="review_reminder",
                recipient=reviewer,
                context={
                    "count": count,
                    "deadline": scoring_round.deadline,
                    "call_title": scoring_round.call.title,
                },
            )
            queued += 1
    return queued
