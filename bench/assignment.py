"""Time to assign reviewers for a scoring round (engagement.assignment).

    .venv/bin/python bench/assignment.py [--proposals 500] [--reviewers 100] [--runs 5]

Builds a round in memory with a fixed seed: 500 proposals that each need 3 reviewers, at least
one of them with lived experience; 100 reviewers, 30 of them lived-experience experts, each
with a load cap of 17; about 2% of reviewer-proposal pairs conflicted; random topics. It then
builds the flow network and solves it several times and prints the best and median wall times
of each step, how many proposals are covered and the lowest and highest load. No database:
the figure is for the algorithm only, not for reading the round or writing the plan.
The design target is under 3 s for the whole plan on a two-core machine."""

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engagement.assignment import (
    LIVED_EXPERIENCE,
    Proposal,
    Reviewer,
    network_build,
    network_solve,
)

TARGET_SECONDS = 3.0
PER_PROPOSAL = 3
LIVED_MINIMUM = 1
CAP = 17
CONFLICT_RATE = 0.02
TOPICS = 12


def round_inputs(proposals: int, reviewers: int, lived: int):
    rng = random.Random(9)  # noqa: S311 - repeatable bench data, not a secret
    topics = range(TOPICS)
    reviewer_list = [
        Reviewer(
            id=n,
            group=LIVED_EXPERIENCE if n <= lived else rng.choice(["academic", "staff"]),
            topics=frozenset(rng.sample(topics, 3)),
            capacity=CAP,
        )
        for n in range(1, reviewers + 1)
    ]
    proposal_list = [
        Proposal(
            id=1000 + n,
            topics=frozenset(rng.sample(topics, 2)),
            needed=PER_PROPOSAL,
            lived_needed=LIVED_MINIMUM,
        )
        for n in range(proposals)
    ]
    conflicts = {
        (r.id, p.id) for r in reviewer_list for p in proposal_list if rng.random() < CONFLICT_RATE
    }
    return proposal_list, reviewer_list, conflicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=500)
    parser.add_argument("--reviewers", type=int, default=100)
    parser.add_argument("--lived", type=int, default=30)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    proposals, reviewers, conflicts = round_inputs(args.proposals, args.reviewers, args.lived)
    builds, solves, totals = [], [], []
    for _ in range(args.runs):
        started = time.perf_counter()
        network = network_build(proposals=proposals, reviewers=reviewers, conflicts=conflicts)
        built = time.perf_counter()
        plan = network_solve(network)
        solved = time.perf_counter()
        builds.append(built - started)
        solves.append(solved - built)
        totals.append(solved - started)

    lived_ids = {r.id for r in reviewers if r.group == LIVED_EXPERIENCE}
    lived_per_proposal = Counter(
        a.proposal_id for a in plan.assignments if a.reviewer_id in lived_ids
    )
    lived_met = sum(lived_per_proposal[p.id] >= LIVED_MINIMUM for p in proposals)
    loads = plan.loads.values()
    median = statistics.median(totals)
    verdict = "within" if median < TARGET_SECONDS else "OVER"
    print(
        f"Assigned {PER_PROPOSAL} reviewers to each of {len(proposals)} proposals from "
        f"{len(reviewers)} reviewers ({len(lived_ids)} lived experience, cap {CAP}, "
        f"{len(conflicts)} conflicts), {args.runs} runs"
    )
    for name, times in (("build", builds), ("solve", solves), ("total", totals)):
        print(f"  {name}: best {min(times):.3f} s, median {statistics.median(times):.3f} s")
    print(f"  {verdict} the {TARGET_SECONDS} s target")
    print(
        f"  covered {len(proposals) - len(plan.shortfalls)} of {len(proposals)} proposals, "
        f"lived minimum met on {lived_met}; loads {min(loads)} to {max(loads)}"
    )


if __name__ == "__main__":
    main()
