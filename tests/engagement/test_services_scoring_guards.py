"""Scoring services, the guards the main tests leave open: the exact refusals people read,
the audit rows that choosing reviewers, removing conflicts and assigning by hand write, and
the filters that keep one reviewer, one round and one status from touching another."""

from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from core.models import AuditEvent, OutboundEmail
from core.transitions import TransitionNotAllowed
from engagement.models import ConflictDeclaration, ReviewAssignment, RoundReviewer
from engagement.services import scoring as svc
from tests.engagement.test_scoring import to_scoring, world  # noqa: F401 (a fixture)
from tests.factories import (
    coordinator,
    expert,
    funding_call,
    proposal,
    researcher,
    round_reviewer,
    scoring_round,
)


def events(action):
    return list(
        AuditEvent.objects.filter(action=action)
        .order_by("pk")
        .values_list("actor_id", "object_id", "extra")
    )


@pytest.fixture
def in_conflicts(world):  # noqa: F811 (the fixture imported above)
    """The main tests' round in the conflicts phase: (coordinator, round, two lived-experience
    reviewers, two academic reviewers, four submitted proposals), three reviews each at most."""
    return world


def other_round():
    """A second round, on a call of its own, also in the conflicts phase."""
    return scoring_round(
        call=funding_call(status="closed"), criteria_status="approved", phase="conflicts"
    )


# Choosing reviewers


def test_only_a_coordinator_chooses_reviewers(in_conflicts):
    _lead, the_round, lived, academics, _proposals = in_conflicts

    with pytest.raises(TransitionNotAllowed) as refused:
        svc.reviewer_add(
            scoring_round=the_round, user=researcher(), group="academic", by=lived[0].user
        )
    assert str(refused.value) == "Only coordinators can choose reviewers."
    with pytest.raises(TransitionNotAllowed) as refused:
        svc.reviewer_remove(scoring_round=the_round, user=academics[0].user, by=lived[0].user)
    assert str(refused.value) == "Only coordinators can choose reviewers."

    assert RoundReviewer.objects.filter(round=the_round).count() == 4


def test_a_reviewer_is_added_with_a_known_group_and_a_cap_of_at_least_one(in_conflicts):
    lead, the_round, *_ = in_conflicts
    academic = researcher()

    with pytest.raises(ValidationError) as refused:
        svc.reviewer_add(scoring_round=the_round, user=academic, group="friends", by=lead)
    assert refused.value.message_dict == {"group": ["Choose the reviewer's group."]}
    with pytest.raises(ValidationError) as refused:
        svc.reviewer_add(
            scoring_round=the_round, user=academic, group="academic", by=lead, load_cap=0
        )
    assert refused.value.message_dict == {"load_cap": ["A reviewer takes at least one proposal."]}
    assert not RoundReviewer.objects.filter(user=academic).exists()

    added = svc.reviewer_add(
        scoring_round=the_round, user=academic, group="academic", by=lead, load_cap=1
    )

    assert (added.round, added.user, added.group, added.load_cap) == (
        the_round,
        academic,
        "academic",
        1,
    )


def test_adding_a_reviewer_is_audited(in_conflicts):
    lead, the_round, *_ = in_conflicts
    academic = researcher()
    staff = researcher()

    svc.reviewer_add(scoring_round=the_round, user=academic, group="academic", by=lead, load_cap=2)
    svc.reviewer_add(scoring_round=the_round, user=staff, group="staff", by=lead)

    assert events("scoringround.reviewer_add") == [
        (lead.pk, the_round.pk, {"user_id": academic.pk, "group": "academic", "load_cap": 2}),
        (lead.pk, the_round.pk, {"user_id": staff.pk, "group": "staff", "load_cap": None}),
    ]


def test_an_inactive_account_cannot_be_added_as_a_reviewer(in_conflicts):
    lead, the_round, *_ = in_conflicts
    gone = researcher(is_active=False)

    with pytest.raises(TransitionNotAllowed) as refused:
        svc.reviewer_add(scoring_round=the_round, user=gone, group="academic", by=lead)

    assert str(refused.value) == "This person's account is not active."
    assert not RoundReviewer.objects.filter(user=gone).exists()


