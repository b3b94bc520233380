"""Honoraria: created once per source and expert at the rate in force on the day of the work,
rounded half-up to pence, paid only when the expert's preference allows it; approved or
rejected by coordinators, each change in the ledger."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from core.transitions import TransitionNotAllowed
from payments.models import Honorarium, LedgerEntry, PaymentMethod
from payments.selectors.rates import rate_card_in_force, rate_cards_upcoming
from payments.services.honoraria import (
    NoRateCard,
    honorarium_amount,
    honorarium_approve,
    honorarium_cancel,
    honorarium_reject,
    money_round,
)
from tests.factories import coordinator, expert, finance
from tests.payments.core_helpers import honorarium_for, rate_card


def ledger(item):
    return list(item.ledger.values_list("action", "from_state", "to_state", "amount"))


def test_an_attendance_honorarium_pays_session_and_preparation_hours_at_the_card_rates(db):
    card = rate_card(session_hourly="25.00", preparation_hourly="20.00")
    person = expert()

    item = honorarium_for(person, hours="2", preparation="1.5")

    assert (item.quantity, item.rate) == (Decimal("2.00"), Decimal("25.00"))
    assert (item.preparation_hours, item.preparation_rate) == (Decimal("1.50"), Decimal("20.00"))
    assert item.amount == Decimal("80.00")
    assert item.rate_card == card
    assert (item.payee, item.payee_reference, item.method) == (
        person.user,
        person.reference,
        PaymentMethod.BANK_TRANSFER,
    )
    assert (item.status, item.payable, item.not_payable_reason) == ("pending", True, "")
    assert ledger(item) == [("create", "", "pending", Decimal("80.00"))]
    assert item.ledger.get().actor_reference == "system"


def test_reviews_and_writing_use_their_own_rates(db):
    rate_card(review_fee="40.00", writing_hourly="30.00")
    person = expert()

    review = honorarium_for(person, source_type="review", source_id=7, hours="1", preparation="0")
    writing = honorarium_for(
        person, source_type="writing", source_id=7, hours="3.5", preparation="0"
    )

    assert review.amount == Decimal("40.00")
    assert writing.amount == Decimal("105.00")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.005", "0.01"),
        ("0.004", "0.00"),
        ("10.125", "10.13"),
        ("10.135", "10.14"),
        ("2.675", "2.68"),
        ("1.115", "1.12"),
    ],
)
def test_money_rounds_half_up_to_pence(value, expected):
    assert money_round(Decimal(value)) == Decimal(expected)


def test_the_amount_is_rounded_once_half_up(db):
    assert honorarium_amount(quantity=Decimal("0.33"), rate=Decimal("25.50")) == Decimal(
        "8.42"
    )  # 8.415
    assert honorarium_amount(
        quantity=Decimal("1.25"),
        rate=Decimal("10.10"),
        preparation_hours=Decimal("0.25"),
        preparation_rate=Decimal("10.10"),
    ) == Decimal("15.15")  # 12.625 + 2.525 = 15.150
    rate_card(session_hourly="25.50", preparation_hourly="0")
    item = honorarium_for(expert(), hours="0.33", preparation="0")
    assert item.amount == Decimal("8.42")


@pytest.mark.parametrize(
    ("work_date", "rate"),
    [(date(2026, 8, 31), "25.00"), (date(2026, 9, 1), "30.00"), (date(2026, 9, 2), "30.00")],
)
def test_the_rate_is_the_one_in_force_on_the_day_of_the_work(db, work_date, rate):
    rate_card(date(2026, 4, 1), session_hourly="25.00")
    rate_card(date(2026, 9, 1), session_hourly="30.00")

    item = honorarium_for(expert(), work_date=work_date, hours="1", preparation="0")

    assert item.rate == Decimal(rate)
    assert item.amount == Decimal(rate)
    assert rate_card_in_force(on=work_date).session_hourly == Decimal(rate)


def test_before_the_first_card_there_is_no_rate_and_nothing_is_created(db):
    rate_card(date(2026, 4, 1))

    with pytest.raises(NoRateCard):
        honorarium_for(expert(), work_date=date(2026, 3, 31))

    assert rate_card_in_force(on=date(2026, 3, 31)) is None
    assert not Honorarium.objects.exists()


def test_upcoming_cards_say_what_changes_when(db):
    rate_card(date(2026, 4, 1))
    later = rate_card(date(2027, 4, 1))
    soon = rate_card(date(2026, 12, 1))

    assert rate_cards_upcoming(after=date(2026, 11, 30)) == [soon, later]
    assert rate_cards_upcoming(after=date(2026, 12, 1)) == [later]


def test_creating_again_returns_the_same_honorarium(db):
    rate_card()
    person = expert()

    first = honorarium_for(person)
    second = honorarium_for(person, hours="5")

    assert second.pk == first.pk
    assert second.amount == Decimal("70.00")
    assert Honorarium.objects.count() == 1
    assert LedgerEntry.objects.count() == 1


def test_the_database_refuses_a_second_honorarium_for_the_same_work_and_expert(db):
    rate_card()
    person = expert()
    first = honorarium_for(person)

    with pytest.raises(IntegrityError), transaction.atomic():
        Honorarium.objects.create(
            payee=person.user,
            payee_reference=person.reference,
            description="Again",
            source_type=first.source_type,
            source_id=first.source_id,
            work_date=first.work_date,
            amount=Decimal("1.00"),
            method="bank_transfer",
        )

    # Another expert at the same session, or the same expert's other work, is a new one.
    assert honorarium_for(expert()).pk != first.pk
    assert honorarium_for(person, source_id=2).pk != first.pk


@pytest.mark.parametrize(
    ("method", "right_to_work", "paid_as", "payable", "reason"),
    [
        ("bank_transfer", "yes", "bank_transfer", True, ""),
        ("voucher", "yes", "voucher", True, ""),
        ("donated", "yes", "donated", True, ""),
        ("declined", "yes", "declined", False, "declined"),
        ("expenses_only", "no", "expenses_only", False, "expenses_only"),
        # Without a confirmed right to work, money or vouchers for work become expenses only.
        ("bank_transfer", "not_sure", "expenses_only", False, "expenses_only"),
        ("voucher", "no", "expenses_only", False, "expenses_only"),
        ("", "yes", "bank_transfer", True, ""),
    ],
)
def test_each_preference_and_eligibility_path(db, method, right_to_work, paid_as, payable, reason):
    rate_card()

    item = honorarium_for(expert(), method=method, right_to_work=right_to_work)

    assert (item.method, item.payable, item.not_payable_reason) == (paid_as, payable, reason)
    assert item.amount == Decimal("70.00")
    assert item.status == "pending"


def test_a_not_payable_honorarium_says_why_kindly(db):
    rate_card()
    item = honorarium_for(expert(), method="declined")

    assert item.get_not_payable_reason_display() == "You chose not to be paid for your time"


def test_a_coordinator_approves_and_the_ledger_says_who(db):
    rate_card()
    item = honorarium_for(expert())
    lead = coordinator()

    approved = honorarium_approve(honorarium_id=item.pk, by=lead)

    assert (approved.status, approved.approved_by, approved.approved_at is not None) == (
        "approved",
        lead,
        True,
    )
    assert ledger(item)[-1] == ("approve", "pending", "approved", Decimal("70.00"))
    assert item.ledger.last().actor_reference == f"user:{lead.pk}"


def test_finance_cannot_approve_and_nobody_approves_their_own(db):
    rate_card()
    item = honorarium_for(expert())
    with pytest.raises(TransitionNotAllowed):
        honorarium_approve(honorarium_id=item.pk, by=finance())
    both = coordinator()
    own = honorarium_for(expert(user=both), source_id=2)
    with pytest.raises(TransitionNotAllowed, match="Someone else must approve"):
        honorarium_approve(honorarium_id=own.pk, by=both)
    with pytest.raises(TransitionNotAllowed):
        honorarium_approve(honorarium_id=item.pk, by=expert().user)

    assert set(Honorarium.objects.values_list("status", flat=True)) == {"pending"}
    assert LedgerEntry.objects.count() == 2


def test_rejecting_needs_a_reason_and_keeps_it(db):
    rate_card()
    item = honorarium_for(expert())
    lead = coordinator()

    with pytest.raises(TransitionNotAllowed, match="Say why"):
        honorarium_reject(honorarium_id=item.pk, by=lead, reason="  ")
    rejected = honorarium_reject(honorarium_id=item.pk, by=lead, reason="Did not attend")

    assert (rejected.status, rejected.rejection_reason) == ("rejected", "Did not attend")
    assert ledger(item) == [
        ("create", "", "pending", Decimal("70.00")),
        ("reject", "pending", "rejected", Decimal("70.00")),
    ]
    with pytest.raises(TransitionNotAllowed):
        honorarium_approve(honorarium_id=item.pk, by=lead)


def test_cancelling_an_approved_honorarium(db):
    rate_card()
    item = honorarium_for(expert())
    honorarium_approve(honorarium_id=item.pk, by=coordinator())

    cancelled = honorarium_cancel(honorarium_id=item.pk, by=finance(), reason="Made twice")

    assert (cancelled.status, cancelled.rejection_reason) == ("cancelled", "Made twice")
    assert [row[0] for row in ledger(item)] == ["create", "approve", "cancel"]


def test_ledger_rows_cannot_be_changed_or_deleted(db):
    rate_card()
    entry = honorarium_for(expert()).ledger.get()

    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        entry.delete()
