"""Reads for scoring rounds: the review queue and the round's scores against hand-computed
figures, in a fixed number of queries whatever the size of the round, and blind: nothing a
reviewer can reach names the team or an organisation."""

import datetime
import math

import pytest
from django.utils import timezone

from engagement.models import Criterion, ReviewAssignment, Score, ScoringRound
from engagement.selectors import scoring as sel
from tests.factories import (
    coordinator,
    funding_call,
    proposal,
    researcher,
    round_reviewer,
    scoring_round,
    team,
)

SECRETS = ("Hidden University", "Quiet Charity", "Dr Secret", "Secret Team")


def review(the_round, the_proposal, reviewer, values, status="submitted"):
    """A review with these scores (one per criterion, in position order)."""
    assignment = ReviewAssignment.objects.create(
        round=the_round, proposal=the_proposal, reviewer=reviewer, status=status
    )
    for criterion, value in zip(
        Criterion.objects.filter(round=the_round).order_by("position"), values, strict=True
    ):
        Score.objects.create(
            assignment=assignment,
            criterion=criterion,
            value=value,
            rationale="Because",
            weight=criterion.weight,
            scale_min=1,
            scale_max=5,
        )
    return assignment


@pytest.fixture
def scored(db):
    """Relevance weighs 2 and Method 1; lived-experience scores weigh 2, academic 1.

    lived on P-001: 5, 2 -> (10 + 2) / 3 = 4.0     academic on P-001: 3, 3 -> 3.0
    lived on P-002: 2, 5 -> (4 + 5) / 3 = 3.0      academic on P-002: 4, 1 -> (8 + 1) / 3 = 3.0
    """
    call = funding_call(status="closed")
    the_round = scoring_round(
        call=call,
        phase="moderation",
        lived_weight="2.00",
        academic_weight="1.00",
        staff_weight="0.00",
        disagreement_threshold="0.50",
    )
    lived = round_reviewer(of_round=the_round, group="lived_experience").user
    academic = round_reviewer(of_round=the_round, group="academic").user
    first, second, withdrawn = (proposal(call=call) for _ in range(3))
    review(the_round, first, lived, (5, 2))
    review(the_round, first, academic, (3, 3))
    review(the_round, second, lived, (2, 5))
    review(the_round, second, academic, (4, 1))
    # Neither counts: a draft, and a review of a withdrawn proposal.
    staff = round_reviewer(of_round=the_round, group="staff").user
    review(the_round, first, staff, (1, 1), status="assigned")
    review(the_round, withdrawn, lived, (1, 1))
    withdrawn.status = "withdrawn"
    withdrawn.save(update_fields=["status"])
    return the_round, first, second


def test_round_scores_match_the_hand_computed_figures(scored):
    the_round, first, second = scored

    top, bottom = sel.round_scores(the_round)

    assert (top.proposal_id, top.rank, bottom.proposal_id, bottom.rank) == (
        first.pk,
        1,
        second.pk,
        2,
    )
    assert [r.total for r in top.reviews] == [4.0, 3.0]
    assert (top.mean, top.median) == (3.5, 3.5)
    assert math.isclose(top.sd, math.sqrt(0.5))
    assert top.high_disagreement is True
    assert top.group_means == {"academic": 3.0, "lived_experience": 4.0}
    assert math.isclose(top.group_weighted, 11 / 3)  # (2 x 4.0 + 1 x 3.0) / 3
    # The lived-experience reviewer's totals are 4 and 3 (mean 3.5, spread 0.5): +1 and -1;
    # the academic gave 3 and 3, no spread: 0 and 0.
    assert (top.calibrated, bottom.calibrated) == (0.5, -0.5)
    assert (bottom.mean, bottom.sd, bottom.high_disagreement, bottom.group_weighted) == (
        3.0,
        0.0,
        False,
        3.0,
    )


def test_round_scores_use_the_weights_each_review_was_submitted_with(scored):
    the_round, first, _second = scored
    Criterion.objects.filter(round=the_round, name="Relevance").update(weight="9.00")

    top = sel.round_scores(the_round)[0]

    assert (top.proposal_id, [r.total for r in top.reviews]) == (first.pk, [4.0, 3.0])


def test_moderation_rows_rank_proposals_with_their_decisions(scored):
    the_round, first, second = scored
    extra = proposal(call=the_round.call, title="Not reviewed")
    the_round.decisions.create(
        proposal=second, outcome="reserve", rationale="Close", decided_at=timezone.now()
    )

    rows = sel.moderation_rows(the_round)

    assert [(r.reference, r.scores.rank if r.scores else None, r.outcome) for r in rows] == [
        (first.reference, 1, ""),
        (second.reference, 2, "reserve"),
        (extra.reference, None, ""),
    ]


def test_the_export_has_every_figure_and_is_safe_in_a_spreadsheet(scored):
    the_round, first, second = scored
    second.title = "=HYPERLINK(1)"
    second.save(update_fields=["title"])

    rows = sel.round_export_rows(the_round)

    assert rows[0] == sel.EXPORT_HEADER
    assert rows[1] == (
        first.reference,
        first.title,
        1,
        2,
        "3.50",
        "3.50",
        "0.71",
        "yes",
        "4.00",
        "3.00",
        "",
        "3.67",
        "0.50",
        "",
        "",
    )
    assert rows[2][1] == "'=HYPERLINK(1)"


