"""Time to aggregate a scoring round's scores: the algorithm, then the selector on a database.

    .venv/bin/python bench/aggregation.py [--proposals 500] [--reviewers 8] [--criteria 6]
        [--runs 5] [--keep DIR] [--memory-only]

Makes a round's score rows with a fixed seed: 500 proposals, each scored by 8 reviewers
(drawn from a pool of 100: 30 lived-experience experts, the rest academic or staff) on 6
weighted criteria, 24,000 rows in all, with some harsh and some lenient reviewers.

1. In memory: aggregates the rows (engagement.aggregation) several times and prints the best
   and median wall times of the one pass alone.
2. On a database: writes the same round (submitted reviews with their scores) to a throwaway
   SQLite database in a temporary directory (or the one in --keep DIR, built the first time),
   then times engagement.selectors.scoring.round_scores, which reads the rows and aggregates
   them, and prints its best and median times, the queries it ran and whether its ranking
   matches the in-memory one. As in bench/matching.py, building and timing run in separate
   processes; migrating a new database takes a while and is not timed.

The design target is under 0.5 s for the whole (queries and aggregation) on a two-core
machine. The script prints figures; it asserts nothing about time."""

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engagement.aggregation import aggregation_compute

ROOT = Path(__file__).resolve().parent.parent

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


def in_memory(args) -> list:
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
        f"In memory: aggregated {len(rows)} score rows: {args.proposals} proposals x "
        f"{args.reviewers} reviewers x {args.criteria} criteria, {args.runs} runs"
    )
    print(f"  best {best:.3f} s, median {median:.3f} s")
    print(f"  {verdict} the {TARGET_SECONDS} s target")
    print(
        f"  top: proposal {top.proposal_id}, group-weighted {top.group_weighted:.2f}, "
        f"mean {top.mean:.2f}, calibrated {top.calibrated:+.2f}; "
        f"{flagged} proposals flagged for high disagreement"
    )
    return ranking


BENCH_CALL = "bench-aggregation"


