"""The coordinators' reads of calls and rounds at their edges: the proposal counts (withdrawn
ones count as made, not as live), one call's or round's rows and never another's, reviewers'
live loads and caps, and the order each list is read in."""

import pytest

from engagement.models import ConflictDeclaration, ReviewAssignment
from engagement.selectors import call_setup as sel
from tests.factories import (
    coordinator,
    expert,
    funding_call,
    panel,
    proposal,
    researcher,
    round_reviewer,
    scoring_round,
    team,
)

pytestmark = pytest.mark.django_db


def conflict(a_proposal, reviewer, by=None):
    return ConflictDeclaration.objects.create(
        proposal=a_proposal, reviewer=reviewer, reason="personal", declared_by=by or reviewer
    )


# Calls


def test_each_call_counts_every_proposal_made_and_the_live_ones_apart():
    busy = funding_call(status="closed")
    for status in ("submitted", "submitted", "withdrawn"):
        proposal(call=busy, status=status)
    quiet = funding_call(status="draft")

    counts = {
        call.pk: (call.proposal_count, call.live_proposal_count)
        for call in sel.call_list_for_staff()
    }

    assert counts == {busy.pk: (3, 2), quiet.pk: (0, 0)}


def test_one_call_comes_with_its_panel_round_and_counts_in_one_query(django_assert_num_queries):
    call = funding_call(status="draft", co_design_panel=panel())
    proposal(call=call, status="withdrawn")
    chair = coordinator()
    the_round = scoring_round(call=call, approved_by=chair)
    funding_call(status="open")

    with django_assert_num_queries(1):
        found = sel.call_for_staff(call.pk)
        assert (found.co_design_panel.name, found.round, found.round.approved_by) == (
            "Housing panel",
            the_round,
            chair,
        )

    assert (found, found.proposal_count, found.live_proposal_count) == (call, 1, 0)
    assert sel.call_for_staff(0) is None


def test_a_calls_proposals_are_its_own_by_reference_with_their_teams():
    call = funding_call(status="closed")
    research_team = team(members=[researcher()])
    second = proposal(call=call, reference="P-002", research_team=research_team)
    first = proposal(call=call, reference="P-001", status="withdrawn")
    proposal(call=funding_call(status="closed"), reference="P-000")

    found = list(sel.call_proposals(call))

    assert found == [first, second]
    assert found[1].team == research_team
    # The list shows none of the long texts: they are not read for it.
    assert found[0].get_deferred_fields() == {
        "full_summary",
        "anonymised_summary",
        "lay_summary",
        "team_description",
    }


# Rounds


def test_a_round_is_found_with_its_call_and_an_unknown_one_is_not():
    the_round = scoring_round(call=funding_call(status="draft", co_design_panel=panel()))

    found = sel.round_for_staff(the_round.pk)

    assert (found, found.call, found.call.co_design_panel) == (
        the_round,
        the_round.call,
        the_round.call.co_design_panel,
    )
    assert sel.round_for_staff(0) is None


def test_a_rounds_counts_are_its_own_and_count_only_what_is_live():
    call = funding_call(status="closed")
    the_round = scoring_round(call=call)  # two criteria
    reviewers = [round_reviewer(of_round=the_round) for _ in range(3)]
    live, withdrawn_proposal = proposal(call=call), proposal(call=call, status="withdrawn")
    ReviewAssignment.objects.create(round=the_round, proposal=live, reviewer=reviewers[0].user)
    ReviewAssignment.objects.create(
        round=the_round, proposal=live, reviewer=reviewers[1].user, status="submitted"
    )
    ReviewAssignment.objects.create(
        round=the_round, proposal=live, reviewer=reviewers[2].user, status="withdrawn"
    )
    conflict(live, reviewers[2].user)
    conflict(withdrawn_proposal, reviewers[0].user)
    # Another round on another call: none of it counts here.
    elsewhere = scoring_round(call=funding_call(status="closed"), criteria=(("Only", "1"),))
    their_proposal = proposal(call=elsewhere.call)
    their_reviewer = round_reviewer(of_round=elsewhere)
    ReviewAssignment.objects.create(
        round=elsewhere, proposal=their_proposal, reviewer=their_reviewer.user
    )
    conflict(their_proposal, reviewers[0].user)

    assert sel.round_counts(the_round) == {
        "reviewers": 3,
        "criteria": 2,
        "assignments": 2,
        "conflicts": 2,
        "proposals": 1,
    }


def test_reviewers_are_listed_by_group_then_name_with_live_loads_and_caps(
    django_assert_num_queries,
):
    call = funding_call(status="closed")
    the_round = scoring_round(call=call, load_cap=4)
    zara = round_reviewer(
        of_round=the_round, user=researcher(display_name="Zara"), group="academic"
    )
    adam = round_reviewer(
        of_round=the_round, user=researcher(display_name="Adam"), group="academic", load_cap=2
    )
    lived = round_reviewer(
        of_round=the_round,
        user=expert(status="active", user=researcher(display_name="Bea")).user,
        group="lived_experience",
    )
    proposals = [proposal(call=call) for _ in range(3)]
    for a_proposal, status in zip(proposals, ("assigned", "submitted", "withdrawn"), strict=True):
        ReviewAssignment.objects.create(
            round=the_round, proposal=a_proposal, reviewer=zara.user, status=status
        )
    ReviewAssignment.objects.create(
        round=the_round, proposal=proposals[0], reviewer=adam.user, status="abstained"
    )
    other = scoring_round(call=funding_call(status="closed"))
    round_reviewer(of_round=other, user=adam.user)
    ReviewAssignment.objects.create(
        round=other, proposal=proposal(call=other.call), reviewer=adam.user
    )

    with django_assert_num_queries(2):
        found = sel.round_reviewers(the_round)
        names = [reviewer.user.display_name for reviewer in found]

    assert names == ["Adam", "Zara", "Bea"]
    assert [(r.pk, r.live, r.cap_shown) for r in found] == [
        (adam.pk, 0, 2),
        (zara.pk, 2, 4),
        (lived.pk, 0, 4),
    ]


def test_a_rounds_conflicts_are_its_own_by_proposal_then_reviewer():
    call = funding_call(status="closed")
    the_round = scoring_round(call=call)
    second = proposal(call=call, reference="P-002")
    first = proposal(call=call, reference="P-001")
    lead = coordinator()
    yan = researcher(display_name="Yan")
    ali = researcher(display_name="Ali")
    late = conflict(first, yan, by=lead)
    early = conflict(first, ali)
    last = conflict(second, ali)
    conflict(proposal(call=funding_call(status="closed")), ali)

    found = list(sel.round_conflicts(the_round))

    assert found == [early, late, last]
    assert (found[1].reviewer, found[1].declared_by) == (yan, lead)
