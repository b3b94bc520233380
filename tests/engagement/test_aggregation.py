import math
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engagement.aggregation import ProposalScores, ReviewTotal, aggregation_compute

LIVED, ACADEMIC, STAFF = "lived_experience", "academic", "staff"
GROUP_WEIGHTS = {LIVED: 3, ACADEMIC: 1, STAFF: 1}
PROPERTY = settings(max_examples=50, deadline=None, database=None)


def review(review_id, reviewer_id, group, proposal_id, scores, weights=(2, 1)):
    """Rows for one review: criteria 1, 2, ... with the weights snapshotted on it."""
    return [
        (review_id, reviewer_id, group, proposal_id, criterion_id, weight, score)
        for criterion_id, (weight, score) in enumerate(zip(weights, scores, strict=True), 1)
    ]


# Criterion 1 weighs 2 and criterion 2 weighs 1 on every review but review 7, which was
# submitted when both weighed 1. Reviewers 100 and 101 have lived experience, 200 is an
# academic, 300 is staff.
ROUND = [
    *review(1, 100, LIVED, 10, (4, 1)),  # (2*4 + 1*1) / 3 = 3.0
    *review(2, 200, ACADEMIC, 10, (5, 5)),  # 15 / 3 = 5.0
    *review(3, 300, STAFF, 10, (1, 1)),  # 3 / 3 = 1.0
    *review(4, 101, LIVED, 10, (4, 4)),  # 12 / 3 = 4.0
    *review(5, 100, LIVED, 20, (5, 2)),  # 12 / 3 = 4.0
    *review(6, 200, ACADEMIC, 20, (3, 3)),  # 9 / 3 = 3.0
    *review(7, 300, STAFF, 30, (4, 1), weights=(1, 1)),  # 5 / 2 = 2.5
    *review(8, 300, STAFF, 40, (5, 5)),  # 15 / 3 = 5.0
]
# Calibration, per reviewer over all their reviews (population sd):
# 100: totals 3, 4; mean 3.5, sd 0.5; z = -1 (review 1), +1 (review 5)
# 200: totals 5, 3; mean 4, sd 1; z = +1 (review 2), -1 (review 6)
# 101: one review; z = 0
# 300: totals 1, 2.5, 5; mean 17/6; deviations -11/6, -2/6, 13/6;
#      variance (121 + 4 + 169) / 36 / 3 = 49/18; sd = 7 / (3 * sqrt 2);
#      z = -11 sqrt2 / 14 (review 3), -sqrt2 / 7 (review 7), 13 sqrt2 / 14 (review 8)
ROOT2 = math.sqrt(2)


def test_a_round_against_hand_computed_figures():
    ranking = aggregation_compute(rows=ROUND, group_weights=GROUP_WEIGHTS)

    assert [p.proposal_id for p in ranking] == [40, 20, 10, 30]
    assert [p.rank for p in ranking] == [1, 2, 3, 4]
    by_id = {p.proposal_id: p for p in ranking}

    # Proposal 10: totals 3, 5, 1, 4.
    ten = by_id[10]
    assert ten.reviews == (
        ReviewTotal(review_id=1, reviewer_id=100, group=LIVED, total=3.0, calibrated=-1.0),
        ReviewTotal(review_id=2, reviewer_id=200, group=ACADEMIC, total=5.0, calibrated=1.0),
        ReviewTotal(
            review_id=3,
            reviewer_id=300,
            group=STAFF,
            total=1.0,
            calibrated=pytest.approx(-11 * ROOT2 / 14),
        ),
        ReviewTotal(review_id=4, reviewer_id=101, group=LIVED, total=4.0, calibrated=0.0),
    )
    assert ten.mean == 3.25  # 13 / 4
    assert ten.median == 3.5  # an even count: (3 + 4) / 2
    # deviations -0.25, 1.75, -2.25, 0.75; squares add up to 8.75; / (4 - 1); sqrt
    assert ten.sd == pytest.approx(math.sqrt(8.75 / 3))
    assert ten.sd == pytest.approx(1.7078251)
    assert ten.high_disagreement is True
    assert ten.group_means == {ACADEMIC: 5.0, LIVED: 3.5, STAFF: 1.0}
    assert ten.group_weighted == 3.3  # (3 * 3.5 + 1 * 5 + 1 * 1) / (3 + 1 + 1) = 16.5 / 5
    assert ten.calibrated == pytest.approx((-1 + 1 - 11 * ROOT2 / 14 + 0) / 4)

    # Proposal 20: totals 4, 3.
    twenty = by_id[20]
    assert (twenty.mean, twenty.median) == (3.5, 3.5)
    assert twenty.sd == pytest.approx(math.sqrt(0.5))  # (0.25 + 0.25) / (2 - 1)
    assert twenty.high_disagreement is False
    assert twenty.group_means == {ACADEMIC: 3.0, LIVED: 4.0}
    assert twenty.group_weighted == 3.75  # (3 * 4 + 1 * 3) / (3 + 1)
    assert twenty.calibrated == 0.0  # (+1 - 1) / 2

    # Proposal 40: one staff review of 5.
    forty = by_id[40]
    assert (forty.mean, forty.median, forty.sd, forty.group_weighted) == (5.0, 5.0, None, 5.0)
    assert forty.calibrated == pytest.approx(13 * ROOT2 / 14)


