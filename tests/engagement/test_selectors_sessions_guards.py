"""Sessions selectors, what the main tests leave open: the ratings a coordinator reads for a
panel (exact counts, total, notes newest session first) and the queries that page makes."""

import datetime

import pytest
from django.utils import timezone

from engagement.models import (
    Attendance,
    ImpactRating,
    ImpactRecord,
    PanelMembership,
    PanelSession,
)
from engagement.selectors.sessions import (
    attendance_form_rows,
    expert_sessions_dashboard,
    impact_overdue,
    panel_ratings,
    panels_rated_for,
)
from tests.factories import (
    advisory_request,
    coordinator,
    expert,
    panel,
    panel_session,
    researcher,
    team,
)
from tests.helpers import assert_query_count_constant

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    lead = coordinator()
    request = advisory_request(research_team=team(members=[researcher()]), status="accepted")
    members = [expert(), expert(), expert()]
    the_panel = panel(coordinators=[lead], members=members, request=request)
    return lead, members, the_panel


def _impact(of_panel, days_ahead, title):
    session = panel_session(of_panel=of_panel, days_ahead=days_ahead, title=title)
    return ImpactRecord.objects.create(session=session, heard="x", changed="y")


def test_panel_ratings_count_every_answer_and_list_notes_newest_session_first(world):
    _lead, (first, second, third), the_panel = world
    # Created oldest session first, so the order of the rows is not the order wanted.
    older = _impact(the_panel, -20, "Older session")
    newer = _impact(the_panel, -3, "Newer session")
    ImpactRating.objects.create(impact=older, expert=first, answer="no", note="Nobody listened")
    ImpactRating.objects.create(impact=older, expert=second, answer="yes", note="")
    ImpactRating.objects.create(impact=newer, expert=first, answer="partly", note="They rushed")
    ImpactRating.objects.create(impact=newer, expert=third, answer="no", note="Too quick")
    other_panel = panel(members=[second], name="Other panel")
    ImpactRating.objects.create(
        impact=_impact(other_panel, -2, "Elsewhere"), expert=second, answer="yes", note="Fine"
    )

    ratings = panel_ratings(the_panel)

    assert [(row["answer"], row["count"]) for row in ratings["counts"]] == [
        ("Yes", 1),
        ("Partly", 1),
        ("No", 2),
    ]
    assert ratings["total"] == 4
    assert [(row["session"], row["answer"], row["note"]) for row in ratings["notes"]] == [
        (newer.session, "Partly", "They rushed"),
        (newer.session, "No", "Too quick"),
        (older.session, "No", "Nobody listened"),
    ]


def test_the_ratings_page_names_each_notes_answer_and_session(client, world):
    lead, (first, _second, _third), the_panel = world
    impact = _impact(the_panel, -3, "Interview guide")
    ImpactRating.objects.create(impact=impact, expert=first, answer="partly", note="Rushed")
    client.force_login(lead)

    page = client.get(f"/admin/panel-ratings/{the_panel.pk}/").content.decode()

    date = impact.session.starts_at.strftime("%-d %b %Y")
    assert f"<footer>Partly, Interview guide ({date})</footer>" in page


def test_the_ratings_page_query_count_does_not_grow_with_notes(client, world):
    lead, _members, the_panel = world
    client.force_login(lead)

    def add_rated_sessions(count):
        for n in range(count):
            impact = _impact(the_panel, -1 - n, f"Rated {n}")
            ImpactRating.objects.bulk_create(
                ImpactRating(impact=impact, expert=member, answer="no", note=f"Note {n}")
                for member in _members
            )

    assert_query_count_constant(
        client, f"/admin/panel-ratings/{the_panel.pk}/", add_rated_sessions, sizes=(2, 10)
    )
    page = client.get(f"/admin/panel-ratings/{the_panel.pk}/").content.decode()
    assert page.count("<blockquote>") == 30


def _named(name: str, of_panel, started_days_ago: int = 30, ended_days_ago: int | None = None):
    person = expert()
    person.user.display_name = name
    person.user.save()
    today = timezone.localdate()
    ended_on = None if ended_days_ago is None else today - datetime.timedelta(ended_days_ago)
    PanelMembership.objects.create(
        panel=of_panel,
        expert=person,
        started_on=today - datetime.timedelta(days=started_days_ago),
        ended_on=ended_on,
    )
    return person


