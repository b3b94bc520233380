"""Research teams: creating one, inviting a colleague by email, and every kind of invitation
link, good and bad."""

import re
from datetime import timedelta
from email import message_from_bytes

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone

from accounts.roles import Role
from core.models import AuditEvent
from core.transitions import TransitionNotAllowed
from engagement.models import ResearchTeam, TeamInvitation, TeamMembership
from engagement.selectors.teams import team_token_hash
from engagement.services.teams import (
    team_create,
    team_invitation_accept,
    team_invitation_revoke,
    team_invitation_send,
)
from tests.factories import UserFactory, expert, researcher, team

LINK = re.compile(r"http://[^\s\"]+?(/teams/invitations/([A-Za-z0-9_-]+)/)")


def refused(message: str):
    """The refusal, with exactly the words people are shown."""
    return pytest.raises(TransitionNotAllowed, match=f"^{re.escape(message)}$")


@pytest.fixture
def lead(db):
    return researcher(display_name="Rhian")


@pytest.fixture
def the_team(lead):
    return team(members=[lead])


def invite(the_team, lead, email, capture):
    with capture(execute=True):
        team_invitation_send(team=the_team, email=email, by=lead)
    match = LINK.search(mail.outbox[-1].body)
    return match.group(1), match.group(2)


# Creating a team


def test_a_researcher_creates_a_team_and_is_its_first_member(client, lead):
    client.force_login(lead)

    response = client.post(
        "/teams/new/",
        {"name": "Safe Homes Study", "organisation": "University of Tandem", "description": ""},
    )

    created = ResearchTeam.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/teams/{created.pk}/"
    assert list(created.memberships.values_list("user", flat=True)) == [lead.pk]
    assert sorted(AuditEvent.objects.filter(team=created).values_list("action", flat=True)) == [
        "researchteam.create",
        "researchteam.member_add",
    ]


def test_creating_the_same_team_twice_makes_one(lead):
    first = team_create(name="Safe Homes", organisation="Uni", description="", by=lead)
    second = team_create(name="Safe Homes", organisation="Uni", description="", by=lead)

    assert first == second
    assert ResearchTeam.objects.count() == 1


def test_only_researchers_create_teams(client, db):
    person = expert(status="active")
    client.force_login(person.user)

    assert client.get("/teams/new/").status_code == 403
    with refused("Only researchers can create a research team."):
        team_create(name="X", organisation="Y", description="", by=person.user)
    assert not ResearchTeam.objects.exists()


def test_a_team_without_a_name_gets_the_error_summary(client, lead):
    client.force_login(lead)

    response = client.post("/teams/new/", {"name": "", "organisation": ""})

    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Enter the team&#x27;s name" in page
    assert "Enter the organisation" in page
    assert not ResearchTeam.objects.exists()


# Inviting


def test_an_invitation_stores_only_a_hash_and_emails_the_link(
    the_team, lead, django_capture_on_commit_callbacks
):
    path, token = invite(
        the_team, lead, "Colleague@Example.org", django_capture_on_commit_callbacks
    )

    invitation = TeamInvitation.objects.get()
    assert invitation.email == "colleague@example.org"
    assert invitation.token_hash == team_token_hash(token)
    assert token not in str(TeamInvitation.objects.values().get())
    assert invitation.expires_at - timezone.now() > timedelta(days=6, hours=23)
    assert invitation.expires_at - timezone.now() <= timedelta(days=7)
    message = mail.outbox[-1]
    assert message.to == ["colleague@example.org"]
    assert message.subject == "Tandem: You are invited to join Safe Homes Study on Tandem"
    parsed = message_from_bytes(message.message().as_bytes())
    assert parsed.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in parsed.get_payload()] == [
        "text/plain",
        "text/html",
    ]
    assert path in parsed.get_payload()[1].get_payload(decode=True).decode()
    expiry = timezone.localtime(invitation.expires_at).strftime("%-d %B %Y")
    assert "Rhian has invited you to join Safe Homes Study (University of Tandem)" in message.body
    assert f"The link works once, until {expiry}." in message.body


