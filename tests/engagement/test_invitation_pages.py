"""/invitations/<token>/ and /me/invitations/<pk>/: the offer shown before saying yes, the
answers, and a clear page (never a 500) for every link that cannot be used."""

import logging

import pytest
from django.core import mail

from engagement.models import Invitation, PanelMembership
from engagement.services.invitations import invitation_withdraw
from tests.engagement.invitation_helpers import (
    experts,
    invite,
    seated_panel,
    token_for,
)
from tests.factories import advisory_request, expert, panel_session
from tests.helpers import assert_query_count_constant

pytestmark = pytest.mark.django_db
Status = Invitation.Status


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """A request panel with one seat, one expert invited and one on the waitlist."""
    request = advisory_request(
        status="accepted",
        format="in_person",
        place="Cardiff",
        prep_hours="1.5",
        session_hours="2.0",
        content_notes="The papers describe forced labour in detail.",
    )
    the_panel, by = seated_panel(seats=1, request=request)
    panel_session(of_panel=the_panel, access_support=["bsl", "quiet_room"])
    person, waiting = experts(2)
    invite(the_panel, by, [person], [waiting], capture=django_capture_on_commit_callbacks)
    return {
        "panel": the_panel,
        "coordinator": by,
        "person": person,
        "waiting": waiting,
        "url": f"/invitations/{token_for(person)}/",
        "invitation": Invitation.objects.get(expert=person),
    }


def test_the_offer_shows_rate_time_format_support_and_content_notes(client, sent):
    client.force_login(sent["person"].user)

    page = client.get(sent["url"]).content.decode()

    assert "You are invited to join Housing panel" in page
    assert "honorarium for your preparation and session time" in page
    assert "1.5 hours to prepare and 2.0 hours in sessions" in page
    assert "In person (Cardiff)" in page
    assert "British Sign Language interpreter" in page
    assert "A quiet room" in page
    assert "The papers describe forced labour in detail." in page
    assert "Yes, I would like to join" in page
    assert "No, thank you" in page


def test_an_expert_paid_expenses_only_is_told_so_before_saying_yes(client, sent):
    profile = sent["person"]
    profile.right_to_work = "no"
    profile.save()
    client.force_login(profile.user)

    page = client.get(sent["url"]).content.decode()

    assert "We pay your expenses" in page
    assert "honorarium for your preparation" not in page


def test_accepting_joins_the_panel_and_the_link_then_says_so(client, sent):
    client.force_login(sent["person"].user)

    response = client.post(sent["url"], {"action": "accept"})
    again = client.post(sent["url"], {"action": "accept"})

    assert response.status_code == 302 and response["Location"] == "/me/"
    assert PanelMembership.objects.filter(panel=sent["panel"], expert=sent["person"]).count() == 1
    assert again.status_code == 410
    page = client.get(sent["url"])
    assert page.status_code == 410
    assert "You said yes, and you are on the panel." in page.content.decode()


def test_declining_needs_no_reason_and_invites_the_next(
    client, sent, django_capture_on_commit_callbacks
):
    client.force_login(sent["person"].user)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(sent["url"], {"action": "decline", "reason": ""})

    assert response.status_code == 302
    sent["invitation"].refresh_from_db()
    assert sent["invitation"].status == Status.DECLINED
    assert [m.to[0] for m in mail.outbox] == [sent["waiting"].user.email]
    assert "You said no." in client.get(sent["url"]).content.decode()


def test_a_reason_too_long_is_explained_and_changes_nothing(client, sent):
    client.force_login(sent["person"].user)

    response = client.post(sent["url"], {"action": "decline", "reason": "x" * 2001})

    assert response.status_code == 400
    assert "Keep it under 2,000 characters" in response.content.decode()
    assert "There is a problem" in response.content.decode()
    sent["invitation"].refresh_from_db()
    assert sent["invitation"].status == Status.SENT


@pytest.mark.parametrize(
    ("url", "status", "words"),
    [
        ("/invitations/short/", 404, "This invitation link does not work"),
        ("/invitations/" + "A" * 43 + "/", 404, "This invitation link does not work"),
        ("/invitations/" + "%21" * 43 + "/", 404, "This invitation link does not work"),
    ],
)
def test_malformed_and_unknown_links_get_a_clear_page(client, sent, url, status, words):
    for user in (None, sent["person"].user):
        client.logout()
        if user:
            client.force_login(user)
        response = client.get(url)
        assert response.status_code == status
        assert words in response.content.decode()


