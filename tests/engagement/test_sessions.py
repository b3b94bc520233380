"""Sessions: scheduling, changes and cancellation with iCalendar invitations; agenda and
notes; attendance, debriefs, "you said, we did" and ratings, including every refusal."""

import datetime
import threading
from email import message_from_bytes

import pytest
from django.db import connection
from django.utils import timezone
from icalendar import Calendar

from core.models import OutboundEmail
from core.transitions import TransitionNotAllowed
from engagement.models import Attendance, ImpactRating, PanelSession, SessionNote
from engagement.services import sessions as svc
from tests.engagement.session_helpers import delivered
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

LINK = "https://meet.tandem.example/room-42"


@pytest.fixture
def world():
    lead = coordinator()
    chair = expert()
    member = expert()
    scientist = researcher()
    request = advisory_request(research_team=team(members=[scientist]), status="accepted")
    the_panel = panel(coordinators=[lead], members=[member], chairs=[chair], request=request)
    return lead, chair, member, scientist, the_panel


def _start(days=7):
    return timezone.now().replace(microsecond=0, second=0) + datetime.timedelta(days=days)


def _schedule(the_panel, lead, **overrides):
    fields = {
        "title": "Designing the interview guide",
        "starts_at": _start(),
        "duration_minutes": 90,
        "prep_minutes": 30,
        "format": "online",
        "place": "",
        "joining_details": LINK,
        "access_support": ["captions"],
    }
    return svc.session_schedule(panel=the_panel, by=lead, **{**fields, **overrides})


def _calendar(message) -> Calendar:
    raw = message_from_bytes(message.message().as_bytes())
    parts = [part for part in raw.walk() if part.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    assert parts[0].get_param("method") in {"REQUEST", "CANCEL"}
    assert parts[0].get_filename().endswith(".ics")
    return Calendar.from_ical(parts[0].get_payload(decode=True))


def _event(calendar: Calendar):
    (event,) = calendar.walk("VEVENT")
    return event


def test_scheduling_emails_each_member_a_multipart_invitation_with_a_calendar_file(world):
    lead, chair, member, _scientist, the_panel = world

    session = _schedule(the_panel, lead)

    assert sorted(m.to[0] for m in delivered()) == sorted([chair.user.email, member.user.email])
    message = next(m for m in delivered() if m.to == [member.user.email])
    raw = message_from_bytes(message.message().as_bytes())
    types = [part.get_content_type() for part in raw.walk()]
    assert types[0] == "multipart/mixed"
    assert "text/plain" in types and "text/html" in types and "text/calendar" in types
    assert LINK in message.body
    calendar = _calendar(message)
    assert str(calendar["METHOD"]) == "REQUEST"
    event = _event(calendar)
    assert str(event["UID"]) == f"{session.uid}@tandem"
    assert int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == session.starts_at
    assert event.decoded("DTSTART").utcoffset() == datetime.timedelta(0)
    assert event.decoded("DURATION") == datetime.timedelta(minutes=90)
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["LOCATION"]) == LINK
    assert str(event["ATTENDEE"]) == f"mailto:{member.user.email}"


def test_the_invitation_shows_the_time_in_the_members_own_zone(world):
    lead, _chair, member, _scientist, the_panel = world
    member.user.time_zone = "America/New_York"
    member.user.save()
    starts = datetime.datetime(2031, 1, 15, 15, 0, tzinfo=datetime.UTC)

    _schedule(the_panel, lead, starts_at=starts)

    message = next(m for m in delivered() if m.to == [member.user.email])
    assert "Wednesday 15 January 2031, 10:00 (America/New York, EST) to 11:30" in message.body


def test_scheduling_twice_makes_one_session_and_sends_once(world):
    lead, _chair, _member, _scientist, the_panel = world
    starts = _start()

    first = _schedule(the_panel, lead, starts_at=starts)
    second = _schedule(the_panel, lead, starts_at=starts)

    assert first.pk == second.pk
    assert PanelSession.objects.count() == 1
    assert len(delivered()) == 2