def test_a_paused_expert_cannot_review_for_lived_experience(in_conflicts):
    lead, the_round, *_ = in_conflicts
    paused = expert(status="paused").user

    with pytest.raises(TransitionNotAllowed) as refused:
        svc.reviewer_add(scoring_round=the_round, user=paused, group="lived_experience", by=lead)

    assert str(refused.value) == "Lived-experience reviewers must be active experts."
    assert not RoundReviewer.objects.filter(user=paused).exists()


def test_reviewers_are_not_added_once_scoring_has_started(in_conflicts):
    lead, the_round, *_ = in_conflicts
    to_scoring(the_round)
    academic = researcher()

    with pytest.raises(TransitionNotAllowed) as refused:
        svc.reviewer_add(scoring_round=the_round, user=academic, group="academic", by=lead)

    assert str(refused.value) == "Reviewers are chosen before scoring starts."
    assert not RoundReviewer.objects.filter(user=academic).exists()


def test_a_reviewer_is_added_once_per_round_but_may_review_in_another(in_conflicts):
    lead, the_round, _lived, academics, _proposals = in_conflicts
    reviewer = academics[0].user
    second = other_round()

    with pytest.raises(TransitionNotAllowed) as refused:
        svc.reviewer_add(scoring_round=the_round, user=reviewer, group="staff", by=lead)
    assert str(refused.value) == "This person already reviews in this round."
    svc.reviewer_add(scoring_round=second, user=reviewer, group="staff", by=lead)

    assert list(
        RoundReviewer.objects.filter(user=reviewer).order_by("pk").values_list("round", "group")
    ) == [(the_round.pk, "academic"), (second.pk, "staff")]


def test_removing_a_reviewer_leaves_other_reviewers_and_other_rounds_alone(in_conflicts):
    lead, the_round, lived, academics, proposals = in_conflicts
    leaving = academics[0].user
    second = other_round()
    round_reviewer(of_round=second, user=leaving)
    elsewhere = ReviewAssignment.objects.create(
        round=second, proposal=proposal(call=second.call), reviewer=leaving
    )
    colleague = ReviewAssignment.objects.create(
        round=the_round, proposal=proposals[0], reviewer=academics[1].user
    )

    svc.reviewer_remove(scoring_round=the_round, user=leaving, by=lead)

    assert sorted(RoundReviewer.objects.values_list("round", "user")) == sorted(
        [
            *((the_round.pk, r.user_id) for r in [*lived, academics[1]]),
            (second.pk, leaving.pk),
        ]
    )
    for untouched in (elsewhere, colleague):
        untouched.refresh_from_db()
        assert untouched.status == "assigned"


def test_removing_a_reviewer_withdraws_their_live_reviews_and_is_audited(in_conflicts):
    lead, the_round, _lived, academics, proposals = in_conflicts
    leaving = academics[0].user
    # A review withdrawn earlier stays as it is (withdrawing it again would be refused).
    ReviewAssignment.objects.create(
        round=the_round, proposal=proposals[0], reviewer=leaving, status="withdrawn"
    )
    live = ReviewAssignment.objects.create(round=the_round, proposal=proposals[1], reviewer=leaving)

    svc.reviewer_remove(scoring_round=the_round, user=leaving, by=lead)

    assert list(
        ReviewAssignment.objects.filter(reviewer=leaving).order_by("pk").values_list("status")
    ) == [("withdrawn",), ("withdrawn",)]
    assert events("reviewassignment.withdraw") == [(lead.pk, live.pk, {"why": "reviewer_removed"})]
    assert events("scoringround.reviewer_remove") == [
        (lead.pk, the_round.pk, {"user_id": leaving.pk})
    ]


# Conflicts of interest


def test_a_reviewer_is_told_whom_to_ask_about_a_coordinators_conflict(in_conflicts):
    lead, _the_round, lived, _academics, proposals = in_conflicts
    reviewer = lived[0].user
    added = svc.conflict_declare(
        proposal=proposals[0], reviewer=reviewer, reason="financial", by=lead
    )

    with pytest.raises(TransitionNotAllowed) as refused:
        svc.conflict_remove(conflict=added, by=reviewer)

    assert str(refused.value) == "A coordinator added this conflict: ask them about it."
    assert ConflictDeclaration.objects.filter(pk=added.pk).exists()


