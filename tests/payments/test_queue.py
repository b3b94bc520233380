"""The approval queue's selector: ages and their boundaries, kinds and sources."""

from datetime import date, timedelta

import pytest

from payments.selectors.queue import approval_queue
from tests.factories import expert
from tests.payments.core_helpers import expense_for, honorarium_for, rate_card

TODAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def receipts_root(settings, tmp_path):
    settings.PAYMENTS_RECEIPTS_ROOT = tmp_path / "receipts"


def refs(rows):
    return [(row.reference, row.age_days, row.source) for row in rows]


def test_over_a_week_means_more_than_seven_days_since_the_work(db):
    rate_card(date(2026, 1, 1))
    person = expert()
    seven = honorarium_for(person, source_id=1, work_date=TODAY - timedelta(days=7))
    eight = honorarium_for(person, source_id=2, work_date=TODAY - timedelta(days=8))
    claim = expense_for(person, incurred_on=TODAY - timedelta(days=8))
    recent = expense_for(person, incurred_on=TODAY - timedelta(days=7))

    assert refs(approval_queue(older_than_days=7, today=TODAY)) == [
        (f"E-{claim.pk}", 8, "Travel"),
        (f"H-{eight.pk}", 8, "Panel session"),
    ]
    assert refs(approval_queue(today=TODAY)) == [
        (f"E-{claim.pk}", 8, "Travel"),
        (f"H-{eight.pk}", 8, "Panel session"),
        (f"E-{recent.pk}", 7, "Travel"),
        (f"H-{seven.pk}", 7, "Panel session"),
    ]


def test_kinds_and_sources_narrow_the_queue(db):
    rate_card(date(2026, 1, 1))
    person = expert()
    session = honorarium_for(person, source_id=1, work_date=TODAY)
    review = honorarium_for(person, source_id=1, source_type="review", work_date=TODAY)
    claim = expense_for(person, incurred_on=TODAY)

    assert [r.reference for r in approval_queue(kind="honorarium", today=TODAY)] == [
        f"H-{session.pk}",
        f"H-{review.pk}",
    ]
    assert [r.reference for r in approval_queue(kind="expense", today=TODAY)] == [f"E-{claim.pk}"]
    assert [r.reference for r in approval_queue(source="review", today=TODAY)] == [f"H-{review.pk}"]
    assert [r.reference for r in approval_queue(source="expense", today=TODAY)] == [f"E-{claim.pk}"]
    assert approval_queue(kind="honorarium", source="expense", today=TODAY) == []
    assert approval_queue(status="approved", today=TODAY) == []
