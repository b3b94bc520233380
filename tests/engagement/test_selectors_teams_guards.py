"""What the research-team selectors return: whose teams and requests, in which order, which
invitations are still open, what the request history says, how many seats a team's panels
have filled today, and what the triage screens count."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from core.services.audit import audit_record
from engagement.models import AdvisoryRequest, Language, PanelMembership, TeamInvitation, Topic
from engagement.selectors.teams import (
    advisory_request_detail,
    advisory_requests_for_triage,
    advisory_requests_waiting,
    researcher_dashboard,
    team_detail,
    team_token_hash,
    teams_for,
)
from tests.factories import (
    UserFactory,
    advisory_request,
    coordinator,
    expert,
    panel,
    researcher,
    team,
)

TOKEN = "A" * 40 + "b_-"


@pytest.fixture
def lead(db):
    return researcher(display_name="Rhian")


def invitation(the_team, email, *, status="sent", expires_in=timedelta(days=7), by=None):
    return TeamInvitation.objects.create(
        team=the_team,
        email=email,
        token_hash=team_token_hash(email),
        status=status,
        invited_by=by,
        expires_at=timezone.now() + expires_in,
    )


# teams_for


def test_a_person_sees_only_their_own_teams_by_name_then_age(lead):
    # Memberships are made newest team first, so only the pk tie-break puts the older
    # "Beta" team before the newer one.
    older_beta = team(name="Beta")
    newer_beta = team(name="Beta")
    alpha = team(name="Alpha")
    team(name="Aardvark", members=[researcher()])
    for research_team in (newer_beta, alpha, older_beta):
        research_team.memberships.create(user=lead)

    assert list(teams_for(lead)) == [alpha, older_beta, newer_beta]
    assert list(teams_for(AnonymousUser())) == []


# team_detail


def test_the_team_page_lists_its_members_by_name_and_its_open_invitations_oldest_first(lead):
    the_team = team(members=[lead])
    zed = UserFactory(display_name="Zed")
    ann_older_account = UserFactory(display_name="Ann")
    ann_newer_account = UserFactory(display_name="Ann")
    # The two Anns join in the reverse order of their accounts, so only the membership's own
    # pk puts the one who joined first first.
    the_team.memberships.create(user=zed)
    first_ann = the_team.memberships.create(user=ann_newer_account)
    second_ann = the_team.memberships.create(user=ann_older_account)
    other_team = team(name="Other", members=[researcher(display_name="Aaron")])

    newest = invitation(the_team, "newest@example.org", by=lead)
    oldest = invitation(the_team, "y-oldest@example.org", by=lead)
    tied = invitation(the_team, "x-tied@example.org", by=lead)
    now = timezone.now()
    TeamInvitation.objects.filter(pk=newest.pk).update(created_at=now - timedelta(hours=1))
    TeamInvitation.objects.filter(pk__in=[oldest.pk, tied.pk]).update(
        created_at=now - timedelta(days=2)
    )
    invitation(the_team, "ran-out@example.org", expires_in=timedelta(seconds=-1))
    invitation(the_team, "withdrawn@example.org", status="revoked")
    invitation(the_team, "accepted@example.org", status="accepted")
    invitation(other_team, "elsewhere@example.org")

    detail = team_detail(the_team)

    assert detail["team"] == the_team
    assert [m.user.display_name for m in detail["members"]] == ["Ann", "Ann", "Rhian", "Zed"]
    assert detail["members"][:2] == [first_ann, second_ann]
    assert [i.email for i in detail["open_invitations"]] == [
        "y-oldest@example.org",
        "x-tied@example.org",
        "newest@example.org",
    ]
    assert {i.invited_by for i in detail["open_invitations"]} == {lead}


# team_invitation_by_token (through the page the email links to)


def test_the_invitation_link_page_loads_the_invitation_its_team_and_inviter_at_once(
    client, lead, django_assert_num_queries
):
    the_team = team(name="Safe Homes Study", members=[lead])
    TeamInvitation.objects.create(
        team=the_team,
        email="new@example.org",
        token_hash=team_token_hash(TOKEN),
        invited_by=lead,
        expires_at=timezone.now() + timedelta(days=7),
    )
    url = f"/teams/invitations/{TOKEN}/"
    # The page shell is cached after the first visits (the first one also makes the site
    # settings, which starts the cache afresh).
    client.get(url)
    client.get(url)

    with django_assert_num_queries(1):
        response = client.get(url)

    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Join Safe Homes Study</h1>" in page
    assert "Rhian sent the invitation." in page


# advisory_request_detail


def test_the_request_page_shows_its_own_topics_languages_panel_and_history(lead):
    staff = coordinator(display_name="Cerys")
    the_team = team(members=[lead])
    housing = Topic.objects.create(name="Housing")
    welsh = Language.objects.get_or_create(code="cy", defaults={"name": "Welsh"})[0]
    draft = advisory_request(research_team=the_team, topics=[housing], languages=[welsh])
    other = advisory_request(research_team=the_team, status="submitted")
    panel(name="Standing panel")
    audit_record(actor=lead, action="advisoryrequest.create", subject=draft, to_state="draft")
    audit_record(actor=lead, action="advisoryrequest.edit", subject=draft, note="Typo fixed")
    second = audit_record(
        actor=lead,
        action="advisoryrequest.submit",
        subject=draft,
        from_state="draft",
        to_state="submitted",
    )
    first = audit_record(
        actor=staff,
        action="advisoryrequest.request_changes",
        subject=draft,
        from_state="submitted",
        to_state="changes_requested",
        note="Please add more detail.",
    )
    odd = audit_record(
        actor=staff,
        action="advisoryrequest.import",
        subject=draft,
        from_state="archived",
        to_state="on_hold",
    )
    audit_record(
        actor=lead, action="advisoryrequest.submit", subject=other, from_state="draft", to_state="x"
    )
    when = timezone.now() - timedelta(hours=1)
    type(first).objects.filter(pk__in=[first.pk, second.pk]).update(created_at=when)
    type(first).objects.filter(action="advisoryrequest.create").update(
        created_at=when - timedelta(hours=1)
    )

    detail = advisory_request_detail(draft)

    assert detail["advisory_request"] == draft
    assert detail["topics"] == [housing]
    assert detail["languages"] == [welsh]
    assert detail["panel"] is None
    history = detail["history"]
    assert [e.action for e in history] == [
        "advisoryrequest.create",
        "advisoryrequest.submit",
        "advisoryrequest.request_changes",
        "advisoryrequest.import",
    ]
    assert [e.pk for e in history[1:3]] == sorted([first.pk, second.pk])
    assert history[-1].pk == odd.pk
    assert [(e.from_label, e.to_label) for e in history] == [
        ("", "Draft"),
        ("Draft", "Waiting for a coordinator"),
        ("Waiting for a coordinator", "Changes asked for"),
        ("archived", "on_hold"),
    ]
    assert [e.actor.display_name for e in history] == ["Rhian", "Rhian", "Cerys", "Cerys"]


def test_the_request_page_names_the_panel_formed_for_it(lead):
    accepted = advisory_request(research_team=team(members=[lead]), status="accepted")
    panel(name="Standing panel")
    formed = panel(request=accepted, name="Housing panel")

    assert advisory_request_detail(accepted)["panel"] == formed


# researcher_dashboard


def test_the_dashboard_shows_each_team_its_requests_newest_first_and_seats_filled_today(lead):
    today = timezone.localdate()
    own = team(name="Own", members=[lead])
    other = team(name="Other", members=[researcher()])
    tied_first = advisory_request(research_team=own, status="accepted", title="Tied first")
    tied_second = advisory_request(research_team=own, status="accepted", title="Tied second")
    oldest = advisory_request(research_team=own, status="accepted", title="Oldest")
    newest = advisory_request(research_team=own, title="Newest")
    now = timezone.now()
    AdvisoryRequest.objects.filter(pk=newest.pk).update(created_at=now)
    AdvisoryRequest.objects.filter(pk__in=[tied_first.pk, tied_second.pk]).update(
        created_at=now - timedelta(days=1)
    )
    AdvisoryRequest.objects.filter(pk=oldest.pk).update(created_at=now - timedelta(days=2))
    theirs = advisory_request(research_team=other, status="accepted", title="Theirs")

    zeta = panel(request=tied_first, name="Zeta panel", seats=6)
    alpha = panel(request=oldest, name="Alpha panel", seats=2)
    panel(request=theirs, name="Their panel", seats=1, members=[expert()])

    def member(of_panel, started, ended=None):
        PanelMembership.objects.create(
            panel=of_panel, expert=expert(), started_on=started, ended_on=ended
        )

    member(zeta, today - timedelta(days=30))  # open-ended: counts
    member(zeta, today - timedelta(days=30), today)  # ends today: counts
    member(zeta, today - timedelta(days=30), today + timedelta(days=3))  # counts
    member(zeta, today)  # starts today: counts
    member(zeta, today + timedelta(days=1))  # not started yet
    member(zeta, today + timedelta(days=1), today + timedelta(days=9))  # not started yet
    member(zeta, today - timedelta(days=30), today - timedelta(days=1))  # ended yesterday
    member(alpha, today - timedelta(days=30), today - timedelta(days=2))  # ended

    [dashboard_team] = researcher_dashboard(lead)["teams"]

    assert dashboard_team == own
    assert [r.title for r in dashboard_team.requests.all()] == [
        "Newest",
        "Tied second",
        "Tied first",
        "Oldest",
    ]
    assert [(p.name, p.filled, p.seats) for p in dashboard_team.panel_list] == [
        ("Alpha panel", 0, 2),
        ("Zeta panel", 4, 6),
    ]


def test_a_team_without_panels_has_an_empty_panel_list(lead):
    own = team(name="Own", members=[lead])
    advisory_request(research_team=own)
    panel(request=advisory_request(research_team=team(name="Other")), name="Their panel")

    [dashboard_team] = researcher_dashboard(lead)["teams"]

    assert dashboard_team.panel_list == []


# advisory_requests_waiting and advisory_requests_for_triage


def test_the_coordinators_count_what_waits_and_how_long_the_oldest_has_waited(db):
    now = timezone.now()
    for days, status in ((5, "submitted"), (2, "submitted"), (9, "accepted"), (30, "draft")):
        advisory_request(status=status, submitted_at=now - timedelta(days=days))

    assert advisory_requests_waiting() == {"count": 2, "oldest_days": 5}


def test_nothing_waiting_has_no_age(db):
    advisory_request(status="accepted", submitted_at=timezone.now() - timedelta(days=3))

    assert advisory_requests_waiting() == {"count": 0, "oldest_days": None}


def test_triage_lists_every_sent_request_oldest_first(db, django_assert_num_queries):
    now = timezone.now()
    later = advisory_request(status="submitted", submitted_at=now - timedelta(days=1))
    tied_a = advisory_request(status="accepted", submitted_at=now - timedelta(days=3))
    tied_b = advisory_request(status="changes_requested", submitted_at=now - timedelta(days=3))
    earliest = advisory_request(status="declined", submitted_at=now - timedelta(days=6))
    advisory_request(status="draft", submitted_at=now - timedelta(days=9))

    with django_assert_num_queries(1):
        listed = [(r.pk, r.team.name) for r in advisory_requests_for_triage()]

    assert listed == [
        (earliest.pk, "Safe Homes Study"),
        (tied_a.pk, "Safe Homes Study"),
        (tied_b.pk, "Safe Homes Study"),
        (later.pk, "Safe Homes Study"),
    ]