def test_inviting_the_same_address_twice_sends_once(
    the_team, lead, django_capture_on_commit_callbacks
):
    invite(the_team, lead, "colleague@example.org", django_capture_on_commit_callbacks)

    with refused(
        "We have already invited that email address. To send a new link, withdraw the "
        "invitation first."
    ):
        team_invitation_send(team=the_team, email="COLLEAGUE@example.org", by=lead)

    assert TeamInvitation.objects.count() == 1
    assert len(mail.outbox) == 1


def test_an_expired_invitation_can_be_sent_again(
    the_team, lead, django_capture_on_commit_callbacks
):
    invite(the_team, lead, "colleague@example.org", django_capture_on_commit_callbacks)
    TeamInvitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    invite(the_team, lead, "colleague@example.org", django_capture_on_commit_callbacks)

    assert sorted(TeamInvitation.objects.values_list("status", flat=True)) == ["expired", "sent"]


def test_members_are_not_invited_again_and_outsiders_cannot_invite(the_team, lead, db):
    with refused("Someone with that email address is already in the team."):
        team_invitation_send(team=the_team, email=lead.email.upper(), by=lead)
    with refused("Only members of this team can invite people to it."):
        team_invitation_send(team=the_team, email="someone@example.org", by=researcher())

    assert not TeamInvitation.objects.exists()


def test_the_invite_form_explains_a_bad_address(client, the_team, lead):
    client.force_login(lead)

    response = client.post(f"/teams/{the_team.pk}/invite/", {"email": "not an address"})

    assert response.status_code == 200
    assert "Enter an email address like name@example.org" in response.content.decode()
    assert not TeamInvitation.objects.exists()


def test_the_team_page_lists_members_and_open_invitations(
    client, the_team, lead, django_capture_on_commit_callbacks
):
    invite(the_team, lead, "colleague@example.org", django_capture_on_commit_callbacks)
    client.force_login(lead)

    page = client.get(f"/teams/{the_team.pk}/").content.decode()

    assert "Rhian" in page
    assert "colleague@example.org" in page


def test_a_member_withdraws_an_open_invitation(
    client, the_team, lead, django_capture_on_commit_callbacks
):
    path, _token = invite(
        the_team, lead, "colleague@example.org", django_capture_on_commit_callbacks
    )
    invitation = TeamInvitation.objects.get()
    client.force_login(lead)

    response = client.post(f"/teams/{the_team.pk}/invitations/{invitation.pk}/withdraw/")

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "revoked"
    assert client.get(path).status_code == 410
    assert "This invitation was withdrawn" in client.get(path).content.decode()


def test_another_teams_researcher_cannot_withdraw(
    client, the_team, lead, django_capture_on_commit_callbacks
):
    invite(the_team, lead, "colleague@example.org", django_capture_on_commit_callbacks)
    invitation = TeamInvitation.objects.get()
    outsider = researcher()
    team(members=[outsider], name="Other team")
    client.force_login(outsider)

    response = client.post(f"/teams/{the_team.pk}/invitations/{invitation.pk}/withdraw/")

    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == "sent"
    with refused("You cannot do that."):
        team_invitation_revoke(invitation=invitation, by=outsider)


# Answering the link


@pytest.fixture
def link(the_team, lead, django_capture_on_commit_callbacks):
    path, _token = invite(
        the_team, lead, "colleague@example.org", django_capture_on_commit_callbacks
    )
    return path


def test_someone_signed_out_is_asked_to_sign_in_or_sign_up(client, link):
    response = client.get(link)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Join Safe Homes Study" in page
    assert "/accounts/login/?next=" in page
    assert "/accounts/signup/?next=" in page