def test_round_scores_take_one_query_at_any_size(scored, django_assert_num_queries):
    the_round, *_ = scored
    with django_assert_num_queries(1):
        small = sel.round_scores(the_round)

    call = the_round.call
    reviewers = [round_reviewer(of_round=the_round).user for _ in range(4)]
    for _ in range(10):
        extra = proposal(call=call)
        for reviewer in reviewers:
            review(the_round, extra, reviewer, (3, 4))
    with django_assert_num_queries(1):
        large = sel.round_scores(the_round)
    with django_assert_num_queries(3):
        rows = sel.moderation_rows(the_round)

    assert (len(small), len(large), len(rows)) == (2, 12, 12)


# The review queue


@pytest.fixture
def queue_world(db):
    call = funding_call(status="closed")
    the_round = scoring_round(
        call=call, phase="scoring", deadline=timezone.now() + datetime.timedelta(days=5)
    )
    reviewer = round_reviewer(of_round=the_round, group="lived_experience").user
    return the_round, reviewer


def test_the_queue_shows_progress_the_deadline_and_reading_time(queue_world):
    the_round, reviewer = queue_world
    call = the_round.call
    done = review(the_round, proposal(call=call), reviewer, (4, 4))
    half = ReviewAssignment.objects.create(
        round=the_round,
        proposal=proposal(call=call, lay_summary="word " * 250),
        reviewer=reviewer,
    )
    Score.objects.create(
        assignment=half,
        criterion=Criterion.objects.get(round=the_round, position=1),
        value=3,
        weight=2,
        scale_min=1,
        scale_max=5,
    )
    # Not in the queue: a withdrawn review and another person's.
    review(the_round, proposal(call=call), reviewer, (1, 1), status="withdrawn")
    review(the_round, proposal(call=call), researcher(), (1, 1), status="assigned")

    queue = sel.review_queue_for(reviewer)

    assert [
        (i.assignment_id, i.status, i.criteria_scored, i.criteria_total) for i in queue.items
    ] == [
        (half.pk, "assigned", 1, 2),
        (done.pk, "submitted", 2, 2),
    ]
    assert (queue.scored, queue.total, queue.percent) == (1, 2, 50)
    assert queue.deadline == the_round.deadline
    assert queue.items[0].reading_minutes == 2  # 250 + 6 words at 200 a minute


def test_the_queue_is_empty_outside_the_scoring_phase(queue_world):
    the_round, reviewer = queue_world
    review(the_round, proposal(call=the_round.call), reviewer, (4, 4), status="assigned")
    ScoringRound.objects.filter(pk=the_round.pk).update(phase="conflicts")

    assert sel.review_queue_for(reviewer).items == []


def test_the_queue_takes_one_query_at_any_size(queue_world, django_assert_num_queries):
    the_round, reviewer = queue_world
    review(the_round, proposal(call=the_round.call), reviewer, (4, 4), status="assigned")
    with django_assert_num_queries(1):
        small = sel.review_queue_for(reviewer)

    for _ in range(12):
        review(the_round, proposal(call=the_round.call), reviewer, (4, 4))
    with django_assert_num_queries(1):
        large = sel.review_queue_for(reviewer)

    assert (small.total, large.total, large.scored) == (1, 13, 12)


# Blind review


@pytest.fixture
def blind_world(db):
    call = funding_call(status="closed")
    the_round = scoring_round(call=call, phase="scoring")
    applicants = team(members=[researcher()], name="Secret Team", organisation="Hidden University")
    secret = proposal(
        call=call,
        research_team=applicants,
        lead_organisation="Hidden University",
        partner_organisations="Quiet Charity",
        team_description="Led by Dr Secret.",
        full_summary="Dr Secret at Hidden University will study with Quiet Charity.",
        anonymised_summary="A university team will study with a charity.",
    )
    reviewer = researcher()
    team(members=[reviewer], name="Reviewer's team", organisation="  hidden   UNIVERSITY ")
    round_reviewer(of_round=the_round, user=reviewer, group="academic")
    return the_round, secret, reviewer


def test_conflict_suggestions_match_organisations_ignoring_case_and_spacing(blind_world):
    the_round, secret, reviewer = blind_world
    proposal(call=the_round.call, lead_organisation="Other Place", partner_organisations="")

    assert sel.conflict_suggestions_for(reviewer, the_round) == [
        {"id": secret.pk, "reference": secret.reference, "title": secret.title}
    ]
    assert sel.conflict_suggestions_for(researcher(), the_round) == []


def test_nothing_a_reviewer_reaches_names_the_team_or_an_organisation(blind_world):
    the_round, secret, reviewer = blind_world
    assignment = review(the_round, secret, reviewer, (4, 4), status="assigned")

    reached = [
        sel.review_queue_for(reviewer),
        sel.proposal_for_review(reviewer, assignment.pk),
        sel.proposals_for_conflicts(reviewer, the_round),
        sel.conflict_suggestions_for(reviewer, the_round),
        sel.round_export_rows(the_round),
        sel.moderation_rows(the_round),
    ]

    assert sel.proposal_for_review(reviewer, assignment.pk) == {
        "proposal__id": secret.pk,
        "proposal__reference": secret.reference,
        "proposal__title": secret.title,
        "proposal__lay_summary": secret.lay_summary,
        "proposal__anonymised_summary": "A university team will study with a charity.",
    }
    for secret_text in SECRETS:
        assert secret_text.casefold() not in repr(reached).casefold()


def test_the_blind_proposal_is_only_for_its_unconflicted_reviewer(blind_world):
    the_round, secret, reviewer = blind_world
    assignment = review(the_round, secret, reviewer, (4, 4), status="assigned")

    assert sel.proposal_for_review(coordinator(), assignment.pk) is None
    secret.conflicts.create(reviewer=reviewer, reason="same_organisation")
    assert sel.proposal_for_review(reviewer, assignment.pk) is None
