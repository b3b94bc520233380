"""Coordinators' admin: overdue "you said, we did" on the dashboard, ratings per panel
(counts and notes, never names), and query counts of the pages this work adds."""

import datetime

import pytest

from engagement.models import Attendance, ImpactRating, ImpactRecord
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
    members = [expert(), expert()]
    the_panel = panel(coordinators=[lead], members=members, request=request)
    return lead, members, the_panel


def test_the_dashboard_lists_sessions_overdue_for_you_said_we_did(client, world):
    lead, _members, the_panel = world
    panel_session(of_panel=the_panel, days_ahead=-20, title="Overdue session")
    panel_session(of_panel=the_panel, days_ahead=-5, title="Recent session")
    done = panel_session(of_panel=the_panel, days_ahead=-30, title="Reported session")
    ImpactRecord.objects.create(session=done, heard="x", changed="y")
    client.force_login(lead)

    page = client.get("/admin/").content.decode()
    client.force_login(coordinator())
    other_coordinators_page = client.get("/admin/").content.decode()

    assert "Overdue session" in page
    assert "Overdue session" not in other_coordinators_page
    assert "Recent session" not in page
    assert "Reported session" not in page


def test_ratings_per_panel_show_counts_and_notes_without_names(client, world):
    lead, members, the_panel = world
    session = panel_session(of_panel=the_panel, days_ahead=-3)
    impact = ImpactRecord.objects.create(session=session, heard="x", changed="y")
    ImpactRating.objects.create(impact=impact, expert=members[0], answer="partly", note="Rushed")
    ImpactRating.objects.create(impact=impact, expert=members[1], answer="yes")
    client.force_login(lead)

    page = client.get(f"/admin/panel-ratings/{the_panel.pk}/").content.decode()

    assert "<td>Yes</td><td>1</td>" in page
    assert "<td>Partly</td><td>1</td>" in page
    assert "<td>No</td><td>0</td>" in page
    assert "Rushed" in page
    for member in members:
        assert member.user.display_name not in page
    assert client.get("/admin/").content.decode().count(f"/admin/panel-ratings/{the_panel.pk}/")

    client.force_login(coordinator())
    assert client.get(f"/admin/panel-ratings/{the_panel.pk}/").status_code == 302


def test_the_panel_page_query_count_does_not_grow_with_sessions(client, world):
    lead, _members, the_panel = world
    client.force_login(lead)

    def add_sessions(count):
        for n in range(count):
            session = panel_session(of_panel=the_panel, days_ahead=-1 - n, title=f"S{n}")
            ImpactRecord.objects.create(session=session, heard="heard", changed="changed")
            panel_session(of_panel=the_panel, days_ahead=1 + n, title=f"U{n}")

    assert_query_count_constant(client, f"/panels/{the_panel.pk}/", add_sessions, max_queries=20)
    page = client.get(f"/panels/{the_panel.pk}/").content.decode()
    assert page.count("Record who took part") == 50
    assert page.count("Cancel session") == 50


def test_the_expert_dashboard_query_count_does_not_grow_with_sessions(client, world):
    _lead, members, the_panel = world
    member = members[0]
    client.force_login(member.user)

    def add_sessions(count):
        for n in range(count):
            session = panel_session(of_panel=the_panel, days_ahead=-1 - n, title=f"Held {n}")
            Attendance.objects.create(session=session, expert=member, attended=True)
            ImpactRecord.objects.create(session=session, heard="heard", changed=f"Revised-{n}")
            panel_session(of_panel=the_panel, days_ahead=1 + n, title=f"Next {n}")

    assert_query_count_constant(client, "/me/", add_sessions, sizes=(3, 15), max_queries=16)
    page = client.get("/me/").content.decode()
    assert page.count("Revised-") == 15
    assert page.count("Next ") == 15
    assert page.count("Ask for a debrief") == 15


def test_the_admin_dashboard_query_count_does_not_grow_with_overdue_sessions(client, world):
    lead, _members, the_panel = world
    client.force_login(lead)

    def add_overdue(count):
        for n in range(count):
            panel_session(of_panel=the_panel, days_ahead=-15 - n, title=f"Overdue {n}")

    assert_query_count_constant(client, "/admin/", add_overdue, sizes=(3, 15))
    assert client.get("/admin/").content.decode().count("Overdue ") == 15


def test_overdue_counts_from_the_end_of_the_session():
    from engagement.selectors.sessions import impact_overdue

    lead = coordinator()
    the_panel = panel(coordinators=[lead])
    # Started 14 days and 1 hour ago but lasted 2 hours: ended less than 14 days ago.
    almost = panel_session(of_panel=the_panel, days_ahead=-14)
    almost.starts_at -= datetime.timedelta(hours=1)
    almost.save()
    assert impact_overdue(lead) == []
    almost.starts_at -= datetime.timedelta(hours=2)
    almost.save()
    assert impact_overdue(lead) == [almost]
    assert impact_overdue(coordinator()) == []


def test_the_admin_panel_page_links_to_its_sessions_and_ratings(client, world):
    lead, _members, the_panel = world
    client.force_login(lead)

    page = client.get(f"/admin/panels/inspect/{the_panel.pk}/").content.decode()

    assert f'href="/panels/{the_panel.pk}/"' in page
    assert f'href="/admin/panel-ratings/{the_panel.pk}/"' in page


def test_the_panel_page_is_in_welsh_under_cy(client, world):
    lead, _members, the_panel = world
    client.force_login(lead)

    response = client.get(f"/cy/panels/{the_panel.pk}/")

    assert response.status_code == 200
    assert 'lang="cy"' in response.content.decode()
