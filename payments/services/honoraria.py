"""Honoraria: created once when work is done, then approved or rejected by a coordinator,
or cancelled. Batching and paying are in payments.services.batches.

Invariants: one honorarium per source activity and expert (the database constraint
`honorarium_once_per_source`; creating again returns the one there is); the amount is
quantity x the rate in force on the day of the work (plus preparation hours at their rate),
in `Decimal`, rounded half-up to pence once; every change appends a ledger row; nobody
approves their own honorarium."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.transitions import TransitionNotAllowed
from payments.eligibility import honorarium_terms
from payments.models import Honorarium, LedgerEntry, RateCard
from payments.selectors.rates import rate_card_in_force
from payments.services.ledger import item_transition, ledger_record

PENNY = Decimal("0.01")
REASON_MAX_LENGTH = 500


class NoRateCard(Exception):
    """No rate card is in force on the day of the work: nothing can be worked out yet."""


def money_round(value: Decimal) -> Decimal:
    """Pounds to whole pence, halves rounded up (away from zero), as people expect."""
    return Decimal(value).quantize(PENNY, rounding=ROUND_HALF_UP)


def honorarium_amount(
    *,
    quantity: Decimal,
    rate: Decimal,
    preparation_hours: Decimal = Decimal(0),
    preparation_rate: Decimal = Decimal(0),
) -> Decimal:
    return money_round(quantity * rate + preparation_hours * preparation_rate)


def _rates(card: RateCard, source_type: str) -> tuple[Decimal, Decimal]:
    """(rate for the work, rate for preparation) from the card, by kind of work."""
    if source_type == Honorarium.Source.ATTENDANCE:
        return card.session_hourly, card.preparation_hourly
    if source_type == Honorarium.Source.REVIEW:
        return card.review_fee, Decimal(0)
    return card.writing_hourly, Decimal(0)


def honorarium_create_for_work(
    *,
    source_type: str,
    source_id: int,
    payee,
    payee_reference: str,
    work_date: date,
    description: str,
    quantity: Decimal,
    preparation_hours: Decimal = Decimal(0),
    method: str,
    right_to_work: str = "",
) -> tuple[Honorarium, bool]:
    """The honorarium for one piece of work by one expert, created the first time and
    returned as it is every time after (also when two tasks race: the constraint decides).
    `method` is the expert's payment preference and `right_to_work` their eligibility answer;
    a declined or expenses-only honorarium is recorded but not payable, with the reason.
    Returns (honorarium, created). Raises NoRateCard when no card covers `work_date`."""
    key = {"source_type": source_type, "source_id": source_id, "payee_reference": payee_reference}
    existing = Honorarium.objects.filter(**key).first()
    if existing is not None:
        return existing, False
    card = rate_card_in_force(on=work_date)
    if card is None:
        raise NoRateCard(work_date)
    rate, preparation_rate = _rates(card, source_type)
    quantity = money_round(quantity)
    preparation_hours = money_round(preparation_hours)
    method, payable, reason = honorarium_terms(method=method, right_to_work=right_to_work)
    try:
        with transaction.atomic():
            honorarium = Honorarium.objects.create(
                **key,
                payee=payee,
                description=description[:200],
                work_date=work_date,
                quantity=quantity,
                rate=rate,
                preparation_hours=preparation_hours,
                preparation_rate=preparation_rate,
                rate_card=card,
                amount=honorarium_amount(
                    quantity=quantity,
                    rate=rate,
                    preparation_hours=preparation_hours,
                    preparation_rate=preparation_rate,
                ),
                method=method,
                payable=payable,
                not_payable_reason=reason,
            )
            ledger_record(
                item=honorarium,
                action=LedgerEntry.Action.CREATE,
                from_state="",
                to_state=honorarium.status,
                actor=None,
            )
    except IntegrityError:
        # Another task created it between our look and our insert.
        return Honorarium.objects.get(**key), False
    return honorarium, True


def refuse_own(by):
    """A check for the spine: nobody approves or rejects a payment to themselves."""

    def check(item) -> None:
        if item.payee_id is not None and item.payee_id == by.pk:
            raise TransitionNotAllowed(_("Someone else must approve a payment to you."))

    return check


def clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise TransitionNotAllowed(_("Say why, so the expert knows."))
    if len(reason) > REASON_MAX_LENGTH:
        raise TransitionNotAllowed(
            _("Keep the reason to %(n)s characters or fewer.") % {"n": REASON_MAX_LENGTH}
        )
    return reason


def honorarium_approve(*, honorarium_id: int, by) -> Honorarium:
    """A coordinator approves a pending honorarium (never their own)."""
    honorarium = Honorarium(pk=honorarium_id)
    return item_transition(
        honorarium,
        "approve",
        by=by,
        check=refuse_own(by),
        together=lambda _item: {"approved_by": by, "approved_at": timezone.now()},
    )


def honorarium_reject(*, honorarium_id: int, by, reason: str) -> Honorarium:
    """A coordinator rejects a pending honorarium, saying why (the expert sees the reason)."""
    reason = clean_reason(reason)
    return item_transition(
        Honorarium(pk=honorarium_id),
        "reject",
        by=by,
        check=refuse_own(by),
        together=lambda _item: {"rejection_reason": reason},
    )


def honorarium_cancel(*, honorarium_id: int, by, reason: str = "") -> Honorarium:
    """Staff cancel an honorarium not yet batched (made in error, work not done)."""
    reason = (reason or "").strip()[:REASON_MAX_LENGTH]
    return item_transition(
        Honorarium(pk=honorarium_id),
        "cancel",
        by=by,
        together=lambda _item: {"rejection_reason": reason} if reason else {},
    )
