"""Payment batches: Finance builds a batch from approved payable items, exports it as CSV for
the finance system, and marks it paid.

Invariants: only approved items that are to be paid join a batch, each in one batch only
(the spine moves each from approved to batched once, so of two racing builders one wins and
the other changes nothing); marking a batch paid pays every item in it exactly once, and a
second "mark paid" changes nothing; nobody pays an item they approved; the export's amounts
sum to the batch total, and legal names appear only in bank-transfer rows; each expert paid
gets one remittance email, through the outbox, when the payment commits."""

import csv
import io
import uuid
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.rules import is_finance
from core.services.audit import audit_record
from core.services.outbox import email_queue_template
from core.spreadsheets import csv_safe
from core.transitions import TransitionNotAllowed, transition_run
from payments.models import Expense, Honorarium, PaymentBatch, PaymentMethod
from payments.payees import legal_names_for
from payments.services.ledger import item_transition

CSV_HEADER = ("batch", "payee_reference", "legal_name", "method", "amount", "items")
# A cell starting with one of these is a formula to a spreadsheet.


def item_reference(item: Honorarium | Expense) -> str:
    return f"{'H' if isinstance(item, Honorarium) else 'E'}-{item.pk}"


def _require_finance(by) -> None:
    if by is None or not is_finance(by):
        raise TransitionNotAllowed(_("Only Finance builds, exports and pays payment batches."))


def _refuse_own_approval(by):
    def check(item) -> None:
        if item.approved_by_id == by.pk:
            raise TransitionNotAllowed(
                _("You approved %(item)s, so someone else in Finance must pay it.")
                % {"item": item_reference(item)}
            )

    return check


def _must_be_payable(item) -> None:
    if isinstance(item, Honorarium) and not item.payable:
        raise TransitionNotAllowed(
            _("%(item)s is recorded but not paid (%(reason)s).")
            % {"item": item_reference(item), "reason": item.get_not_payable_reason_display()}
        )


def batch_create(
    *, by, honorarium_ids: Iterable[int] = (), expense_ids: Iterable[int] = ()
) -> PaymentBatch:
    """A new batch of the given approved, payable items, all or nothing: if any of them
    cannot join (not approved, not to be paid, already in a batch) nothing changes and the
    refusal names it. Items are locked in one order (honoraria, then expenses, by id) so two
    builders never deadlock."""
    _require_finance(by)
    honorarium_ids = sorted({int(pk) for pk in honorarium_ids})
    expense_ids = sorted({int(pk) for pk in expense_ids})
    if not honorarium_ids and not expense_ids:
        raise TransitionNotAllowed(_("Choose at least one approved item."))
    with transaction.atomic():
        found = Honorarium.objects.filter(pk__in=honorarium_ids).count() + (
            Expense.objects.filter(pk__in=expense_ids).count()
        )
        if found != len(honorarium_ids) + len(expense_ids):
            raise TransitionNotAllowed(_("Some of the chosen items no longer exist."))
        batch = PaymentBatch.objects.create(reference=uuid.uuid4().hex[:20], created_by=by)
        batch.reference = f"PB-{timezone.localdate():%Y}-{batch.pk:04d}"
        total = Decimal(0)
        items = [Honorarium(pk=pk) for pk in honorarium_ids] + [
            Expense(pk=pk) for pk in expense_ids
        ]
        for item in items:
            try:
                batched = item_transition(
                    item,
                    "batch",
                    by=by,
                    check=_must_be_payable,
                    together=lambda _item: {"batch": batch},
                    batch=batch,
                )
            except TransitionNotAllowed as refusal:
                raise TransitionNotAllowed(f"{item_reference(item)}: {refusal}") from None
            total += batched.amount
        batch.total = total
        batch.save(update_fields=["reference", "total"])
    return batch


def _remittances(batch: PaymentBatch, paid: list[Honorarium | Expense]) -> None:
    """One email per expert paid, listing what was paid (never a legal name)."""
    by_payee = defaultdict(list)
    for item in paid:
        if item.payee is not None and item.payee.is_active:
            by_payee[item.payee].append(item)
    for payee, items in sorted(by_payee.items(), key=lambda pair: pair[0].pk):
        email_queue_template(
            template="payments_remittance",
            recipient=payee,
            context={
                "batch": batch,
                "items": items,
                "total": sum((item.amount for item in items), Decimal(0)),
            },
        )


def batch_mark_paid(*, batch_id: int, by) -> tuple[PaymentBatch, bool]:
    """Mark the batch and every item in it paid, once: (batch, True) the first time,
    (batch, False) when it was already paid, changing nothing. Refused, changing nothing,
    when `by` approved any item in it."""
    _require_finance(by)
    now = timezone.now()
    paid: list[Honorarium | Expense] = []

    def check(batch) -> None:
        own = batch.honoraria.filter(approved_by=by).count() + (
            batch.expenses.filter(approved_by=by).count()
        )
        if own:
            raise TransitionNotAllowed(
                _(
                    "You approved %(n)s item(s) in this batch, so someone else in Finance must "
                    "mark it paid."
                )
                % {"n": own}
            )

    def pay_items(batch) -> None:
        items = [
            *batch.honoraria.filter(status=Honorarium.Status.BATCHED).select_related("payee"),
            *batch.expenses.filter(status=Expense.Status.BATCHED).select_related("payee"),
        ]
        for item in sorted(items, key=lambda item: (isinstance(item, Expense), item.pk)):
            done = item_transition(
                item,
                "pay",
                by=by,
                check=_refuse_own_approval(by),
                together=lambda _item: {"paid_by": by, "paid_at": now},
                batch=batch,
            )
            done.payee = item.payee
            paid.append(done)
        _remittances(batch, paid)

    try:
        batch = transition_run(
            PaymentBatch(pk=batch_id),
            "pay",
            by=by,
            check=check,
            together=lambda _batch: {"paid_by": by, "paid_at": now},
            effects=pay_items,
        )
    except TransitionNotAllowed:
        current = PaymentBatch.objects.get(pk=batch_id)
        if current.status == PaymentBatch.Status.PAID:
            return current, False
        raise
    return batch, True


def batch_export_csv(*, batch_id: int, by) -> str:
    """The batch for the finance system: a header row, then one row per expert and method
    with the amount and the items it pays. Legal names only in bank-transfer rows (each name
    handed out is logged for its expert by the provider)."""
    _require_finance(by)
    batch = PaymentBatch.objects.get(pk=batch_id)
    items = [
        *batch.honoraria.only("pk", "payee_id", "payee_reference", "method", "amount"),
        *batch.expenses.only("pk", "payee_id", "payee_reference", "method", "amount"),
    ]
    rows: dict[tuple[str, str], dict] = {}
    for item in sorted(
        items, key=lambda item: (item.payee_reference, item.method, item_reference(item))
    ):
        row = rows.setdefault(
            (item.payee_reference, item.method),
            {"payee_id": item.payee_id, "amount": Decimal(0), "items": []},
        )
        row["amount"] += item.amount
        row["items"].append(item_reference(item))
    bank = PaymentMethod.BANK_TRANSFER
    names = legal_names_for(
        viewer=by,
        user_ids=[row["payee_id"] for (_ref, method), row in rows.items() if method == bank],
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for (reference, method), row in rows.items():
        name = names.get(row["payee_id"], "") if method == bank else ""
        writer.writerow(
            (
                batch.reference,
                reference,
                csv_safe(name),
                method,
                f"{row['amount']:.2f}",
                " ".join(row["items"]),
            )
        )
    audit_record(actor=by, action="paymentbatch.export", subject=batch, extra={"rows": len(rows)})
    return out.getvalue()