def test_removing_a_conflict_is_audited(in_conflicts):
    lead, _the_round, lived, _academics, proposals = in_conflicts
    reviewer = lived[0].user
    own = svc.conflict_declare(
        proposal=proposals[0], reviewer=reviewer, reason="other", by=reviewer
    )
    added = svc.conflict_declare(
        proposal=proposals[1], reviewer=reviewer, reason="personal", by=lead
    )

    svc.conflict_remove(conflict=own, by=reviewer)
    svc.conflict_remove(conflict=added, by=lead)

    assert events("conflict.remove") == [
        (reviewer.pk, proposals[0].pk, {"reviewer_id": reviewer.pk}),
        (lead.pk, proposals[1].pk, {"reviewer_id": reviewer.pk}),
    ]


# Assigning by hand


def test_only_a_coordinator_assigns_and_only_once_conflicts_are_open(in_conflicts):
    lead, the_round, lived, _academics, proposals = in_conflicts
    reviewer = lived[0].user

    with pytest.raises(TransitionNotAllowed) as refused:
        svc.assignment_add(
            scoring_round=the_round, proposal=proposals[0], reviewer=reviewer, by=lived[1].user
        )
    assert str(refused.value) == "Only coordinators can assign reviewers."
    the_round.__class__.objects.filter(pk=the_round.pk).update(phase="setup")
    with pytest.raises(TransitionNotAllowed) as refused:
        svc.assignment_add(
            scoring_round=the_round, proposal=proposals[0], reviewer=reviewer, by=lead
        )
    assert str(refused.value) == (
        "Reviewers are assigned once conflicts are declared, and until scoring ends."
    )

    assert not ReviewAssignment.objects.exists()


def test_only_a_submitted_proposal_of_the_rounds_call_is_assigned(in_conflicts):
    lead, the_round, lived, _academics, _proposals = in_conflicts
    reviewer = lived[0].user
    draft = proposal(call=the_round.call, status="draft")
    elsewhere = proposal(call=funding_call(status="closed"))

    for outside in (draft, elsewhere):
        with pytest.raises(TransitionNotAllowed) as refused:
            svc.assignment_add(
                scoring_round=the_round, proposal=outside, reviewer=reviewer, by=lead
            )
        assert str(refused.value) == "This proposal is not in the round."

    assert not ReviewAssignment.objects.exists()


def test_a_reviewer_of_another_round_only_is_not_assigned(in_conflicts):
    lead, the_round, _lived, _academics, proposals = in_conflicts
    outsider = round_reviewer(of_round=other_round()).user

    with pytest.raises(TransitionNotAllowed) as refused:
        svc.assignment_add(
            scoring_round=the_round, proposal=proposals[0], reviewer=outsider, by=lead
        )

    assert str(refused.value) == "Add this person as a reviewer in the round first."
    assert not ReviewAssignment.objects.exists()


def test_a_review_withdrawn_earlier_or_held_by_someone_else_does_not_block_assigning(in_conflicts):
    lead, the_round, lived, academics, proposals = in_conflicts
    reviewer = academics[0].user
    ReviewAssignment.objects.create(
        round=the_round, proposal=proposals[0], reviewer=reviewer, status="withdrawn"
    )
    ReviewAssignment.objects.create(round=the_round, proposal=proposals[0], reviewer=lived[0].user)

    again = svc.assignment_add(
        scoring_round=the_round, proposal=proposals[0], reviewer=reviewer, by=lead
    )

    assert list(
        ReviewAssignment.objects.filter(proposal=proposals[0])
        .order_by("pk")
        .values_list("reviewer", "status")
    ) == [(reviewer.pk, "withdrawn"), (lived[0].user_id, "assigned"), (reviewer.pk, "assigned")]
    assert again.explanation == {"by_hand": True, "load_after": 1, "cap": 3}