def test_the_attendance_form_lists_members_on_the_day_by_name_with_what_is_recorded():
    lead = coordinator()
    the_panel = panel(coordinators=[lead])
    session = panel_session(of_panel=the_panel, days_ahead=-10)
    zara = _named("Zara", the_panel)
    mo = _named("Mo", the_panel)
    # Left the panel after the session: still listed, it took part as a member.
    adam = _named("Adam", the_panel, ended_days_ago=5)
    # Joined after the session: not listed.
    _named("Bea", the_panel, started_days_ago=2)
    Attendance.objects.create(session=session, expert=zara, attended=True)
    Attendance.objects.create(session=session, expert=adam, attended=False)

    rows = attendance_form_rows(session)

    assert [(row["expert"], row["attended"]) for row in rows] == [
        (adam, False),
        (mo, None),
        (zara, True),
    ]
    assert [row["expert"].user.display_name for row in rows] == ["Adam", "Mo", "Zara"]


def test_the_attendance_page_query_count_does_not_grow_with_members(client):
    lead = coordinator()
    the_panel = panel(coordinators=[lead])
    session = panel_session(of_panel=the_panel, days_ahead=-1)
    client.force_login(lead)
    added = []

    def add_members(count):
        for _ in range(count):
            added.append(_named(f"Member {len(added):02}", the_panel))

    assert_query_count_constant(
        client, f"/sessions/{session.pk}/attendance/", add_members, sizes=(2, 10)
    )
    page = client.get(f"/sessions/{session.pk}/attendance/").content.decode()
    assert [name for name in (f"Member {n:02}" for n in range(10)) if name in page] == [
        f"Member {n:02}" for n in range(10)
    ]


def test_overdue_you_said_we_did_is_oldest_first_without_cancelled_or_reported_sessions(clock):
    lead = coordinator()
    the_panel = panel(coordinators=[lead], name="Zeta panel")
    due = clock.now - datetime.timedelta(days=14)

    def held(title, ends_before_due: datetime.timedelta, **fields):
        return panel_session(
            of_panel=the_panel,
            title=title,
            starts_at=due - ends_before_due - datetime.timedelta(minutes=120),
            duration_minutes=120,
            **fields,
        )

    # Created newest first, so the order of the rows is not the order wanted.
    newer = held("Newer", datetime.timedelta(days=1))
    # Ends exactly as the two weeks run out: not overdue yet.
    held("On the line", datetime.timedelta(0))
    older = held("Older", datetime.timedelta(days=5))
    oldest = held("Oldest", datetime.timedelta(days=9))
    held("Cancelled", datetime.timedelta(days=3), status=PanelSession.Status.CANCELLED)
    reported = held("Reported", datetime.timedelta(days=4))
    ImpactRecord.objects.create(session=reported, heard="x", changed="y")
    panel(coordinators=[coordinator()], name="Other panel")

    assert impact_overdue(lead) == [oldest, older, newer]
    assert impact_overdue(lead, limit=2) == [oldest, older]


def test_the_panels_a_coordinator_runs_count_their_ratings_by_name():
    lead = coordinator()
    members = [expert(), expert()]
    zeta = panel(coordinators=[lead], members=members, name="Zeta panel")
    alpha = panel(coordinators=[lead, coordinator()], members=members, name="Alpha panel")
    panel(coordinators=[coordinator()], members=members, name="Beta panel")
    for n, session_panel in enumerate([zeta, zeta, alpha]):
        impact = _impact(session_panel, -1 - n, f"Session {n}")
        for member in members:
            ImpactRating.objects.create(impact=impact, expert=member, answer="yes")

    rated = panels_rated_for(lead)

    assert [(p.name, p.rating_count) for p in rated] == [("Alpha panel", 2), ("Zeta panel", 4)]


