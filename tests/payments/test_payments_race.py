"""Two connections race, 100 times, to approve, to batch and to mark paid the same items on
PostgreSQL: every item ends with exactly one ledger row per transition and is paid once."""

import threading
from collections import Counter
from datetime import date

import pytest
from django.db import connection

from core.transitions import TransitionNotAllowed
from payments.models import Expense, Honorarium, LedgerEntry, PaymentBatch
from payments.services.batches import batch_create, batch_mark_paid
from payments.services.expenses import expense_approve
from payments.services.honoraria import honorarium_approve
from tests.factories import coordinator, expert, finance
from tests.payments.core_helpers import expense_for, honorarium_for, rate_card

ROUNDS = 100


def race(*calls) -> list[str]:
    """Run the calls at the same moment, each on its own connection; what each one did."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            outcomes[index] = call()
        except TransitionNotAllowed:
            outcomes[index] = "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def _round(person, leads, payers, number):
    """One honorarium and one expense: two coordinators race to approve each, two Finance
    staff race to batch them, then to mark the batch paid."""
    item = honorarium_for(person, source_id=number)
    claim = expense_for(person)
    approvals = race(
        *(lambda by=by: honorarium_approve(honorarium_id=item.pk, by=by).status for by in leads),
        *(lambda by=by: expense_approve(expense_id=claim.pk, by=by).status for by in leads),
    )
    batches = race(
        *(
            lambda by=by: batch_create(by=by, honorarium_ids=[item.pk], expense_ids=[claim.pk]).pk
            for by in payers
        )
    )
    batch_id = next(outcome for outcome in batches if outcome != "refused")
    payments = race(*(lambda by=by: batch_mark_paid(batch_id=batch_id, by=by)[1] for by in payers))
    return approvals, batches, payments


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_racing_to_approve_batch_and_pay_changes_each_item_once(settings, tmp_path):
    settings.PAYMENTS_RECEIPTS_ROOT = tmp_path / "receipts"
    rate_card(date(2026, 1, 1))
    person = expert()
    leads = (coordinator(), coordinator())
    payers = (finance(), finance())

    for number in range(1, ROUNDS + 1):
        approvals, batches, payments = _round(person, leads, payers, number)

        assert sorted(approvals) == ["approved", "approved", "refused", "refused"], number
        assert batches.count("refused") == 1, number
        assert sorted(payments) == [False, True], number

    assert PaymentBatch.objects.count() == ROUNDS
    assert set(PaymentBatch.objects.values_list("status", flat=True)) == {"paid"}
    for model, field in ((Honorarium, "honorarium"), (Expense, "expense")):
        assert model.objects.filter(status="paid", paid_at__isnull=False).count() == ROUNDS
        per_item = Counter(
            LedgerEntry.objects.filter(**{f"{field}__isnull": False}).values_list(field, "action")
        )
        assert set(per_item.values()) == {1}
        assert Counter(action for _item, action in per_item) == {
            "create": ROUNDS,
            "approve": ROUNDS,
            "batch": ROUNDS,
            "pay": ROUNDS,
        }
