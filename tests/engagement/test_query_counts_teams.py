"""The researcher's pages and the triage screens make the same number of queries whatever
the amount of data (5 vs 50 items), and show every item."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from core.services.audit import audit_record
from engagement.models import AdvisoryRequest, TeamInvitation, TeamMembership, Topic
from tests.factories import (
    UserFactory,
    advisory_request,
    coordinator,
    expert,
    panel,
    researcher,
    team,
)
from tests.helpers import assert_query_count_constant


@pytest.fixture
def lead(db):
    return researcher()


@pytest.fixture
def the_team(lead):
    return team(members=[lead])


def test_the_researcher_dashboard_does_not_grow_with_requests_and_panels(client, lead, the_team):
    member = expert()
    client.force_login(lead)

    def add(count):
        for _ in range(count):
            accepted = advisory_request(research_team=the_team, status="accepted")
            panel(request=accepted, members=[member], seats=3, name=f"Panel {accepted.pk}")

    assert_query_count_constant(client, "/me/", add, max_queries=14)

    page = client.get("/me/").content.decode()
    assert page.count("How people find safe housing</a>") == 50
    assert page.count("1 of 3 places filled") == 50
    assert len(re.findall(r'<a href="/panels/\d+/">Panel \d+</a>', page)) == 50


def test_the_team_page_does_not_grow_with_members_and_invitations(client, lead, the_team):
    client.force_login(lead)

    def add(count):
        start = TeamInvitation.objects.count()
        for n in range(start, start + count):
            TeamMembership.objects.create(team=the_team, user=UserFactory())
            TeamInvitation.objects.create(
                team=the_team,
                email=f"invited{n}@example.org",
                token_hash=f"{n:064d}",
                invited_by=lead,
                expires_at=timezone.now() + timedelta(days=7),
            )

    url = f"/teams/{the_team.pk}/"
    assert_query_count_constant(client, url, add, max_queries=12)

    page = client.get(url).content.decode()
    assert len(re.findall(r"invited\d+@example.org</td>", page)) == 50


def test_the_request_page_does_not_grow_with_history_or_topics(client, lead, the_team):
    staff = coordinator()
    draft = advisory_request(research_team=the_team, status="changes_requested")
    client.force_login(lead)

    def add(count):
        start = Topic.objects.count()
        topics = Topic.objects.bulk_create(
            Topic(name=f"Topic {n}") for n in range(start, start + count)
        )
        draft.topics.add(*topics)
        for _ in range(count):
            audit_record(
                actor=staff,
                action="advisoryrequest.request_changes",
                subject=draft,
                from_state="submitted",
                to_state="changes_requested",
                note="Please add more detail.",
            )

    url = f"/requests/{draft.pk}/"
    assert_query_count_constant(client, url, add, max_queries=14)

    page = client.get(url).content.decode()
    assert page.count("Please add more detail.") == 50


def test_the_triage_list_and_admin_dashboard_do_not_grow(client, the_team):
    client.force_login(coordinator())

    def add(count):
        for _ in range(count):
            advisory_request(research_team=the_team, status="submitted")
        AdvisoryRequest.objects.update(submitted_at=timezone.now() - timedelta(days=2))

    assert_query_count_constant(client, "/admin/advisory-requests/", add, max_queries=25)
    page = client.get("/admin/advisory-requests/").content.decode()
    assert len(set(re.findall(r"/admin/advisory-requests/inspect/(\d+)/", page))) == 50

    assert_query_count_constant(client, "/admin/", add, sizes=(55, 100), max_queries=40)
    # 50 from the list above, then grown by 55 and to 100 more.
    assert "150 requests waiting for triage" in client.get("/admin/").content.decode()