def test_the_cap_counts_only_the_reviewers_live_reviews_in_this_round(in_conflicts):
    lead, the_round, lived, academics, proposals = in_conflicts
    reviewer = round_reviewer(of_round=the_round, load_cap=2).user
    # None of these count towards the cap of two: another round, another reviewer, withdrawn.
    second = other_round()
    round_reviewer(of_round=second, user=reviewer)
    for _ in range(2):
        ReviewAssignment.objects.create(
            round=second, proposal=proposal(call=second.call), reviewer=reviewer
        )
    for colleague in (lived[0], academics[0]):
        ReviewAssignment.objects.create(
            round=the_round, proposal=proposals[3], reviewer=colleague.user
        )
    ReviewAssignment.objects.create(
        round=the_round, proposal=proposals[2], reviewer=reviewer, status="withdrawn"
    )
    ReviewAssignment.objects.create(
        round=the_round, proposal=proposals[3], reviewer=reviewer, status="withdrawn"
    )
    ReviewAssignment.objects.create(round=the_round, proposal=proposals[0], reviewer=reviewer)

    added = svc.assignment_add(
        scoring_round=the_round, proposal=proposals[1], reviewer=reviewer, by=lead
    )

    assert added.explanation == {"by_hand": True, "load_after": 2, "cap": 2}
    with pytest.raises(TransitionNotAllowed) as refused:
        svc.assignment_add(
            scoring_round=the_round, proposal=proposals[2], reviewer=reviewer, by=lead
        )
    assert str(refused.value) == "This reviewer already has 2 proposals, the most they can take."


def test_assigning_by_hand_is_audited_and_names_who_assigned(in_conflicts):
    lead, the_round, lived, _academics, proposals = in_conflicts
    reviewer = lived[0].user

    added = svc.assignment_add(
        scoring_round=the_round, proposal=proposals[1], reviewer=reviewer, by=lead
    )

    added.refresh_from_db()
    assert (added.assigned_by, added.status) == (lead, "assigned")
    assert events("reviewassignment.add") == [
        (lead.pk, added.pk, {"proposal": "P-002", "reviewer_id": reviewer.pk})
    ]


def test_a_reviewer_assigned_by_hand_hears_of_it_only_once_scoring_has_started(in_conflicts):
    lead, the_round, lived, academics, proposals = in_conflicts

    svc.assignment_add(
        scoring_round=the_round, proposal=proposals[0], reviewer=lived[0].user, by=lead
    )
    assert not OutboundEmail.objects.exists()
    to_scoring(the_round)
    svc.assignment_add(
        scoring_round=the_round, proposal=proposals[0], reviewer=academics[0].user, by=lead
    )

    assert list(
        OutboundEmail.objects.filter(template="review_assigned").values_list(
            "to_address", flat=True
        )
    ) == [academics[0].user.email]


# Taking reviews back


def test_only_a_coordinator_takes_a_review_back(in_conflicts):
    _lead, the_round, lived, _academics, proposals = in_conflicts
    review = ReviewAssignment.objects.create(
        round=the_round, proposal=proposals[0], reviewer=lived[0].user
    )

    with pytest.raises(TransitionNotAllowed) as refused:
        svc.assignment_withdraw(assignment=review, by=lived[0].user, reason="Not mine")

    assert str(refused.value) == "Only coordinators can take reviews back."
    review.refresh_from_db()
    assert review.status == "assigned"


def test_taking_a_review_back_is_audited_as_by_hand(in_conflicts):
    lead, the_round, lived, _academics, proposals = in_conflicts
    review = ReviewAssignment.objects.create(
        round=the_round, proposal=proposals[0], reviewer=lived[0].user
    )

    taken = svc.assignment_withdraw(assignment=review, by=lead)

    assert taken.status == "withdrawn"
    event = AuditEvent.objects.get(action="reviewassignment.withdraw")
    assert (event.actor, event.object_id, event.note, event.extra) == (
        lead,
        review.pk,
        "",
        {"why": "by_hand"},
    )


def test_a_withdrawn_proposals_reviews_still_to_do_are_withdrawn_by_the_system(in_conflicts):
    _lead, the_round, lived, academics, proposals = in_conflicts
    target = proposals[0]
    to_do = [
        ReviewAssignment.objects.create(round=the_round, proposal=target, reviewer=r.user)
        for r in (lived[0], academics[0])
    ]
    done = ReviewAssignment.objects.create(
        round=the_round, proposal=target, reviewer=lived[1].user, status="submitted"
    )
    gone = ReviewAssignment.objects.create(
        round=the_round, proposal=target, reviewer=academics[1].user, status="withdrawn"
    )
    other = ReviewAssignment.objects.create(
        round=the_round, proposal=proposals[1], reviewer=lived[0].user
    )

    withdrawn = svc.assignments_withdraw_for_proposal(proposal=target)

    assert withdrawn == 2
    assert dict(ReviewAssignment.objects.values_list("pk", "status")) == {
        to_do[0].pk: "withdrawn",
        to_do[1].pk: "withdrawn",
        done.pk: "submitted",
        gone.pk: "withdrawn",
        other.pk: "assigned",
    }
    assert events("reviewassignment.withdraw") == [
        (None, review.pk, {"why": "proposal_withdrawn"}) for review in to_do
    ]


