"""Balanced reviewer assignment for a scoring round, solved as a min-cost flow.

Plain data in, plain data out: no models and no queries. A service reads the round, builds
`Reviewer` and `Proposal` values and calls `assignment_solve`; the preview page shows the
`Plan`, and applying it writes the new pairs.

The network, one unit of flow per review to be written:

    source -> reviewer        one arc per extra review the reviewer may take; the k-th costs
                              more than the (k-1)-th, so the cheapest plan spreads the work
    reviewer -> proposal      capacity 1; no arc at all for a conflict or an existing pair;
                              a small negative cost per shared topic (topic affinity)
    lived reviewer -> lived node of the proposal -> proposal
                              the lived node's first `lived_needed` units earn a large bonus,
                              the rest earn none, so lived-experience reviewers are placed
                              where the minimum needs them first
    proposal -> sink          capacity `needed`

OR-Tools finds the largest flow first (as many reviews as can be placed at all), then the
cheapest among those: the lived-experience minimum before even loads, even loads before
topic affinity. The solver is deterministic for a given arc order and arcs are added in id
order, so the same inputs in any order give the same plan."""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from ortools.graph.python import min_cost_flow

LIVED_EXPERIENCE = "lived_experience"


@dataclass(frozen=True)
class Reviewer:
    id: int
    group: str  # "lived_experience" | "academic" | "staff"
    topics: frozenset[int]
    capacity: int  # how many more proposals they may take in this round (cap - load)
    load: int = 0  # how many they already have in this round


@dataclass(frozen=True)
class Proposal:
    id: int
    topics: frozenset[int]
    needed: int  # reviewers still to find
    lived_needed: int  # of whom lived-experience reviewers, still to find


@dataclass(frozen=True)
class Assignment:
    """One new pair and why, as data for the page to put into words."""

    reviewer_id: int
    proposal_id: int
    shared_topics: tuple[int, ...]
    counts_towards_lived_minimum: bool
    load_after: int  # the reviewer's load once the whole plan is applied
    cap: int  # the reviewer's load cap (load + capacity)


@dataclass(frozen=True)
class Shortfall:
    """A proposal the plan cannot fully cover, and the counts that say why."""

    proposal_id: int
    missing: int  # reviewers still missing after the plan
    lived_missing: int  # lived-experience reviewers still missing after the plan
    conflicted: int  # reviewers with a conflict on this proposal
    already_assigned: int  # reviewers who already review it
    eligible: int  # reviewers with neither
    eligible_without_capacity: int  # eligible, not given it, and with no capacity left
    eligible_lived: int  # eligible lived-experience reviewers


@dataclass(frozen=True)
class Plan:
    assignments: tuple[Assignment, ...]  # by proposal id, then reviewer id
    loads: dict[int, int]  # reviewer id -> load after the plan, for every reviewer
    shortfalls: tuple[Shortfall, ...]  # by proposal id; empty when every proposal is covered

    @property
    def covered(self) -> bool:
        return not self.shortfalls


def _check(reviewers: list[Reviewer], proposals: list[Proposal]) -> None:
    for kind, ids in (
        ("reviewer", [r.id for r in reviewers]),
        ("proposal", [p.id for p in proposals]),
    ):
        repeated = sorted(i for i, n in Counter(ids).items() if n > 1)
        if repeated:
            raise ValueError(f"{kind} ids repeated: {repeated}")
    for r in reviewers:
        if r.capacity < 0 or r.load < 0:
            raise ValueError(f"reviewer {r.id}: capacity and load cannot be negative")
    for p in proposals:
        if not 0 <= p.lived_needed <= p.needed:
            raise ValueError(
                f"proposal {p.id}: needs 0 <= lived_needed <= needed, "
                f"got {p.lived_needed} and {p.needed}"
            )


def assignment_solve(
    *,
    proposals: Iterable[Proposal],
    reviewers: Iterable[Reviewer],
    conflicts: Iterable[tuple[int, int]] = frozenset(),
    assigned: Iterable[tuple[int, int]] = frozenset(),
) -> Plan:
    """Plan new (reviewer, proposal) pairs: as many reviews placed as possible, then the
    lived-experience minimum met wherever it can be, then loads as even as they can be,
    then shared topics. Never a conflict (`conflicts` holds (reviewer id, proposal id)),
    never a pair in `assigned`, never a pair twice, never more than a reviewer's capacity."""
    network = network_build(
        proposals=proposals, reviewers=reviewers, conflicts=conflicts, assigned=assigned
    )
    return network_solve(network)


