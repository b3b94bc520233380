from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engagement.assignment import (
    Assignment,
    Plan,
    Proposal,
    Reviewer,
    Shortfall,
    assignment_solve,
)

LIVED, ACADEMIC, STAFF = "lived_experience", "academic", "staff"
PROPERTY = settings(max_examples=50, deadline=None, database=None)


def reviewer(id, group=ACADEMIC, topics=(), capacity=5, load=0):
    return Reviewer(id=id, group=group, topics=frozenset(topics), capacity=capacity, load=load)


def proposal(id, needed=1, lived_needed=0, topics=()):
    return Proposal(id=id, topics=frozenset(topics), needed=needed, lived_needed=lived_needed)


def test_three_needed_with_two_of_four_reviewers_conflicted_is_one_short():
    reviewers = [reviewer(n) for n in (1, 2, 3, 4)]

    plan = assignment_solve(
        proposals=[proposal(10, needed=3)], reviewers=reviewers, conflicts={(1, 10), (2, 10)}
    )

    assert [(a.reviewer_id, a.proposal_id) for a in plan.assignments] == [(3, 10), (4, 10)]
    assert plan.shortfalls == (
        Shortfall(
            proposal_id=10,
            missing=1,
            lived_missing=0,
            conflicted=2,
            already_assigned=0,
            eligible=2,
            eligible_without_capacity=0,
            eligible_lived=0,
        ),
    )
    assert plan.covered is False


def test_a_lived_experience_minimum_no_lived_reviewer_can_meet():
    # Lived reviewer 1 is conflicted and lived reviewer 2 has no capacity left: the two
    # academics fill the places, and the minimum is reported missing.
    reviewers = [
        reviewer(1, LIVED),
        reviewer(2, LIVED, capacity=0, load=4),
        reviewer(3, ACADEMIC),
        reviewer(4, STAFF),
    ]

    plan = assignment_solve(
        proposals=[proposal(10, needed=2, lived_needed=1)],
        reviewers=reviewers,
        conflicts={(1, 10)},
    )

    assert [(a.reviewer_id, a.counts_towards_lived_minimum) for a in plan.assignments] == [
        (3, False),
        (4, False),
    ]
    assert plan.shortfalls == (
        Shortfall(
            proposal_id=10,
            missing=0,
            lived_missing=1,
            conflicted=1,
            already_assigned=0,
            eligible=3,
            eligible_without_capacity=1,
            eligible_lived=1,
        ),
    )
    assert plan.loads == {1: 0, 2: 4, 3: 1, 4: 1}


def test_each_pair_comes_with_its_reasons():
    # One lived reviewer is needed: 1 shares a topic, 2 shares none. The second place goes to
    # the reviewer sharing most topics, 3.
    reviewers = [
        reviewer(1, LIVED, topics={1}, capacity=3, load=1),
        reviewer(2, LIVED, load=1),
        reviewer(3, ACADEMIC, topics={1, 2}, capacity=2, load=1),
        reviewer(4, STAFF, topics={2}, capacity=2, load=1),
    ]

    plan = assignment_solve(
        proposals=[proposal(10, needed=2, lived_needed=1, topics={1, 2, 3})],
        reviewers=reviewers,
    )

    assert plan == Plan(
        assignments=(
            Assignment(
                reviewer_id=1,
                proposal_id=10,
                shared_topics=(1,),
                counts_towards_lived_minimum=True,
                load_after=2,
                cap=4,
            ),
            Assignment(
                reviewer_id=3,
                proposal_id=10,
                shared_topics=(1, 2),
                counts_towards_lived_minimum=False,
                load_after=2,
                cap=3,
            ),
        ),
        loads={1: 2, 2: 1, 3: 2, 4: 1},
        shortfalls=(),
    )
    assert plan.covered is True


def test_an_even_load_outweighs_shared_topics():
    # 3 shares two topics but already has two reviews; 4 shares one and has none.
    reviewers = [reviewer(3, topics={1, 2}, load=2), reviewer(4, topics={2})]

    plan = assignment_solve(proposals=[proposal(10, topics={1, 2})], reviewers=reviewers)

    assert [a.reviewer_id for a in plan.assignments] == [4]


def test_the_lived_minimum_outweighs_an_even_load():
    reviewers = [reviewer(1, LIVED, capacity=1, load=9), reviewer(2, ACADEMIC, topics={1})]

    plan = assignment_solve(
        proposals=[proposal(10, needed=1, lived_needed=1, topics={1})], reviewers=reviewers
    )

    assert [(a.reviewer_id, a.load_after) for a in plan.assignments] == [(1, 10)]