def test_the_invited_person_accepts_and_becomes_a_researcher_member(client, the_team, link):
    colleague = UserFactory(email="colleague@example.org")
    client.force_login(colleague)

    assert client.get(link).status_code == 200
    response = client.post(link)

    assert response.status_code == 302
    assert response["Location"] == f"/teams/{the_team.pk}/"
    assert TeamMembership.objects.filter(team=the_team, user=colleague).exists()
    assert colleague.groups.filter(name=Role.RESEARCHER).exists()
    assert TeamInvitation.objects.get().status == "accepted"
    # The link works once.
    again = client.get(link)
    assert again.status_code == 410
    assert "This invitation has already been used" in again.content.decode()


def test_an_unverified_address_is_someone_elses_invitation(client, link):
    colleague = UserFactory(email="colleague@example.org", verified=False)
    EmailAddress.objects.create(user=colleague, email=colleague.email, verified=False)
    client.force_login(colleague)

    for response in (client.get(link), client.post(link)):
        assert response.status_code == 403
        assert "This invitation is for someone else" in response.content.decode()
    assert not TeamMembership.objects.filter(user=colleague).exists()


def test_someone_elses_invitation_is_refused(client, link):
    client.force_login(researcher())

    response = client.post(link)

    assert response.status_code == 403
    assert "This invitation is for someone else" in response.content.decode()
    assert TeamInvitation.objects.get().status == "sent"


def test_an_expired_link_says_so(client, link):
    TeamInvitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    colleague = UserFactory(email="colleague@example.org")
    client.force_login(colleague)

    response = client.post(link)

    assert response.status_code == 410
    assert "This invitation has expired" in response.content.decode()
    assert not TeamMembership.objects.filter(user=colleague).exists()
    with refused("This invitation has expired."):
        team_invitation_accept(invitation=TeamInvitation.objects.get(), by=colleague)


@pytest.mark.parametrize(
    "path",
    [
        "/teams/invitations/short/",
        "/teams/invitations/" + "A" * 43 + "/",
        "/teams/invitations/" + "%00" * 43 + "/",
        "/cy/teams/invitations/" + "!" * 43 + "/",
    ],
)
def test_malformed_and_unknown_links_get_a_clear_page(client, db, path):
    response = client.get(path)

    assert response.status_code == 404
    assert "invitation" in response.content.decode().lower()


def audit_rows(**subject):
    return list(
        AuditEvent.objects.filter(**subject)
        .order_by("pk")
        .values_list("action", "actor", "from_state", "to_state", "extra")
    )


def test_each_step_of_an_invitation_is_recorded(
    client, the_team, lead, link, django_capture_on_commit_callbacks
):
    invitation = TeamInvitation.objects.get()
    colleague = UserFactory(email="colleague@example.org")

    membership = team_invitation_accept(invitation=invitation, by=colleague)

    assert (membership.team, membership.user) == (the_team, colleague)
    assert audit_rows(team_invitation=invitation) == [
        ("teaminvitation.send", lead.pk, "", "", {}),
        ("teaminvitation.accept", colleague.pk, "sent", "accepted", {}),
    ]
    assert audit_rows(team=the_team) == [
        (
            "researchteam.member_add",
            colleague.pk,
            "",
            "",
            {"user_id": colleague.pk, "invitation_id": invitation.pk},
        )
    ]
    assert invitation.invited_by == lead


def test_creating_a_team_records_who_made_it(lead):
    created = team_create(name="Safe Homes", organisation="Uni", description="About", by=lead)

    assert (created.name, created.organisation, created.description) == (
        "Safe Homes",
        "Uni",
        "About",
    )
    assert audit_rows(team=created) == [
        ("researchteam.create", lead.pk, "", "", {}),
        ("researchteam.member_add", lead.pk, "", "", {"user_id": lead.pk}),
    ]
    # Another team of the same name, in another organisation or made by someone else, is new.
    other = researcher()
    assert team_create(name="Safe Homes", organisation="Other", description="", by=lead) != created
    assert team_create(name="Safe Homes", organisation="Uni", description="", by=other) != created
    assert team_create(name="Other", organisation="Uni", description="", by=lead) != created


