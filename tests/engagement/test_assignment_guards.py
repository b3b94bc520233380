import pytest

from engagement.assignment import Proposal, Reviewer, Shortfall, assignment_solve

LIVED, ACADEMIC, STAFF = "lived_experience", "academic", "staff"


def reviewer(id, group=ACADEMIC, topics=(), capacity=5, load=0):
    return Reviewer(id=id, group=group, topics=frozenset(topics), capacity=capacity, load=load)


def proposal(id, needed=1, lived_needed=0, topics=()):
    return Proposal(id=id, topics=frozenset(topics), needed=needed, lived_needed=lived_needed)


def test_a_lived_minimum_with_no_lived_reviewer_counts_no_one_as_out_of_capacity():
    # Nobody in the round has lived experience. Academic 1 shares the proposal's topic and
    # takes the place; academic 2 has room for more but is not needed, so no one is short of
    # capacity: the reason is that no eligible reviewer has lived experience.
    plan = assignment_solve(
        proposals=[proposal(10, needed=1, lived_needed=1, topics={7})],
        reviewers=[reviewer(1, topics={7}), reviewer(2)],
    )

    assert [(a.reviewer_id, a.counts_towards_lived_minimum) for a in plan.assignments] == [
        (1, False)
    ]
    assert plan.shortfalls == (
        Shortfall(
            proposal_id=10,
            missing=0,
            lived_missing=1,
            conflicted=0,
            already_assigned=0,
            eligible=2,
            eligible_without_capacity=0,
            eligible_lived=0,
        ),
    )


TIES = [
    # Lived reviewers 1 and 2 are equally good for the lived place; academic 3 shares topic 0.
    (
        [proposal(10, needed=2, lived_needed=1, topics={0})],
        [reviewer(1, LIVED), reviewer(2, LIVED), reviewer(3, topics={0})],
        [(1, 10), (3, 10)],
    ),
    # Lived reviewers 2 and 4 (no load) are equally good for either place, and so is
    # academic 3 for the second.
    (
        [proposal(10, needed=2, lived_needed=1)],
        [reviewer(1, LIVED, load=1), reviewer(2, LIVED), reviewer(3), reviewer(4, LIVED)],
        [(2, 10), (4, 10)],
    ),
    # Reviewers 1 and 2 (no load) are equally good for the one place.
    (
        [proposal(10, needed=1)],
        [reviewer(1, LIVED), reviewer(2), reviewer(3, load=1)],
        [(1, 10)],
    ),
]


@pytest.mark.parametrize(("proposals", "reviewers", "pairs"), TIES)
def test_a_tie_between_equally_good_plans_is_settled_the_same_way_every_time(
    proposals, reviewers, pairs
):
    # Each round has several plans that meet every aim equally well. Which one comes out is
    # the solver's, from the arcs and their costs; it is pinned here so that a change to the
    # cost scale, even one that keeps every aim, cannot silently change a plan a coordinator
    # has already previewed.
    plan = assignment_solve(proposals=proposals, reviewers=reviewers)

    assert [(a.reviewer_id, a.proposal_id) for a in plan.assignments] == pairs
    assert plan.shortfalls == ()


def test_beyond_the_lived_minimum_the_least_loaded_reviewer_takes_the_next_place():
    # The lived place goes to 1 or 3; the second place should go to whichever lived reviewer
    # is left (no load) rather than to academic 2, who already has a review: being lived
    # experience beyond the minimum neither helps nor costs.
    plan = assignment_solve(
        proposals=[proposal(10, needed=2, lived_needed=1)],
        reviewers=[reviewer(1, LIVED), reviewer(2, load=1), reviewer(3, LIVED)],
    )

    assert [(a.reviewer_id, a.counts_towards_lived_minimum) for a in plan.assignments] == [
        (1, True),
        (3, False),
    ]
    assert plan.loads == {1: 1, 2: 1, 3: 1}


