"""The scoring-round predicates at their edges: finding a round from anything that belongs to
it (without reading more than it must), and who counts as a round's reviewer or a proposal's
assigned reviewer (never a visitor, never after a review is withdrawn)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from engagement.models import Criterion, ReviewAssignment, ScoringRound
from engagement.predicates import (
    is_assigned_reviewer,
    is_assignee,
    is_round_reviewer,
    round_of,
    round_shows_scores,
)
from tests.factories import funding_call, proposal, researcher, round_reviewer, scoring_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def scoring():
    """A round in scoring with one reviewer who has a live review of one proposal."""
    call = funding_call(status="closed")
    the_round = scoring_round(call=call, phase="scoring")
    reviewer = round_reviewer(of_round=the_round).user
    a_proposal = proposal(call=call)
    ReviewAssignment.objects.create(round=the_round, proposal=a_proposal, reviewer=reviewer)
    return the_round, reviewer, a_proposal


def test_a_round_is_found_from_itself_its_call_its_proposals_and_its_parts(scoring):
    the_round, _reviewer, a_proposal = scoring

    assert round_of(None) is None
    assert round_of(the_round.call) == the_round
    assert round_of(a_proposal) == the_round
    assert round_of(Criterion.objects.filter(round=the_round).first()) == the_round
    assert round_of(funding_call(status="draft")) is None
    assert round_of(proposal(call=funding_call(status="closed"))) is None


def test_a_round_is_its_own_round_without_a_query(scoring, django_assert_num_queries):
    fresh = ScoringRound.objects.get(pk=scoring[0].pk)

    with django_assert_num_queries(0):
        assert round_of(fresh) is fresh


def test_only_a_signed_in_reviewer_of_the_round_is_its_reviewer(scoring):
    the_round, reviewer, a_proposal = scoring

    assert is_round_reviewer(reviewer, the_round)
    assert is_round_reviewer(reviewer, a_proposal)
    assert not is_round_reviewer(researcher(), the_round)
    assert not is_round_reviewer(AnonymousUser(), the_round)
    assert not is_round_reviewer(reviewer, None)
    assert not is_round_reviewer(reviewer, funding_call(status="draft"))


def test_an_assigned_reviewer_is_one_with_a_live_review_and_never_a_visitor(scoring):
    the_round, reviewer, a_proposal = scoring

    assert is_assigned_reviewer(reviewer, a_proposal)
    assert not is_assigned_reviewer(AnonymousUser(), a_proposal)
    assert not is_assigned_reviewer(reviewer, None)
    ReviewAssignment.objects.filter(round=the_round).update(status="withdrawn")
    assert not is_assigned_reviewer(reviewer, a_proposal)


def test_a_review_is_its_reviewers_own_and_nobody_elses(scoring):
    the_round, reviewer, _proposal = scoring
    review = ReviewAssignment.objects.get(round=the_round)

    assert is_assignee(reviewer, review)
    assert not is_assignee(researcher(), review)
    assert not is_assignee(None, review)
    assert not is_assignee(reviewer, None)


@pytest.mark.parametrize(
    ("phase", "shown"),
    [
        ("setup", False),
        ("conflicts", False),
        ("scoring", False),
        ("moderation", True),
        ("closed", True),
    ],
)
def test_reviewers_see_each_others_scores_from_moderation_on(scoring, phase, shown):
    the_round = scoring[0]
    the_round.phase = phase

    assert round_shows_scores(None, the_round) is shown
