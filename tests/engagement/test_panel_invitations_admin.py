"""The panel's page in the admin: its coordinators see suggestions with reasons, choose
whom to invite and the waitlist, see the invitations and withdraw them; nobody else can."""

import pytest
from django.core import mail

from engagement.models import Invitation
from tests.engagement.invitation_helpers import invite, seated_panel
from tests.factories import advisory_request, coordinator, expert, panel
from tests.helpers import assert_query_count_constant

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(client):
    the_panel, by = seated_panel(seats=1, request=advisory_request(status="accepted"))
    people = [expert() for _ in range(3)]
    client.force_login(by)
    return the_panel, by, people, f"/admin/panels/inspect/{the_panel.pk}/"


def test_coordinators_see_suggestions_with_reasons(client, setup):
    _the_panel, _by, people, url = setup

    page = client.get(url).content.decode()

    assert "Suggested experts" in page
    for person in people:
        assert person.reference in page
    assert "No paid engagements in the last 12 months" in page
    assert "No invitations yet." in page


def test_coordinators_invite_and_set_the_waitlist(
    client, setup, django_capture_on_commit_callbacks
):
    the_panel, _by, (a, b, c), url = setup

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {"action": "invite", "invite": [a.pk], "waitlist": f"{c.reference}, {b.reference}"},
        )

    assert response.status_code == 302
    assert [
        (i.expert_id, i.status, i.send_requested_at is not None)
        for i in the_panel.invitations.order_by("position")
    ] == [(a.pk, "sent", True), (c.pk, "pending", False), (b.pk, "pending", False)]
    assert [m.to[0] for m in mail.outbox] == [a.user.email]
    page = client.get(url).content.decode()
    assert "On the waitlist" in page
    assert "Waiting for an answer" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose at least one expert to invite"),
        ({"waitlist": "ADV-NOTONE"}, "ADV-NOTONE is not one"),
        ({"invite": ["999999"]}, "Choose from the suggested experts"),
    ],
)
def test_bad_choices_are_explained_and_change_nothing(client, setup, data, message):
    _panel, _by, _people, url = setup

    response = client.post(url, {"action": "invite", **data})

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Invitation.objects.count() == 0


def test_too_many_invitees_for_the_seats_are_refused(client, setup):
    _panel, _by, (a, b, _c), url = setup

    response = client.post(url, {"action": "invite", "invite": [a.pk, b.pk]}, follow=True)

    assert "The panel has 1 seats left" in response.content.decode()
    assert Invitation.objects.count() == 0


def test_coordinators_withdraw_an_invitation(client, setup, django_capture_on_commit_callbacks):
    the_panel, by, (a, _b, _c), url = setup
    (invitation,) = invite(the_panel, by, [a], capture=django_capture_on_commit_callbacks)

    client.post(url, {"action": "withdraw_invitation", "invitation": invitation.pk})

    invitation.refresh_from_db()
    assert invitation.status == "withdrawn"


def test_another_panels_coordinator_sees_no_suggestions_and_cannot_invite(client, setup):
    _the_panel, _by, (a, _b, _c), url = setup
    other = coordinator()
    panel(coordinators=[other], name="Other panel")
    client.force_login(other)

    page = client.get(url).content.decode()
    response = client.post(url, {"action": "invite", "invite": [a.pk]})

    assert "Suggested experts" not in page
    assert a.reference not in page
    # Wagtail answers a refused staff action by sending the person back to the dashboard.
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert Invitation.objects.count() == 0


def test_the_panel_page_query_count_does_not_grow(
    client, setup, django_capture_on_commit_callbacks
):
    the_panel, by, _people, url = setup
    the_panel.seats = 100
    the_panel.save()

    def add(count):
        people = [expert() for _ in range(count)]
        invite(the_panel, by, people[: count // 2], people[count // 2 :])
        for _ in range(count):
            expert()

    # Wagtail's admin shell, the panel, the ranking (13) and the invitations.
    assert_query_count_constant(client, url, add, max_queries=30)
    page = client.get(url).content.decode()
    assert page.count('name="invitation"') == 50
