"""The staff reads of payments at their edges: which items the approval queue keeps when there
are more than it shows, work with no date, what may join a batch and in which order, batches
with their counts, what waits on each dashboard, and the median of an even number of days."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone

from payments.models import Expense, Honorarium, PaymentBatch
from payments.selectors.queue import (
    QUEUE_LIMIT,
    approval_queue,
    approvals_waiting,
    batch_candidates,
    batch_items,
    batch_list,
    payment_speed,
    payments_waiting,
)
from tests.factories import expert

TODAY = date(2026, 11, 20)


def at_noon(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


def honorarium(person, status="pending", work_date=TODAY, amount="75.00", **fields) -> Honorarium:
    return Honorarium.objects.create(
        payee=person.user,
        payee_reference=person.reference,
        description="Housing panel session",
        amount=Decimal(amount),
        method="bank_transfer",
        status=status,
        work_date=work_date,
        **fields,
    )


def expense(person, status="pending", incurred_on=TODAY, amount="12.50", **fields) -> Expense:
    return Expense.objects.create(
        payee=person.user,
        payee_reference=person.reference,
        category="travel",
        description="Bus to the session",
        incurred_on=incurred_on,
        amount=Decimal(amount),
        receipt="receipts/bus.pdf",
        receipt_content_type="application/pdf",
        status=status,
        **fields,
    )


def batch(reference: str, status="open", total="0.00", created=None, **fields) -> PaymentBatch:
    made = PaymentBatch.objects.create(
        reference=reference, status=status, total=Decimal(total), **fields
    )
    if created is not None:
        PaymentBatch.objects.filter(pk=made.pk).update(created_at=created)
    return made


def test_past_the_limit_the_queue_keeps_the_oldest_work_of_each_kind(db):
    person = expert()
    Honorarium.objects.bulk_create(
        Honorarium(
            payee=person.user,
            payee_reference=person.reference,
            description="Housing panel session",
            amount=Decimal("75.00"),
            method="bank_transfer",
            work_date=TODAY - timedelta(days=1),
        )
        for _ in range(QUEUE_LIMIT)
    )
    oldest_work = honorarium(person, work_date=TODAY - timedelta(days=40))
    for _ in range(QUEUE_LIMIT):
        expense(person, incurred_on=TODAY - timedelta(days=1))
    oldest_cost = expense(person, incurred_on=TODAY - timedelta(days=30))

    rows = approval_queue(today=TODAY)

    assert len(rows) == 2 * QUEUE_LIMIT
    assert [(row.reference, row.age_days) for row in rows[:2]] == [
        (f"H-{oldest_work.pk}", 40),
        (f"E-{oldest_cost.pk}", 30),
    ]


def test_work_with_no_date_is_aged_from_the_day_it_was_recorded(db):
    person = expert()
    undated = honorarium(person, work_date=None)
    Honorarium.objects.filter(pk=undated.pk).update(created_at=at_noon(TODAY - timedelta(days=5)))

    (row,) = approval_queue(today=TODAY)

    assert (row.reference, row.work_date, row.age_days) == (
        f"H-{undated.pk}",
        TODAY - timedelta(days=5),
        5,
    )


def test_only_approved_items_to_be_paid_may_join_a_batch_oldest_work_first(db):
    person = expert()
    later = honorarium(person, "approved", work_date=TODAY - timedelta(days=2))
    earlier = honorarium(person, "approved", work_date=TODAY - timedelta(days=9))
    honorarium(person, "approved", payable=False, not_payable_reason="declined", amount="0")
    honorarium(person, "pending")
    honorarium(person, "paid", paid_at=timezone.now())
    late_cost = expense(person, "approved", incurred_on=TODAY - timedelta(days=1))
    early_cost = expense(person, "approved", incurred_on=TODAY - timedelta(days=6))
    expense(person, "pending")
    expense(person, "rejected")

    candidates = batch_candidates()

    assert candidates == {"honoraria": [earlier, later], "expenses": [early_cost, late_cost]}


def test_batches_come_newest_first_each_with_how_many_items_it_pays(db):
    person = expert()
    moment = at_noon(TODAY)
    big = batch("PB-2026-0001", created=moment)
    for _ in range(2):
        honorarium(person, "batched", batch=big)
    for _ in range(3):
        expense(person, "batched", batch=big)
    twin = batch("PB-2026-0002", created=moment)
    honorarium(person, "batched", batch=twin)
    newest = batch("PB-2026-0003", created=moment + timedelta(days=1))
    oldest = batch("PB-2026-0004", created=moment - timedelta(days=1))

    listed = [(b.reference, b.honoraria_count, b.expenses_count) for b in batch_list()]

    assert listed == [
        (newest.reference, 0, 0),
        (twin.reference, 1, 0),
        (big.reference, 2, 3),
        (oldest.reference, 0, 0),
    ]


def test_a_batch_lists_its_honoraria_then_its_expenses_each_by_id(db):
    person = expert()
    paying = batch("PB-2026-0001")
    first = expense(person, "batched", batch=paying)
    second = expense(person, "batched", batch=paying)
    work = honorarium(person, "batched", batch=paying)

    assert batch_items(paying) == [
        (f"H-{work.pk}", work),
        (f"E-{first.pk}", first),
        (f"E-{second.pk}", second),
    ]


def test_finance_sees_only_open_batches_to_pay_and_their_total(db):
    batch("PB-2026-0001", total="70.00")
    batch("PB-2026-0002", total="30.50")
    batch("PB-2026-0003", status="paid", total="99.00", paid_at=timezone.now())

    waiting = payments_waiting()

    assert (waiting["batches_to_pay"], waiting["batches_total"]) == (2, Decimal("100.50"))


def test_with_no_open_batch_nothing_is_to_pay(db):
    batch("PB-2026-0003", status="paid", total="99.00", paid_at=timezone.now())
    person = expert()
    honorarium(person, "approved")
    expense(person, "pending")

    waiting = payments_waiting()

    assert waiting == {
        "honoraria": {
            "pending": {"count": 0, "oldest_days": None},
            "approved": {"count": 1, "oldest_days": 0},
            "batched": {"count": 0, "oldest_days": None},
        },
        "expenses": {
            "pending": {"count": 1, "oldest_days": 0},
            "approved": {"count": 0, "oldest_days": None},
            "batched": {"count": 0, "oldest_days": None},
        },
        "batches_to_pay": 0,
        "batches_total": Decimal(0),
    }
    assert str(waiting["batches_total"]) == "0"


def test_coordinators_see_how_many_wait_and_the_oldest_work_of_either_kind(db):
    person = expert()
    honorarium(person, work_date=TODAY - timedelta(days=10))
    honorarium(person, work_date=TODAY - timedelta(days=3))
    honorarium(person, "approved", work_date=TODAY - timedelta(days=50))
    expense(person, incurred_on=TODAY - timedelta(days=15))
    expense(person, "approved", incurred_on=TODAY - timedelta(days=60))

    assert approvals_waiting(today=TODAY) == {"honoraria": 2, "expenses": 1, "oldest_days": 15}


def test_the_oldest_wait_counts_honoraria_alone_or_expenses_alone(db):
    person = expert()
    honorarium(person, work_date=TODAY - timedelta(days=4))
    assert approvals_waiting(today=TODAY) == {"honoraria": 1, "expenses": 0, "oldest_days": 4}

    Honorarium.objects.all().delete()
    expense(person, incurred_on=TODAY - timedelta(days=6))
    assert approvals_waiting(today=TODAY) == {"honoraria": 0, "expenses": 1, "oldest_days": 6}

    Expense.objects.all().delete()
    assert approvals_waiting(today=TODAY) == {"honoraria": 0, "expenses": 0, "oldest_days": None}


def test_the_median_of_four_waits_is_the_mean_of_the_middle_two(db):
    person = expert()
    for worked, days in ((date(2026, 11, 2), 1), (date(2026, 11, 3), 2), (date(2026, 11, 4), 4)):
        honorarium(person, "paid", work_date=worked, paid_at=at_noon(worked + timedelta(days)))
    expense(person, "paid", incurred_on=date(2026, 11, 1), paid_at=at_noon(date(2026, 11, 11)))

    assert payment_speed(today=TODAY) == {
        "this_month": {"median_days": Decimal(3), "count": 4},
        "last_month": {"median_days": None, "count": 0},
    }
