"""The funding-call reads at their edges: when a call counts as open, opening later or closed
(to the second), the public list's groups and order, the published group weights, a call
page's contents, and a research team's own proposals and nobody else's."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from engagement.models import FundingCall
from engagement.selectors import calls as sel
from tests.factories import funding_call, panel, proposal, researcher, scoring_round, team

pytestmark = pytest.mark.django_db

NOW = timezone.now()
DAY = datetime.timedelta(days=1)


def call_at(status, opens_at, closes_at):
    return FundingCall(status=status, opens_at=opens_at, closes_at=closes_at)


# When a call is open


@pytest.mark.parametrize(
    ("opens_at", "closes_at", "state"),
    [
        (NOW, NOW + DAY, "open"),  # opens this very moment
        (NOW - DAY, NOW + datetime.timedelta(seconds=1), "open"),
        (NOW - DAY, NOW, "closed"),  # closes this very moment
        (NOW + datetime.timedelta(seconds=1), NOW + DAY, "upcoming"),
    ],
)
def test_an_open_call_is_open_from_its_opening_moment_until_its_closing_moment(
    opens_at, closes_at, state
):
    assert sel.call_state(call_at("open", opens_at, closes_at), NOW) == state


@pytest.mark.parametrize("status", ["closed", "draft"])
def test_a_call_not_marked_open_is_closed_whatever_its_dates(status):
    assert sel.call_state(call_at(status, NOW - DAY, NOW + DAY), NOW) == "closed"
    assert sel.call_state(call_at(status, NOW + DAY, NOW + 2 * DAY), NOW) == "closed"


def test_without_a_time_given_a_call_is_judged_at_the_present_moment():
    assert sel.call_state(call_at("open", NOW - DAY, NOW + DAY)) == "open"
    assert sel.call_state(call_at("open", NOW - 2 * DAY, NOW - DAY)) == "closed"
    assert sel.call_state(call_at("open", NOW + DAY, NOW + 2 * DAY)) == "upcoming"


# The public list


def test_the_public_list_groups_calls_and_orders_each_group_as_people_read_it():
    def make(status, opens_in, closes_in):
        return funding_call(
            status=status, opens_at=NOW + opens_in * DAY, closes_at=NOW + closes_in * DAY
        )

    open_later_close = make("open", -5, 20)
    open_soon_close = make("open", -1, 3)
    upcoming_later = make("open", 10, 40)
    upcoming_soon = make("open", 2, 50)
    closed_long_ago = make("closed", -60, -30)
    closed_by_hand = make("closed", -5, 10)
    ended = make("open", -40, -2)
    make("draft", -1, 30)

    groups = sel.calls_public_grouped()

    assert groups == {
        "open": [open_soon_close, open_later_close],
        "upcoming": [upcoming_soon, upcoming_later],
        "closed": [closed_by_hand, ended, closed_long_ago],
    }


def test_the_public_list_is_one_query_and_never_shows_a_draft(django_assert_num_queries):
    funding_call(status="draft")
    for _ in range(3):
        funding_call(status="open", co_design_panel=panel())

    with django_assert_num_queries(1):
        groups = sel.calls_public_grouped()
        names = [call.co_design_panel.name for call in groups["open"]]

    assert len(names) == 3
    assert groups["upcoming"] == groups["closed"] == []


# Group weights as published


def test_each_groups_weight_is_published_with_its_share_of_the_whole_rounded():
    the_round = scoring_round(
        call=funding_call(status="open"),
        lived_weight=Decimal("2"),
        academic_weight=Decimal("1"),
        staff_weight=Decimal("0"),
    )

    published = sel.group_weights_published(the_round)

    assert [(w.group, str(w.label), w.weight, w.percent) for w in published] == [
        ("lived_experience", "experts with lived experience", Decimal("2"), 67),
        ("academic", "academic reviewers", Decimal("1"), 33),
        ("staff", "staff reviewers", Decimal("0"), 0),
    ]


def test_with_every_weight_at_nothing_each_share_is_nothing():
    the_round = scoring_round(
        call=funding_call(status="open"), lived_weight=0, academic_weight=0, staff_weight=0
    )

    assert [w.percent for w in sel.group_weights_published(the_round)] == [0, 0, 0]


# A call's page


def test_a_call_page_has_its_state_round_criteria_in_order_and_group_weights(
    django_assert_num_queries,
):
    call = funding_call(status="open", co_design_panel=panel())
    the_round = scoring_round(call=call, criteria=(("Method", "1"), ("Relevance", "2")))

    with django_assert_num_queries(3):
        detail = sel.call_public_detail(call.slug)
        descriptors = [
            [d.text for d in criterion.descriptors.all()] for criterion in detail["criteria"]
        ]
        assert detail["call"].co_design_panel == call.co_design_panel

    assert (detail["call"], detail["state"], detail["round"]) == (call, "open", the_round)
    assert [c.name for c in detail["criteria"]] == ["Method", "Relevance"]
    assert descriptors[0][0] == "Method: 1"
    assert [w.group for w in detail["group_weights"]] == [
        "lived_experience",
        "academic",
        "staff",
    ]


def test_a_call_without_a_round_has_a_page_without_criteria_or_weights():
    call = funding_call(status="closed")

    detail = sel.call_public_detail(call.slug)

    assert (detail["call"], detail["state"], detail["round"]) == (call, "closed", None)
    assert detail["criteria"] == detail["group_weights"] == []


def test_a_draft_or_unknown_call_has_no_page_and_takes_no_applicants():
    draft = funding_call(status="draft")
    public = funding_call(status="open")

    assert sel.call_public_detail(draft.slug) is None
    assert sel.call_public_detail("no-such-call") is None
    assert sel.call_for_applicants(draft.slug) is None
    assert sel.call_for_applicants("no-such-call") is None
    assert sel.call_for_applicants(public.slug) == public


# A team's own proposals


def test_a_visitor_who_is_not_signed_in_has_no_teams():
    assert sel.teams_of(AnonymousUser()) == []


def test_a_researchers_teams_are_theirs_only_in_name_order():
    person = researcher()
    zebra = team(members=[person], name="Zebra Study")
    alpha = team(members=[person], name="Alpha Study")
    team(members=[researcher()], name="Beta Study")

    assert sel.teams_of(person) == [alpha, zebra]


def test_a_teams_proposals_to_a_call_are_theirs_only_newest_first():
    mine = team(members=[researcher()], name="Mine")
    theirs = team(members=[researcher()], name="Theirs")
    call = funding_call(status="open")
    other_call = funding_call(status="open")
    # Made in the other order (an import keeps the time it was submitted elsewhere).
    newer = proposal(call=call, research_team=mine, submitted_at=NOW - DAY)
    older = proposal(call=call, research_team=mine, submitted_at=NOW - 2 * DAY)
    proposal(call=call, research_team=theirs)
    proposal(call=other_call, research_team=mine)

    assert sel.proposals_of_teams(call=call, teams=[mine]) == [newer, older]
    assert sel.proposal_of_teams(call=call, teams=[mine], pk=older.pk) == older
    for pk in (
        call.proposals.get(team=theirs).pk,
        other_call.proposals.get().pk,
    ):
        assert sel.proposal_of_teams(call=call, teams=[mine], pk=pk) is None


def test_one_of_a_teams_proposals_comes_with_its_team_in_one_query(django_assert_num_queries):
    mine = team(members=[researcher()], name="Mine")
    call = funding_call(status="open")
    made = proposal(call=call, research_team=mine)

    with django_assert_num_queries(1):
        found = sel.proposal_of_teams(call=call, teams=[mine], pk=made.pk)
        assert found.team.name == "Mine"