def test_lived_reviewers_go_where_the_minimum_needs_them():
    # Lived reviewer 1 can take one proposal. Proposal 10 needs no lived reviewer and
    # proposal 20 needs one, so 1 goes to 20 even though it shares a topic with 10.
    reviewers = [reviewer(1, LIVED, topics={5}, capacity=1), reviewer(2), reviewer(3, load=1)]

    plan = assignment_solve(
        proposals=[proposal(10, needed=1, topics={5}), proposal(20, needed=1, lived_needed=1)],
        reviewers=reviewers,
    )

    assert [(a.reviewer_id, a.proposal_id) for a in plan.assignments] == [(2, 10), (1, 20)]


def test_an_existing_pair_is_never_assigned_again():
    # Reviewer 2 withdrew from 10 with a conflict; 1 and 3 keep theirs, and one more is found.
    reviewers = [reviewer(n) for n in (1, 2, 3, 4)]

    plan = assignment_solve(
        proposals=[proposal(10, needed=1)],
        reviewers=reviewers,
        conflicts={(2, 10)},
        assigned={(1, 10), (3, 10)},
    )

    assert [(a.reviewer_id, a.proposal_id) for a in plan.assignments] == [(4, 10)]


def test_a_round_with_nothing_to_find_plans_nothing():
    plan = assignment_solve(proposals=[proposal(10, needed=0)], reviewers=[reviewer(1)])

    assert plan == Plan(assignments=(), loads={1: 0}, shortfalls=())


@pytest.mark.parametrize(
    ("proposals", "reviewers", "message"),
    [
        ([proposal(10), proposal(10)], [reviewer(1)], r"proposal ids repeated: \[10\]"),
        ([proposal(10)], [reviewer(1), reviewer(1)], r"reviewer ids repeated: \[1\]"),
        ([proposal(10, needed=1, lived_needed=2)], [reviewer(1)], "proposal 10: needs 0 <="),
        ([proposal(10, needed=-1)], [reviewer(1)], "proposal 10: needs 0 <="),
        ([proposal(10)], [reviewer(1, capacity=-1)], "reviewer 1: capacity and load"),
    ],
)
def test_impossible_inputs_are_refused(proposals, reviewers, message):
    with pytest.raises(ValueError, match=message):
        assignment_solve(proposals=proposals, reviewers=reviewers)


GROUPS = st.sampled_from([LIVED, ACADEMIC, STAFF])
TOPICS = st.frozensets(st.integers(0, 4), max_size=3)


@st.composite
def any_round(draw):
    """A small round that may well be impossible to cover."""
    reviewer_ids = draw(st.lists(st.integers(1, 99), min_size=1, max_size=7, unique=True))
    proposal_ids = draw(st.lists(st.integers(100, 199), min_size=1, max_size=8, unique=True))
    reviewers = [
        Reviewer(
            id=n,
            group=draw(GROUPS),
            topics=draw(TOPICS),
            capacity=draw(st.integers(0, 4)),
            load=draw(st.integers(0, 3)),
        )
        for n in reviewer_ids
    ]
    proposals = []
    for n in proposal_ids:
        needed = draw(st.integers(0, 4))
        proposals.append(
            Proposal(
                id=n,
                topics=draw(TOPICS),
                needed=needed,
                lived_needed=draw(st.integers(0, needed)),
            )
        )
    pairs = st.tuples(st.sampled_from(reviewer_ids), st.sampled_from(proposal_ids))
    conflicts = draw(st.sets(pairs, max_size=10))
    assigned = draw(st.sets(pairs, max_size=10))
    return proposals, reviewers, conflicts, assigned


