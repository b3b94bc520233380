"""Time to aggregate a scoring round's scores (engagement.aggregation).

    .venv/bin/python bench/aggregation.py [--proposals 500] [--reviewers 8] [--criteria 6]
        [--runs 5]

Makes a round's score rows in memory with a fixed seed: 500 proposals, each scored by 8
reviewers (drawn from a pool of 100: 30 lived-experience experts, the rest academic or staff)
on 6 weighted criteria, 24,000 rows in all, with some harsh and some lenient reviewers. It
then aggregates them several times and prints the best and median wall times. The figure is
for the one pass over rows already in memory only: the selector that will fetch the rows
from the database with one query adds its own time.
The design target is under 0.5 s on a two-core machine."""

import argparse
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engagement.aggregation import aggregation_compute

TARGET_SECONDS = 0.5
POOL = 100
LIVED = 30
GROUP_WEIGHTS = {"lived_experience": 2, "academic": 1, "staff": 1}


def score_rows(proposals: int, reviewers: int, criteria: int) -> list[tuple]:
    rng = random.Random(7)  # noqa: S311 - repeatable bench data, not a secret
    groups = {
        n: "lived_experience" if n <= LIVED else rng.choice(["academic", "staff"])
        for n in range(1, POOL + 1)
    }
    leaning = {n: rng.choice([-1, 0, 0, 1]) for n in groups}  # harsh, fair or lenient
    weights = [Decimal(rng.choice(["1.0", "1.5", "2.0"])) for _ in range(criteria)]
    rows = []
    review_id = 0
    for proposal_id in range(1, proposals + 1):
        quality = rng.randint(2, 4)
        for reviewer_id in rng.sample(sorted(groups), reviewers):
            review_id += 1
            for criterion_id, weight in enumerate(weights, 1):
                score = quality + leaning[reviewer_id] + rng.choice([-1, 0, 0, 1])
                rows.append(
                    (
                        review_id,
                        reviewer_id,
                        groups[reviewer_id],
                        proposal_id,
                        criterion_id,
                        weight,
                        min(5, max(1, score)),
                    )
                )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=500)
    parser.add_argument("--reviewers", type=int, default=8)
    parser.add_argument("--criteria", type=int, default=6)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    rows = score_rows(args.proposals, args.reviewers, args.criteria)
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        ranking = aggregation_compute(rows=rows, group_weights=GROUP_WEIGHTS)
        times.append(time.perf_counter() - started)

    best, median = min(times), statistics.median(times)
    verdict = "within" if median < TARGET_SECONDS else "OVER"
    flagged = sum(p.high_disagreement for p in ranking)
    top = ranking[0]
    print(
        f"Aggregated {len(rows)} score rows: {args.proposals} proposals x {args.reviewers} "
        f"reviewers x {args.criteria} criteria, {args.runs} runs"
    )
    print(f"  best {best:.3f} s, median {median:.3f} s")
    print(f"  {verdict} the {TARGET_SECONDS} s target")
    print(
        f"  top: proposal {top.proposal_id}, group-weighted {top.group_weighted:.2f}, "
        f"mean {top.mean:.2f}, calibrated {top.calibrated:+.2f}; "
        f"{flagged} proposals flagged for high disagreement"
    )


if __name__ == "__main__":
    main()
