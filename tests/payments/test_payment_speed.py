"""How fast experts are paid: the median days from the work (or the cost) to payment, for
items paid this month and last month."""

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from django.utils import timezone

from payments.models import Expense, Honorarium
from payments.selectors.queue import payment_speed
from payments.services.batches import batch_create, batch_mark_paid
from payments.services.expenses import expense_approve
from payments.services.honoraria import honorarium_approve
from tests.factories import coordinator, expert, finance
from tests.payments.core_helpers import expense_for, honorarium_for, rate_card

TODAY = date(2026, 11, 20)


@pytest.fixture(autouse=True)
def receipts_root(settings, tmp_path):
    settings.PAYMENTS_RECEIPTS_ROOT = tmp_path / "receipts"


def paid_on(item, day: date):
    """Pay the item through the services, then say it was paid on `day`."""
    lead, payer = coordinator(), finance()
    if isinstance(item, Honorarium):
        honorarium_approve(honorarium_id=item.pk, by=lead)
        batch = batch_create(by=payer, honorarium_ids=[item.pk])
    else:
        expense_approve(expense_id=item.pk, by=lead)
        batch = batch_create(by=payer, expense_ids=[item.pk])
    batch_mark_paid(batch_id=batch.pk, by=payer)
    moment = timezone.make_aware(datetime.combine(day, time(12)))
    type(item).objects.filter(pk=item.pk).update(paid_at=moment)


def test_the_median_days_from_work_to_payment_this_month_and_last(db):
    rate_card(date(2026, 1, 1))
    person = expert()
    # This month: 3, 5, 10 days (median 5); last month: 4 and 7 days (median 5.5).
    for source_id, worked, paid in (
        (1, date(2026, 11, 2), date(2026, 11, 5)),
        (2, date(2026, 11, 5), date(2026, 11, 15)),
        (3, date(2026, 10, 27), date(2026, 11, 1)),
        (4, date(2026, 10, 1), date(2026, 10, 5)),
        (5, date(2026, 9, 20), date(2026, 9, 30)),  # before last month: not counted
    ):
        paid_on(honorarium_for(person, source_id=source_id, work_date=worked), paid)
    paid_on(expense_for(person, incurred_on=date(2026, 10, 24)), date(2026, 10, 31))
    honorarium_for(person, source_id=9, work_date=date(2026, 11, 1))  # not paid yet

    assert payment_speed(today=TODAY) == {
        "this_month": {"median_days": Decimal(5), "count": 3},
        "last_month": {"median_days": Decimal("5.5"), "count": 2},
    }
    assert Expense.objects.get().status == "paid"


def test_with_nothing_paid_there_is_no_figure(db):
    assert payment_speed(today=TODAY) == {
        "this_month": {"median_days": None, "count": 0},
        "last_month": {"median_days": None, "count": 0},
    }


def test_january_looks_back_to_december(db):
    rate_card(date(2025, 1, 1))
    person = expert()
    paid_on(honorarium_for(person, work_date=date(2025, 12, 1)), date(2025, 12, 3))

    assert payment_speed(today=date(2026, 1, 10))["last_month"] == {
        "median_days": Decimal(2),
        "count": 1,
    }
