"""Expense claims: receipts checked by content, stored privately under a random name; amounts
checked; coordinators approve or reject, never their own."""

from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.transitions import TransitionNotAllowed
from payments.models import Expense, LedgerEntry
from payments.services.expenses import (
    expense_approve,
    expense_cancel,
    expense_reject,
    expense_withdraw,
)
from tests.factories import coordinator, expert, finance
from tests.payments.core_helpers import JPEG, PDF, PNG, expense_for


@pytest.fixture(autouse=True)
def receipts_root(settings, tmp_path):
    settings.PAYMENTS_RECEIPTS_ROOT = tmp_path / "receipts"
    return settings.PAYMENTS_RECEIPTS_ROOT


@pytest.mark.parametrize(
    ("content", "content_type", "extension"),
    [(PDF, "application/pdf", "pdf"), (JPEG, "image/jpeg", "jpg"), (PNG, "image/png", "png")],
)
def test_a_receipt_is_kept_privately_under_a_random_name(
    db, receipts_root, content, content_type, extension
):
    person = expert()

    claim = expense_for(person, content=content, amount="12.50")

    assert (claim.status, claim.amount, claim.receipt_content_type) == (
        "pending",
        Decimal("12.50"),
        content_type,
    )
    name = Path(claim.receipt.name)
    assert name.suffix == f".{extension}"
    assert len(name.stem) == 32
    assert "Jane" not in claim.receipt.name
    assert (receipts_root / claim.receipt.name).read_bytes() == content
    with pytest.raises(ValueError, match="no public URL"):
        claim.receipt.url  # noqa: B018
    assert list(claim.ledger.values_list("action", "to_state", "actor")) == [
        ("create", "pending", person.user.pk)
    ]


@pytest.mark.parametrize(
    "content",
    [b"GIF89a....", b"<html><script>", b"PK\x03\x04 a zip", b"", b"%PD"],
)
def test_anything_but_a_pdf_jpeg_or_png_is_refused_whatever_its_name(db, content):
    with pytest.raises(ValidationError) as refusal:
        expense_for(expert(), content=content)

    assert refusal.value.message_dict == {
        "receipt": ["The receipt must be a PDF, JPEG or PNG file."]
    }
    assert not Expense.objects.exists()


def test_a_receipt_over_the_size_limit_is_refused(db, settings):
    settings.PAYMENTS_RECEIPT_MAX_BYTES = 1024 * 1024
    big = PDF + b"0" * (1024 * 1024)

    with pytest.raises(ValidationError) as refusal:
        expense_for(expert(), content=big)

    assert refusal.value.message_dict == {"receipt": ["The receipt must be smaller than 1 MB."]}
    assert not Expense.objects.exists()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "The amount must be more than £0.00."),
        ("-5", "The amount must be more than £0.00."),
        ("12.345", "Enter the amount in pounds and pence, like 12.50."),
        ("twelve", "Enter the amount in pounds and pence, like 12.50."),
        ("NaN", "Enter the amount in pounds and pence, like 12.50."),
        ("2000.01", "One claim can be up to £2,000.00. For more, talk to your coordinator."),
    ],
)
def test_amounts_are_checked(db, amount, message):
    with pytest.raises(ValidationError) as refusal:
        expense_for(expert(), amount=amount)

    assert refusal.value.message_dict == {"amount": [message]}
    assert not Expense.objects.exists()


def test_a_sane_amount_with_a_pound_sign_and_a_comma_is_read(db):
    assert expense_for(expert(), amount="£1,999.99").amount == Decimal("1999.99")


def test_a_cost_in_the_future_and_a_missing_description_are_refused(db):
    tomorrow = timezone.localdate() + timedelta(days=1)

    with pytest.raises(ValidationError) as refusal:
        expense_for(expert(), incurred_on=tomorrow, description=" ", category="holiday")

    assert refusal.value.message_dict == {
        "incurred_on": ["The date of the cost must be today or in the past."],
        "description": ["Say what the cost was for."],
        "category": ["Choose what kind of cost it was."],
    }


def test_coordinators_approve_or_reject_and_the_ledger_follows(db):
    person = expert()
    lead = coordinator()
    first, second = expense_for(person), expense_for(person, amount="3.20")

    expense_approve(expense_id=first.pk, by=lead)
    rejected = expense_reject(expense_id=second.pk, by=lead, reason="No receipt date")

    assert Expense.objects.get(pk=first.pk).approved_by == lead
    assert (rejected.status, rejected.rejection_reason) == ("rejected", "No receipt date")
    assert list(
        LedgerEntry.objects.order_by("pk").values_list(
            "expense", "action", "from_state", "to_state"
        )
    ) == [
        (first.pk, "create", "", "pending"),
        (second.pk, "create", "", "pending"),
        (first.pk, "approve", "pending", "approved"),
        (second.pk, "reject", "pending", "rejected"),
    ]


def test_finance_and_experts_cannot_approve_and_nobody_approves_their_own(db):
    both = coordinator()
    own = expense_for(expert(user=both))
    other = expense_for(expert())

    for by, claim in ((finance(), other), (expert().user, other), (both, own)):
        with pytest.raises(TransitionNotAllowed):
            expense_approve(expense_id=claim.pk, by=by)

    assert set(Expense.objects.values_list("status", flat=True)) == {"pending"}


def test_experts_withdraw_only_their_own_pending_claims(db):
    person = expert()
    claim = expense_for(person)

    with pytest.raises(TransitionNotAllowed):
        expense_withdraw(expense_id=claim.pk, by=expert().user)
    withdrawn = expense_withdraw(expense_id=claim.pk, by=person.user)

    assert withdrawn.status == "cancelled"
    assert claim.ledger.last().action == "cancel"


def test_staff_cancel_an_approved_claim(db):
    claim = expense_for(expert())
    expense_approve(expense_id=claim.pk, by=coordinator())

    assert expense_cancel(expense_id=claim.pk, by=finance()).status == "cancelled"


def test_the_largest_claim_and_the_largest_receipt_are_accepted(db, settings):
    settings.PAYMENTS_RECEIPT_MAX_BYTES = 1024
    exactly = PDF + b"0" * (1024 - len(PDF))

    claim = expense_for(expert(), amount="2000.00", content=exactly)

    assert claim.amount == Decimal("2000.00")
    assert claim.receipt.size == 1024


def test_a_claim_that_cannot_be_stored_leaves_no_receipt_behind(db, receipts_root):
    from accounts.models import User

    with pytest.raises(ValueError, match="unsaved"):
        expense_for(expert(), payee=User(email="gone@tandem.test"))  # never saved

    assert not Expense.objects.exists()
    assert list(receipts_root.iterdir()) == []