@dataclass(frozen=True)
class Network:
    """The flow network for one plan, with what is needed to read the plan back from it.
    Built and solved in two steps so that bench/assignment.py can time each."""

    proposals: list[Proposal]
    reviewers: list[Reviewer]
    conflicts: set[tuple[int, int]]
    assigned: set[tuple[int, int]]
    tails: np.ndarray
    heads: np.ndarray
    capacities: np.ndarray
    costs: np.ndarray
    pair_arcs: list[tuple[int, Reviewer, Proposal]]  # reviewer -> proposal (or lived node)
    flow_bound: int
    source: int = 0
    sink: int = 1


def network_build(
    *,
    proposals: Iterable[Proposal],
    reviewers: Iterable[Reviewer],
    conflicts: Iterable[tuple[int, int]] = frozenset(),
    assigned: Iterable[tuple[int, int]] = frozenset(),
) -> Network:
    reviewers = sorted(reviewers, key=lambda r: r.id)
    proposals = sorted(proposals, key=lambda p: p.id)
    _check(reviewers, proposals)
    conflicts = set(conflicts)
    assigned = set(assigned)
    blocked = conflicts | assigned

    # Every arc first as plain lists, so that the solver gets them in one call.
    tails: list[int] = []
    heads: list[int] = []
    capacities: list[int] = []
    costs: list[int] = []

    def arc(tail: int, head: int, capacity: int, cost: int) -> int:
        tails.append(tail)
        heads.append(head)
        capacities.append(capacity)
        costs.append(cost)
        return len(tails) - 1

    source, sink = Network.source, Network.sink
    reviewer_node = {r.id: 2 + n for n, r in enumerate(reviewers)}
    proposal_node = {p.id: 2 + len(reviewers) + n for n, p in enumerate(proposals)}
    lived_node = {}
    for p in proposals:
        if p.lived_needed:
            lived_node[p.id] = 2 + len(reviewers) + len(proposals) + len(lived_node)

    # Reviewer -> proposal pairs that may be made, with their shared topics.
    pairs: list[tuple[Reviewer, Proposal, int]] = []
    eligible_count: Counter[int] = Counter()
    most_shared = 0
    for r in reviewers:
        if not r.capacity:
            continue
        for p in proposals:
            if p.needed and (r.id, p.id) not in blocked:
                shared = len(r.topics & p.topics)
                most_shared = max(most_shared, shared)
                pairs.append((r, p, shared))
                eligible_count[r.id] += 1

    # The cost scale, so that each aim outweighs everything below it put together:
    # - topic affinity: -1 per shared topic; over a whole plan of at most `flow_bound`
    #   reviews it moves the cost by at most `affinity_range`;
    # - even loads: the k-th review of a reviewer at load L costs load_unit * (L + k), a
    #   convex cost, and load_unit > affinity_range, so no number of shared topics is worth
    #   a less even spread;
    # - the lived-experience minimum: each unit earns lived_bonus, more than every load arc's
    #   cost plus the whole affinity range, so nothing else is worth missing the minimum.
    # Placing as many reviews as possible comes before all three (max flow first).
    flow_bound = sum(p.needed for p in proposals)
    affinity_range = flow_bound * most_shared
    load_unit = affinity_range + 1
    load_cost_total = 0
    for r in reviewers:
        for k in range(1, min(r.capacity, eligible_count[r.id]) + 1):
            cost = load_unit * (r.load + k)
            load_cost_total += cost
            arc(source, reviewer_node[r.id], 1, cost)
    lived_bonus = load_cost_total + affinity_range + 1

    pair_arcs: list[tuple[int, Reviewer, Proposal]] = []
    for r, p, shared in pairs:
        lived = r.group == LIVED_EXPERIENCE and p.id in lived_node
        head = lived_node[p.id] if lived else proposal_node[p.id]
        pair_arcs.append((arc(reviewer_node[r.id], head, 1, -shared), r, p))
    for p in proposals:
        if p.id in lived_node:
            arc(lived_node[p.id], proposal_node[p.id], p.lived_needed, -lived_bonus)
            if p.needed > p.lived_needed:
                arc(lived_node[p.id], proposal_node[p.id], p.needed - p.lived_needed, 0)
        if p.needed:
            arc(proposal_node[p.id], sink, p.needed, 0)

    return Network(
        proposals=proposals,
        reviewers=reviewers,
        conflicts=conflicts,
        assigned=assigned,
        tails=np.array(tails, dtype=np.int32),
        heads=np.array(heads, dtype=np.int32),
        capacities=np.array(capacities, dtype=np.int64),
        costs=np.array(costs, dtype=np.int64),
        pair_arcs=pair_arcs,
        flow_bound=flow_bound,
    )


