"""Who may do what to panels, sessions, invitations and requests, asked the way views,
templates and services ask it: the declared transitions (`Model.workflow.permits`) and the
permissions in engagement/rules.py."""

from datetime import timedelta
from unittest import mock

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from engagement.models import (
    AdvisoryRequest,
    Invitation,
    PanelMembership,
    SessionNote,
    TeamInvitation,
)
from engagement.predicates import (
    coordinates_a_panel_of,
    has_started,
    is_panel_member,
    is_team_member,
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

pytestmark = pytest.mark.django_db


def may_approve(user, note):
    return SessionNote.workflow.permits(user, note, "approve")


@pytest.fixture
def lead():
    return coordinator(display_name="Alex")


def session_note(of_panel):
    return SessionNote.objects.create(session=panel_session(of_panel=of_panel), text="Notes")


def test_the_chair_approves_a_sessions_notes_and_the_coordinator_no_longer_does(lead):
    chair, member = expert(), expert()
    note = session_note(panel(coordinators=[lead], members=[member], chairs=[chair]))

    assert may_approve(chair.user, note)
    assert not may_approve(member.user, note)
    assert not may_approve(lead, note)


def test_without_a_current_chair_the_panels_coordinator_approves(lead):
    chair = expert()
    chaired = panel(coordinators=[lead], chairs=[chair])
    note = session_note(chaired)
    PanelMembership.objects.filter(panel=chaired).update(
        ended_on=timezone.localdate() - timedelta(days=1)
    )

    assert not may_approve(chair.user, note)
    assert may_approve(lead, note)
    assert not may_approve(coordinator(), note)
    assert not may_approve(AnonymousUser(), note)


def test_a_chair_of_another_panel_approves_nothing_here(lead):
    elsewhere = expert()
    panel(coordinators=[coordinator()], chairs=[elsewhere], name="Other panel")
    note = session_note(panel(coordinators=[lead], chairs=[expert()]))

    assert not may_approve(elsewhere.user, note)


def test_only_the_panels_coordinators_cancel_its_sessions_or_withdraw_its_invitations(lead):
    own = panel(coordinators=[lead])
    session = panel_session(of_panel=own)
    invitation = Invitation.objects.create(panel=own, expert=expert())
    other = coordinator()

    assert session.__class__.workflow.permits(lead, session, "cancel")
    assert Invitation.workflow.permits(lead, invitation, "withdraw")
    assert not session.__class__.workflow.permits(other, session, "cancel")
    assert not Invitation.workflow.permits(other, invitation, "withdraw")
    assert not Invitation.workflow.permits(AnonymousUser(), invitation, "withdraw")


def test_only_the_invited_expert_answers_an_invitation(lead):
    invited, someone_else = expert(), expert()
    invitation = Invitation.objects.create(
        panel=panel(coordinators=[lead]),
        expert=invited,
        status=Invitation.Status.SENT,
        token_hash="hash-of-the-invitation-token",
        sent_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=7),
    )

    assert Invitation.workflow.permitted(invited.user, invitation) == {"accept", "decline"}
    assert Invitation.workflow.permitted(someone_else.user, invitation) == frozenset()
    assert Invitation.workflow.permitted(AnonymousUser(), invitation) == frozenset()


def team_invitation(research_team, email):
    return TeamInvitation.objects.create(
        team=research_team,
        email=email,
        token_hash=f"hash-of-{email}",
        expires_at=timezone.now() + timedelta(days=7),
    )


def test_only_the_person_with_the_confirmed_address_accepts_a_team_invitation():
    invitation = team_invitation(team(members=[researcher()]), "Sam@Tandem.test")
    confirmed, unconfirmed = researcher(), researcher()
    EmailAddress.objects.create(user=confirmed, email="sam@tandem.test", verified=True)
    EmailAddress.objects.create(user=unconfirmed, email="sam@tandem.test", verified=False)
    EmailAddress.objects.create(user=researcher(), email="other@tandem.test", verified=True)

    assert TeamInvitation.workflow.permits(confirmed, invitation, "accept")
    assert not TeamInvitation.workflow.permits(unconfirmed, invitation, "accept")
    assert not TeamInvitation.workflow.permits(AnonymousUser(), invitation, "accept")


def test_only_the_teams_own_researchers_revoke_its_invitations_and_send_its_requests():
    member, other_researcher = researcher(), researcher()
    # The other team first, so that no team shares its id with the invitation or the request.
    team(members=[other_researcher], name="Another study")
    own_team = team(members=[member])
    invitation = team_invitation(own_team, "new@tandem.test")
    request = advisory_request(research_team=own_team)

    assert TeamInvitation.workflow.permits(member, invitation, "revoke")
    assert AdvisoryRequest.workflow.permits(member, request, "submit")
    assert is_team_member(member, own_team)
    for outsider in (other_researcher, AnonymousUser()):
        assert not TeamInvitation.workflow.permits(outsider, invitation, "revoke")
        assert not AdvisoryRequest.workflow.permits(outsider, request, "submit")
        assert not is_team_member(outsider, own_team)
    assert not is_team_member(member, None)


def test_a_permission_asked_about_no_record_grants_nothing(lead):
    panel(coordinators=[lead], members=[expert()])

    assert not lead.has_perm("engagement.view_expert_access_needs", None)
    assert not lead.has_perm("engagement.manage_panel", None)


def test_nobody_signed_out_coordinates_a_panel_of_an_expert(lead):
    member = expert()
    panel(coordinators=[lead], members=[member])

    assert coordinates_a_panel_of(lead, member)
    assert not coordinates_a_panel_of(AnonymousUser(), member)


def test_a_panel_member_is_one_whose_membership_is_in_force_today(lead):
    member, former = expert(), expert()
    own = panel(coordinators=[lead], members=[member, former])
    PanelMembership.objects.filter(expert=former).update(
        ended_on=timezone.localdate() - timedelta(days=1)
    )
    session = panel_session(of_panel=own)

    assert is_panel_member(member.user, own)
    assert is_panel_member(member.user, session)
    assert not is_panel_member(former.user, own)
    assert not is_panel_member(lead, own)
    assert not is_panel_member(AnonymousUser(), own)
    assert not is_panel_member(member.user, None)


def test_a_session_has_started_from_its_start_time(lead):
    own = panel(coordinators=[lead])
    started = panel_session(of_panel=own, starts_at=timezone.now() - timedelta(minutes=1))
    later = panel_session(of_panel=own, starts_at=timezone.now() + timedelta(minutes=5))

    assert has_started(lead, started)
    assert not has_started(lead, later)
    assert not has_started(lead, None)


def test_a_session_has_started_at_its_very_start_time(lead):
    session = panel_session(of_panel=panel(coordinators=[lead]))

    with mock.patch("django.utils.timezone.now", return_value=session.starts_at):
        assert has_started(lead, session)
