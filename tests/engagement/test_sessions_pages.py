"""The panel page and session pages: who sees what (joining details never reach anyone who is
not a member or a coordinator of the panel), times in the viewer's zone, and the forms."""

import datetime
import logging
from email import message_from_bytes

import pytest
from django.utils import timezone

from core.models import AuditEvent, OutboundEmail
from engagement.models import Attendance, ImpactRating, ImpactRecord, PanelSession, SessionNote
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

SECRET = "https://meet.tandem.example/secret-room-9f3a"


@pytest.fixture
def world():
    lead = coordinator()
    chair = expert()
    member = expert()
    scientist = researcher()
    request = advisory_request(research_team=team(members=[scientist]), status="accepted")
    the_panel = panel(coordinators=[lead], members=[member], chairs=[chair], request=request)
    outsiders = {
        "other_expert": expert().user,
        "team_researcher": scientist,
        "other_team_researcher": researcher(),
        "other_panel_coordinator": coordinator(),
    }
    team(members=[outsiders["other_team_researcher"]], name="Other team")
    panel(coordinators=[outsiders["other_panel_coordinator"]], name="Other panel")
    return lead, chair, member, scientist, the_panel, outsiders


def _urls(the_panel, sessions) -> list[str]:
    urls = [f"/panels/{the_panel.pk}/", f"/panels/{the_panel.pk}/sessions/new/", "/me/"]
    for session in sessions:
        urls += [
            f"/sessions/{session.pk}/{page}/"
            for page in ("edit", "cancel", "agenda", "notes", "attendance", "impact", "rating")
        ]
    return urls


def test_joining_details_never_reach_a_non_member(client, world, caplog):
    lead, chair, member, scientist, the_panel, outsiders = world
    caplog.set_level(logging.DEBUG)
    starts = timezone.now() + datetime.timedelta(days=5)
    upcoming = svc.session_schedule(
        panel=the_panel, by=lead, title="Upcoming", starts_at=starts, duration_minutes=60,
        prep_minutes=0, format="online", place="", joining_details=SECRET, access_support=[],
    )  # fmt: skip
    svc.session_update(session=upcoming, by=lead, duration_minutes=90)
    held = panel_session(of_panel=the_panel, days_ahead=-2, title="Held", joining_details=SECRET)
    svc.attendance_record(session=held, by=lead, attended={member.pk: True, chair.pk: True})
    svc.session_note_write(session=held, by=lead, text="Notes")
    svc.session_note_approve(note=held.note, by=chair.user)
    svc.impact_record_save(session=held, by=scientist, heard="x", changed="y", not_changed="")
    svc.debrief_request(session=held, by=member.user)
    svc.session_cancel(session=upcoming, by=lead)
    # A fresh one, so that a scheduled upcoming session is on the pages too.
    svc.session_schedule(
        panel=the_panel, by=lead, title="Next", starts_at=starts, duration_minutes=60,
        prep_minutes=0, format="online", place="", joining_details=SECRET, access_support=[],
    )  # fmt: skip
    sent = delivered()

    # Members do get the details, so the search below is searching for the right thing.
    assert any(SECRET in m.body for m in sent if m.to == [member.user.email])
    client.force_login(member.user)
    assert SECRET in client.get(f"/panels/{the_panel.pk}/").content.decode()
    client.force_login(lead)
    assert SECRET in client.get(f"/panels/{the_panel.pk}/").content.decode()

    sessions = list(PanelSession.objects.filter(panel=the_panel))
    for name, user in outsiders.items():
        client.force_login(user)
        for url in _urls(the_panel, sessions):
            response = client.get(url)
            assert response.status_code < 500, (name, url)
            assert SECRET not in response.content.decode(), (name, url)
        for email in OutboundEmail.objects.filter(recipient=user):
            texts = [email.subject, email.body_text, email.body_html]
            texts += [attachment.content for attachment in email.attachments.all()]
            assert not any(SECRET in text for text in texts), name
        for message in sent:
            if user.email in message.to:
                assert SECRET not in message.message().as_string(), name
    # The team was told nothing by email, and nothing was logged or audited with the details.
    assert not [m for m in sent if scientist.email in m.to]
    assert SECRET not in caplog.text
    for event in AuditEvent.objects.all():
        assert SECRET not in f"{event.note} {event.extra}"


