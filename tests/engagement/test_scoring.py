"""Scoring rounds through their services: phases in order, only the right people, conflicts
never assigned (and a conflict mid-round finds someone else), applying twice adds nothing,
scores within the scale with reasons, a snapshot that survives later changes, one review fee
per expert review, and decisions with a lived-experience voter."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import AuditEvent, OutboundEmail
from core.transitions import TransitionNotAllowed
from engagement.models import (
    ConflictDeclaration,
    Criterion,
    Decision,
    ReviewAssignment,
    RoundReviewer,
    Score,
    ScoringRound,
)
from engagement.predicates import is_assigned_reviewer
from engagement.services import scoring as svc
from engagement.services.honoraria import honoraria_create_due, honorarium_for_review
from payments.models import Honorarium
from tests.factories import (
    coordinator,
    expert,
    funding_call,
    proposal,
    researcher,
    round_reviewer,
    scoring_round,
)
from tests.payments.core_helpers import rate_card


def live_pairs(scoring_round):
    return set(
        ReviewAssignment.objects.filter(round=scoring_round, status__in=svc.LIVE).values_list(
            "reviewer_id", "proposal_id"
        )
    )


@pytest.fixture
def world(db):
    """A closed call with four proposals; a round in the conflicts phase wanting two reviews
    per proposal, one of them by a lived-experience reviewer, at most three per reviewer."""
    lead = coordinator()
    call = funding_call(status="closed")
    the_round = scoring_round(
        call=call,
        criteria_status="approved",
        phase="conflicts",
        reviewers_per_proposal=2,
        lived_minimum=1,
        load_cap=3,
        deadline=timezone.now() + datetime.timedelta(days=10),
    )
    lived = [round_reviewer(of_round=the_round, group="lived_experience") for _ in range(2)]
    academics = [round_reviewer(of_round=the_round, group="academic") for _ in range(2)]
    proposals = [proposal(call=call) for _ in range(4)]
    return lead, the_round, lived, academics, proposals


def to_scoring(the_round):
    ScoringRound.objects.filter(pk=the_round.pk).update(phase="scoring")
    the_round.refresh_from_db()
    return the_round


def assert_covered(the_round, proposals, lived):
    pairs = live_pairs(the_round)
    lived_ids = {r.user_id for r in lived}
    for p in proposals:
        reviewers = {r for r, pid in pairs if pid == p.pk}
        assert len(reviewers) == 2
        assert reviewers & lived_ids


# Phases and who may move them


def test_phases_advance_in_order_and_only_by_coordinators(world):
    lead, the_round, *_ = world
    ScoringRound.objects.filter(pk=the_round.pk).update(phase="setup")

    with pytest.raises(TransitionNotAllowed):
        svc.round_phase_advance(scoring_round=the_round, to="scoring", by=lead)
    with pytest.raises(TransitionNotAllowed):
        svc.round_phase_advance(scoring_round=the_round, to="conflicts", by=researcher())
    steps = [
        svc.round_phase_advance(scoring_round=the_round, to=phase, by=lead).phase
        for phase in ("conflicts", "scoring", "moderation", "closed")
    ]

    assert steps == ["conflicts", "scoring", "moderation", "closed"]
    assert list(
        AuditEvent.objects.filter(action__startswith="scoringround.")
        .order_by("pk")
        .values_list("action", "from_state", "to_state")
    ) == [
        ("scoringround.start_conflicts", "setup", "conflicts"),
        ("scoringround.start_scoring", "conflicts", "scoring"),
        ("scoringround.start_moderation", "scoring", "moderation"),
        ("scoringround.close_round", "moderation", "closed"),
    ]


def test_reviewers_with_reviews_to_do_hear_when_scoring_starts(world):
    lead, the_round, lived, academics, _proposals = world
    svc.assignment_apply(scoring_round=the_round, by=lead)
    assert not OutboundEmail.objects.exists()  # applied during conflicts: nobody told yet

    svc.round_phase_advance(scoring_round=the_round, to="scoring", by=lead)

    assert sorted(
        OutboundEmail.objects.filter(template="review_assigned").values_list(
            "to_address", flat=True
        )
    ) == sorted(r.user.email for r in [*lived, *academics])
    # The email leads straight to the reviewer's queue.
    for email in OutboundEmail.objects.filter(template="review_assigned"):
        assert "/review/" in email.body_text and "/review/" in email.body_html


def test_conflicts_wait_for_approved_criteria_and_scoring_for_the_call_to_close(world):
    lead, the_round, *_ = world
    ScoringRound.objects.filter(pk=the_round.pk).update(phase="setup", criteria_status="drafting")

    with pytest.raises(TransitionNotAllowed) as refused:
        svc.round_phase_advance(scoring_round=the_round, to="conflicts", by=lead)
    assert str(refused.value) == "The criteria must be approved first."

    ScoringRound.objects.filter(pk=the_round.pk).update(phase="conflicts")
    the_round.call.__class__.objects.filter(pk=the_round.call_id).update(status="open")
    with pytest.raises(TransitionNotAllowed) as refused:
        svc.round_phase_advance(scoring_round=the_round, to="scoring", by=lead)
    assert str(refused.value) == "Close the call to proposals before scoring starts."


def test_reviewers_are_added_before_scoring_and_lived_experience_reviewers_are_experts(world):
    lead, the_round, *_ = world
    academic = researcher()

    with pytest.raises(TransitionNotAllowed) as refused:
        svc.reviewer_add(
            scoring_round=the_round, user=researcher(), group="lived_experience", by=lead
        )
    assert str(refused.value) == "Lived-experience reviewers must be active experts."
    with pytest.raises(TransitionNotAllowed):
        svc.reviewer_add(scoring_round=the_round, user=academic, group="academic", by=academic)
    added = svc.reviewer_add(
        scoring_round=the_round, user=academic, group="academic", by=lead, load_cap=2
    )
    assert (added.group, added.cap) == ("academic", 2)

    to_scoring(the_round)
    with pytest.raises(TransitionNotAllowed):
        svc.reviewer_add(scoring_round=the_round, user=researcher(), group="staff", by=lead)
    with pytest.raises(TransitionNotAllowed):
        svc.reviewer_remove(scoring_round=the_round, user=academic, by=lead)


def test_removing_a_reviewer_withdraws_their_reviews(world):
    lead, the_round, lived, _academics, _proposals = world
    svc.assignment_apply(scoring_round=the_round, by=lead)
    leaving = lived[0].user

    svc.reviewer_remove(scoring_round=the_round, user=leaving, by=lead)

    assert not RoundReviewer.objects.filter(round=the_round, user=leaving).exists()
    assert not ReviewAssignment.objects.filter(reviewer=leaving, status__in=svc.LIVE).exists()


# Assignment


def test_applying_covers_every_proposal_with_a_lived_experience_reviewer(world):
    lead, the_round, lived, academics, proposals = world

    created = svc.assignment_apply(scoring_round=the_round, by=lead)

    assert len(created) == 8
    assert_covered(the_round, proposals, lived)
    loads = [
        ReviewAssignment.objects.filter(reviewer=r.user, status__in=svc.LIVE).count()
        for r in [*lived, *academics]
    ]
    assert loads == [2, 2, 2, 2]
    first = ReviewAssignment.objects.order_by("pk").first()
    assert set(first.explanation) == {
        "reviewer_id",
        "proposal_id",
        "shared_topics",
        "counts_towards_lived_minimum",
        "load_after",
        "cap",
    }
    assert first.assigned_by == lead


def test_applying_twice_adds_nothing_the_second_time(world):
    lead, the_round, *_ = world

    svc.assignment_apply(scoring_round=the_round, by=lead)
    before = live_pairs(the_round)
    again = svc.assignment_apply(scoring_round=the_round, by=lead)

    assert again == []
    assert live_pairs(the_round) == before
    assert ReviewAssignment.objects.count() == 8


def test_a_conflicted_reviewer_is_never_assigned(world):
    lead, the_round, lived, academics, proposals = world
    for p in proposals[:3]:
        svc.conflict_declare(proposal=p, reviewer=lived[0].user, reason="personal", by=lead)
    svc.conflict_declare(
        proposal=proposals[0],
        reviewer=academics[0].user,
        reason="same_organisation",
        by=academics[0].user,
    )

    svc.assignment_apply(scoring_round=the_round, by=lead)

    pairs = live_pairs(the_round)
    conflicts = set(ConflictDeclaration.objects.values_list("reviewer_id", "proposal_id"))
    assert pairs & conflicts == set()
    assert_covered(the_round, proposals, lived)


def test_applying_is_refused_in_setup_and_for_non_coordinators(world):
    lead, the_round, lived, *_ = world

    with pytest.raises(TransitionNotAllowed):
        svc.assignment_apply(scoring_round=the_round, by=lived[0].user)
    ScoringRound.objects.filter(pk=the_round.pk).update(phase="setup")
    with pytest.raises(TransitionNotAllowed):
        svc.assignment_apply(scoring_round=the_round, by=lead)
    assert not ReviewAssignment.objects.exists()


def test_a_conflict_declared_mid_round_withdraws_the_review_and_finds_someone_else(world):
    lead, the_round, lived, _academics, proposals = world
    svc.assignment_apply(scoring_round=the_round, by=lead)
    to_scoring(the_round)
    # A fifth reviewer with room to spare, so the place can be filled.
    spare = round_reviewer(of_round=the_round, group="lived_experience")
    mine = ReviewAssignment.objects.filter(reviewer=lived[0].user).order_by("pk").first()
    target = mine.proposal

    svc.conflict_declare(
        proposal=target,
        reviewer=lived[0].user,
        reason="works_with_team",
        by=lived[0].user,
        note="I advised them last year.",
    )

    mine.refresh_from_db()
    assert mine.status == "withdrawn"
    replacement = ReviewAssignment.objects.get(proposal=target, reviewer=spare.user)
    assert (replacement.status, replacement.assigned_by) == ("assigned", None)
    assert_covered(the_round, proposals, [*lived, spare])
    assert (lived[0].user_id, target.pk) not in live_pairs(the_round)
    assert list(
        OutboundEmail.objects.filter(template="review_assigned").values_list(
            "to_address", flat=True
        )
    ) == [spare.user.email]
    assert ConflictDeclaration.objects.get().note == "I advised them last year."


def test_a_reviewer_cannot_remove_a_conflict_a_coordinator_added_but_can_remove_their_own(world):
    lead, _the_round, lived, _academics, proposals = world
    reviewer = lived[0].user
    added = svc.conflict_declare(
        proposal=proposals[0], reviewer=reviewer, reason="financial", by=lead
    )
    own = svc.conflict_declare(
        proposal=proposals[1], reviewer=reviewer, reason="other", by=reviewer
    )

    with pytest.raises(TransitionNotAllowed):
        svc.conflict_remove(conflict=added, by=reviewer)
    svc.conflict_remove(conflict=own, by=reviewer)

    assert list(ConflictDeclaration.objects.values_list("proposal", "by_coordinator")) == [
        (proposals[0].pk, True)
    ]


def test_a_reviewer_declares_conflicts_only_for_themselves(world):
    _lead, _round, lived, academics, proposals = world

    with pytest.raises(TransitionNotAllowed):
        svc.conflict_declare(
            proposal=proposals[0], reviewer=academics[0].user, reason="other", by=lived[0].user
        )
    assert not ConflictDeclaration.objects.exists()


def test_assigning_by_hand_never_onto_a_conflict_or_over_the_cap(world):
    lead, the_round, lived, academics, proposals = world
    reviewer = academics[0].user
    svc.conflict_declare(proposal=proposals[0], reviewer=reviewer, reason="personal", by=lead)

    with pytest.raises(TransitionNotAllowed) as refused:
        svc.assignment_add(
            scoring_round=the_round, proposal=proposals[0], reviewer=reviewer, by=lead
        )
    assert str(refused.value) == "This reviewer has a conflict with this proposal."

    for p in proposals[1:]:
        svc.assignment_add(scoring_round=the_round, proposal=p, reviewer=reviewer, by=lead)
    extra = proposal(call=the_round.call)
    with pytest.raises(TransitionNotAllowed) as refused:
        svc.assignment_add(scoring_round=the_round, proposal=extra, reviewer=reviewer, by=lead)
    assert str(refused.value) == "This reviewer already has 3 proposals, the most they can take."
    with pytest.raises(TransitionNotAllowed):
        svc.assignment_add(
            scoring_round=the_round, proposal=extra, reviewer=lived[0].user, by=lived[1].user
        )


def test_a_review_withdrawn_by_hand_frees_the_place_for_the_plan(world):
    lead, the_round, lived, _academics, proposals = world
    svc.assignment_apply(scoring_round=the_round, by=lead)
    taken_back = ReviewAssignment.objects.order_by("pk").first()

    svc.assignment_withdraw(assignment=taken_back, by=lead, reason="Too close to the team")
    svc.assignment_apply(scoring_round=the_round, by=lead)

    assert ReviewAssignment.objects.filter(status="withdrawn").count() == 1
    assert (taken_back.reviewer_id, taken_back.proposal_id) not in live_pairs(the_round)
    assert_covered(the_round, proposals, lived)


def test_a_review_is_taken_back_in_moderation_but_not_once_the_round_is_closed(world):
    lead, the_round, _lived, _academics, _proposals = world
    svc.assignment_apply(scoring_round=the_round, by=lead)
    first, second = ReviewAssignment.objects.order_by("pk")[:2]
    ScoringRound.objects.filter(pk=the_round.pk).update(phase="moderation")

    svc.assignment_withdraw(assignment=first, by=lead, reason="A conflict found late")
    ScoringRound.objects.filter(pk=the_round.pk).update(phase="closed")
    with pytest.raises(TransitionNotAllowed) as refused:
        svc.assignment_withdraw(assignment=second, by=lead, reason="Too late")

    assert str(refused.value) == "This round is closed: its reviews can no longer be taken back."
    assert list(ReviewAssignment.objects.order_by("pk").values_list("status", flat=True)[:2]) == [
        "withdrawn",
        "assigned",
    ]


def test_the_database_allows_one_live_review_per_reviewer_and_proposal(world):
    _lead, the_round, lived, _academics, proposals = world
    fields = {"round": the_round, "proposal": proposals[0], "reviewer": lived[0].user}
    ReviewAssignment.objects.create(**fields, status="withdrawn")
    ReviewAssignment.objects.create(**fields)

    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewAssignment.objects.create(**fields)


# Reviews


@pytest.fixture
def review(world):
    _lead, the_round, lived, _academics, proposals = world
    ReviewAssignment.objects.create(round=the_round, proposal=proposals[0], reviewer=lived[0].user)
    to_scoring(the_round)
    assignment = ReviewAssignment.objects.get()
    relevance, method = Criterion.objects.filter(round=the_round).order_by("position")
    return assignment, relevance, method


def test_a_draft_is_saved_and_does_not_count_until_submitted(review):
    assignment, relevance, method = review
    reviewer = assignment.reviewer

    svc.review_save_draft(
        assignment=assignment,
        by=reviewer,
        scores={relevance.pk: (4, "Clear aims"), method.pk: (None, "")},
    )

    assert list(
        Score.objects.order_by("criterion__position").values_list(
            "criterion", "value", "rationale", "weight", "scale_min", "scale_max"
        )
    ) == [
        (relevance.pk, 4, "Clear aims", Decimal("2.00"), 1, 5),
        (method.pk, None, "", Decimal("1.00"), 1, 5),
    ]
    assignment.refresh_from_db()
    assert assignment.status == "assigned"


def test_scores_outside_the_scale_are_refused_by_the_service_and_the_database(review):
    assignment, relevance, method = review

    with pytest.raises(ValidationError) as refused:
        svc.review_save_draft(
            assignment=assignment,
            by=assignment.reviewer,
            scores={relevance.pk: (6, "Great"), method.pk: (0, "Poor")},
        )
    assert refused.value.message_dict == {
        f"score_{relevance.pk}": ["Choose a score from 1 to 5."],
        f"score_{method.pk}": ["Choose a score from 1 to 5."],
    }
    assert not Score.objects.exists()

    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.create(
            assignment=assignment, criterion=relevance, value=6, weight=2, scale_min=1, scale_max=5
        )


def test_submitting_needs_every_criterion_and_its_reasons(review):
    assignment, relevance, method = review
    reviewer = assignment.reviewer

    with pytest.raises(ValidationError) as refused:
        svc.review_submit(assignment=assignment, by=reviewer, scores={relevance.pk: (4, "   ")})

    assert refused.value.message_dict == {
        f"rationale_{relevance.pk}": ["Say why you gave this score for “Relevance”."],
        f"score_{method.pk}": ["Give a score for “Method”."],
        f"rationale_{method.pk}": ["Say why you gave this score for “Method”."],
    }
    assignment.refresh_from_db()
    assert (assignment.status, assignment.snapshot) == ("assigned", None)


def test_reasons_are_optional_when_the_round_says_so(review):
    assignment, relevance, method = review
    ScoringRound.objects.filter(pk=assignment.round_id).update(rationale_required=False)

    done = svc.review_submit(
        assignment=assignment,
        by=assignment.reviewer,
        scores={relevance.pk: (4, ""), method.pk: (2, "")},
    )

    assert done.status == "submitted"


def test_only_the_reviewer_scores_and_only_while_the_round_is_scoring(review):
    assignment, relevance, _method = review

    with pytest.raises(TransitionNotAllowed):
        svc.review_save_draft(
            assignment=assignment, by=expert().user, scores={relevance.pk: (3, "x")}
        )
    ScoringRound.objects.filter(pk=assignment.round_id).update(phase="moderation")
    with pytest.raises(TransitionNotAllowed):
        svc.review_save_draft(
            assignment=assignment, by=assignment.reviewer, scores={relevance.pk: (3, "x")}
        )
    assert not Score.objects.exists()


def submit_full(assignment, relevance, method, values=(4, 2)):
    return svc.review_submit(
        assignment=assignment,
        by=assignment.reviewer,
        scores={relevance.pk: (values[0], "Because"), method.pk: (values[1], "Because")},
    )


def test_a_submitted_review_keeps_its_snapshot_after_the_criteria_change(review):
    assignment, relevance, method = review

    done = submit_full(assignment, relevance, method)
    Criterion.objects.filter(pk=relevance.pk).update(name="Renamed", weight="5.00")
    ScoringRound.objects.filter(pk=assignment.round_id).update(lived_weight="3.00")

    done.refresh_from_db()
    assert done.snapshot == {
        "scale": [1, 5],
        "rationale_required": True,
        "criteria": [
            {"id": relevance.pk, "name": "Relevance", "weight": "2.00", "position": 1},
            {"id": method.pk, "name": "Method", "weight": "1.00", "position": 2},
        ],
        "group_weights": {"lived_experience": "1.00", "academic": "1.00", "staff": "1.00"},
    }
    assert list(Score.objects.order_by("criterion__position").values_list("weight", "value")) == [
        (Decimal("2.00"), 4),
        (Decimal("1.00"), 2),
    ]
    assert done.submitted_at is not None


def test_a_submitted_review_cannot_be_changed(review):
    assignment, relevance, method = review
    submit_full(assignment, relevance, method)

    with pytest.raises(TransitionNotAllowed):
        svc.review_save_draft(
            assignment=assignment, by=assignment.reviewer, scores={relevance.pk: (1, "Changed")}
        )
    with pytest.raises(TransitionNotAllowed):
        submit_full(assignment, relevance, method)
    assert Score.objects.get(criterion=relevance).value == 4


def test_an_experts_review_becomes_one_review_fee(review, django_capture_on_commit_callbacks):
    rate_card(datetime.date(2026, 1, 1), review_fee="40.00")
    assignment, relevance, method = review
    reviewer = assignment.reviewer

    with django_capture_on_commit_callbacks(execute=True):
        submit_full(assignment, relevance, method)
    assert honorarium_for_review(assignment_id=assignment.pk) is False
    assert honoraria_create_due() == 0

    fee = Honorarium.objects.get()
    assert (fee.source_type, fee.source_id, fee.payee, fee.payee_reference) == (
        "review",
        assignment.pk,
        reviewer,
        reviewer.expert_profile.reference,
    )
    assert (fee.quantity, fee.amount, fee.status) == (Decimal("1.00"), Decimal("40.00"), "pending")
    assert fee.description == f"Proposal review: {assignment.proposal.reference}"


def test_a_staff_reviewers_review_makes_no_fee(world, django_capture_on_commit_callbacks):
    rate_card(datetime.date(2026, 1, 1))
    _lead, the_round, _lived, _academics, proposals = world
    staff = coordinator()
    round_reviewer(of_round=the_round, user=staff, group="staff")
    assignment = ReviewAssignment.objects.create(
        round=the_round, proposal=proposals[0], reviewer=staff
    )
    to_scoring(the_round)
    relevance, method = Criterion.objects.filter(round=the_round).order_by("position")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        submit_full(assignment, relevance, method)

    assert callbacks == []  # no fee task is even asked for
    assert honoraria_create_due() == 0
    assert not Honorarium.objects.exists()


def test_the_sweeper_creates_a_review_fee_whose_task_was_lost(review, settings):
    settings.PAYMENTS_HONORARIUM_GRACE_SECONDS = 0
    rate_card(datetime.date(2026, 1, 1), review_fee="40.00")
    assignment, relevance, method = review
    submit_full(assignment, relevance, method)  # the on-commit task never runs here

    assert Honorarium.objects.count() == 0
    assert honoraria_create_due() == 1
    assert honoraria_create_due() == 0
    assert Honorarium.objects.get().source_id == assignment.pk


def test_abstaining_needs_a_reason_and_finds_someone_else(world):
    lead, the_round, lived, _academics, proposals = world
    svc.assignment_apply(scoring_round=the_round, by=lead)
    to_scoring(the_round)
    spare = round_reviewer(of_round=the_round, group="lived_experience")
    mine = ReviewAssignment.objects.filter(reviewer=lived[0].user).order_by("pk").first()

    with pytest.raises(ValidationError):
        svc.review_abstain(assignment=mine, by=lived[0].user, reason="  ")
    done = svc.review_abstain(assignment=mine, by=lived[0].user, reason="Too close to home")

    assert (done.status, done.abstain_reason) == ("abstained", "Too close to home")
    assert ReviewAssignment.objects.get(proposal=mine.proposal, reviewer=spare.user).status == (
        "assigned"
    )
    assert_covered(the_round, proposals, [*lived, spare])


def test_a_reviewer_sees_a_proposal_only_when_assigned_past_conflicts_and_unconflicted(world):
    _lead, the_round, lived, _academics, proposals = world
    reviewer = lived[0].user
    ReviewAssignment.objects.create(round=the_round, proposal=proposals[0], reviewer=reviewer)

    assert is_assigned_reviewer(reviewer, proposals[0]) is False  # still the conflicts phase
    to_scoring(the_round)
    assert is_assigned_reviewer(reviewer, proposals[0]) is True
    assert is_assigned_reviewer(reviewer, proposals[1]) is False
    assert is_assigned_reviewer(lived[1].user, proposals[0]) is False
    ConflictDeclaration.objects.create(proposal=proposals[0], reviewer=reviewer, reason="other")
    assert is_assigned_reviewer(reviewer, proposals[0]) is False


# Reminders


def test_reviewers_are_reminded_once_before_the_deadline(world, settings):
    settings.REVIEW_REMINDER_HOURS = 48
    lead, the_round, lived, academics, _proposals = world
    svc.assignment_apply(scoring_round=the_round, by=lead)
    to_scoring(the_round)

    assert svc.reviews_remind_due() == 0  # ten days to go
    ScoringRound.objects.filter(pk=the_round.pk).update(
        deadline=timezone.now() + datetime.timedelta(hours=24)
    )
    assert svc.reviews_remind_due() == 4
    assert svc.reviews_remind_due() == 0

    emails = OutboundEmail.objects.filter(template="review_reminder")
    assert sorted(emails.values_list("to_address", flat=True)) == sorted(
        r.user.email for r in [*lived, *academics]
    )
    assert "2 proposals still to score" in emails.first().body_text


# Decisions


@pytest.fixture
def moderation(world):
    lead, the_round, lived, academics, proposals = world
    ScoringRound.objects.filter(pk=the_round.pk).update(phase="moderation")
    the_round.refresh_from_db()
    return lead, the_round, lived, academics, proposals


def test_a_decision_needs_a_lived_experience_voter_and_a_rationale(moderation):
    lead, the_round, lived, academics, proposals = moderation

    with pytest.raises(ValidationError) as refused:
        svc.decision_record(
            scoring_round=the_round,
            proposal=proposals[0],
            outcome="fund",
            rationale="Strong",
            voters=[academics[0].user],
            by=lead,
        )
    assert refused.value.message_dict == {
        "voters": ["At least one lived-experience reviewer must be among the voters."]
    }
    with pytest.raises(ValidationError) as refused:
        svc.decision_record(
            scoring_round=the_round,
            proposal=proposals[0],
            outcome="fund",
            rationale="Strong",
            voters=[lived[0].user, lead],  # the coordinator does not review in this round
            by=lead,
        )
    assert refused.value.message_dict == {"voters": ["Only the round's reviewers can be voters."]}
    with pytest.raises(ValidationError) as refused:
        svc.decision_record(
            scoring_round=the_round,
            proposal=proposals[0],
            outcome="maybe",
            rationale=" ",
            voters=[lived[0].user],
            by=lead,
        )
    assert set(refused.value.message_dict) == {"outcome", "rationale"}
    assert not Decision.objects.exists()


def test_recording_again_updates_the_decision_and_both_are_audited(moderation):
    lead, the_round, lived, academics, proposals = moderation

    svc.decision_record(
        scoring_round=the_round,
        proposal=proposals[0],
        outcome="reserve",
        rationale="Close call",
        voters=[lived[0].user, academics[0].user],
        by=lead,
    )
    decision = svc.decision_record(
        scoring_round=the_round,
        proposal=proposals[0],
        outcome="fund",
        rationale="Budget found",
        voters=[lived[0].user],
        by=lead,
    )

    assert Decision.objects.count() == 1
    assert (decision.outcome, decision.rationale) == ("fund", "Budget found")
    assert list(decision.voters.all()) == [lived[0].user]
    assert list(
        AuditEvent.objects.filter(action="decision.record")
        .order_by("pk")
        .values_list("from_state", "to_state")
    ) == [("", "reserve"), ("reserve", "fund")]


def test_decisions_only_in_moderation_and_only_by_coordinators(world):
    lead, the_round, lived, _academics, proposals = world
    args = {
        "scoring_round": the_round,
        "proposal": proposals[0],
        "outcome": "fund",
        "rationale": "Strong",
        "voters": [lived[0].user],
    }

    with pytest.raises(TransitionNotAllowed):
        svc.decision_record(**args, by=lead)  # still the conflicts phase
    ScoringRound.objects.filter(pk=the_round.pk).update(phase="moderation")
    with pytest.raises(TransitionNotAllowed):
        svc.decision_record(**args, by=lived[0].user)
    assert not Decision.objects.exists()


# The plan, read in a fixed number of queries, and what it cannot cover


def test_the_plan_reads_the_round_in_six_queries_at_any_size(world, django_assert_num_queries):
    _lead, the_round, _lived, _academics, _proposals = world
    with django_assert_num_queries(6):
        small = svc.assignment_plan(scoring_round=the_round)

    for _ in range(4):
        round_reviewer(of_round=the_round, group="lived_experience")
    for _ in range(8):
        proposal(call=the_round.call)
    with django_assert_num_queries(6):
        large = svc.assignment_plan(scoring_round=the_round)

    assert (len(small.assignments), len(large.assignments)) == (8, 24)
    assert small.covered and large.covered


def test_the_plan_says_which_proposal_cannot_have_its_lived_experience_reviewer(world):
    lead, the_round, lived, _academics, proposals = world
    for reviewer in lived:
        svc.conflict_declare(proposal=proposals[2], reviewer=reviewer.user, reason="other", by=lead)

    plan = svc.assignment_plan(scoring_round=the_round)

    assert [
        (s.proposal_id, s.missing, s.lived_missing, s.conflicted, s.eligible_lived)
        for s in plan.shortfalls
    ] == [(proposals[2].pk, 0, 1, 2, 0)]


def test_withdrawing_a_proposal_withdraws_its_reviews_still_to_do(world):
    lead, the_round, _lived, _academics, proposals = world
    svc.assignment_apply(scoring_round=the_round, by=lead)
    from engagement.services.calls import proposal_withdraw

    proposal_withdraw(proposal=proposals[0], by=lead)

    assert set(
        ReviewAssignment.objects.filter(proposal=proposals[0]).values_list("status", flat=True)
    ) == {"withdrawn"}
    assert svc.assignment_apply(scoring_round=the_round, by=lead) == []


# Who may do what, as pages and templates will ask


def test_permissions_for_proposals_reviews_and_criteria(world):
    lead, the_round, lived, academics, proposals = world
    reviewer = lived[0].user
    assignment = ReviewAssignment.objects.create(
        round=the_round, proposal=proposals[0], reviewer=reviewer
    )
    stranger = researcher()

    assert reviewer.has_perm("engagement.view_scoring_round", the_round)
    assert not stranger.has_perm("engagement.view_scoring_round", the_round)
    assert not reviewer.has_perm("engagement.view_proposal", proposals[0])
    assert lead.has_perm("engagement.view_proposal", proposals[0])
    assert not reviewer.has_perm("engagement.score_review", assignment)  # not scoring yet
    to_scoring(the_round)
    assignment.refresh_from_db()
    assert reviewer.has_perm("engagement.score_review", assignment)
    assert reviewer.has_perm("engagement.review_proposal", proposals[0])
    assert not academics[0].user.has_perm("engagement.review_proposal", proposals[0])
    assert not reviewer.has_perm("engagement.view_round_scores", the_round)
    ScoringRound.objects.filter(pk=the_round.pk).update(phase="moderation")
    the_round.refresh_from_db()
    assert reviewer.has_perm("engagement.view_round_scores", the_round)
    assert lead.has_perm("engagement.moderate_round", the_round)
    assert not reviewer.has_perm("engagement.moderate_round", the_round)


def test_only_a_coordinator_exports_a_round_and_each_export_is_audited(world):
    lead, the_round, lived, _academics, _proposals = world

    with pytest.raises(TransitionNotAllowed):
        svc.round_export_csv(scoring_round=the_round, by=lived[0].user)
    assert not AuditEvent.objects.filter(action="scoringround.export").exists()

    content = svc.round_export_csv(scoring_round=the_round, by=lead)

    assert content.splitlines()[0].startswith("reference,title,rank,reviews")
    event = AuditEvent.objects.get(action="scoringround.export")
    assert (event.actor, event.extra) == (lead, {"rows": len(content.splitlines()) - 1})
