"""Sessions services, the guards the main tests leave open: a cancelled session's agenda,
the audit row an agenda change writes, and a rating given without a note."""

import datetime
import re
from email import message_from_bytes

import pytest
from django.conf import settings
from django.utils import timezone
from icalendar import Calendar

from core.models import AuditEvent, OutboundEmail
from core.transitions import TransitionNotAllowed
from engagement.models import (
    AccessSupport,
    Attendance,
    ImpactRating,
    ImpactRecord,
    PanelMembership,
    PanelSession,
    SessionNote,
)
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


# --- Scheduling: the rules a session's details keep, with the words a coordinator reads ---

LINK = "https://meet.tandem.example/room-42"


def _details(**overrides):
    fields = {
        "title": "Designing the interview guide",
        "starts_at": timezone.now().replace(microsecond=0) + datetime.timedelta(days=7),
        "duration_minutes": 90,
        "prep_minutes": 30,
        "format": "online",
        "place": "",
        "joining_details": LINK,
        "access_support": ["captions"],
    }
    return {**fields, **overrides}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"duration_minutes": 14}, "A session lasts between 15 minutes and 10 hours."),
        ({"duration_minutes": 601}, "A session lasts between 15 minutes and 10 hours."),
        ({"format": "phone"}, "Choose online or in person."),
        ({"access_support": ["captions", "teleport"]}, "Choose access support from the list."),
    ],
)
def test_bad_session_details_are_refused_with_a_clear_message(world, overrides, message):
    lead, _chair, _member, _scientist, the_panel = world

    with pytest.raises(TransitionNotAllowed, match=rf"^{re.escape(message)}$"):
        svc.session_schedule(panel=the_panel, by=lead, **_details(**overrides))

    assert PanelSession.objects.count() == 0
    assert OutboundEmail.objects.count() == 0


def test_a_session_starting_this_very_moment_is_refused(world, clock):
    lead, _chair, _member, _scientist, the_panel = world

    with pytest.raises(TransitionNotAllowed, match=r"^A session must start in the future\.$"):
        svc.session_schedule(panel=the_panel, by=lead, **_details(starts_at=clock.now))
    assert PanelSession.objects.count() == 0


def test_the_limits_themselves_are_allowed(world):
    lead, _chair, _member, _scientist, the_panel = world
    every_support = list(AccessSupport.values)

    shortest = svc.session_schedule(
        panel=the_panel, by=lead, **_details(title="Short", duration_minutes=15)
    )
    longest = svc.session_schedule(
        panel=the_panel,
        by=lead,
        **_details(title="Long", duration_minutes=600, access_support=every_support),
    )

    assert (shortest.duration_minutes, longest.duration_minutes) == (15, 600)
    longest.refresh_from_db()
    assert longest.access_support == every_support


def test_a_change_is_checked_by_the_same_rules_and_names_only_the_changed_fields(world):
    lead, _chair, _member, _scientist, the_panel = world
    session = svc.session_schedule(panel=the_panel, by=lead, **_details(agenda="1. Welcome"))

    with pytest.raises(
        TransitionNotAllowed, match=r"^A session lasts between 15 minutes and 10 hours\.$"
    ):
        svc.session_update(session=session, by=lead, duration_minutes=5)
    updated = svc.session_update(
        session=session, by=lead, title="Reworked guide", place="Leeds", agenda="Ignored"
    )

    updated.refresh_from_db()
    assert (updated.title, updated.place, updated.agenda, updated.sequence) == (
        "Reworked guide",
        "Leeds",
        "1. Welcome",
        1,
    )
    events = AuditEvent.objects.filter(object_id=session.pk).order_by("pk")
    assert [(e.actor_id, e.action, e.extra) for e in events if e.subject == session] == [
        (lead.pk, "panelsession.schedule", {}),
        (lead.pk, "panelsession.update", {"fields": ["place", "title"], "sequence": 1}),
    ]


@pytest.mark.parametrize("who", ["chair", "member", "scientist"])
def test_only_the_panels_coordinators_are_told_they_cannot(world, who):
    _lead, chair, member, scientist, the_panel = world
    actor = {"chair": chair.user, "member": member.user, "scientist": scientist}[who]
    session = panel_session(of_panel=the_panel)
    refusal = r"^Only this panel's coordinators can\.$"

    with pytest.raises(TransitionNotAllowed, match=refusal):
        svc.session_schedule(panel=the_panel, by=actor, **_details())
    with pytest.raises(TransitionNotAllowed, match=refusal):
        svc.session_update(session=session, by=actor, title="Mine")


def test_a_cancelled_session_cannot_be_changed(world):
    lead, _chair, _member, _scientist, the_panel = world
    session = panel_session(of_panel=the_panel, status=PanelSession.Status.CANCELLED)

    with pytest.raises(TransitionNotAllowed, match=r"^A cancelled session cannot be changed\.$"):
        svc.session_update(session=session, by=lead, title="Back on")
    session.refresh_from_db()
    assert (session.title, session.sequence) == ("First panel meeting", 0)


