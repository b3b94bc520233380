"""Sessions selectors, what the main tests leave open: the ratings a coordinator reads for a
panel (exact counts, total, notes newest session first) and the queries that page makes."""

import datetime

import pytest
from django.utils import timezone

from engagement.models import Attendance, ImpactRating, ImpactRecord, PanelMembership
from engagement.selectors.sessions import attendance_form_rows, panel_ratings
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
