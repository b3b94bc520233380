"""The data page and download include what panels, invitations, sessions and research teams
hold about the person, as well as their profile."""

import datetime

import pytest
from django.utils import timezone

from engagement.models import Attendance, ImpactRating, ImpactRecord, Invitation
from tests.factories import expert, panel, panel_session, researcher, team

pytestmark = pytest.mark.django_db


@pytest.fixture
def involved():
    profile = expert(status="active")
    the_panel = panel(members=[profile], name="Housing panel")
    held = panel_session(of_panel=the_panel, days_ahead=-3, title="First meeting")
    Attendance.objects.create(
        session=held, expert=profile, attended=True, debrief_requested_at=timezone.now()
    )
    impact = ImpactRecord.objects.create(session=held, heard="Shorter questions")
    ImpactRating.objects.create(impact=impact, expert=profile, answer="partly", note="Rushed end")
    sent = timezone.now() - datetime.timedelta(days=2)
    Invitation.objects.create(
        panel=panel(name="Work panel"),
        expert=profile,
        status=Invitation.Status.DECLINED,
        send_requested_at=sent,
        sent_at=sent,
        expires_at=sent + datetime.timedelta(days=7),
        token_hash="a" * 64,
        responded_at=timezone.now(),
        decline_reason="Too close to my own story",
    )
    return profile


def test_the_download_holds_invitations_sessions_and_ratings(client, involved):
    client.force_login(involved.user)

    data = client.get("/me/data.json").json()

    assert data["account"]["time_zone"] == "Europe/London"
    (invitation,) = data["expert_profile"]["invitations"]
    assert (invitation["panel"], invitation["status"], invitation["reason_given"]) == (
        "Work panel",
        "declined",
        "Too close to my own story",
    )
    (session,) = data["expert_profile"]["sessions"]
    assert (session["session"], session["panel"], session["took_part"]) == (
        "First meeting",
        "Housing panel",
        True,
    )
    assert session["debrief_asked_for_at"] is not None
    assert data["expert_profile"]["felt_listened_to"] == [
        {
            "session": "First meeting",
            "answer": "partly",
            "note": "Rushed end",
            "given_at": data["expert_profile"]["felt_listened_to"][0]["given_at"],
        }
    ]


def test_the_data_page_says_the_same_in_words(client, involved):
    client.force_login(involved.user)

    page = client.get("/me/data/").content.decode()

    for text in [
        "Europe/London",
        "Work panel: Declined",
        "Too close to my own story",
        "First meeting (Housing panel,",
        "you took part",
        "you asked for a debrief on",
        "First meeting: Partly. Rushed end",
    ]:
        assert text in page, text


def test_a_researcher_sees_their_research_teams(client):
    person = researcher()
    team(members=[person], name="Safe Homes Study")
    client.force_login(person)

    assert client.get("/me/data.json").json()["research_teams"][0]["team"] == "Safe Homes Study"
    assert "Safe Homes Study" in client.get("/me/data/").content.decode()