def test_the_expert_dashboard_lists_sessions_debriefs_and_impact_exactly(clock):
    person = expert()
    other = expert()
    zeta = panel(members=[person, other], name="Zeta panel")
    alpha = panel(members=[person], name="Alpha panel")
    left = panel(name="Left panel")
    PanelMembership.objects.create(
        panel=left,
        expert=person,
        started_on=timezone.localdate() - datetime.timedelta(days=60),
        ended_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    now = clock.now

    def session(of_panel, delta, title, **fields):
        return panel_session(of_panel=of_panel, starts_at=now + delta, title=title, **fields)

    later = session(zeta, datetime.timedelta(days=9), "Later")
    sooner = session(alpha, datetime.timedelta(days=2), "Sooner")
    session(zeta, datetime.timedelta(days=3), "Called off", status=PanelSession.Status.CANCELLED)
    session(left, datetime.timedelta(days=4), "Not my panel now")
    yesterday = session(zeta, -datetime.timedelta(days=1), "Yesterday")
    # A debrief stays on offer for thirty days, to the minute.
    month_ago = session(alpha, -datetime.timedelta(days=30), "A month ago")
    too_old = session(zeta, -datetime.timedelta(days=30, minutes=1), "Too old")
    missed = session(zeta, -datetime.timedelta(days=2), "Missed")
    for held in (too_old, yesterday, month_ago):
        Attendance.objects.create(session=held, expert=person, attended=True)
    Attendance.objects.create(session=missed, expert=person, attended=False)
    Attendance.objects.create(session=missed, expert=other, attended=True)
    for held in (yesterday, too_old, missed):
        ImpactRecord.objects.create(session=held, heard="x", changed="y")
    ImpactRating.objects.create(impact=too_old.impact, expert=person, answer="yes")
    ImpactRating.objects.create(impact=missed.impact, expert=other, answer="no")

    dashboard = expert_sessions_dashboard(person.user)

    assert [m.panel.name for m in dashboard["my_panels"]] == ["Alpha panel", "Zeta panel"]
    assert dashboard["upcoming_sessions"] == [sooner, later]
    assert [row.session for row in dashboard["debriefs"]] == [yesterday, month_ago]
    assert [(row.session, row.rated) for row in dashboard["impact_history"]] == [
        (yesterday, False),
        (too_old, True),
    ]


def test_the_expert_dashboard_shows_the_next_twenty_sessions_and_the_last_fifty_attended():
    person = expert()
    the_panel = panel(members=[person])
    now = timezone.now().replace(microsecond=0)
    PanelSession.objects.bulk_create(
        PanelSession(
            panel=the_panel,
            title=f"Ahead {n:02}",
            starts_at=now + datetime.timedelta(days=1 + n),
            duration_minutes=60,
            format="online",
        )
        for n in range(21)
    )
    past = PanelSession.objects.bulk_create(
        PanelSession(
            panel=the_panel,
            title=f"Held {n:02}",
            starts_at=now - datetime.timedelta(days=1 + n),
            duration_minutes=60,
            format="online",
        )
        for n in range(51)
    )
    Attendance.objects.bulk_create(
        Attendance(session=held, expert=person, attended=True) for held in past
    )
    ImpactRecord.objects.bulk_create(
        ImpactRecord(session=held, heard="x", changed="y") for held in past
    )

    dashboard = expert_sessions_dashboard(person.user)

    assert [s.title for s in dashboard["upcoming_sessions"]] == [f"Ahead {n:02}" for n in range(20)]
    assert [row.session.title for row in dashboard["impact_history"]] == [
        f"Held {n:02}" for n in range(50)
    ]


# Rows that tie on the first key come back in whatever order the database finds them. Here
# the rows are written with their primary keys falling, to experts in yet another order: only
# the primary key as a tie-break gives the order asked for, on PostgreSQL as on SQLite.


@pytest.mark.postgres
def test_members_with_the_same_name_are_listed_in_the_order_they_joined():
    the_panel = panel(coordinators=[coordinator()])
    session = panel_session(of_panel=the_panel, days_ahead=-1)
    since = timezone.localdate() - datetime.timedelta(days=30)
    people = [expert(), expert(), expert()]
    for person in people:
        person.user.display_name = "Sam"
        person.user.save()
    for pk, person in ((900030, people[1]), (900020, people[2]), (900010, people[0])):
        PanelMembership.objects.create(pk=pk, panel=the_panel, expert=person, started_on=since)

    rows = attendance_form_rows(session)

    assert [row["expert"] for row in rows] == [people[0], people[2], people[1]]


@pytest.mark.postgres
def test_notes_of_one_session_are_listed_in_the_order_they_were_given():
    people = [expert(), expert(), expert()]
    the_panel = panel(members=people)
    impact = _impact(the_panel, -1, "Only session")
    for pk, person, note in ((900030, people[1], "Three"), (900020, people[2], "Two"),
                             (900010, people[0], "One")):  # fmt: skip
        ImpactRating.objects.create(pk=pk, impact=impact, expert=person, answer="yes", note=note)

    notes = panel_ratings(the_panel)["notes"]

    assert [row["note"] for row in notes] == ["One", "Two", "Three"]
