"""Expenses: an expert claims a cost with a receipt; a coordinator approves or rejects it;
approved expenses join payment batches like honoraria (payments.services.batches).

Invariants: a receipt is a PDF, JPEG or PNG by its content (never by its name or the type the
browser claims), within PAYMENTS_RECEIPT_MAX_BYTES, stored privately under a random name; the
amount is more than nothing and at most PAYMENTS_EXPENSE_MAX_AMOUNT, in whole pence; nobody
approves their own claim; every change appends a ledger row."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.uploads import upload_content_type
from payments.models import Expense, LedgerEntry, PaymentMethod
from payments.services.honoraria import REASON_MAX_LENGTH, clean_reason, refuse_own
from payments.services.ledger import item_transition, ledger_record


def expense_amount_clean(amount) -> Decimal:
    try:
        value = Decimal(str(amount).strip().lstrip("£").replace(",", ""))
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {"amount": _("Enter the amount in pounds and pence, like 12.50.")}
        ) from None
    cap = Decimal(settings.PAYMENTS_EXPENSE_MAX_AMOUNT)
    if not value.is_finite() or value != value.quantize(Decimal("0.01")):
        raise ValidationError({"amount": _("Enter the amount in pounds and pence, like 12.50.")})
    if value <= 0:
        raise ValidationError({"amount": _("The amount must be more than £0.00.")})
    if value > cap:
        raise ValidationError(
            {
                "amount": _("One claim can be up to £%(cap)s. For more, talk to your coordinator.")
                % {"cap": f"{cap:,.2f}"}
            }
        )
    return value.quantize(Decimal("0.01"))


def expense_submit(
    *,
    payee,
    payee_reference: str,
    category: str,
    description: str,
    incurred_on: date,
    amount,
    receipt,
    method: str = PaymentMethod.BANK_TRANSFER,
) -> Expense:
    """Store a claim with its receipt, waiting for a coordinator. Raises ValidationError
    (by field) and stores nothing when anything is wrong."""
    errors = {}
    if category not in Expense.Category.values:
        errors["category"] = _("Choose what kind of cost it was.")
    description = (description or "").strip()
    if not description:
        errors["description"] = _("Say what the cost was for.")
    elif len(description) > 200:
        errors["description"] = _("Keep the description to 200 characters or fewer.")
    if incurred_on is None or incurred_on > timezone.localdate():
        errors["incurred_on"] = _("The date of the cost must be today or in the past.")
    try:
        amount = expense_amount_clean(amount)
    except ValidationError as error:
        errors.update(error.message_dict)
    content_type = None
    if receipt is None:
        errors["receipt"] = _("Add a photo or scan of the receipt.")
    elif receipt.size > settings.PAYMENTS_RECEIPT_MAX_BYTES:
        errors["receipt"] = _("The receipt must be smaller than %(mb)s MB.") % {
            "mb": settings.PAYMENTS_RECEIPT_MAX_BYTES // (1024 * 1024)
        }
    else:
        content_type = upload_content_type(receipt)
        if content_type is None:
            errors["receipt"] = _("The receipt must be a PDF, JPEG or PNG file.")
    if method not in PaymentMethod.values:
        errors["method"] = _("Choose how to be paid back.")
    if errors:
        raise ValidationError(errors)
    expense = Expense(
        payee=payee,
        payee_reference=payee_reference,
        category=category,
        description=description,
        incurred_on=incurred_on,
        amount=amount,
        method=method,
        receipt_content_type=content_type,
    )
    # The name is chosen by the storage (a random uuid), never the uploaded one.
    expense.receipt.save("receipt", receipt, save=False)
    try:
        with transaction.atomic():
            expense.save()
            ledger_record(
                item=expense,
                action=LedgerEntry.Action.CREATE,
                from_state="",
                to_state=expense.status,
                actor=payee,
            )
    except Exception:
        # No claim, no file: a receipt is never left behind without its record.
        expense.receipt.delete(save=False)
        raise
    return expense


def expense_approve(*, expense_id: int, by) -> Expense:
    """A coordinator approves a pending claim (never their own)."""
    return item_transition(
        Expense(pk=expense_id),
        "approve",
        by=by,
        check=refuse_own(by),
        together=lambda _item: {"approved_by": by, "approved_at": timezone.now()},
    )


def expense_reject(*, expense_id: int, by, reason: str) -> Expense:
    """A coordinator turns a claim down, saying why (the expert sees the reason)."""
    reason = clean_reason(reason)
    return item_transition(
        Expense(pk=expense_id),
        "reject",
        by=by,
        check=refuse_own(by),
        together=lambda _item: {"rejection_reason": reason},
    )


def expense_cancel(*, expense_id: int, by, reason: str = "") -> Expense:
    """Staff cancel a claim not yet batched."""
    reason = (reason or "").strip()[:REASON_MAX_LENGTH]
    return item_transition(
        Expense(pk=expense_id),
        "cancel",
        by=by,
        together=lambda _item: {"rejection_reason": reason} if reason else {},
    )


def expense_withdraw(*, expense_id: int, by) -> Expense:
    """The expert withdraws their own claim while it waits for approval."""
    return item_transition(Expense(pk=expense_id), "withdraw", by=by)
