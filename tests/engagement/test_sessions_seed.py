"""The demo seed's sessions: two panels with past and upcoming sessions, attendance,
approved notes, "you said, we did" and a rating, which the demo accounts see."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User
from engagement.models import (
    Attendance,
    ImpactRating,
    ImpactRecord,
    Panel,
    PanelSession,
    SessionNote,
)

pytestmark = pytest.mark.django_db


def test_the_seed_makes_sessions_once_and_the_demo_accounts_see_them(client):
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())

    panels = Panel.objects.filter(sessions__isnull=False).distinct()
    assert panels.count() == 2
    assert PanelSession.objects.count() == 4
    assert SessionNote.objects.filter(status="approved").count() == 2
    assert ImpactRecord.objects.count() == 1
    assert ImpactRating.objects.count() == 1
    demo = User.objects.get(email="expert@example.org")
    assert Attendance.objects.filter(expert__user=demo, attended=True).count() == 2

    client.force_login(demo)
    dashboard = client.get("/me/").content.decode()
    assert "Your upcoming sessions" in dashboard
    assert "We moved the money questions to the end" in dashboard
    request_panel = Panel.objects.get(kind="request")
    client.force_login(User.objects.get(email="researcher@example.org"))
    page = client.get(f"/panels/{request_panel.pk}/").content.decode()
    assert "The panel asked for shorter questions" in page
    assert "meet.example.org" not in page
    client.force_login(User.objects.get(email="coordinator@example.org"))
    assert "Reviewing the interview guide" in client.get("/admin/").content.decode()