def test_an_update_reuses_the_uid_with_a_higher_sequence(world):
    lead, _chair, member, _scientist, the_panel = world
    session = _schedule(the_panel, lead)
    delivered().clear()
    later = session.starts_at + datetime.timedelta(hours=2)

    session = svc.session_update(session=session, by=lead, starts_at=later, duration_minutes=60)

    assert session.sequence == 1
    event = _event(_calendar(next(m for m in delivered() if m.to == [member.user.email])))
    assert str(event["UID"]) == f"{session.uid}@tandem"
    assert int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART") == later
    assert event.decoded("DURATION") == datetime.timedelta(minutes=60)
    assert delivered()[0].subject.endswith("Updated: Designing the interview guide")
    delivered().clear()
    svc.session_update(session=session, by=lead, title="Second change")
    session.refresh_from_db()
    assert (session.sequence, session.title) == (2, "Second change")
    event = _event(_calendar(next(m for m in delivered() if m.to == [member.user.email])))
    assert int(event["SEQUENCE"]) == 2


def test_an_update_that_changes_nothing_sends_nothing(world):
    lead, _chair, _member, _scientist, the_panel = world
    session = _schedule(the_panel, lead)
    delivered().clear()

    session = svc.session_update(session=session, by=lead, title=session.title)

    assert session.sequence == 0
    session.refresh_from_db()
    assert session.sequence == 0
    assert delivered() == []


def test_cancelling_sends_method_cancel_with_the_same_uid_and_a_higher_sequence(world):
    lead, _chair, member, _scientist, the_panel = world
    session = _schedule(the_panel, lead)
    svc.session_update(session=session, by=lead, title="Renamed")
    delivered().clear()

    session = svc.session_cancel(session=session, by=lead, reason="The room is unavailable.")

    assert session.status == PanelSession.Status.CANCELLED
    calendar = _calendar(next(m for m in delivered() if m.to == [member.user.email]))
    assert str(calendar["METHOD"]) == "CANCEL"
    event = _event(calendar)
    assert str(event["UID"]) == f"{session.uid}@tandem"
    assert int(event["SEQUENCE"]) == 2
    assert str(event["STATUS"]) == "CANCELLED"
    with pytest.raises(TransitionNotAllowed):
        svc.session_cancel(session=session, by=lead)
    with pytest.raises(TransitionNotAllowed, match=r"^A cancelled session cannot be changed.$"):
        svc.session_update(session=session, by=lead, title="Again")


@pytest.mark.parametrize("who", ["chair", "member", "scientist", "other_coordinator"])
def test_only_the_panels_coordinators_schedule_change_and_cancel(world, who):
    _lead, chair, member, scientist, the_panel = world
    actor = {
        "chair": chair.user,
        "member": member.user,
        "scientist": scientist,
        "other_coordinator": coordinator(),
    }[who]
    session = panel_session(of_panel=the_panel)

    only = "^Only this panel's coordinators can.$"
    with pytest.raises(TransitionNotAllowed, match=only):
        _schedule(the_panel, actor)
    with pytest.raises(TransitionNotAllowed, match=only):
        svc.session_update(session=session, by=actor, title="Mine")
    with pytest.raises(TransitionNotAllowed):
        svc.session_cancel(session=session, by=actor)
    assert delivered() == []


def test_bad_session_details_are_refused(world):
    lead, _chair, _member, _scientist, the_panel = world
    with pytest.raises(TransitionNotAllowed):
        _schedule(the_panel, lead, starts_at=timezone.now() - datetime.timedelta(hours=1))
    with pytest.raises(TransitionNotAllowed):
        _schedule(the_panel, lead, duration_minutes=5)
    with pytest.raises(TransitionNotAllowed):
        _schedule(the_panel, lead, access_support=["teleport"])
    assert PanelSession.objects.count() == 0