# --- What members receive: who, and the calendar file's details ---


def _calendar_part(message):
    raw = message_from_bytes(message.message().as_bytes())
    (part,) = [p for p in raw.walk() if p.get_content_type() == "text/calendar"]
    return part


def test_an_in_person_invitation_and_its_cancellation_carry_the_place_and_the_panel_page(world):
    lead, chair, member, _scientist, the_panel = world
    # Nor does an expert of another panel.
    panel(members=[expert()], name="Other panel")
    # A member whose account is closed gets nothing.
    inactive = expert()
    PanelMembership.objects.create(
        panel=the_panel, expert=inactive, started_on=timezone.localdate()
    )
    inactive.user.is_active = False
    inactive.user.save()

    session = svc.session_schedule(
        panel=the_panel,
        by=lead,
        **_details(format="in_person", place="Leeds Civic Hall", joining_details="Room 2"),
    )
    invitations = list(delivered())
    svc.session_cancel(session=session, by=lead, reason="The room flooded.")
    cancellations = delivered()[len(invitations) :]

    page = f"{settings.SITE_URL}/panels/{the_panel.pk}/"
    assert sorted(m.to[0] for m in invitations) == sorted([chair.user.email, member.user.email])
    invitation = next(m for m in invitations if m.to == [member.user.email])
    assert invitation.subject == "Tandem: Invitation: Designing the interview guide"
    part = _calendar_part(invitation)
    assert part.get_filename() == "invite.ics"
    assert part.get_param("method") == "REQUEST"
    event = Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == f"Designing the interview guide ({the_panel.name})"
    assert str(event["LOCATION"]) == "Leeds Civic Hall\nRoom 2"
    assert str(event["DESCRIPTION"]) == f"Agenda, access support and papers: {page}"
    assert str(event["URL"]) == page

    assert sorted(m.to[0] for m in cancellations) == sorted([chair.user.email, member.user.email])
    cancellation = next(m for m in cancellations if m.to == [member.user.email])
    assert cancellation.subject == "Tandem: Cancelled: Designing the interview guide"
    assert "The room flooded." in cancellation.body
    part = _calendar_part(cancellation)
    assert part.get_filename() == "cancel.ics"
    assert part.get_param("method") == "CANCEL"
    event = Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")[0]
    assert int(event["SEQUENCE"]) == 1
    assert str(event["ATTENDEE"]) == f"mailto:{member.user.email}"
    events = AuditEvent.objects.filter(object_id=session.pk).order_by("pk")
    assert [(e.actor_id, e.action, e.note) for e in events if e.subject == session] == [
        (lead.pk, "panelsession.schedule", ""),
        (lead.pk, "panelsession.cancel", "The room flooded."),
    ]


def test_an_online_session_with_a_town_gives_only_the_joining_details_as_location(world):
    lead, _chair, member, _scientist, the_panel = world

    session = svc.session_schedule(panel=the_panel, by=lead, **_details(place="Leeds"))
    svc.session_update(session=session, by=lead, joining_details="https://meet.example/new")

    messages = [m for m in delivered() if m.to == [member.user.email]]
    assert [m.subject for m in messages] == [
        "Tandem: Invitation: Designing the interview guide",
        "Tandem: Updated: Designing the interview guide",
    ]
    assert "The details of a session of" in messages[1].body
    locations = [
        str(
            Calendar.from_ical(_calendar_part(m).get_payload(decode=True)).walk("VEVENT")[0][
                "LOCATION"
            ]
        )
        for m in messages
    ]
    assert locations == [LINK, "https://meet.example/new"]


# --- Notes, attendance, debriefs and "you said, we did": refusals and audit rows ---


def _audit(subject) -> list[tuple]:
    return [
        (event.actor_id, event.action, event.extra)
        for event in AuditEvent.objects.filter(object_id=subject.pk).order_by("pk")
        if event.subject == subject
    ]


def test_notes_may_be_written_from_the_minute_the_session_starts_and_corrected(world, clock):
    lead, _chair, _member, _scientist, the_panel = world
    session = panel_session(of_panel=the_panel, days_ahead=0, starts_at=clock.now)

    first = svc.session_note_write(session=session, by=lead, text="We began.")
    clock.advance(minutes=5)
    corrected = svc.session_note_write(session=session, by=lead, text="We began on time.")

    note = SessionNote.objects.get()
    assert (corrected.pk, note.text, note.updated_at) == (first.pk, "We began on time.", clock.now)
    assert _audit(note) == [(lead.pk, "sessionnote.write", {}), (lead.pk, "sessionnote.write", {})]