def test_a_proposal_with_one_review():
    ranking = aggregation_compute(rows=ROUND, group_weights=GROUP_WEIGHTS)
    thirty = next(p for p in ranking if p.proposal_id == 30)

    assert thirty == ProposalScores(
        proposal_id=30,
        rank=4,
        reviews=(
            ReviewTotal(
                review_id=7,
                reviewer_id=300,
                group=STAFF,
                total=2.5,  # its own snapshot: weights 1 and 1
                calibrated=pytest.approx(-ROOT2 / 7),
            ),
        ),
        mean=2.5,
        median=2.5,
        sd=None,
        high_disagreement=False,
        group_means={STAFF: 2.5},
        group_weighted=2.5,
        calibrated=pytest.approx(-ROOT2 / 7),
    )


def test_the_disagreement_flag_starts_at_the_threshold():
    # Totals 2 and 4: sample sd = sqrt((1 + 1) / 1) = sqrt 2, about 1.414.
    rows = [*review(1, 1, ACADEMIC, 10, (2, 2)), *review(2, 2, ACADEMIC, 10, (4, 4))]

    def flagged(threshold):
        [scores] = aggregation_compute(
            rows=rows, group_weights=GROUP_WEIGHTS, disagreement_threshold=threshold
        )
        return scores.high_disagreement

    assert flagged(1.0) is True
    assert flagged(1.5) is False
    assert flagged(math.sqrt(2)) is True


def test_a_reviewer_who_gives_everything_the_same_total_calibrates_to_zero():
    rows = [
        *review(1, 1, STAFF, 10, (3, 3)),
        *review(2, 1, STAFF, 20, (3, 3)),
        *review(3, 2, STAFF, 10, (1, 4)),  # 6 / 3 = 2
        *review(4, 2, STAFF, 20, (4, 1)),  # 9 / 3 = 3; reviewer 2: mean 2.5, sd 0.5
    ]

    ranking = aggregation_compute(rows=rows, group_weights=GROUP_WEIGHTS)

    assert [(p.proposal_id, p.calibrated) for p in ranking] == [(20, 0.5), (10, -0.5)]
    assert [r.calibrated for p in ranking for r in p.reviews] == [0.0, 1.0, 0.0, -1.0]


def test_ties_rank_by_mean_then_by_proposal_id():
    rows = [
        # 30 and 20: group-weighted (3 * 4 + 1 * 2) / 4 = 3.5, mean 3
        *review(1, 1, LIVED, 30, (4, 4)),
        *review(2, 2, ACADEMIC, 30, (2, 2)),
        *review(3, 1, LIVED, 20, (4, 4)),
        *review(4, 2, ACADEMIC, 20, (2, 2)),
        # 10: lived only, group-weighted 3.5 and mean 3.5
        *review(5, 3, LIVED, 10, (3.5, 3.5)),
    ]

    ranking = aggregation_compute(rows=rows, group_weights=GROUP_WEIGHTS)

    assert [(p.proposal_id, p.group_weighted, p.mean) for p in ranking] == [
        (10, 3.5, 3.5),
        (20, 3.5, 3.0),
        (30, 3.5, 3.0),
    ]