def test_someone_elses_invitation_is_refused_with_a_clear_page(client, sent):
    client.force_login(expert().user)

    response = client.get(sent["url"])
    posted = client.post(sent["url"], {"action": "accept"})

    assert response.status_code == 403
    assert "This invitation is for someone else" in response.content.decode()
    assert posted.status_code == 403
    sent["invitation"].refresh_from_db()
    assert sent["invitation"].status == Status.SENT


def test_an_expired_invitation_gets_a_clear_page(client, clock, sent):
    client.force_login(sent["person"].user)
    clock.advance(days=7, seconds=1)

    response = client.get(sent["url"])
    posted = client.post(sent["url"], {"action": "accept"})

    assert response.status_code == 410
    assert "This invitation has expired" in response.content.decode()
    assert posted.status_code == 410
    assert not PanelMembership.objects.filter(expert=sent["person"]).exists()


def test_a_withdrawn_invitation_gets_a_clear_page(client, sent):
    invitation_withdraw(invitation=sent["invitation"], by=sent["coordinator"])
    client.force_login(sent["person"].user)

    response = client.get(sent["url"])

    assert response.status_code == 410
    assert "This invitation was withdrawn" in response.content.decode()


def test_signing_in_comes_first(client, sent):
    response = client.get(sent["url"])

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/invitations/")


def test_the_dashboard_lists_open_invitations_and_panels(client, sent):
    client.force_login(sent["person"].user)

    page = client.get("/me/").content.decode()
    assert "Your invitations" in page
    assert f'href="/me/invitations/{sent["invitation"].pk}/"' in page

    client.post(f"/me/invitations/{sent['invitation'].pk}/", {"action": "accept"})
    page = client.get("/me/").content.decode()
    assert "Your panels" in page
    assert "Housing panel" in page
    assert f'href="/me/invitations/{sent["invitation"].pk}/"' not in page


def test_the_dashboard_link_is_the_invited_experts_only(client, sent):
    client.force_login(expert().user)
    assert client.get(f"/me/invitations/{sent['invitation'].pk}/").status_code == 404
    waiting = Invitation.objects.get(expert=sent["waiting"])
    client.force_login(sent["waiting"].user)
    # A place on the waitlist has not been offered yet.
    assert client.get(f"/me/invitations/{waiting.pk}/").status_code == 404


def test_the_invitation_page_query_count_does_not_grow(client, sent):
    client.force_login(sent["person"].user)
    the_panel = sent["panel"]

    def add_sessions(count):
        for n in range(count):
            panel_session(of_panel=the_panel, days_ahead=8 + n, title=f"Session {n}")

    assert_query_count_constant(client, sent["url"], add_sessions, max_queries=15)


def test_the_dashboard_query_count_does_not_grow_with_invitations(
    client, db, django_capture_on_commit_callbacks
):
    person = expert()
    client.force_login(person.user)

    def add_invitations(count):
        for _ in range(count):
            the_panel, by = seated_panel(seats=1)
            invite(the_panel, by, [person], capture=django_capture_on_commit_callbacks)
            PanelMembership.objects.create(
                panel=seated_panel(seats=0)[0],
                expert=person,
                started_on=the_panel.created_at.date(),
            )

    assert_query_count_constant(client, "/me/", add_invitations, max_queries=25)
    page = client.get("/me/").content.decode()
    assert page.count('href="/me/invitations/') == 50


def test_the_token_never_survives_into_a_log_line(client, sent, caplog):
    """Django logs the path of every 4xx answer; the site's log filter has removed the token
    from each of those lines by the time any handler sees it, in English and in Welsh."""
    token = sent["url"].split("/")[2]
    client.force_login(expert().user)
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(sent["url"]).status_code == 403
        assert client.get(f"/cy{sent['url']}").status_code == 403
        invitation_withdraw(invitation=sent["invitation"], by=sent["coordinator"])
        client.force_login(sent["person"].user)
        assert client.get(sent["url"]).status_code == 410
    logged = [r for r in caplog.records if r.name == "django.request"]

    assert len(logged) == 3
    assert [r.getMessage() for r in logged] == [
        "Forbidden: /invitations/[redacted]/",
        "Forbidden: /cy/invitations/[redacted]/",
        "Gone: /invitations/[redacted]/",
    ]
    assert token not in caplog.text