@st.composite
def feasible_round(draw):
    """A small round built around a hidden assignment that covers every proposal and meets
    every lived-experience minimum: capacities leave room for it and no conflict or existing
    pair touches it."""
    reviewer_ids = draw(st.lists(st.integers(1, 99), min_size=1, max_size=7, unique=True))
    proposal_ids = draw(st.lists(st.integers(100, 199), min_size=1, max_size=8, unique=True))
    groups = {n: draw(GROUPS) for n in reviewer_ids}
    hidden = set()
    proposals = []
    for n in proposal_ids:
        chosen = draw(
            st.lists(st.sampled_from(reviewer_ids), unique=True, max_size=min(3, len(reviewer_ids)))
        )
        lived_chosen = sum(groups[r] == LIVED for r in chosen)
        proposals.append(
            Proposal(
                id=n,
                topics=draw(TOPICS),
                needed=len(chosen),
                lived_needed=draw(st.integers(0, lived_chosen)),
            )
        )
        hidden |= {(r, n) for r in chosen}
    hidden_load = Counter(r for r, _ in hidden)
    reviewers = [
        Reviewer(
            id=n,
            group=groups[n],
            topics=draw(TOPICS),
            capacity=hidden_load[n] + draw(st.integers(0, 2)),
            load=draw(st.integers(0, 3)),
        )
        for n in reviewer_ids
    ]
    others = sorted((r, p) for r in reviewer_ids for p in proposal_ids if (r, p) not in hidden)
    conflicts, assigned = set(), set()
    if others:
        conflicts = draw(st.sets(st.sampled_from(others), max_size=10))
        assigned = draw(st.sets(st.sampled_from(others), max_size=10)) - conflicts
    return proposals, reviewers, conflicts, assigned


def solve(round_):
    proposals, reviewers, conflicts, assigned = round_
    return assignment_solve(
        proposals=proposals, reviewers=reviewers, conflicts=conflicts, assigned=assigned
    )


@PROPERTY
@given(round_=any_round())
def test_a_plan_keeps_every_rule_even_when_it_cannot_cover_everything(round_):
    proposals, reviewers, conflicts, assigned = round_

    plan = solve(round_)

    pairs = [(a.reviewer_id, a.proposal_id) for a in plan.assignments]
    assert len(pairs) == len(set(pairs))
    assert set(pairs) & conflicts == set()
    assert set(pairs) & assigned == set()
    taken = Counter(r for r, _ in pairs)
    per_proposal = Counter(p for _, p in pairs)
    for r in reviewers:
        assert taken[r.id] <= r.capacity
        assert plan.loads[r.id] == r.load + taken[r.id]
    shortfalls = {s.proposal_id: s for s in plan.shortfalls}
    for p in proposals:
        assert per_proposal[p.id] <= p.needed
        missing = p.needed - per_proposal[p.id]
        if p.id in shortfalls:
            assert shortfalls[p.id].missing == missing
            assert missing or shortfalls[p.id].lived_missing
        else:
            assert missing == 0


@PROPERTY
@given(round_=feasible_round())
def test_a_feasible_round_is_covered_with_every_lived_minimum_met(round_):
    proposals, reviewers, _, _ = round_
    lived = {r.id for r in reviewers if r.group == LIVED}

    plan = solve(round_)

    assert plan.shortfalls == ()
    per_proposal = Counter(a.proposal_id for a in plan.assignments)
    lived_per_proposal = Counter(a.proposal_id for a in plan.assignments if a.reviewer_id in lived)
    for p in proposals:
        assert per_proposal[p.id] == p.needed
        assert lived_per_proposal[p.id] >= p.lived_needed
        counted = [
            a for a in plan.assignments if a.proposal_id == p.id and a.counts_towards_lived_minimum
        ]
        assert len(counted) == p.lived_needed


@PROPERTY
@given(round_=any_round(), shuffler=st.randoms(use_true_random=False))
def test_the_same_round_in_any_order_gives_the_same_plan(round_, shuffler):
    proposals, reviewers, conflicts, assigned = round_
    proposals, reviewers = list(proposals), list(reviewers)
    conflicts, assigned = sorted(conflicts), sorted(assigned)
    for items in (proposals, reviewers, conflicts, assigned):
        shuffler.shuffle(items)

    assert assignment_solve(
        proposals=proposals, reviewers=reviewers, conflicts=conflicts, assigned=assigned
    ) == solve(round_)


@PROPERTY
@given(
    reviewer_count=st.integers(1, 8),
    needs=st.lists(st.integers(0, 8), min_size=1, max_size=10),
    topics=st.lists(TOPICS, min_size=18, max_size=18),
)
def test_loads_are_even_when_everyone_may_review_everything(reviewer_count, needs, topics):
    total = sum(needs)
    reviewers = [
        Reviewer(id=n, group=ACADEMIC, topics=topics[n], capacity=total)
        for n in range(reviewer_count)
    ]
    proposals = [
        Proposal(
            id=100 + n, topics=topics[8 + n], needed=min(needed, reviewer_count), lived_needed=0
        )
        for n, needed in enumerate(needs)
    ]

    plan = assignment_solve(proposals=proposals, reviewers=reviewers)

    assert plan.shortfalls == ()
    assert max(plan.loads.values()) - min(plan.loads.values()) <= 1
