"""The same expense claim form sent twice at the same moment (a double click) on
PostgreSQL: one claim, and both requests get it."""

import uuid

import pytest
from django.utils import timezone

from engagement.services.expenses import expense_claim
from payments.models import Expense, LedgerEntry
from tests.engagement.payment_helpers import upload
from tests.factories import expert
from tests.payments.test_payments_race import race

ROUNDS = 20


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_requests_with_the_same_claim_key_make_one_claim(settings, tmp_path):
    settings.PAYMENTS_RECEIPTS_ROOT = tmp_path / "receipts"
    person = expert()

    def send(key):
        data = {
            "category": "travel",
            "description": "Bus fare to the panel meeting",
            "incurred_on": timezone.localdate(),
            "amount": "12.50",
            "receipt": upload(),
        }
        return expense_claim(profile=person, claim_key=key, data=data).pk

    for number in range(ROUNDS):
        key = uuid.uuid4()
        first, second = race(lambda key=key: send(key), lambda key=key: send(key))

        assert first == second, number
    assert Expense.objects.count() == ROUNDS
    assert LedgerEntry.objects.filter(action="create").count() == ROUNDS
    assert len(list((tmp_path / "receipts").iterdir())) == ROUNDS