def network_solve(network: Network) -> Plan:
    new_pairs: list[tuple[Reviewer, Proposal]] = []
    if network.pair_arcs:
        solver = min_cost_flow.SimpleMinCostFlow()
        solver.add_arcs_with_capacity_and_unit_cost(
            network.tails, network.heads, network.capacities, network.costs
        )
        # The source offers every review still needed; the solver sends as many as fit.
        solver.set_node_supply(network.source, network.flow_bound)
        solver.set_node_supply(network.sink, -network.flow_bound)
        status = solver.solve_max_flow_with_min_cost()
        if status != solver.OPTIMAL:
            raise RuntimeError(f"the min-cost flow solver stopped with status {status}")
        arcs = np.array([a for a, _, _ in network.pair_arcs], dtype=np.int32)
        flows = solver.flows(arcs)
        new_pairs = [
            (r, p) for (_, r, p), flow in zip(network.pair_arcs, flows, strict=True) if flow
        ]
    return _plan(network, new_pairs)


def _plan(network: Network, new_pairs: list[tuple[Reviewer, Proposal]]) -> Plan:
    reviewers = network.reviewers
    taken: Counter[int] = Counter(r.id for r, _ in new_pairs)
    loads = {r.id: r.load + taken[r.id] for r in reviewers}
    by_proposal: dict[int, list[Reviewer]] = defaultdict(list)
    for r, p in new_pairs:
        by_proposal[p.id].append(r)

    assignments = []
    shortfalls = []
    for p in network.proposals:
        chosen = sorted(by_proposal[p.id], key=lambda r: r.id)
        lived_left = p.lived_needed
        for r in chosen:
            counts = r.group == LIVED_EXPERIENCE and lived_left > 0
            lived_left -= counts
            assignments.append(
                Assignment(
                    reviewer_id=r.id,
                    proposal_id=p.id,
                    shared_topics=tuple(sorted(r.topics & p.topics)),
                    counts_towards_lived_minimum=counts,
                    load_after=loads[r.id],
                    cap=r.load + r.capacity,
                )
            )
        missing = p.needed - len(chosen)
        if missing or lived_left:
            shortfalls.append(_shortfall(network, p, chosen, taken, missing, lived_left))
    return Plan(assignments=tuple(assignments), loads=loads, shortfalls=tuple(shortfalls))


def _shortfall(
    network: Network,
    p: Proposal,
    chosen: list[Reviewer],
    taken: Counter[int],
    missing: int,
    lived_missing: int,
) -> Shortfall:
    reviewers, conflicts, assigned = network.reviewers, network.conflicts, network.assigned
    eligible = [
        r for r in reviewers if (r.id, p.id) not in conflicts and (r.id, p.id) not in assigned
    ]
    chosen_ids = {r.id for r in chosen}
    return Shortfall(
        proposal_id=p.id,
        missing=missing,
        lived_missing=lived_missing,
        conflicted=sum((r.id, p.id) in conflicts for r in reviewers),
        already_assigned=sum((r.id, p.id) in assigned for r in reviewers),
        eligible=len(eligible),
        eligible_without_capacity=sum(
            r.id not in chosen_ids and taken[r.id] >= r.capacity for r in eligible
        ),
        eligible_lived=sum(r.group == LIVED_EXPERIENCE for r in eligible),
    )
