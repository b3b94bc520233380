"""Scores for a scoring round, from its score rows in one pass.

Plain data in, plain data out: no models and no queries. A selector fetches the round's
scores with one `values_list` query, as rows of

    (review id, reviewer id, reviewer group, proposal id, criterion id,
     criterion weight as snapshotted on the review, score)

and `aggregation_compute` returns every proposal's figures, best first. One pass over the
rows adds up each review; the rest is work per review, per reviewer and per proposal, never
per pair of them.

Per proposal: each review's weighted total (sum of weight x score over sum of weights, on the
round's scale), the mean, median and sample standard deviation of those totals with a flag for
high disagreement, the mean per reviewer group, the published group-weighted score, and a
calibrated score. Calibration puts harsh and lenient reviewers on one footing: each total
becomes a z-score against that reviewer's own totals across the round, and the proposal's
calibrated score is the mean of its z-scores. It is shown beside the raw score, never
instead of it.

Sums use math.fsum and everything is taken in id order, so the same rows in any order give
exactly the same figures."""

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

DEFAULT_DISAGREEMENT_THRESHOLD = 1.0
# A reviewer whose totals differ by less than this has given every proposal the same total:
# their spread is zero, and not a rounding error to divide by.
FLAT_SPREAD = 1e-9

Number = int | float | Decimal
ScoreRow = tuple[int, int, str, int, int, Number, Number]


@dataclass(frozen=True)
class ReviewTotal:
    review_id: int
    reviewer_id: int
    group: str
    total: float  # sum(weight * score) / sum(weight), on the round's scale
    calibrated: float  # (total - reviewer's mean) / reviewer's population sd, or 0


@dataclass(frozen=True)
class ProposalScores:
    proposal_id: int
    rank: int  # 1 is best
    reviews: tuple[ReviewTotal, ...]  # by review id
    mean: float
    median: float
    sd: float | None  # sample standard deviation; None with fewer than two reviews
    high_disagreement: bool  # sd >= the round's threshold
    group_means: dict[str, float]  # by group name
    group_weighted: float | None  # None when no group present carries any weight
    calibrated: float  # the mean of the reviews' calibrated totals


class _Review:
    __slots__ = ("group", "products", "proposal_id", "reviewer_id", "weights")

    def __init__(self, reviewer_id: int, group: str, proposal_id: int):
        self.reviewer_id = reviewer_id
        self.group = group
        self.proposal_id = proposal_id
        self.products: list[float] = []
        self.weights: list[float] = []


def aggregation_compute(
    *,
    rows: Iterable[ScoreRow],
    group_weights: Mapping[str, Number],
    disagreement_threshold: Number = DEFAULT_DISAGREEMENT_THRESHOLD,
) -> list[ProposalScores]:
    """Every proposal with at least one scored review, best first: by group-weighted score,
    then mean, then proposal id. Raises ValueError for a group with no published weight, a
    review whose rows disagree on its reviewer, group or proposal, a criterion scored twice
    on one review, or a review whose weights add up to zero."""
    threshold = float(disagreement_threshold)
    reviews: dict[int, _Review] = {}
    seen: set[tuple[int, int]] = set()
    for review_id, reviewer_id, group, proposal_id, criterion_id, weight, score in rows:
        review = reviews.get(review_id)
        if review is None:
            review = reviews[review_id] = _Review(reviewer_id, group, proposal_id)
        elif (review.reviewer_id, review.group, review.proposal_id) != (
            reviewer_id,
            group,
            proposal_id,
        ):
            raise ValueError(f"review {review_id}: rows name different reviewers or proposals")
        if (review_id, criterion_id) in seen:
            raise ValueError(f"review {review_id}: criterion {criterion_id} scored twice")
        seen.add((review_id, criterion_id))
        w = float(weight)
        review.products.append(w * float(score))
        review.weights.append(w)

    unknown = sorted({r.group for r in reviews.values()} - set(group_weights))
    if unknown:
        raise ValueError(f"no published weight for the reviewer groups {unknown}")

    totals: dict[int, float] = {}
    by_reviewer: dict[int, list[int]] = defaultdict(list)
    by_proposal: dict[int, list[int]] = defaultdict(list)
    for review_id in sorted(reviews):
        review = reviews[review_id]
        weight_sum = math.fsum(review.weights)
        if weight_sum == 0:
            raise ValueError(f"review {review_id}: its criteria weights add up to zero")
        totals[review_id] = math.fsum(review.products) / weight_sum
        by_reviewer[review.reviewer_id].append(review_id)
        by_proposal[review.proposal_id].append(review_id)

    calibrated = _calibrate(totals, by_reviewer)
    results = [
        _proposal_scores(
            proposal_id,
            [
                ReviewTotal(
                    review_id=review_id,
                    reviewer_id=reviews[review_id].reviewer_id,
                    group=reviews[review_id].group,
                    total=totals[review_id],
                    calibrated=calibrated[review_id],
                )
                for review_id in review_ids
            ],
            group_weights,
            threshold,
        )
        for proposal_id, review_ids in sorted(by_proposal.items())
    ]
    results.sort(key=_rank_key)
    return [replace(result, rank=n) for n, result in enumerate(results, 1)]


def _calibrate(totals: dict[int, float], by_reviewer: dict[int, list[int]]) -> dict[int, float]:
    """Each review's z-score against its reviewer's totals across the round; 0 for a reviewer
    with fewer than two reviews or the same total on all of them."""
    calibrated = {}
    for review_ids in by_reviewer.values():
        own = [totals[review_id] for review_id in review_ids]
        mean = math.fsum(own) / len(own)
        spread = statistics.pstdev(own, mu=mean) if len(own) > 1 else 0.0
        for review_id, total in zip(review_ids, own, strict=True):
            calibrated[review_id] = (total - mean) / spread if spread > FLAT_SPREAD else 0.0
    return calibrated


def _proposal_scores(
    proposal_id: int,
    reviews: list[ReviewTotal],
    group_weights: Mapping[str, Number],
    threshold: float,
) -> ProposalScores:
    totals = [r.total for r in reviews]
    mean = math.fsum(totals) / len(totals)
    sd = statistics.stdev(totals, xbar=mean) if len(totals) > 1 else None
    per_group: dict[str, list[float]] = defaultdict(list)
    for r in reviews:
        per_group[r.group].append(r.total)
    group_means = {g: math.fsum(ts) / len(ts) for g, ts in sorted(per_group.items())}
    weight_sum = math.fsum(float(group_weights[g]) for g in group_means)
    group_weighted = (
        math.fsum(float(group_weights[g]) * m for g, m in group_means.items()) / weight_sum
        if weight_sum
        else None
    )
    return ProposalScores(
        proposal_id=proposal_id,
        rank=0,
        reviews=tuple(reviews),
        mean=mean,
        median=statistics.median(totals),
        sd=sd,
        high_disagreement=sd is not None and sd >= threshold,
        group_means=group_means,
        group_weighted=group_weighted,
        calibrated=math.fsum(r.calibrated for r in reviews) / len(reviews),
    )


def _rank_key(result: ProposalScores) -> tuple:
    # Best first; a proposal whose groups all carry no weight comes after every other.
    weighted = result.group_weighted
    return (weighted is None, -(weighted or 0.0), -result.mean, result.proposal_id)