def test_a_proposal_without_reviews_to_do_withdraws_none(in_conflicts):
    _lead, _the_round, _lived, _academics, proposals = in_conflicts

    assert svc.assignments_withdraw_for_proposal(proposal=proposals[0]) == 0


# Phases


def test_a_round_moves_only_to_a_phase_that_has_a_step(in_conflicts):
    lead, the_round, *_ = in_conflicts

    with pytest.raises(TransitionNotAllowed) as refused:
        svc.round_phase_advance(scoring_round=the_round, to="setup", by=lead)
    assert str(refused.value) == "Choose the next phase."
    the_round.refresh_from_db()
    assert the_round.phase == "conflicts"

    assert svc.round_phase_advance(scoring_round=the_round, to="scoring", by=lead).phase == (
        "scoring"
    )


def test_conflicts_open_once_there_are_reviewers_even_while_the_call_is_open(db):
    lead = coordinator()
    the_round = scoring_round(call=funding_call(status="open"), criteria_status="approved")

    with pytest.raises(TransitionNotAllowed) as refused:
        svc.round_phase_advance(scoring_round=the_round, to="conflicts", by=lead)
    assert str(refused.value) == "Add the reviewers first."
    the_round.refresh_from_db()
    assert the_round.phase == "setup"

    round_reviewer(of_round=the_round)
    moved = svc.round_phase_advance(scoring_round=the_round, to="conflicts", by=lead)

    assert moved.phase == "conflicts"
    assert events("scoringround.start_conflicts") == [(lead.pk, the_round.pk, {})]


def test_scoring_starts_in_a_fixed_number_of_queries(in_conflicts, django_assert_num_queries):
    lead, the_round, lived, _academics, proposals = in_conflicts
    ReviewAssignment.objects.create(round=the_round, proposal=proposals[0], reviewer=lived[0].user)

    # Lock and read the round with its call, check, move, audit, find the reviewers with
    # reviews to do, load them, and queue the email (with its savepoints).
    with django_assert_num_queries(14):
        svc.round_phase_advance(scoring_round=the_round, to="scoring", by=lead)


def test_when_scoring_starts_only_this_rounds_active_reviewers_with_reviews_to_do_hear(
    in_conflicts,
):
    lead, the_round, lived, academics, proposals = in_conflicts
    second = other_round()
    elsewhere = round_reviewer(of_round=second).user
    ReviewAssignment.objects.create(
        round=second, proposal=proposal(call=second.call), reviewer=elsewhere
    )
    ReviewAssignment.objects.create(round=the_round, proposal=proposals[0], reviewer=lived[0].user)
    ReviewAssignment.objects.create(
        round=the_round, proposal=proposals[0], reviewer=academics[0].user, status="withdrawn"
    )
    gone = round_reviewer(of_round=the_round, user=researcher(is_active=False)).user
    ReviewAssignment.objects.create(round=the_round, proposal=proposals[1], reviewer=gone)

    svc.round_phase_advance(scoring_round=the_round, to="scoring", by=lead)

    assert list(OutboundEmail.objects.values_list("template", "to_address", "subject")) == [
        (
            "review_assigned",
            lived[0].user.email,
            "Tandem: Proposals for you to score: Safe housing after exploitation",
        )
    ]
    deadline = the_round.deadline.astimezone(ZoneInfo(settings.TIME_ZONE))
    assert (
        f"Please score them by {deadline:%-d %B %Y, %H:%M}."
        in OutboundEmail.objects.get().body_text
    )


