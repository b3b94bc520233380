"""What the invitation selectors return: the invitation a link or a dashboard entry is for,
whether it can still be answered, everything its offer tells the expert, and the lists of
open and panel invitations, in their order."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.models import Page

from cms.models import StandardPage
from engagement.models import Invitation, PanelSession
from engagement.selectors.invitations import (
    invitation_by_token,
    invitation_for_expert,
    invitation_is_open,
    invitation_offer,
    invitations_open_for,
    panel_invitations,
)
from payments.eligibility import Benefits, RightToWork
from tests.factories import UserFactory, advisory_request, expert, panel, panel_session


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation(of_panel, profile, *, status="sent", token=None, expires_in=timedelta(days=7), **f):
    now = timezone.now()
    sent = status not in {"pending"}
    return Invitation.objects.create(
        panel=of_panel,
        expert=profile,
        status=status,
        token_hash=digest(token or f"{of_panel.pk}-{profile.pk}") if sent else None,
        sent_at=now if sent else None,
        expires_at=now + expires_in if sent else None,
        **f,
    )


@pytest.fixture
def the_panel(db):
    request = advisory_request(status="accepted", content_notes="Talks about housing loss.")
    return panel(request=request, name="Housing panel", seats=3)


# invitation_by_token


def test_a_link_finds_its_invitation_with_its_panel_request_and_expert_in_one_query(
    the_panel, django_assert_num_queries
):
    profile = expert()
    sent = invitation(the_panel, profile, token="the-token")
    invitation(panel(name="Other panel"), profile, token="another-token")

    with django_assert_num_queries(1):
        found = invitation_by_token("the-token")
        shown = (found.panel.request.title, found.expert.user.display_name)

    assert found == sent
    assert shown == ("How people find safe housing", profile.user.display_name)
    assert invitation_by_token("no-such-token") is None


# invitation_for_expert


def test_an_expert_opens_only_their_own_answerable_invitation(the_panel, django_assert_num_queries):
    profile = expert()
    first = invitation(panel(name="First panel"), profile)
    second = invitation(the_panel, profile, status="declined")
    waiting = invitation(panel(name="Waitlist panel"), profile, status="pending")
    theirs = invitation(the_panel, expert())

    with django_assert_num_queries(1):
        found = invitation_for_expert(pk=second.pk, user=profile.user)
        shown = (found.panel.request.title, found.expert.user.display_name)

    assert found == second
    assert shown == ("How people find safe housing", profile.user.display_name)
    assert invitation_for_expert(pk=first.pk, user=profile.user) == first
    assert invitation_for_expert(pk=waiting.pk, user=profile.user) is None
    assert invitation_for_expert(pk=theirs.pk, user=profile.user) is None


# invitation_is_open


def test_an_invitation_is_open_while_sent_and_before_its_expiry(the_panel, clock):
    sent = invitation(the_panel, expert())
    answered = invitation(the_panel, expert(), status="accepted")

    assert invitation_is_open(sent) is True
    assert invitation_is_open(answered) is False
    sent.expires_at = clock.now
    assert invitation_is_open(sent) is False
    sent.expires_at = clock.now + timedelta(seconds=1)
    assert invitation_is_open(sent) is True


# invitation_offer


def add_how_we_pay(*, live=True):
    home = Page.objects.get(depth=2)
    return home.add_child(instance=StandardPage(title="How we pay", slug="how-we-pay", live=live))


def test_the_offer_shows_the_next_five_sessions_their_support_notes_and_how_we_pay(the_panel):
    profile = expert(right_to_work=RightToWork.NO, means_tested_benefits=Benefits.YES)
    offered = invitation(the_panel, profile)
    add_how_we_pay()
    sessions = [
        panel_session(of_panel=the_panel, days_ahead=days, access_support=support)
        for days, support in [
            (9, ["bsl"]),
            (3, ["captions", "breaks"]),
            (6, ["quiet_room", "captions"]),
            (4, []),
            (12, ["breaks"]),
            (20, ["interpreter"]),
        ]
    ]
    panel_session(of_panel=the_panel, days_ahead=1, status=PanelSession.Status.CANCELLED)
    panel_session(of_panel=the_panel, days_ahead=-1, access_support=["easy_read"])
    panel_session(of_panel=panel(name="Other panel"), days_ahead=2, access_support=["bsl"])

    offer = invitation_offer(offered)

    by_date = sorted(sessions, key=lambda s: s.starts_at)
    assert offer == {
        "invitation": offered,
        "panel": the_panel,
        "advisory_request": the_panel.request,
        "sessions": by_date[:5],
        "access_support": [
            "Live captions",
            "Regular breaks",
            "A quiet room",
            "British Sign Language interpreter",
        ],
        "content_notes": "Talks about housing loss.",
        "how_we_pay_url": "/how-we-pay/",
        "expenses_only": True,
        "benefits_signposting": True,
    }


def test_support_the_offer_does_not_know_is_shown_as_written_once(the_panel):
    offered = invitation(the_panel, expert())
    panel_session(of_panel=the_panel, days_ahead=3, access_support=["a hearing loop", "breaks"])
    panel_session(of_panel=the_panel, days_ahead=4, access_support=["a hearing loop"])

    assert invitation_offer(offered)["access_support"] == ["a hearing loop", "Regular breaks"]


def test_a_standing_panel_offer_has_no_content_notes_and_no_pay_page_without_one(db):
    standing = panel(name="Standing panel")
    offered = invitation(standing, expert())
    add_how_we_pay(live=False)

    offer = invitation_offer(offered)

    assert offer["advisory_request"] is None
    assert offer["content_notes"] == ""
    assert offer["how_we_pay_url"] == ""
    assert offer["sessions"] == []
    assert offer["access_support"] == []
    assert offer["expenses_only"] is False
    assert offer["benefits_signposting"] is False


# invitations_open_for and panel_invitations


def test_the_dashboard_lists_an_experts_open_invitations_soonest_to_expire_first(db):
    profile = expert()
    later = invitation(panel(name="A"), profile, expires_in=timedelta(days=6))
    tied_first = invitation(panel(name="B"), profile, expires_in=timedelta(days=2))
    tied_second = invitation(panel(name="C"), profile)
    soonest = invitation(panel(name="D"), profile, expires_in=timedelta(days=1))
    Invitation.objects.filter(pk=tied_second.pk).update(expires_at=tied_first.expires_at)
    invitation(panel(name="E"), profile, expires_in=timedelta(seconds=-1))
    invitation(panel(name="F"), profile, status="accepted")
    invitation(panel(name="G"), profile, status="pending")
    invitation(panel(name="H"), expert())

    listed = invitations_open_for(profile)

    assert listed == [soonest, tied_first, tied_second, later]
    assert [i.panel.name for i in listed] == ["D", "B", "C", "A"]


def test_the_dashboard_list_loads_each_invitations_panel_with_it(db, django_assert_num_queries):
    profile = expert()
    for name in ("A", "B", "C"):
        invitation(panel(name=name), profile)

    with django_assert_num_queries(1):
        names = [i.panel.name for i in invitations_open_for(profile)]

    assert names == ["A", "B", "C"]


def test_the_panel_page_lists_invitations_by_position_then_age_with_their_experts(
    the_panel, django_assert_num_queries
):
    profiles = [
        expert(user=UserFactory(display_name=name)) for name in ("Ann", "Bea", "Cai", "Dee")
    ]
    invitation(the_panel, profiles[0], position=2)
    invitation(the_panel, profiles[1], status="pending", position=1)
    invitation(the_panel, profiles[2], position=0)
    invitation(the_panel, profiles[3], status="declined", position=1)
    invitation(panel(name="Other panel"), expert(user=UserFactory(display_name="Eve")), position=0)

    with django_assert_num_queries(1):
        names = [i.expert.user.display_name for i in panel_invitations(the_panel)]

    assert names == ["Cai", "Bea", "Dee", "Ann"]