def test_groups_without_weight_rank_last_with_no_group_weighted_score():
    rows = [*review(1, 1, STAFF, 10, (5, 5)), *review(2, 2, ACADEMIC, 20, (1, 1))]

    ranking = aggregation_compute(rows=rows, group_weights={STAFF: 0, ACADEMIC: 1})

    assert [(p.proposal_id, p.group_weighted) for p in ranking] == [(20, 1.0), (10, None)]


def test_weights_may_be_decimals_as_stored():
    rows = review(1, 1, LIVED, 10, (5, 2), weights=(Decimal("1.5"), Decimal("0.5")))

    [scores] = aggregation_compute(rows=rows, group_weights=GROUP_WEIGHTS)

    assert scores.mean == 4.25  # (1.5 * 5 + 0.5 * 2) / 2 = 8.5 / 2


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (review(1, 1, "visitor", 10, (3, 3)), r"no published weight .*\['visitor'\]"),
        (
            [*review(1, 1, STAFF, 10, (3, 3)), (1, 1, STAFF, 20, 3, 1, 3)],
            "review 1: rows name different reviewers or proposals",
        ),
        (
            [*review(1, 1, STAFF, 10, (3, 3)), (1, 1, STAFF, 10, 2, 1, 4)],
            "review 1: criterion 2 scored twice",
        ),
        (review(1, 1, STAFF, 10, (3, 3), weights=(0, 0)), "review 1: .* add up to zero"),
    ],
)
def test_inconsistent_rows_are_refused(rows, message):
    with pytest.raises(ValueError, match=message):
        aggregation_compute(rows=rows, group_weights=GROUP_WEIGHTS)


def test_no_rows_no_proposals():
    assert aggregation_compute(rows=[], group_weights=GROUP_WEIGHTS) == []


@st.composite
def score_rounds(draw):
    """Rows for a small round: up to 5 reviewers (each in one group), up to 6 proposals, each
    review scoring 1 to 3 criteria on a 1-5 scale with its own snapshot of integer weights."""
    reviewer_groups = draw(
        st.dictionaries(
            st.integers(1, 50), st.sampled_from([LIVED, ACADEMIC, STAFF]), min_size=1, max_size=5
        )
    )
    pairs = draw(
        st.lists(
            st.tuples(st.sampled_from(sorted(reviewer_groups)), st.integers(1, 6)),
            min_size=1,
            max_size=15,
            unique=True,
        )
    )
    rows = []
    for review_id, (reviewer_id, proposal_id) in enumerate(pairs, 1):
        criteria = draw(st.integers(1, 3))
        weights = draw(st.lists(st.integers(1, 3), min_size=criteria, max_size=criteria))
        scores = draw(st.lists(st.integers(1, 5), min_size=criteria, max_size=criteria))
        rows += review(
            review_id, reviewer_id, reviewer_groups[reviewer_id], proposal_id, scores, weights
        )
    return rows


@PROPERTY
@given(
    rows=score_rounds(),
    pick=st.randoms(use_true_random=False),
    constant=st.integers(-4, 4) | st.sampled_from([0.5, -1.25, 2.75]),
)
def test_calibration_ignores_a_constant_added_to_one_reviewers_scores(rows, pick, constant):
    reviewer_id = pick.choice(sorted({row[1] for row in rows}))
    shifted = [(*row[:6], row[6] + constant) if row[1] == reviewer_id else row for row in rows]

    before = aggregation_compute(rows=rows, group_weights=GROUP_WEIGHTS)
    after = aggregation_compute(rows=shifted, group_weights=GROUP_WEIGHTS)

    calibrated_before = {p.proposal_id: p.calibrated for p in before}
    calibrated_after = {p.proposal_id: p.calibrated for p in after}
    assert calibrated_after == pytest.approx(calibrated_before, abs=1e-9)
    reviews_before = {r.review_id: r.calibrated for p in before for r in p.reviews}
    reviews_after = {r.review_id: r.calibrated for p in after for r in p.reviews}
    assert reviews_after == pytest.approx(reviews_before, abs=1e-9)


@PROPERTY
@given(rows=score_rounds(), shuffler=st.randoms(use_true_random=False))
def test_rows_in_any_order_give_the_same_figures(rows, shuffler):
    shuffled = list(rows)
    shuffler.shuffle(shuffled)

    assert aggregation_compute(rows=shuffled, group_weights=GROUP_WEIGHTS) == (
        aggregation_compute(rows=rows, group_weights=GROUP_WEIGHTS)
    )