def test_reviewers_are_not_emailed_again_when_moderation_starts(in_conflicts):
    lead, the_round, lived, _academics, proposals = in_conflicts
    to_scoring(the_round)
    ReviewAssignment.objects.create(round=the_round, proposal=proposals[0], reviewer=lived[0].user)

    svc.round_phase_advance(scoring_round=the_round, to="moderation", by=lead)

    assert not OutboundEmail.objects.exists()


# Declaring conflicts


def test_a_conflict_needs_a_known_reason(in_conflicts):
    lead, _the_round, lived, _academics, proposals = in_conflicts

    with pytest.raises(ValidationError) as refused:
        svc.conflict_declare(
            proposal=proposals[0], reviewer=lived[0].user, reason="dislike", by=lead
        )

    assert refused.value.message_dict == {"reason": ["Choose the reason."]}
    assert not ConflictDeclaration.objects.exists()


def test_a_reviewer_is_told_they_declare_conflicts_only_for_themselves(in_conflicts):
    _lead, _the_round, lived, academics, proposals = in_conflicts

    with pytest.raises(TransitionNotAllowed) as refused:
        svc.conflict_declare(
            proposal=proposals[0], reviewer=academics[0].user, reason="other", by=lived[0].user
        )

    assert str(refused.value) == "You can declare conflicts only for yourself."
    assert not ConflictDeclaration.objects.exists()


def test_conflicts_are_not_declared_once_scoring_has_finished(in_conflicts):
    lead, the_round, lived, _academics, proposals = in_conflicts
    the_round.__class__.objects.filter(pk=the_round.pk).update(phase="moderation")

    with pytest.raises(TransitionNotAllowed) as refused:
        svc.conflict_declare(proposal=proposals[0], reviewer=lived[0].user, reason="other", by=lead)

    assert str(refused.value) == "Scoring has finished in this round."
    assert not ConflictDeclaration.objects.exists()


def test_only_the_rounds_own_reviewers_declare_conflicts_on_its_proposals(in_conflicts):
    lead, _the_round, _lived, _academics, proposals = in_conflicts
    outsider = round_reviewer(of_round=other_round()).user

    for by in (outsider, lead):
        with pytest.raises(TransitionNotAllowed) as refused:
            svc.conflict_declare(proposal=proposals[0], reviewer=outsider, reason="other", by=by)
        assert str(refused.value) == "Only the round's reviewers declare conflicts."

    assert not ConflictDeclaration.objects.exists()


def test_a_call_without_a_scoring_round_takes_no_conflicts(in_conflicts):
    lead, _the_round, lived, _academics, _proposals = in_conflicts
    unscored = proposal(call=funding_call(status="closed"))

    with pytest.raises(TransitionNotAllowed) as refused:
        svc.conflict_declare(proposal=unscored, reviewer=lived[0].user, reason="other", by=lead)

    assert str(refused.value) == "This call has no scoring round yet."
    assert not ConflictDeclaration.objects.exists()


def test_declaring_again_keeps_the_first_reason_and_a_coordinator_makes_it_stay(in_conflicts):
    lead, _the_round, lived, _academics, proposals = in_conflicts
    reviewer = lived[0].user
    target = proposals[0]

    first = svc.conflict_declare(proposal=target, reviewer=reviewer, reason="other", by=reviewer)
    svc.conflict_declare(proposal=target, reviewer=reviewer, reason="personal", by=reviewer)
    assert ConflictDeclaration.objects.get().by_coordinator is False
    confirmed = svc.conflict_declare(
        proposal=target, reviewer=reviewer, reason="financial", by=lead
    )

    assert confirmed.pk == first.pk
    kept = ConflictDeclaration.objects.get()
    assert (kept.reason, kept.note, kept.declared_by, kept.by_coordinator) == (
        "other",
        "",
        reviewer,
        True,
    )
    with pytest.raises(TransitionNotAllowed):
        svc.conflict_remove(conflict=kept, by=reviewer)
    assert events("conflict.declare") == [
        (
            reviewer.pk,
            target.pk,
            {"reviewer_id": reviewer.pk, "reason": "other", "by_coordinator": False},
        ),
        (
            reviewer.pk,
            target.pk,
            {"reviewer_id": reviewer.pk, "reason": "other", "by_coordinator": False},
        ),
        (
            lead.pk,
            target.pk,
            {"reviewer_id": reviewer.pk, "reason": "other", "by_coordinator": True},
        ),
    ]