def test_attendance_is_refused_for_a_cancelled_session_or_an_incomplete_list(world):
    lead, chair, member, _scientist, the_panel = world
    cancelled = panel_session(
        of_panel=the_panel, days_ahead=-1, status=PanelSession.Status.CANCELLED
    )
    held = panel_session(of_panel=the_panel, days_ahead=-2, title="Held")
    # Joined the panel after the session took place: not theirs to be paid for.
    latecomer = expert()
    PanelMembership.objects.create(
        panel=the_panel, expert=latecomer, started_on=timezone.localdate()
    )

    with pytest.raises(TransitionNotAllowed, match=r"^This session was cancelled\.$"):
        svc.attendance_record(session=cancelled, by=lead, attended={member.pk: True})
    for attended in ({}, {member.pk: True, latecomer.pk: True}):
        with pytest.raises(
            TransitionNotAllowed, match=r"^Say for each member whether they took part\.$"
        ):
            svc.attendance_record(session=held, by=lead, attended=attended)
    with pytest.raises(
        TransitionNotAllowed,
        match=r"^Attendance is recorded by the chair or a coordinator, once the session has "
        r"started\.$",
    ):
        svc.attendance_record(session=held, by=member.user, attended={member.pk: True})
    assert Attendance.objects.count() == 0

    rows = svc.attendance_record(session=held, by=chair.user, attended={member.pk: 1, chair.pk: 0})

    assert sorted((row.expert_id, row.attended, row.recorded_by_id) for row in rows) == sorted(
        [(member.pk, True, chair.user.pk), (chair.pk, False, chair.user.pk)]
    )
    assert _audit(held) == [(chair.user.pk, "attendance.record", {"attended": 1, "absent": 1})]


def test_a_debrief_request_reaches_only_active_coordinators_and_is_recorded(world):
    lead, chair, member, _scientist, the_panel = world
    gone = coordinator(is_active=False)
    the_panel.coordinators.add(gone)
    session = panel_session(of_panel=the_panel, days_ahead=-1, title="Interview guide")
    svc.attendance_record(session=session, by=lead, attended={member.pk: True, chair.pk: False})
    sent_before = len(delivered())

    with pytest.raises(
        TransitionNotAllowed, match=r"^A debrief is offered to the people who took part\.$"
    ):
        svc.debrief_request(session=session, by=chair.user)
    attendance = svc.debrief_request(session=session, by=member.user)

    stored = Attendance.objects.get(expert=member)
    assert attendance.debrief_requested_at == stored.debrief_requested_at
    assert stored.debrief_requested_at is not None
    (email,) = delivered()[sent_before:]
    assert email.to == [lead.email]
    assert email.subject == f"Tandem: {member.user.display_name} asked for a debrief"
    assert (
        f"{member.user.display_name} ({member.reference}) asked for a debrief after the "
        "session “Interview guide”."
    ) in email.body
    assert _audit(session)[-1] == (member.user.pk, "attendance.debrief_request", {})


def test_you_said_we_did_refusals_say_what_is_missing(world):
    _lead, _chair, member, scientist, the_panel = world
    past = panel_session(of_panel=the_panel, days_ahead=-1)
    cancelled = panel_session(
        of_panel=the_panel, days_ahead=-2, status=PanelSession.Status.CANCELLED, title="Off"
    )

    with pytest.raises(TransitionNotAllowed, match=r"^Say what you heard\.$"):
        svc.impact_record_save(session=past, by=scientist, heard=" ", changed="y", not_changed="")
    with pytest.raises(
        TransitionNotAllowed, match=r"^Say what you changed, or what you did not change and why\.$"
    ):
        svc.impact_record_save(session=past, by=scientist, heard="x", changed=" ", not_changed=" ")
    with pytest.raises(TransitionNotAllowed, match=r"^This session was cancelled\.$"):
        svc.impact_record_save(
            session=cancelled, by=scientist, heard="x", changed="y", not_changed=""
        )
    with pytest.raises(
        TransitionNotAllowed,
        match=r"^The research team records this, once the session has taken place\.$",
    ):
        svc.impact_record_save(session=past, by=member.user, heard="x", changed="y", not_changed="")
    assert ImpactRecord.objects.count() == 0


def test_you_said_we_did_is_recorded_as_created_then_updated(world):
    lead, chair, member, scientist, the_panel = world
    session = panel_session(of_panel=the_panel, days_ahead=-1, title="Interview guide")
    svc.attendance_record(session=session, by=lead, attended={member.pk: True, chair.pk: False})
    sent_before = len(delivered())

    impact = svc.impact_record_save(
        session=session, by=scientist, heard="Too long.", changed="", not_changed="Kept: ethics."
    )
    svc.impact_record_save(
        session=session, by=scientist, heard="Too long.", changed="Cut.", not_changed=""
    )

    impact.refresh_from_db()
    assert (impact.heard, impact.changed, impact.not_changed, impact.recorded_by_id) == (
        "Too long.",
        "Cut.",
        "",
        scientist.pk,
    )
    assert _audit(impact) == [
        (scientist.pk, "impactrecord.create", {}),
        (scientist.pk, "impactrecord.update", {}),
    ]
    (email,) = delivered()[sent_before:]
    assert email.to == [member.user.email]
    assert email.subject == "Tandem: What your advice changed: Interview guide"
    assert "Kept: ethics." in email.body
