"""Expense claims at their edges: every field's limit and message, what a stored claim keeps,
the exact refusals coordinators read, and the reason kept when staff reject or cancel a
claim (trimmed, cut to its limit, never blanked)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.transitions import TransitionNotAllowed
from payments.models import Expense, LedgerEntry
from payments.services.expenses import (
    expense_amount_clean,
    expense_approve,
    expense_cancel,
    expense_reject,
)
from payments.services.honoraria import REASON_MAX_LENGTH
from tests.factories import coordinator, expert, finance
from tests.payments.core_helpers import PNG, expense_for

pytestmark = pytest.mark.django_db


def test_an_amount_is_read_in_pounds_whatever_the_spaces_sign_and_commas():
    assert expense_amount_clean("  £1,234.5 ") == Decimal("1234.50")
    assert expense_amount_clean(Decimal("2000")) == Decimal("2000.00")
    assert expense_amount_clean("0.01") == Decimal("0.01")


@pytest.mark.parametrize("amount", ["Infinity", "-Infinity", "", "£"])
def test_an_amount_that_is_not_a_sum_of_money_is_refused(amount):
    with pytest.raises(ValidationError) as refused:
        expense_amount_clean(amount)

    assert refused.value.message_dict == {
        "amount": ["Enter the amount in pounds and pence, like 12.50."]
    }


def test_the_largest_claim_follows_the_setting_and_says_it(settings):
    settings.PAYMENTS_EXPENSE_MAX_AMOUNT = "12500.00"

    assert expense_amount_clean("12500.00") == Decimal("12500.00")
    with pytest.raises(ValidationError) as refused:
        expense_amount_clean("12500.01")

    assert refused.value.message_dict == {
        "amount": ["One claim can be up to £12,500.00. For more, talk to your coordinator."]
    }


def test_a_claim_keeps_what_the_expert_gave_trimmed_and_waits_for_approval():
    person = expert()
    today = timezone.localdate()

    claim = expense_for(
        person,
        description="  Bus to the session  ",
        incurred_on=today,
        amount="7.5",
        content=PNG,
        category="travel",
        method="bank_transfer",
    )

    claim.refresh_from_db()
    assert (
        claim.payee,
        claim.payee_reference,
        claim.description,
        claim.incurred_on,
        claim.amount,
        claim.receipt_content_type,
        claim.status,
    ) == (
        person.user,
        person.reference,
        "Bus to the session",
        today,
        Decimal("7.50"),
        "image/png",
        "pending",
    )
    assert list(LedgerEntry.objects.values_list("action", "actor")) == [("create", person.user.pk)]


def test_a_description_of_200_characters_is_kept_and_one_more_is_refused():
    assert len(expense_for(expert(), description="d" * 200).description) == 200

    with pytest.raises(ValidationError) as refused:
        expense_for(expert(), description="d" * 201)

    assert refused.value.message_dict == {
        "description": ["Keep the description to 200 characters or fewer."]
    }
    assert Expense.objects.count() == 1


def test_a_claim_without_a_date_receipt_or_known_way_to_be_paid_says_each(settings):
    with pytest.raises(ValidationError) as refused:
        expense_for(expert(), incurred_on=None, receipt=None, method="cheque", description=None)

    assert refused.value.message_dict == {
        "description": ["Say what the cost was for."],
        "incurred_on": ["The date of the cost must be today or in the past."],
        "receipt": ["Add a photo or scan of the receipt."],
        "method": ["Choose how to be paid back."],
    }
    assert not Expense.objects.exists()
    assert not LedgerEntry.objects.exists()


def test_a_cost_from_yesterday_is_accepted():
    yesterday = timezone.localdate() - timedelta(days=1)

    assert expense_for(expert(), incurred_on=yesterday).incurred_on == yesterday


# Approving, rejecting and cancelling


def test_a_coordinator_is_told_someone_else_must_approve_or_reject_their_own_claim():
    both = coordinator()
    own = expense_for(expert(user=both))

    for act in (
        lambda: expense_approve(expense_id=own.pk, by=both),
        lambda: expense_reject(expense_id=own.pk, by=both, reason="Mine"),
    ):
        with pytest.raises(TransitionNotAllowed) as refused:
            act()
        assert str(refused.value) == "Someone else must approve a payment to you."

    own.refresh_from_db()
    assert (own.status, own.approved_by, own.rejection_reason) == ("pending", None, "")


def test_an_approval_records_who_approved_and_when():
    lead = coordinator()
    claim = expense_for(expert())
    before = timezone.now()

    approved = expense_approve(expense_id=claim.pk, by=lead)

    approved.refresh_from_db()
    assert (approved.status, approved.approved_by) == ("approved", lead)
    assert before <= approved.approved_at <= timezone.now()


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        ("   ", "Say why, so the expert knows."),
        (None, "Say why, so the expert knows."),
        ("r" * (REASON_MAX_LENGTH + 1), "Keep the reason to 500 characters or fewer."),
    ],
)
def test_a_rejection_needs_a_reason_the_expert_can_read(reason, message):
    claim = expense_for(expert())

    with pytest.raises(TransitionNotAllowed) as refused:
        expense_reject(expense_id=claim.pk, by=coordinator(), reason=reason)

    assert str(refused.value) == message
    claim.refresh_from_db()
    assert (claim.status, claim.rejection_reason) == ("pending", "")


def test_a_rejection_keeps_its_reason_trimmed():
    claim = expense_for(expert())

    rejected = expense_reject(expense_id=claim.pk, by=coordinator(), reason="  No date  ")

    rejected.refresh_from_db()
    assert rejected.rejection_reason == "No date"


def test_a_cancelled_claim_keeps_the_reason_trimmed_and_cut_to_its_limit():
    first, second = expense_for(expert()), expense_for(expert())

    expense_cancel(expense_id=first.pk, by=finance(), reason="  Claimed twice  ")
    expense_cancel(expense_id=second.pk, by=finance(), reason="x" * (REASON_MAX_LENGTH + 20))

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.rejection_reason) == ("cancelled", "Claimed twice")
    assert (second.status, second.rejection_reason) == ("cancelled", "x" * REASON_MAX_LENGTH)


def test_cancelling_without_a_reason_leaves_the_reason_empty_and_is_in_the_ledger():
    claim = expense_for(expert())
    by = finance()

    unsaid = expense_for(expert())

    cancelled = expense_cancel(expense_id=claim.pk, by=by, reason=None)
    expense_cancel(expense_id=unsaid.pk, by=by)

    cancelled.refresh_from_db()
    unsaid.refresh_from_db()
    assert (cancelled.status, cancelled.rejection_reason) == ("cancelled", "")
    assert (unsaid.status, unsaid.rejection_reason) == ("cancelled", "")
    assert list(
        LedgerEntry.objects.filter(expense=claim)
        .order_by("pk")
        .values_list("action", "from_state", "to_state", "actor")
    ) == [("create", "", "pending", claim.payee_id), ("cancel", "pending", "cancelled", by.pk)]


def test_an_expert_cannot_cancel_a_claim_as_staff_do():
    person = expert()
    claim = expense_for(person)
    expense_approve(expense_id=claim.pk, by=coordinator())

    with pytest.raises(TransitionNotAllowed):
        expense_cancel(expense_id=claim.pk, by=person.user, reason="Changed my mind")

    claim.refresh_from_db()
    assert (claim.status, claim.rejection_reason) == ("approved", "")
