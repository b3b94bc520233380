from engagement.aggregation import FLAT_SPREAD, aggregation_compute

LIVED, ACADEMIC, STAFF = "lived_experience", "academic", "staff"
GROUP_WEIGHTS = {LIVED: 3, ACADEMIC: 1, STAFF: 1}


def review(review_id, reviewer_id, group, proposal_id, scores, weights=(2, 1)):
    """Rows for one review: criteria 1, 2, ... with the weights snapshotted on it."""
    return [
        (review_id, reviewer_id, group, proposal_id, criterion_id, weight, score)
        for criterion_id, (weight, score) in enumerate(zip(weights, scores, strict=True), 1)
    ]


def test_a_spread_of_exactly_the_threshold_is_flagged_when_the_totals_are_thirds():
    # Four academics score proposal 10 on criteria weighing 2 and 1:
    # (2*1 + 1*1) / 3 = 1, (2*1 + 1*2) / 3 = 4/3, (2*3 + 1*1) / 3 = 7/3, (2*5 + 1*3) / 3 = 13/3.
    # Mean 27/12 = 2.25; deviations -15/12, -11/12, 1/12, 25/12; squares add up to 972/144
    # = 6.75; / (4 - 1) = 2.25; sample sd exactly 1.5. The sd is taken about the mean the
    # page shows, and reaches the round's threshold of 1.5: high disagreement.
    rows = [
        *review(1, 1, ACADEMIC, 10, (1, 1)),
        *review(2, 2, ACADEMIC, 10, (1, 2)),
        *review(3, 3, ACADEMIC, 10, (3, 1)),
        *review(4, 4, ACADEMIC, 10, (5, 3)),
    ]

    [scores] = aggregation_compute(
        rows=rows, group_weights=GROUP_WEIGHTS, disagreement_threshold=1.5
    )

    assert scores.mean == 2.25
    assert scores.sd == 1.5
    assert scores.high_disagreement is True


def test_on_a_scale_from_zero_a_proposal_scored_zero_ranks_below_every_other():
    # A 0-4 scale: proposal 10 gets nothing from anyone, 20 gets 1 from a lived-experience
    # reviewer and 0 from an academic ((3 * 1 + 1 * 0) / 4 = 0.75), 30 gets 2 from staff.
    rows = [
        *review(1, 1, LIVED, 10, (0, 0)),
        *review(2, 2, ACADEMIC, 10, (0, 0)),
        *review(3, 1, LIVED, 20, (1, 1)),
        *review(4, 2, ACADEMIC, 20, (0, 0)),
        *review(5, 3, STAFF, 30, (2, 2)),
    ]

    ranking = aggregation_compute(rows=rows, group_weights=GROUP_WEIGHTS)

    assert [(p.proposal_id, p.rank, p.group_weighted) for p in ranking] == [
        (30, 1, 2.0),
        (20, 2, 0.75),
        (10, 3, 0.0),
    ]


def test_a_reviewer_whose_totals_spread_by_exactly_the_flat_spread_calibrates_to_zero():
    # Totals 0 and 2 x FLAT_SPREAD: mean FLAT_SPREAD, population sd exactly FLAT_SPREAD. That
    # is a rounding error's width, not a harsh or lenient reviewer: both reviews calibrate to 0.
    rows = [
        *review(1, 1, STAFF, 10, (0,), weights=(1,)),
        *review(2, 1, STAFF, 20, (2 * FLAT_SPREAD,), weights=(1,)),
    ]

    ranking = aggregation_compute(rows=rows, group_weights=GROUP_WEIGHTS)

    assert [(p.proposal_id, p.reviews[0].total, p.calibrated) for p in ranking] == [
        (20, 2 * FLAT_SPREAD, 0.0),
        (10, 0.0, 0.0),
    ]
    assert [p.reviews[0].calibrated for p in ranking] == [0.0, 0.0]
