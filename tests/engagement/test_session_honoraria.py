"""Attendance recorded as "took part" becomes an honorarium for the session and its
preparation, at the rate in force on the day of the session: once, whatever is run twice,
and even when the broker was down (the sweeper creates what the task missed)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from engagement.services import sessions as svc
from engagement.services.honoraria import honoraria_create_due, honorarium_for_attendance
from engagement.tasks import honorarium_for_attendance as honorarium_task
from payments.models import Honorarium, LedgerEntry
from tests.factories import coordinator, expert, panel, panel_session
from tests.payments.core_helpers import rate_card


@pytest.fixture
def world(db):
    lead = coordinator()
    member = expert()
    other = expert(payment_method="expenses_only", right_to_work="no")
    the_panel = panel(coordinators=[lead], members=[member, other])
    session = panel_session(
        of_panel=the_panel, days_ahead=-1, duration_minutes=90, prep_minutes=45, title="Guide"
    )
    return lead, member, other, session


def record(session, lead, attended, capture):
    with capture(execute=True):
        return svc.attendance_record(session=session, by=lead, attended=attended)


def test_taking_part_creates_an_honorarium_for_session_and_preparation(
    world, django_capture_on_commit_callbacks
):
    rate_card(datetime.date(2026, 1, 1), session_hourly="25.00", preparation_hourly="20.00")
    lead, member, other, session = world

    record(session, lead, {member.pk: True, other.pk: False}, django_capture_on_commit_callbacks)

    item = Honorarium.objects.get()
    assert (item.source_type, item.source_id, item.payee, item.payee_reference) == (
        "attendance",
        session.pk,
        member.user,
        member.reference,
    )
    assert (item.quantity, item.preparation_hours) == (Decimal("1.50"), Decimal("0.75"))
    assert item.amount == Decimal("52.50")  # 1.5 x 25 + 0.75 x 20
    assert item.work_date == timezone.localdate(session.starts_at)
    assert item.description == "Panel session: Guide"
    assert (item.status, item.payable, item.method) == ("pending", True, "bank_transfer")


def test_recording_the_same_attendance_twice_or_rerunning_the_task_creates_one(
    world, django_capture_on_commit_callbacks
):
    rate_card(datetime.date(2026, 1, 1))
    lead, member, _other, session = world

    rows = record(session, lead, {member.pk: True}, django_capture_on_commit_callbacks)
    record(session, lead, {member.pk: True}, django_capture_on_commit_callbacks)
    again = honorarium_task.delay(rows[0].pk).get()

    assert again is False
    assert Honorarium.objects.count() == 1
    assert LedgerEntry.objects.count() == 1


def test_an_expenses_only_expert_gets_a_recorded_honorarium_that_is_not_paid(
    world, django_capture_on_commit_callbacks
):
    rate_card(datetime.date(2026, 1, 1))
    lead, _member, other, session = world

    record(session, lead, {other.pk: True}, django_capture_on_commit_callbacks)

    item = Honorarium.objects.get()
    assert (item.payee, item.payable, item.not_payable_reason, item.method) == (
        other.user,
        False,
        "expenses_only",
        "expenses_only",
    )
    assert item.amount == Decimal("52.50")


def test_the_rate_is_the_one_in_force_on_the_day_of_the_session(
    world, django_capture_on_commit_callbacks
):
    lead, member, _other, session = world
    day = timezone.localdate(session.starts_at)
    rate_card(day - datetime.timedelta(days=30), session_hourly="10.00", preparation_hourly="0")
    rate_card(day, session_hourly="30.00", preparation_hourly="0")
    rate_card(day + datetime.timedelta(days=1), session_hourly="99.00", preparation_hourly="0")

    record(session, lead, {member.pk: True}, django_capture_on_commit_callbacks)

    assert Honorarium.objects.get().amount == Decimal("45.00")


def test_absence_or_a_cancelled_session_pays_nothing(world):
    rate_card(datetime.date(2026, 1, 1))
    lead, member, _other, session = world
    rows = svc.attendance_record(session=session, by=lead, attended={member.pk: False})

    assert honorarium_for_attendance(attendance_id=rows[0].pk) is False
    assert honorarium_for_attendance(attendance_id=999999) is False
    assert not Honorarium.objects.exists()


def test_the_sweeper_creates_what_a_lost_task_missed(world, settings):
    rate_card(datetime.date(2026, 1, 1))
    lead, member, other, session = world
    # The broker was down: nothing ran when the attendance committed.
    svc.attendance_record(session=session, by=lead, attended={member.pk: True, other.pk: True})
    settings.PAYMENTS_HONORARIUM_GRACE_SECONDS = 300

    assert honoraria_create_due() == 0  # still within the task's grace

    settings.PAYMENTS_HONORARIUM_GRACE_SECONDS = 0
    assert honoraria_create_due() == 2
    assert honoraria_create_due() == 0
    assert sorted(Honorarium.objects.values_list("payee_reference", flat=True)) == sorted(
        [member.reference, other.reference]
    )


def test_without_a_rate_card_the_sweeper_waits_for_one(world, settings):
    settings.PAYMENTS_HONORARIUM_GRACE_SECONDS = 0
    lead, member, _other, session = world
    svc.attendance_record(session=session, by=lead, attended={member.pk: True})

    assert honoraria_create_due() == 0
    assert not Honorarium.objects.exists()

    rate_card(timezone.localdate(session.starts_at))
    assert honoraria_create_due() == 1
