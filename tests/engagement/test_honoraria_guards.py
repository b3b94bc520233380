"""The honoraria sweeper at its edges: which attendances are still owed an honorarium (only
their own honorarium counts, never one for another session or another kind of work), when a
lost task counts as lost (to the second), and how much one sweep takes on."""

import datetime

import pytest
from django.utils import timezone

from engagement.models import Attendance, PanelSession
from engagement.services import honoraria as svc
from engagement.services import sessions
from payments.models import Honorarium
from tests.factories import coordinator, expert, panel, panel_session
from tests.payments.core_helpers import honorarium_for, rate_card

pytestmark = pytest.mark.django_db


@pytest.fixture
def attended(db):
    """Three experts who took part in yesterday's session, and one who did not; a rate card."""
    rate_card(datetime.date(2026, 1, 1))
    lead = coordinator()
    people = [expert() for _ in range(4)]
    the_panel = panel(coordinators=[lead], members=people)
    session = panel_session(of_panel=the_panel, days_ahead=-1)
    sessions.attendance_record(
        session=session,
        by=lead,
        attended={people[0].pk: True, people[1].pk: True, people[2].pk: True, people[3].pk: False},
    )
    return lead, the_panel, session, people


def owed(session=None):
    rows = svc.attendances_without_honorarium()
    if session is not None:
        rows = rows.filter(session=session)
    return sorted(rows.values_list("expert_id", flat=True))


def test_only_an_honorarium_for_this_session_and_this_expert_settles_an_attendance(attended):
    _lead, the_panel, session, people = attended
    first, second, third, _absent = people
    # Settled: the first expert's own honorarium for this session.
    honorarium_for(first, source_id=session.pk)
    # Not settled by someone else's, by another session's, or by a review with the same id.
    other_session = panel_session(of_panel=the_panel, days_ahead=-2)
    honorarium_for(second, source_id=other_session.pk)
    honorarium_for(third, source_id=session.pk, source_type=Honorarium.Source.REVIEW)

    assert owed(session) == sorted([second.pk, third.pk])


def test_a_cancelled_session_owes_nothing(attended):
    _lead, _panel, session, _people = attended

    PanelSession.objects.filter(pk=session.pk).update(status="cancelled")

    assert owed() == []


def test_a_lost_task_is_swept_once_its_grace_has_passed_to_the_second(
    attended, settings, monkeypatch
):
    _lead, _panel, session, people = attended
    settings.PAYMENTS_HONORARIUM_GRACE_SECONDS = 600
    now = timezone.now()
    rows = Attendance.objects.filter(session=session, attended=True).order_by("pk")
    Attendance.objects.filter(pk=rows[0].pk).update(
        recorded_at=now - datetime.timedelta(seconds=600)
    )
    Attendance.objects.filter(pk=rows[1].pk).update(
        recorded_at=now - datetime.timedelta(seconds=1200)
    )
    Attendance.objects.filter(pk=rows[2].pk).update(recorded_at=now + datetime.timedelta(seconds=5))

    monkeypatch.setattr(timezone, "now", lambda: now)  # time stands still at the boundary
    assert svc.honoraria_create_due() == 2

    assert sorted(Honorarium.objects.values_list("payee_reference", flat=True)) == sorted(
        [people[0].reference, people[1].reference]
    )


def test_one_sweep_takes_on_at_most_its_limit_and_the_next_sweep_the_rest(
    attended, settings, monkeypatch
):
    settings.PAYMENTS_HONORARIUM_GRACE_SECONDS = 0
    monkeypatch.setattr(svc, "SWEEP_LIMIT", 2)

    assert svc.honoraria_create_due() == 2
    assert svc.honoraria_create_due() == 1
    assert svc.honoraria_create_due() == 0
    assert Honorarium.objects.count() == 3
