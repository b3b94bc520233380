"""Honoraria guards: what creating, rejecting and cancelling an honorarium keeps exactly (the
created flag, the preparation rate by kind of work, the description's length, the reasons
and the words a coordinator sees when refused)."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from core.transitions import TransitionNotAllowed
from payments.models import Honorarium
from payments.services.honoraria import (
    NoRateCard,
    honorarium_approve,
    honorarium_cancel,
    honorarium_create_for_work,
    honorarium_reject,
)
from tests.factories import coordinator, expert, finance
from tests.payments.core_helpers import honorarium_for, rate_card


def create(person, **fields):
    values = {
        "source_type": Honorarium.Source.ATTENDANCE,
        "source_id": 1,
        "payee": person.user,
        "payee_reference": person.reference,
        "work_date": date(2026, 6, 1),
        "description": "Housing panel session",
        "quantity": Decimal("1"),
        "method": person.payment_method,
        "right_to_work": "yes",
    }
    values.update(fields)
    return honorarium_create_for_work(**values)


def test_creating_says_whether_it_made_a_new_honorarium(db):
    rate_card()
    person = expert()

    first, created = create(person)
    again, created_again = create(person, quantity=Decimal("4"))

    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert again.amount == Decimal("25.00")


def test_creating_again_only_looks_the_honorarium_up(db, django_assert_num_queries):
    rate_card()
    person = expert()
    first, _created = create(person)

    with django_assert_num_queries(1):
        again, created = create(person)

    assert (again.pk, created) == (first.pk, False)


@pytest.mark.parametrize(
    ("source_type", "amount"), [("review", Decimal("40.00")), ("writing", Decimal("30.00"))]
)
def test_reviews_and_writing_pay_no_preparation(db, source_type, amount):
    rate_card(review_fee="40.00", writing_hourly="30.00", preparation_hourly="20.00")

    item = honorarium_for(expert(), source_type=source_type, hours="1", preparation="2")

    assert (item.preparation_hours, item.preparation_rate) == (Decimal("2.00"), Decimal("0"))
    assert item.amount == amount


def test_a_long_description_is_cut_to_two_hundred_characters(db):
    rate_card()

    item, _created = create(expert(), description="x" * 250)

    assert Honorarium.objects.get(pk=item.pk).description == "x" * 200


def test_without_a_rate_card_the_refusal_names_the_day_of_the_work(db):
    rate_card(date(2026, 4, 1))

    with pytest.raises(NoRateCard) as refused:
        create(expert(), work_date=date(2026, 3, 31))

    assert refused.value.args == (date(2026, 3, 31),)


def test_a_coordinator_who_is_the_payee_is_told_someone_else_must_approve(db):
    rate_card()
    both = coordinator()
    own = honorarium_for(expert(user=both))

    for act in (honorarium_approve, honorarium_reject):
        extra = {"reason": "Not mine to judge"} if act is honorarium_reject else {}
        with pytest.raises(TransitionNotAllowed) as refused:
            act(honorarium_id=own.pk, by=both, **extra)
        assert str(refused.value) == "Someone else must approve a payment to you."

    assert Honorarium.objects.get(pk=own.pk).status == "pending"


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_rejecting_without_a_reason_asks_for_one(db, reason):
    rate_card()
    item = honorarium_for(expert())

    with pytest.raises(TransitionNotAllowed) as refused:
        honorarium_reject(honorarium_id=item.pk, by=coordinator(), reason=reason)

    assert str(refused.value) == "Say why, so the expert knows."
    assert Honorarium.objects.get(pk=item.pk).status == "pending"


def test_a_reason_may_be_five_hundred_characters_and_no_more(db):
    rate_card()
    lead = coordinator()
    too_long = honorarium_for(expert())
    just_right = honorarium_for(expert(), source_id=2)

    with pytest.raises(TransitionNotAllowed) as refused:
        honorarium_reject(honorarium_id=too_long.pk, by=lead, reason="y" * 501)
    rejected = honorarium_reject(honorarium_id=just_right.pk, by=lead, reason="y" * 500)

    assert str(refused.value) == "Keep the reason to 500 characters or fewer."
    assert Honorarium.objects.get(pk=too_long.pk).status == "pending"
    assert (rejected.status, rejected.rejection_reason) == ("rejected", "y" * 500)


@pytest.mark.parametrize("reason", [{}, {"reason": None}, {"reason": "  "}])
def test_cancelling_without_a_reason_records_none(db, reason):
    rate_card()
    item = honorarium_for(expert())

    cancelled = honorarium_cancel(honorarium_id=item.pk, by=finance(), **reason)

    stored = Honorarium.objects.get(pk=item.pk)
    assert (cancelled.status, stored.status, stored.rejection_reason) == (
        "cancelled",
        "cancelled",
        "",
    )


def test_a_cancelling_reason_is_kept_trimmed_to_five_hundred_characters(db):
    rate_card()
    item = honorarium_for(expert())

    honorarium_cancel(honorarium_id=item.pk, by=finance(), reason="  " + "z" * 600)

    assert Honorarium.objects.get(pk=item.pk).rejection_reason == "z" * 500


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_tasks_racing_to_create_get_one_honorarium_and_one_says_it_made_it():
    """Both look, find nothing and insert: the constraint lets one in; the other returns the
    honorarium there is, saying it did not make it."""
    rate_card()
    person = expert()
    rounds = 30
    for number in range(1, rounds + 1):
        barrier = threading.Barrier(2)
        outcomes = [None, None]

        def run(index, number=number, barrier=barrier, outcomes=outcomes):
            barrier.wait()
            try:
                item, created = create(person, source_id=number)
                outcomes[index] = (item.pk, created)
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(index,)) for index in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert sorted(created for _pk, created in outcomes) == [False, True], number
        assert outcomes[0][0] == outcomes[1][0], number
    assert Honorarium.objects.count() == rounds