def build(args) -> None:
    """The round of score_rows in the database: a closed call, its round in moderation with
    the same group weights, the proposals, the reviewer pool, one submitted review per
    (proposal, reviewer) and its scores, each keeping the weight it was given."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User
    from engagement.models import (
        Criterion,
        FundingCall,
        Proposal,
        ReviewAssignment,
        RoundReviewer,
        Score,
        ScoringRound,
    )

    if FundingCall.objects.filter(slug=BENCH_CALL).exists():
        return
    rows = score_rows(args.proposals, args.reviewers, args.criteria)
    now = timezone.now()
    with transaction.atomic():
        call = FundingCall.objects.create(
            title="Bench call",
            slug=BENCH_CALL,
            summary="Bench",
            budget=Decimal(0),
            opens_at=now - timedelta(days=60),
            closes_at=now - timedelta(days=30),
            status=FundingCall.Status.CLOSED,
        )
        scoring_round = ScoringRound.objects.create(
            call=call,
            phase=ScoringRound.Phase.MODERATION,
            criteria_status=ScoringRound.CriteriaStatus.APPROVED,
            reviewers_per_proposal=args.reviewers,
            load_cap=args.proposals,
            lived_weight=GROUP_WEIGHTS["lived_experience"],
            academic_weight=GROUP_WEIGHTS["academic"],
            staff_weight=GROUP_WEIGHTS["staff"],
        )
        criteria = {
            criterion_id: Criterion.objects.create(
                round=scoring_round, position=criterion_id, name=f"Criterion {criterion_id}"
            ).pk
            for criterion_id in sorted({row[4] for row in rows})
        }
        proposals = dict(
            zip(
                sorted({row[3] for row in rows}),
                (
                    p.pk
                    for p in Proposal.objects.bulk_create(
                        Proposal(
                            call=call,
                            reference=f"B-{n:04d}",
                            title=f"Bench proposal {n}",
                            lay_summary="Bench",
                            full_summary="Bench",
                            budget=Decimal(1000),
                            lead_organisation="Bench",
                            submitted_at=now,
                        )
                        for n in sorted({row[3] for row in rows})
                    )
                ),
                strict=True,
            )
        )
        groups = {row[1]: row[2] for row in rows}
        password = make_password(None)
        users = dict(
            zip(
                sorted(groups),
                (
                    u.pk
                    for u in User.objects.bulk_create(
                        User(email=f"bench-reviewer{n}@example.org", display_name=f"Reviewer {n}")
                        for n in sorted(groups)
                    )
                ),
                strict=True,
            )
        )
        User.objects.filter(pk__in=users.values()).update(password=password)
        RoundReviewer.objects.bulk_create(
            RoundReviewer(round=scoring_round, user_id=users[n], group=group)
            for n, group in groups.items()
        )
        reviews = {row[0]: (row[1], row[3]) for row in rows}
        assignments = dict(
            zip(
                reviews,
                (
                    a.pk
                    for a in ReviewAssignment.objects.bulk_create(
                        ReviewAssignment(
                            round=scoring_round,
                            proposal_id=proposals[proposal],
                            reviewer_id=users[reviewer],
                            status=ReviewAssignment.Status.SUBMITTED,
                            submitted_at=now,
                            snapshot={"bench": True},
                        )
                        for reviewer, proposal in reviews.values()
                    )
                ),
                strict=True,
            )
        )
        Score.objects.bulk_create(
            (
                Score(
                    assignment_id=assignments[review],
                    criterion_id=criteria[criterion],
                    value=value,
                    rationale="Bench",
                    weight=weight,
                    scale_min=1,
                    scale_max=5,
                )
                for review, _reviewer, _group, _proposal, criterion, weight, value in rows
            ),
            batch_size=2000,
        )


def measure(args) -> None:
    from django.db import connection, reset_queries

    from engagement.models import Proposal, Score, ScoringRound
    from engagement.selectors.scoring import round_scores

    scoring_round = ScoringRound.objects.get(call__slug=BENCH_CALL)
    rows = Score.objects.filter(assignment__round=scoring_round).count()
    round_scores(scoring_round)  # warm: imports, translations, SQLite page cache
    times = []
    for _ in range(args.runs):
        scoring_round = ScoringRound.objects.get(pk=scoring_round.pk)
        reset_queries()
        started = time.perf_counter()
        ranking = round_scores(scoring_round)
        times.append(time.perf_counter() - started)
        queries = len(connection.queries)
    best, median = min(times), statistics.median(times)
    verdict = "within" if median < TARGET_SECONDS else "OVER"
    # The same rows as in memory: the ranking must be the same one, by bench number.
    number = {
        pk: int(reference.removeprefix("B-"))
        for pk, reference in Proposal.objects.filter(call=scoring_round.call).values_list(
            "pk", "reference"
        )
    }
    expected = aggregation_compute(
        rows=score_rows(args.proposals, args.reviewers, args.criteria),
        group_weights=GROUP_WEIGHTS,
    )
    same = [number[p.proposal_id] for p in ranking] == [p.proposal_id for p in expected]
    print(
        f"On the database ({connection.vendor}): round_scores over {rows} score rows, "
        f"{args.runs} runs"
    )
    print(f"  best {best:.3f} s, median {median:.3f} s, {queries} queries per call")
    print(f"  {verdict} the {TARGET_SECONDS} s target")
    print(f"  ranking {'the same as' if same else 'DIFFERENT from'} the in-memory one")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=500)
    parser.add_argument("--reviewers", type=int, default=8)
    parser.add_argument("--criteria", type=int, default=6)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", help="a directory whose database to reuse between runs")
    parser.add_argument(
        "--memory-only", action="store_true", help="time the algorithm only, no database"
    )
    args = parser.parse_args()

    step = os.environ.get("TANDEM_BENCH_CHILD")
    if step:
        import django

        django.setup()
        if step == "build":
            build(args)
        else:
            from django.conf import settings

            settings.DEBUG = True  # counts queries
            measure(args)
        return

    in_memory(args)
    if args.memory_only:
        return
    with tempfile.TemporaryDirectory() as tmp:
        var = args.keep or tmp
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "TANDEM_VAR_DIR": var,
            "PYTHONPATH": str(ROOT),
        }
        env.pop("DATABASE_URL", None)
        env.pop("REDIS_URL", None)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True
        )
        for step in ("build", "measure"):
            subprocess.run(
                [sys.executable, __file__, *sys.argv[1:]],
                cwd=ROOT,
                env={**env, "TANDEM_BENCH_CHILD": step},
                check=True,
            )


if __name__ == "__main__":
    main()