def test_the_chair_sets_the_agenda_and_approves_notes_written_by_a_coordinator(world):
    lead, chair, member, scientist, the_panel = world
    session = panel_session(of_panel=the_panel, days_ahead=-1)

    svc.session_agenda_set(session=session, by=chair.user, agenda="1. Welcome")
    with pytest.raises(TransitionNotAllowed, match=r"^Only the chair can set the agenda.$"):
        svc.session_agenda_set(session=session, by=member.user, agenda="Mine")
    with pytest.raises(TransitionNotAllowed):
        # The panel has a chair: the chair leads, not the coordinator.
        svc.session_agenda_set(session=session, by=lead, agenda="Coordinator's")
    session.refresh_from_db()
    assert session.agenda == "1. Welcome"

    with pytest.raises(TransitionNotAllowed, match=r"^Only coordinators write notes.$"):
        svc.session_note_write(session=session, by=chair.user, text="Chair's notes")
    with pytest.raises(TransitionNotAllowed, match=r"^Write the notes first.$"):
        svc.session_note_write(session=session, by=lead, text="  ")
    note = svc.session_note_write(session=session, by=lead, text="We discussed consent.")
    for refused in (member.user, scientist, lead):
        with pytest.raises(TransitionNotAllowed):
            svc.session_note_approve(note=note, by=refused)
    note = svc.session_note_approve(note=note, by=chair.user)
    assert note.status == SessionNote.Status.APPROVED
    with pytest.raises(
        TransitionNotAllowed, match=r"^These notes are approved and cannot be changed.$"
    ):
        svc.session_note_write(session=session, by=lead, text="Changed after approval")
    assert SessionNote.objects.get().text == "We discussed consent."


def test_without_a_chair_the_coordinator_sets_the_agenda_and_approves(world):
    lead, _chair, member, _scientist, _the_panel = world
    chairless = panel(coordinators=[lead], members=[member], name="Chairless panel")
    session = panel_session(of_panel=chairless, days_ahead=-1)

    svc.session_agenda_set(session=session, by=lead, agenda="Welcome")
    note = svc.session_note_write(session=session, by=lead, text="Notes")
    assert svc.session_note_approve(note=note, by=lead).status == SessionNote.Status.APPROVED


def test_notes_wait_for_the_session_to_start(world):
    lead, _chair, _member, _scientist, the_panel = world
    session = panel_session(of_panel=the_panel, days_ahead=3)
    with pytest.raises(
        TransitionNotAllowed, match=r"^Notes can be written once the session has started.$"
    ):
        svc.session_note_write(session=session, by=lead, text="Too early")
    assert not SessionNote.objects.exists()


def test_attendance_is_one_row_per_expert_and_a_second_submission_corrects_it(world):
    lead, chair, member, _scientist, the_panel = world
    session = panel_session(of_panel=the_panel, days_ahead=-1)

    svc.attendance_record(
        session=session, by=chair.user, attended={member.pk: True, chair.pk: True}
    )
    svc.attendance_record(session=session, by=lead, attended={member.pk: False, chair.pk: True})

    rows = dict(Attendance.objects.filter(session=session).values_list("expert_id", "attended"))
    assert rows == {member.pk: False, chair.pk: True}


def test_attendance_refusals(world):
    lead, _chair, member, scientist, the_panel = world
    future = panel_session(of_panel=the_panel, days_ahead=2)
    past = panel_session(of_panel=the_panel, days_ahead=-1, title="Past")
    outsider = expert()

    with pytest.raises(TransitionNotAllowed):
        svc.attendance_record(session=future, by=lead, attended={member.pk: True})
    for actor in (member.user, scientist, coordinator()):
        with pytest.raises(TransitionNotAllowed):
            svc.attendance_record(session=past, by=actor, attended={member.pk: True})
    with pytest.raises(TransitionNotAllowed):
        svc.attendance_record(session=past, by=lead, attended={outsider.pk: True})
    with pytest.raises(TransitionNotAllowed):
        svc.attendance_record(session=past, by=lead, attended={})
    assert Attendance.objects.count() == 0


def test_a_debrief_request_emails_the_coordinators_once(world):
    lead, chair, member, _scientist, the_panel = world
    second_lead = coordinator()
    the_panel.coordinators.add(second_lead)
    session = panel_session(of_panel=the_panel, days_ahead=-1)
    svc.attendance_record(session=session, by=lead, attended={member.pk: True, chair.pk: False})
    delivered().clear()

    first = svc.debrief_request(session=session, by=member.user)
    again = svc.debrief_request(session=session, by=member.user)

    assert first.debrief_requested_at is not None
    assert again.debrief_requested_at == first.debrief_requested_at
    assert sorted(m.to[0] for m in delivered()) == sorted([lead.email, second_lead.email])
    assert member.user.display_name in delivered()[0].subject
    with pytest.raises(TransitionNotAllowed):
        svc.debrief_request(session=session, by=chair.user)  # did not take part


