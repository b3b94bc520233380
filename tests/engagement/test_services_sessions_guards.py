"""Sessions services, the guards the main tests leave open: a cancelled session's agenda,
the audit row an agenda change writes, and a rating given without a note."""

import pytest

from core.models import AuditEvent
from core.transitions import TransitionNotAllowed
from engagement.models import ImpactRating, PanelSession
from engagement.services import sessions as svc
from tests.factories import (
    advisory_request,
    coordinator,
    expert,
    panel,
    panel_session,
    researcher,
    team,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    lead = coordinator()
    chair = expert()
    member = expert()
    scientist = researcher()
    request = advisory_request(research_team=team(members=[scientist]), status="accepted")
    the_panel = panel(coordinators=[lead], members=[member], chairs=[chair], request=request)
    return lead, chair, member, scientist, the_panel


def _actions(subject) -> list[tuple]:
    return [
        (event.actor_id, event.action)
        for event in AuditEvent.objects.filter(object_id=subject.pk).order_by("pk")
        if event.subject == subject
    ]


def test_the_agenda_of_a_cancelled_session_cannot_be_set(world):
    _lead, chair, _member, _scientist, the_panel = world
    session = panel_session(
        of_panel=the_panel, agenda="Old agenda", status=PanelSession.Status.CANCELLED
    )

    with pytest.raises(TransitionNotAllowed, match=r"^A cancelled session cannot be changed\.$"):
        svc.session_agenda_set(session=session, by=chair.user, agenda="New agenda")

    session.refresh_from_db()
    assert session.agenda == "Old agenda"
    assert _actions(session) == []


def test_setting_the_agenda_records_who_set_it_and_only_when_it_changes(world):
    _lead, chair, _member, _scientist, the_panel = world
    session = panel_session(of_panel=the_panel)

    svc.session_agenda_set(session=session, by=chair.user, agenda="1. Welcome")
    svc.session_agenda_set(session=session, by=chair.user, agenda="1. Welcome")

    session.refresh_from_db()
    assert session.agenda == "1. Welcome"
    assert _actions(session) == [(chair.user.pk, "panelsession.agenda")]


def test_a_rating_given_without_a_note_keeps_no_note(world):
    lead, chair, member, scientist, the_panel = world
    session = panel_session(of_panel=the_panel, days_ahead=-1)
    svc.attendance_record(session=session, by=lead, attended={member.pk: True, chair.pk: False})
    impact = svc.impact_record_save(
        session=session, by=scientist, heard="x", changed="y", not_changed=""
    )

    rating = svc.impact_rating_submit(impact=impact, by=member.user, answer="yes")

    assert rating.note == ""
    assert ImpactRating.objects.get().note == ""
