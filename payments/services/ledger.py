"""The payments ledger: one append-only row per change of an honorarium or expense, its
creation included, written in the same transaction as the change."""

from collections.abc import Callable

from django.db import models

from core.transitions import transition_run
from payments.models import Expense, Honorarium, LedgerEntry, PaymentBatch


def actor_reference(actor) -> str:
    """Who acted, in a form that outlives their account: their user number, or the system."""
    return f"user:{actor.pk}" if actor is not None else "system"


def ledger_record(
    *,
    item: Honorarium | Expense,
    action: str,
    from_state: str,
    to_state: str,
    actor,
    batch: PaymentBatch | None = None,
) -> LedgerEntry:
    """Append one row for `item`. Call it inside the transaction that makes the change."""
    return LedgerEntry.objects.create(
        honorarium=item if isinstance(item, Honorarium) else None,
        expense=item if isinstance(item, Expense) else None,
        batch=batch,
        action=action,
        from_state=from_state,
        to_state=to_state,
        amount=item.amount,
        actor=actor,
        actor_reference=actor_reference(actor),
    )


def item_transition(
    item: Honorarium | Expense,
    name: str,
    *,
    by,
    check: Callable[[models.Model], None] | None = None,
    together: Callable[[models.Model], dict] | None = None,
    effects: Callable[[models.Model], None] | None = None,
    note: str = "",
    batch: PaymentBatch | None = None,
) -> Honorarium | Expense:
    """Run the declared transition `name` on an honorarium or expense through the spine
    (lock, state and actor checks, compare-and-set, audit event) and append its ledger row in
    the same transaction. The ledger names the transition; withdrawing a claim is a cancel."""
    seen = {}

    def remember(locked):
        seen["from"] = locked.status
        if check is not None:
            check(locked)

    def record(changed):
        ledger_record(
            item=changed,
            action=LedgerEntry.Action.CANCEL if name == "withdraw" else name,
            from_state=seen["from"],
            to_state=changed.status,
            actor=by,
            batch=batch,
        )
        if effects is not None:
            effects(changed)

    return transition_run(
        item, name, by=by, check=remember, together=together, effects=record, note=note
    )