def test_the_panel_page_shows_times_in_the_viewers_zone_with_the_zone_named(client, world):
    lead, _chair, member, _scientist, the_panel, _outsiders = world
    starts = datetime.datetime(2031, 7, 1, 12, 0, tzinfo=datetime.UTC)
    panel_session(of_panel=the_panel, starts_at=starts, duration_minutes=90)
    member.user.time_zone = "Asia/Kolkata"
    member.user.save()

    client.force_login(member.user)
    page = client.get(f"/panels/{the_panel.pk}/").content.decode()
    assert "Tuesday 1 July 2031, 17:30 (Asia/Kolkata, IST) to 19:00" in page

    client.force_login(lead)
    page = client.get(f"/panels/{the_panel.pk}/").content.decode()
    assert "Tuesday 1 July 2031, 13:00 (Europe/London, BST) to 14:30" in page


def test_the_time_zone_page_saves_a_zone_and_refuses_a_made_up_one(client, world):
    _lead, _chair, member, _scientist, _panel, _outsiders = world
    client.force_login(member.user)

    page = client.get("/me/time-zone/").content.decode()
    assert page.index("Europe/London") < page.index("Africa/Abidjan")

    bad = client.post("/me/time-zone/", {"time_zone": "Mars/Olympus"})
    assert bad.status_code == 200
    assert "Choose a time zone from the list" in bad.content.decode()
    member.user.refresh_from_db()
    assert member.user.time_zone == "Europe/London"

    good = client.post("/me/time-zone/", {"time_zone": "Africa/Lagos"})
    assert good.status_code == 302
    member.user.refresh_from_db()
    assert member.user.time_zone == "Africa/Lagos"


def test_the_team_reads_notes_only_once_the_chair_approves_them(client, world):
    lead, chair, _member, scientist, the_panel, _outsiders = world
    held = panel_session(of_panel=the_panel, days_ahead=-1)
    svc.session_note_write(session=held, by=lead, text="The panel asked for shorter forms.")
    client.force_login(scientist)
    assert "shorter forms" not in client.get(f"/panels/{the_panel.pk}/").content.decode()

    client.force_login(chair.user)
    page = client.get(f"/panels/{the_panel.pk}/").content.decode()
    assert "shorter forms" in page
    assert "Approve the notes" in page
    response = client.post(f"/sessions/{held.pk}/notes/approve/")
    assert response.status_code == 302
    assert SessionNote.objects.get().status == SessionNote.Status.APPROVED

    client.force_login(scientist)
    assert "shorter forms" in client.get(f"/panels/{the_panel.pk}/").content.decode()


def test_a_member_cannot_approve_notes(client, world):
    lead, _chair, member, _scientist, the_panel, _outsiders = world
    held = panel_session(of_panel=the_panel, days_ahead=-1)
    svc.session_note_write(session=held, by=lead, text="Notes")
    client.force_login(member.user)

    assert client.post(f"/sessions/{held.pk}/notes/approve/").status_code == 403
    assert SessionNote.objects.get().status == SessionNote.Status.DRAFT


def test_scheduling_through_the_page_with_errors_then_twice_makes_one_session(client, world):
    lead, _chair, _member, _scientist, the_panel, _outsiders = world
    client.force_login(lead)
    url = f"/panels/{the_panel.pk}/sessions/new/"
    next_year = timezone.now().year + 1

    bad = client.post(url, {"title": "", "time": "25:00", "duration_minutes": "5"})
    assert bad.status_code == 200
    text = bad.content.decode()
    for message in ("Enter a title", "Enter a time such as 14:30", "at least 15 minutes"):
        assert message in text
    assert PanelSession.objects.count() == 0

    data = {
        "title": "Kick-off",
        "date_0": "3", "date_1": "2", "date_2": str(next_year),
        "time": "10:30", "duration_minutes": "90", "prep_minutes": "30",
        "format": "in_person", "place": "Leeds", "joining_details": "Room 4",
        "access_support": ["step_free", "breaks"],
    }  # fmt: skip
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    session = PanelSession.objects.get()
    assert session.starts_at == datetime.datetime(next_year, 2, 3, 10, 30, tzinfo=datetime.UTC)
    assert session.access_support == ["step_free", "breaks"]
    assert len(delivered()) == 2