def test_with_no_topic_shared_anywhere_loads_still_come_out_even():
    # No proposal has a topic, so topic affinity weighs nothing. Reviewer 1 already has two
    # reviews and reviewer 2 none: 2 takes both new proposals and the loads end level.
    plan = assignment_solve(
        proposals=[proposal(10), proposal(20)], reviewers=[reviewer(1, load=2), reviewer(2)]
    )

    assert [(a.reviewer_id, a.proposal_id) for a in plan.assignments] == [(2, 10), (2, 20)]
    assert plan.loads == {1: 2, 2: 2}


def test_a_round_beyond_the_solvers_cost_range_is_refused_with_the_solvers_status():
    # Loads this large make load costs the solver cannot add up without overflowing: no plan,
    # and an error that says why.
    reviewers = [reviewer(1, LIVED, capacity=2, load=10**18), reviewer(2, capacity=2, load=10**18)]

    with pytest.raises(RuntimeError) as refused:
        assignment_solve(proposals=[proposal(10, needed=2, lived_needed=1)], reviewers=reviewers)

    assert str(refused.value) == (
        "the min-cost flow solver stopped with status Status.BAD_COST_RANGE"
    )


def test_a_reviewer_takes_up_to_their_capacity_and_no_more():
    # Reviewer 1 is the only one and may take two more: proposals 10 and 20, which share their
    # topic, get them; 30 is left short for want of capacity.
    plan = assignment_solve(
        proposals=[proposal(10, topics={1}), proposal(20, topics={1}), proposal(30)],
        reviewers=[reviewer(1, topics={1}, capacity=2, load=1)],
    )

    assert [
        (a.reviewer_id, a.proposal_id, a.shared_topics, a.load_after, a.cap)
        for a in plan.assignments
    ] == [(1, 10, (1,), 3, 3), (1, 20, (1,), 3, 3)]
    assert plan.loads == {1: 3}
    assert plan.shortfalls == (
        Shortfall(
            proposal_id=30,
            missing=1,
            lived_missing=0,
            conflicted=0,
            already_assigned=0,
            eligible=1,
            eligible_without_capacity=1,
            eligible_lived=0,
        ),
    )


def test_a_reviewer_is_never_given_the_same_proposal_twice_even_when_the_other_is_busier():
    # Proposal 10 needs two reviewers: 1 (no load) and 2 (five already), since 3 is
    # conflicted on it. Giving 1 the same proposal twice would be cheaper, and is never done.
    # Proposal 20 goes to 3 (2 is conflicted on it; 1 would be a second review for 1).
    plan = assignment_solve(
        proposals=[proposal(10, needed=2), proposal(20)],
        reviewers=[reviewer(1), reviewer(2, load=5), reviewer(3)],
        conflicts={(3, 10), (2, 20)},
    )

    assert [(a.reviewer_id, a.proposal_id) for a in plan.assignments] == [
        (1, 10),
        (2, 10),
        (3, 20),
    ]
    assert plan.loads == {1: 1, 2: 6, 3: 1}
    assert plan.shortfalls == ()


def test_only_as_many_lived_reviewers_as_the_minimum_count_towards_it():
    # Both reviewers have lived experience; the minimum is one, so only the first counts.
    plan = assignment_solve(
        proposals=[proposal(10, needed=2, lived_needed=1)],
        reviewers=[reviewer(1, LIVED), reviewer(2, LIVED)],
    )

    assert [(a.reviewer_id, a.counts_towards_lived_minimum) for a in plan.assignments] == [
        (1, True),
        (2, False),
    ]


def test_two_proposals_each_get_the_lived_reviewer_they_need():
    # Each lived reviewer can take one more; each proposal needs one lived reviewer. Academic 3
    # would rather be spread evenly but cannot count towards either minimum.
    plan = assignment_solve(
        proposals=[proposal(10, lived_needed=1), proposal(20, lived_needed=1)],
        reviewers=[reviewer(1, LIVED, capacity=1), reviewer(2, LIVED, capacity=1), reviewer(3)],
    )

    assert sorted((a.proposal_id, a.counts_towards_lived_minimum) for a in plan.assignments) == [
        (10, True),
        (20, True),
    ]
    assert plan.loads == {1: 1, 2: 1, 3: 0}
    assert plan.shortfalls == ()
