"""What waits at each step before payment, for Finance's dashboard: counts per step, the age
of the oldest in days, and nothing for a step where nothing waits."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from payments.models import Expense, Honorarium
from payments.selectors.honoraria import items_waiting
from tests.factories import expert


def created_days_ago(item, days: int) -> None:
    """Say the item was recorded `days` days ago, at noon (UK time)."""
    noon = datetime.combine(timezone.localdate() - timedelta(days=days), time(12))
    type(item).objects.filter(pk=item.pk).update(created_at=timezone.make_aware(noon))


def honorarium(person, status: str, days_ago: int, **fields) -> Honorarium:
    item = Honorarium.objects.create(
        payee=person.user,
        payee_reference=person.reference,
        description="Housing panel session",
        amount=Decimal("75.00"),
        method="bank_transfer",
        status=status,
        **fields,
    )
    created_days_ago(item, days_ago)
    return item


def expense(person, status: str, days_ago: int, **fields) -> Expense:
    item = Expense.objects.create(
        payee=person.user,
        payee_reference=person.reference,
        category="travel",
        description="Bus to the session",
        incurred_on=timezone.localdate() - timedelta(days=days_ago),
        amount=Decimal("12.50"),
        receipt="receipts/bus.pdf",
        receipt_content_type="application/pdf",
        status=status,
        **fields,
    )
    created_days_ago(item, days_ago)
    return item


def test_honoraria_waiting_counts_each_step_with_its_oldest_and_skips_the_rest(db):
    person = expert()
    honorarium(person, "pending", 9)
    honorarium(person, "pending", 2)
    honorarium(person, "approved", 4)
    honorarium(person, "paid", 30, paid_at=timezone.now())
    honorarium(person, "rejected", 40)
    honorarium(person, "cancelled", 50)

    assert items_waiting(Honorarium) == {
        "pending": {"count": 2, "oldest_days": 9},
        "approved": {"count": 1, "oldest_days": 4},
        "batched": {"count": 0, "oldest_days": None},
    }


def test_with_nothing_waiting_every_step_is_empty(db):
    assert items_waiting(Honorarium) == {
        "pending": {"count": 0, "oldest_days": None},
        "approved": {"count": 0, "oldest_days": None},
        "batched": {"count": 0, "oldest_days": None},
    }


def test_expenses_wait_at_the_same_steps_counted_on_their_own(db):
    person = expert()
    honorarium(person, "pending", 20)
    expense(person, "pending", 3)
    expense(person, "approved", 6)
    expense(person, "approved", 1)
    expense(person, "paid", 8, paid_at=timezone.now())

    assert items_waiting(Expense) == {
        "pending": {"count": 1, "oldest_days": 3},
        "approved": {"count": 2, "oldest_days": 6},
        "batched": {"count": 0, "oldest_days": None},
    }