def test_attendance_debrief_impact_and_rating_through_the_pages(client, world):
    lead, chair, member, scientist, the_panel, _outsiders = world
    held = panel_session(of_panel=the_panel, days_ahead=-1)

    client.force_login(chair.user)
    answers = {f"expert_{member.pk}": "yes", f"expert_{chair.pk}": "no"}
    assert client.post(f"/sessions/{held.pk}/attendance/", answers).status_code == 302
    assert client.post(f"/sessions/{held.pk}/attendance/", answers).status_code == 302
    assert Attendance.objects.filter(session=held).count() == 2
    missing = client.post(f"/sessions/{held.pk}/attendance/", {f"expert_{member.pk}": "yes"})
    assert f"Say whether {chair.user.display_name} took part" in missing.content.decode()

    client.force_login(member.user)
    dashboard = client.get("/me/").content.decode()
    assert "Ask for a debrief" in dashboard
    assert client.post(f"/sessions/{held.pk}/debrief/").status_code == 302
    assert client.post(f"/sessions/{held.pk}/debrief/").status_code == 302
    assert [m.to for m in delivered()] == [[lead.email]]

    client.force_login(scientist)
    empty = client.post(f"/sessions/{held.pk}/impact/", {"heard": "Shorter", "changed": ""})
    assert "Say what you changed" in empty.content.decode()
    data = {"heard": "Make it shorter", "changed": "Cut to ten questions", "not_changed": ""}
    assert client.post(f"/sessions/{held.pk}/impact/", data).status_code == 302
    assert ImpactRecord.objects.get().changed == "Cut to ten questions"

    client.force_login(member.user)
    dashboard = client.get("/me/").content.decode()
    assert "What your advice changed" in dashboard
    assert "Cut to ten questions" in dashboard
    assert client.post(f"/sessions/{held.pk}/rating/", {"answer": ""}).status_code == 200
    ok = client.post(f"/sessions/{held.pk}/rating/", {"answer": "yes", "note": "Good"})
    assert ok.status_code == 302
    again = client.post(f"/sessions/{held.pk}/rating/", {"answer": "no"})
    assert again.status_code == 200
    assert list(ImpactRating.objects.values_list("answer", flat=True)) == ["yes"]

    # The team sees what it wrote, never who rated it how.
    client.force_login(scientist)
    page = client.get(f"/panels/{the_panel.pk}/").content.decode()
    assert "Cut to ten questions" in page
    assert "Good" not in page


def test_an_expert_sees_upcoming_sessions_of_their_panels_on_the_dashboard(client, world):
    _lead, _chair, member, _scientist, the_panel, outsiders = world
    panel_session(of_panel=the_panel, title="Interview guide review")

    client.force_login(member.user)
    assert "Interview guide review" in client.get("/me/").content.decode()
    client.force_login(outsiders["other_expert"])
    assert "Interview guide review" not in client.get("/me/").content.decode()


def test_a_cancelled_session_shows_as_cancelled_without_joining_details(client, world):
    lead, _chair, member, _scientist, the_panel, _outsiders = world
    session = panel_session(of_panel=the_panel, joining_details=SECRET)
    svc.session_cancel(session=session, by=lead)

    client.force_login(member.user)
    page = client.get(f"/panels/{the_panel.pk}/").content.decode()
    assert "Cancelled" in page
    assert SECRET not in page


def test_the_ics_attachment_is_well_formed_mime(world):
    lead, _chair, member, _scientist, the_panel, _outsiders = world
    svc.session_schedule(
        panel=the_panel, by=lead, title="Upcoming",
        starts_at=timezone.now() + datetime.timedelta(days=3), duration_minutes=60,
        prep_minutes=0, format="online", place="", joining_details=SECRET, access_support=[],
    )  # fmt: skip
    message = next(m for m in delivered() if m.to == [member.user.email])
    raw = message_from_bytes(message.message().as_bytes())
    (part,) = [p for p in raw.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    assert part.get_content_charset() == "utf-8"
    assert part.get_content_disposition() == "attachment"
    assert part.get_payload(decode=True).decode().startswith("BEGIN:VCALENDAR")