def test_a_conflict_withdraws_only_that_reviewers_live_review_of_that_proposal(in_conflicts):
    lead, the_round, lived, academics, proposals = in_conflicts
    reviewer = lived[0].user
    earlier = ReviewAssignment.objects.create(
        round=the_round, proposal=proposals[0], reviewer=reviewer, status="withdrawn"
    )
    live = ReviewAssignment.objects.create(
        round=the_round, proposal=proposals[0], reviewer=reviewer
    )
    other_proposal = ReviewAssignment.objects.create(
        round=the_round, proposal=proposals[1], reviewer=reviewer
    )
    colleague = ReviewAssignment.objects.create(
        round=the_round, proposal=proposals[0], reviewer=academics[0].user
    )

    svc.conflict_declare(proposal=proposals[0], reviewer=reviewer, reason="personal", by=lead)

    # During conflicts nobody takes the place: the coordinator applies the plan later.
    assert dict(ReviewAssignment.objects.values_list("pk", "status")) == {
        earlier.pk: "withdrawn",
        live.pk: "withdrawn",
        other_proposal.pk: "assigned",
        colleague.pk: "assigned",
    }
    assert events("reviewassignment.withdraw") == [(lead.pk, live.pk, {"why": "conflict"})]
    assert not AuditEvent.objects.filter(action="scoringround.assignments_apply").exists()


def test_during_scoring_a_conflict_refills_only_the_place_it_empties(in_conflicts):
    _lead, the_round, lived, academics, proposals = in_conflicts
    reviewer = lived[0].user
    ReviewAssignment.objects.create(round=the_round, proposal=proposals[0], reviewer=reviewer)
    ReviewAssignment.objects.create(
        round=the_round, proposal=proposals[0], reviewer=academics[0].user
    )
    to_scoring(the_round)

    # A conflict on a proposal they do not review empties no place: nothing is planned.
    svc.conflict_declare(proposal=proposals[1], reviewer=reviewer, reason="other", by=reviewer)
    assert not AuditEvent.objects.filter(action="scoringround.assignments_apply").exists()
    svc.conflict_declare(proposal=proposals[0], reviewer=reviewer, reason="other", by=reviewer)

    assert sorted(
        ReviewAssignment.objects.filter(status="assigned").values_list("proposal", "reviewer")
    ) == sorted([(proposals[0].pk, academics[0].user_id), (proposals[0].pk, lived[1].user_id)])
    assert events("scoringround.assignments_apply") == [
        (None, the_round.pk, {"created": 1, "proposals": [proposals[0].pk], "shortfalls": []})
    ]
    assert list(OutboundEmail.objects.values_list("to_address", flat=True)) == [lived[1].user.email]


# Applying the plan


def test_only_a_coordinator_applies_the_plan_and_only_from_conflicts_to_scoring(in_conflicts):
    lead, the_round, lived, *_ = in_conflicts

    with pytest.raises(TransitionNotAllowed) as refused:
        svc.assignment_apply(scoring_round=the_round, by=lived[0].user)
    assert str(refused.value) == "Only coordinators can assign reviewers."
    the_round.__class__.objects.filter(pk=the_round.pk).update(phase="moderation")
    with pytest.raises(TransitionNotAllowed) as refused:
        svc.assignment_apply(scoring_round=the_round, by=lead)
    assert str(refused.value) == (
        "Reviewers are assigned once conflicts are declared, and until scoring ends."
    )

    assert not ReviewAssignment.objects.exists()


def test_applying_the_plan_is_audited_with_what_it_could_not_cover(in_conflicts):
    lead, the_round, lived, _academics, proposals = in_conflicts
    for reviewer in lived:
        svc.conflict_declare(proposal=proposals[2], reviewer=reviewer.user, reason="other", by=lead)

    created = svc.assignment_apply(scoring_round=the_round, by=lead)

    assert len(created) == 8
    shortfall = {
        "proposal_id": proposals[2].pk,
        "missing": 0,
        "lived_missing": 1,
        "conflicted": 2,
        "already_assigned": 0,
        "eligible": 2,
        "eligible_without_capacity": 0,
        "eligible_lived": 0,
    }
    assert events("scoringround.assignments_apply") == [
        (lead.pk, the_round.pk, {"created": 8, "proposals": None, "shortfalls": [shortfall]})
    ]


