"""Reviews, decisions, exports and reminders at their edges: the exact refusals a reviewer or
coordinator reads, nothing written after a refusal, who is reminded (and who is not), and the
queries a review action takes."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.template.defaultfilters import date as date_filter
from django.utils import timezone

from core.models import OutboundEmail
from core.transitions import TransitionNotAllowed
from engagement.models import Decision, ReviewAssignment, ScoringRound
from engagement.services import scoring as svc
from tests.engagement.test_scoring import (  # noqa: F401 (fixtures)
    moderation,
    review,
    to_scoring,
    world,
)
from tests.factories import funding_call, proposal, researcher, round_reviewer, scoring_round

# Abstaining


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_abstaining_without_a_reason_is_refused_and_the_review_stays_to_do(review, reason):  # noqa: F811 (a fixture imported above)
    assignment, _relevance, _method = review

    with pytest.raises(ValidationError) as refused:
        svc.review_abstain(assignment=assignment, by=assignment.reviewer, reason=reason)

    assert refused.value.message_dict == {
        "reason": ["Say briefly why you are not scoring this one."]
    }
    assignment.refresh_from_db()
    assert (assignment.status, assignment.abstain_reason) == ("assigned", "")


def test_abstaining_is_refused_before_scoring_starts(world):  # noqa: F811 (a fixture imported above)
    _lead, the_round, lived, _academics, proposals = world
    mine = ReviewAssignment.objects.create(
        round=the_round, proposal=proposals[0], reviewer=lived[0].user
    )

    with pytest.raises(TransitionNotAllowed) as refused:
        svc.review_abstain(assignment=mine, by=lived[0].user, reason="Too close to home")

    assert str(refused.value) == "Scores can be given only while the round is scoring."
    mine.refresh_from_db()
    assert (mine.status, mine.abstain_reason) == ("assigned", "")


def test_abstaining_takes_a_fixed_number_of_queries(django_assert_num_queries, review):  # noqa: F811 (a fixture imported above)
    assignment, _relevance, _method = review

    with django_assert_num_queries(34):
        svc.review_abstain(assignment=assignment, by=assignment.reviewer, reason="Too close")


# Decisions


def test_only_a_coordinator_records_a_decision_and_is_told_so(moderation):  # noqa: F811 (a fixture imported above)
    _lead, the_round, lived, _academics, proposals = moderation

    with pytest.raises(TransitionNotAllowed) as refused:
        svc.decision_record(
            scoring_round=the_round,
            proposal=proposals[0],
            outcome="fund",
            rationale="Strong",
            voters=[lived[0].user],
            by=lived[0].user,
        )

    assert str(refused.value) == "Only coordinators record decisions."
    assert not Decision.objects.exists()


# Reminders


@pytest.fixture
def due_soon(world, settings):  # noqa: F811 (a fixture imported above)
    """The world's round in scoring, its deadline a day away, reminders 48 hours ahead; the
    first lived-experience reviewer has one review to do."""
    settings.REVIEW_REMINDER_HOURS = 48
    _lead, the_round, lived, _academics, proposals = world
    ScoringRound.objects.filter(pk=the_round.pk).update(
        phase="scoring", deadline=timezone.now() + datetime.timedelta(hours=24)
    )
    the_round.refresh_from_db()
    mine = ReviewAssignment.objects.create(
        round=the_round, proposal=proposals[0], reviewer=lived[0].user
    )
    return the_round, lived[0].user, mine


def test_the_reminder_names_the_call_and_when_scoring_closes(due_soon):
    the_round, reviewer, _mine = due_soon

    assert svc.reviews_remind_due() == 1

    email = OutboundEmail.objects.get(template="review_reminder")
    closes = date_filter(the_round.deadline, "j F Y, H:i")
    assert email.to_address == reviewer.email
    assert (
        f"You have 1 proposal still to score for {the_round.call.title}. "
        f"Scoring closes on {closes}." in email.body_text
    )


def test_a_submitted_review_is_not_reminded(due_soon):
    _the_round, _reviewer, mine = due_soon
    ReviewAssignment.objects.filter(pk=mine.pk).update(
        status="submitted", submitted_at=timezone.now()
    )

    assert svc.reviews_remind_due() == 0
    assert not OutboundEmail.objects.exists()


@pytest.mark.parametrize("phase", ["conflicts", "moderation"])
def test_no_reminder_outside_the_scoring_phase(due_soon, phase):
    the_round, _reviewer, mine = due_soon
    ScoringRound.objects.filter(pk=the_round.pk).update(phase=phase)

    assert svc.reviews_remind_due() == 0
    assert not OutboundEmail.objects.exists()
    mine.refresh_from_db()
    assert mine.reminded_at is None


def test_no_reminder_once_the_deadline_has_passed(due_soon):
    the_round, _reviewer, mine = due_soon
    ScoringRound.objects.filter(pk=the_round.pk).update(
        deadline=timezone.now() - datetime.timedelta(minutes=1)
    )

    assert svc.reviews_remind_due() == 0
    assert not OutboundEmail.objects.exists()
    mine.refresh_from_db()
    assert mine.reminded_at is None


def test_an_inactive_reviewer_is_skipped_and_the_reviewers_after_them_are_still_reminded(
    due_soon,
):
    the_round, inactive, _mine = due_soon
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    later = round_reviewer(of_round=the_round, group="academic").user
    assert later.pk > inactive.pk
    ReviewAssignment.objects.create(
        round=the_round, proposal=the_round.call.proposals.order_by("pk")[1], reviewer=later
    )

    assert svc.reviews_remind_due() == 1
    assert list(
        OutboundEmail.objects.filter(template="review_reminder").values_list(
            "to_address", flat=True
        )
    ) == [later.email]


def test_reminders_read_each_rounds_call_with_the_round(due_soon, django_assert_num_queries):
    # A second round in scoring, due the same day, with its own reviewer: the query count
    # does not grow with the number of rounds.
    other_call = funding_call(status="closed", title="Warm Homes Fund")
    other_round = scoring_round(
        call=other_call,
        criteria_status="approved",
        phase="scoring",
        deadline=timezone.now() + datetime.timedelta(hours=12),
    )
    other = round_reviewer(of_round=other_round, user=researcher()).user
    ReviewAssignment.objects.create(
        round=other_round, proposal=proposal(call=other_call), reviewer=other
    )

    with django_assert_num_queries(18):
        assert svc.reviews_remind_due() == 2