def test_you_said_we_did_notifies_those_who_took_part_once(world):
    lead, chair, member, scientist, the_panel = world
    session = panel_session(of_panel=the_panel, days_ahead=-1)
    svc.attendance_record(session=session, by=lead, attended={member.pk: True, chair.pk: False})
    delivered().clear()

    impact = svc.impact_record_save(
        session=session, by=scientist, heard="Ask fewer questions.", changed="Cut to ten.",
        not_changed="",
    )  # fmt: skip
    svc.impact_record_save(
        session=session, by=scientist, heard="Ask fewer questions.", changed="Cut to eight.",
        not_changed="",
    )  # fmt: skip

    assert [m.to for m in delivered()] == [[member.user.email]]
    assert "Cut to ten." in delivered()[0].body
    impact.refresh_from_db()
    assert impact.changed == "Cut to eight."


def test_you_said_we_did_refusals(world):
    lead, _chair, member, scientist, the_panel = world
    future = panel_session(of_panel=the_panel, days_ahead=2)
    past = panel_session(of_panel=the_panel, days_ahead=-1, title="Past")
    other_team_researcher = researcher()
    team(members=[other_team_researcher], name="Other team")

    with pytest.raises(TransitionNotAllowed):
        svc.impact_record_save(session=future, by=scientist, heard="x", changed="y", not_changed="")
    for actor in (lead, member.user, other_team_researcher):
        with pytest.raises(TransitionNotAllowed):
            svc.impact_record_save(session=past, by=actor, heard="x", changed="y", not_changed="")
    with pytest.raises(TransitionNotAllowed):
        svc.impact_record_save(session=past, by=scientist, heard="", changed="y", not_changed="")
    with pytest.raises(TransitionNotAllowed):
        svc.impact_record_save(session=past, by=scientist, heard="x", changed="", not_changed="")


def test_an_expert_who_took_part_rates_once_privately(world):
    lead, chair, member, scientist, the_panel = world
    session = panel_session(of_panel=the_panel, days_ahead=-1)
    svc.attendance_record(session=session, by=lead, attended={member.pk: True, chair.pk: False})
    impact = svc.impact_record_save(
        session=session, by=scientist, heard="x", changed="y", not_changed=""
    )

    rating = svc.impact_rating_submit(
        impact=impact, by=member.user, answer="partly", note="They rushed"
    )

    assert rating.note == "They rushed"
    with pytest.raises(TransitionNotAllowed, match=r"^You have already answered. Thank you.$"):
        svc.impact_rating_submit(impact=impact, by=member.user, answer="yes")
    for actor in (chair.user, scientist, lead):
        with pytest.raises(TransitionNotAllowed, match=r"^Only the people who took part can"):
            svc.impact_rating_submit(impact=impact, by=actor, answer="yes")
    with pytest.raises(TransitionNotAllowed, match=r"^Choose yes, partly or no.$"):
        svc.impact_rating_submit(impact=impact, by=member.user, answer="maybe")
    assert list(ImpactRating.objects.values_list("answer", flat=True)) == ["partly"]


def _race(action, times: int = 3) -> list[str]:
    barrier = threading.Barrier(times)
    outcomes = []

    def run():
        barrier.wait()
        try:
            action()
            outcomes.append("done")
        except TransitionNotAllowed:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_submissions_make_one_session_one_attendance_row_and_one_debrief_email():
    lead, member = coordinator(), expert()
    the_panel = panel(coordinators=[lead], members=[member])
    starts = _start()

    outcomes = _race(lambda: _schedule(the_panel, lead, starts_at=starts))
    assert outcomes == ["done"] * 3
    assert PanelSession.objects.count() == 1

    held = panel_session(of_panel=the_panel, days_ahead=-1, title="Held")
    _race(lambda: svc.attendance_record(session=held, by=lead, attended={member.pk: True}))
    assert Attendance.objects.filter(session=held).count() == 1

    _race(lambda: svc.debrief_request(session=held, by=member.user))
    assert OutboundEmail.objects.filter(template="session_debrief_requested").count() == 1


def test_a_welsh_members_calendar_file_links_to_the_welsh_panel_page(world):
    lead, _chair, member, _scientist, the_panel = world
    member.user.preferred_language = "cy"
    member.user.save()

    _schedule(the_panel, lead)

    event = _event(_calendar(next(m for m in delivered() if m.to == [member.user.email])))
    assert str(event["URL"]).endswith(f"/cy/panels/{the_panel.pk}/")