def test_applying_during_scoring_emails_only_the_reviewers_given_new_reviews(in_conflicts):
    lead, the_round, _lived, _academics, proposals = in_conflicts
    svc.assignment_apply(scoring_round=the_round, by=lead)
    to_scoring(the_round)
    taken_back = ReviewAssignment.objects.filter(proposal=proposals[0]).order_by("pk").first()
    svc.assignment_withdraw(assignment=taken_back, by=lead)

    created = svc.assignment_apply(scoring_round=the_round, by=lead)

    assert len(created) == 1
    (refill,) = ReviewAssignment.objects.filter(pk=created[0].pk)
    assert (refill.proposal, refill.assigned_by, refill.status) == (proposals[0], lead, "assigned")
    assert refill.reviewer != taken_back.reviewer
    assert list(OutboundEmail.objects.values_list("to_address", flat=True)) == [
        refill.reviewer.email
    ]


def test_assigning_by_hand_during_scoring_takes_a_fixed_number_of_queries(
    in_conflicts, django_assert_num_queries
):
    lead, the_round, lived, _academics, proposals = in_conflicts
    to_scoring(the_round)

    # The round is locked and read with its call: the email names the call without asking again.
    with django_assert_num_queries(17):
        svc.assignment_add(
            scoring_round=the_round, proposal=proposals[0], reviewer=lived[0].user, by=lead
        )


def test_the_plan_counts_live_reviews_per_reviewer_and_lived_reviews_per_proposal(
    in_conflicts, monkeypatch
):
    """What the solver is asked, with reviews already in place: each reviewer's load and the
    capacity left (never below none), and each proposal's reviewers and lived-experience
    reviewers still needed (never below none). A withdrawn review counts for nothing but is
    never proposed again; a review by someone no longer a reviewer still fills its place."""
    _lead, the_round, lived, academics, proposals = in_conflicts
    the_round.__class__.objects.filter(pk=the_round.pk).update(
        reviewers_per_proposal=3, lived_minimum=2, load_cap=3
    )
    the_round.refresh_from_db()
    RoundReviewer.objects.filter(pk=lived[1].pk).update(load_cap=1)
    RoundReviewer.objects.filter(pk=academics[0].pk).update(load_cap=2)
    p1, p2, p3, p4 = proposals
    p5 = proposal(call=the_round.call)
    lived0, lived1 = lived[0].user, lived[1].user
    academic0, academic1 = academics[0].user, academics[1].user
    pairs = [
        (lived0, p1, "assigned"),
        (lived1, p1, "submitted"),
        (lived0, p2, "assigned"),
        (academic0, p2, "withdrawn"),
        (lived1, p3, "assigned"),
        (academic1, p3, "assigned"),
        (lived0, p5, "submitted"),
        (lived1, p5, "assigned"),
        (academic0, p5, "assigned"),
    ]
    for reviewer, a_proposal, status in pairs:
        ReviewAssignment.objects.create(
            round=the_round, proposal=a_proposal, reviewer=reviewer, status=status
        )
    academics[1].delete()
    ConflictDeclaration.objects.create(reviewer=academic0, proposal=p4, reason="works_with_team")
    asked = {}
    monkeypatch.setattr(svc.assignment, "assignment_solve", lambda **kwargs: asked.update(kwargs))

    svc.assignment_plan(scoring_round=the_round)

    assert {r.id: (r.group, r.load, r.capacity) for r in asked["reviewers"]} == {
        lived0.pk: ("lived_experience", 3, 0),
        lived1.pk: ("lived_experience", 3, 0),
        academic0.pk: ("academic", 1, 1),  # their own cap of two, not the round's three
    }
    assert {p.id: (p.needed, p.lived_needed) for p in asked["proposals"]} == {
        p1.pk: (1, 0),
        p2.pk: (2, 1),
        p3.pk: (1, 1),
        p4.pk: (3, 2),
        p5.pk: (0, 0),
    }
    assert set(asked["assigned"]) == {(r.pk, p.pk) for r, p, _status in pairs}
    assert set(asked["conflicts"]) == {(academic0.pk, p4.pk)}
