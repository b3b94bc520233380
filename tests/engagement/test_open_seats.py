"""The coordinators' dashboard names the panels they run that still want experts."""

import datetime
import re

import pytest
from django.utils import timezone

from engagement.models import PanelMembership
from engagement.selectors.panels import OPEN_SEATS_SHOWN, panels_with_open_seats
from tests.factories import coordinator, expert, panel
from tests.helpers import assert_query_count_constant

pytestmark = pytest.mark.django_db


def test_only_the_coordinators_own_panels_with_fewer_members_today_than_seats():
    lead = coordinator()
    forming = panel(coordinators=[lead], members=[expert()], seats=3, name="Forming")
    panel(coordinators=[lead], members=[expert(), expert()], seats=2, name="Full")
    panel(coordinators=[lead], seats=0, name="Standing, no target")
    panel(coordinators=[coordinator()], seats=4, name="Somebody else's")
    ended = panel(coordinators=[lead], members=[expert()], seats=1, name="One left")
    ended.memberships.update(ended_on=timezone.localdate() - datetime.timedelta(days=1))
    future = panel(coordinators=[lead], seats=1, name="Starts next week")
    PanelMembership.objects.create(
        panel=future,
        expert=expert(),
        started_on=timezone.localdate() + datetime.timedelta(days=7),
    )

    found = panels_with_open_seats(lead)

    assert [(p.name, p.filled, p.seats) for p in found["panels"]] == [
        ("Forming", 1, 3),
        ("One left", 0, 1),
        ("Starts next week", 0, 1),
    ]
    assert found["count"] == 3
    assert forming in found["panels"]


def test_a_member_whose_term_ends_today_still_fills_a_place():
    lead = coordinator()
    the_panel = panel(coordinators=[lead], members=[expert()], seats=1)
    the_panel.memberships.update(ended_on=timezone.localdate())

    assert panels_with_open_seats(lead) == {"panels": [], "count": 0}


def test_the_dashboard_names_a_few_and_counts_the_rest_in_constant_queries(client):
    lead = coordinator()
    client.force_login(lead)
    made = []

    def add(count):
        for _ in range(count):
            made.append(
                panel(coordinators=[lead], members=[expert()], seats=2, name=f"P{len(made):03}")
            )

    assert_query_count_constant(client, "/admin/", add, sizes=(12, 30), max_queries=40)
    page = client.get("/admin/").content.decode()
    linked = re.findall(r'href="/admin/panels/inspect/(\d+)/">P\d+</a>', page)
    assert linked == [str(p.pk) for p in made[:OPEN_SEATS_SHOWN]]
    assert "30 of your panels want more experts." in page
    assert page.count("1 of 2 places filled") == OPEN_SEATS_SHOWN


def test_nothing_is_shown_when_every_panel_is_full(client):
    lead = coordinator()
    panel(coordinators=[lead], members=[expert()], seats=1)
    client.force_login(lead)

    assert "Panels still forming" not in client.get("/admin/").content.decode()