def test_only_open_invitations_are_listed(
    client, the_team, lead, django_capture_on_commit_callbacks
):
    for address in ("open@example.org", "late@example.org", "used@example.org"):
        invite(the_team, lead, address, django_capture_on_commit_callbacks)
    TeamInvitation.objects.filter(email="late@example.org").update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    TeamInvitation.objects.filter(email="used@example.org").update(status="accepted")
    client.force_login(lead)

    page = client.get(f"/teams/{the_team.pk}/").content.decode()

    assert "open@example.org" in page
    assert "late@example.org" not in page
    assert "used@example.org" not in page


def test_the_invitation_page_names_the_team_and_who_invited(client, link):
    colleague = UserFactory(email="colleague@example.org")
    client.force_login(colleague)

    page = client.get(link).content.decode()

    assert "Join Safe Homes Study" in page
    assert "University of Tandem" in page
    assert "Rhian sent the invitation." in page


def test_inviting_again_expires_only_this_teams_stale_invitation_to_that_address(
    the_team, lead, django_capture_on_commit_callbacks
):
    other_team = team(members=[researcher()], name="Other Study")
    invite(the_team, lead, "colleague@example.org", django_capture_on_commit_callbacks)
    invite(the_team, lead, "someone.else@example.org", django_capture_on_commit_callbacks)
    TeamInvitation.objects.create(
        team=other_team,
        email="colleague@example.org",
        token_hash=team_token_hash("elsewhere"),
        invited_by=other_team.memberships.get().user,
        expires_at=timezone.now(),
    )
    TeamInvitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    invite(the_team, lead, "COLLEAGUE@example.org", django_capture_on_commit_callbacks)

    statuses = TeamInvitation.objects.order_by("pk").values_list("team", "email", "status")
    assert list(statuses) == [
        (the_team.pk, "colleague@example.org", "expired"),
        (the_team.pk, "someone.else@example.org", "sent"),
        (other_team.pk, "colleague@example.org", "sent"),
        (the_team.pk, "colleague@example.org", "sent"),
    ]


def test_an_address_whose_withdrawn_invitation_has_run_out_can_be_invited_again(
    the_team, lead, django_capture_on_commit_callbacks
):
    invite(the_team, lead, "colleague@example.org", django_capture_on_commit_callbacks)
    team_invitation_revoke(invitation=TeamInvitation.objects.get(), by=lead)
    TeamInvitation.objects.update(expires_at=timezone.now() - timedelta(minutes=1))

    invite(the_team, lead, "colleague@example.org", django_capture_on_commit_callbacks)

    assert list(TeamInvitation.objects.order_by("pk").values_list("status", flat=True)) == [
        "revoked",
        "sent",
    ]
    assert len(mail.outbox) == 2


def test_an_invitation_has_expired_at_the_very_moment_it_expires(the_team, link, clock):
    colleague = UserFactory(email="colleague@example.org")
    TeamInvitation.objects.update(expires_at=clock.now)

    with refused("This invitation has expired."):
        team_invitation_accept(invitation=TeamInvitation.objects.get(), by=colleague)

    assert TeamInvitation.objects.get().status == "sent"
    assert not TeamMembership.objects.filter(user=colleague).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_double_click_sent_at_the_same_moment_makes_one_team():
    import threading

    from django.db import connection

    lead = researcher()
    barrier = threading.Barrier(3)
    made = []

    def create():
        barrier.wait()
        try:
            made.append(
                team_create(name="Safe Homes", organisation="Uni", description="", by=lead).pk
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert ResearchTeam.objects.count() == 1
    assert made == [ResearchTeam.objects.get().pk] * 3
    assert TeamMembership.objects.filter(user=lead).count() == 1
