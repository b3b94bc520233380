"""Fair matching: each reason lifts an expert and is shown; fewer recent engagements rank
higher; people who may not be contacted never appear; the query count does not grow."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagement.models import Attendance, Invitation, Language, Panel, PanelMembership, Topic
from engagement.selectors.matching import panel_suggestions
from tests.factories import advisory_request, expert, panel, panel_session

pytestmark = pytest.mark.django_db

ONLINE = {"needs": [], "interpreter_language": "", "meeting_format": "online", "other": ""}
IN_PERSON = {**ONLINE, "meeting_format": "in_person"}


@pytest.fixture
def housing():
    return Topic.objects.create(name="Housing")


@pytest.fixture
def work():
    return Topic.objects.create(name="Work")


@pytest.fixture
def polish():
    return Language.objects.get_or_create(code="pl", defaults={"name": "Polish"})[0]


def request_panel(**request_fields):
    return panel(request=advisory_request(status="accepted", **request_fields))


def plain(**fields):
    """An expert who matches nothing in particular: no topics or languages, no hours given."""
    defaults = {"region": "wales", "hours_per_month": None, "access_needs": IN_PERSON}
    return expert(**{**defaults, **fields})


def ranked(the_panel, **kwargs) -> list[str]:
    return [s.reference for s in panel_suggestions(the_panel, **kwargs)]


def reasons_of(the_panel, profile) -> list[str]:
    return next(s.reasons for s in panel_suggestions(the_panel) if s.expert_id == profile.pk)


def test_shared_topics_rank_higher_and_are_named(housing, work):
    the_panel = request_panel(topics=[housing, work])
    both = plain(topics=[work, housing])
    one = plain(topics=[housing])
    none = plain()

    assert ranked(the_panel) == [both.reference, one.reference, none.reference]
    assert reasons_of(the_panel, both)[0] == "Topics: Housing, Work"
    assert reasons_of(the_panel, one)[0] == "Topics: Housing"
    assert not any(r.startswith("Topics") for r in reasons_of(the_panel, none))


def test_a_shared_language_ranks_higher_and_is_named(polish):
    the_panel = request_panel(languages=[polish])
    speaker = plain(languages=[polish])
    other = plain()

    assert ranked(the_panel) == [speaker.reference, other.reference]
    assert "Speaks Polish" in reasons_of(the_panel, speaker)
    assert not any(r.startswith("Speaks") for r in reasons_of(the_panel, other))


def test_the_panel_region_ranks_higher():
    the_panel = request_panel(format="in_person", place="Cardiff")
    the_panel.region = "wales"
    the_panel.save()
    local = plain()
    far = plain(region="london")

    assert ranked(the_panel) == [local.reference, far.reference]
    assert "Lives in the panel's region" in reasons_of(the_panel, local)
    assert "Lives in the panel's region" not in reasons_of(the_panel, far)


def test_a_format_that_suits_their_access_needs_ranks_higher():
    the_panel = request_panel(format="online")
    suits = plain(access_needs=ONLINE)
    no_preference = plain(access_needs={**ONLINE, "meeting_format": "no_preference"})
    does_not = plain()

    order = ranked(the_panel)
    assert order.index(does_not.reference) == 2
    assert "The format suits them" in reasons_of(the_panel, suits)
    assert "The format suits them" in reasons_of(the_panel, no_preference)
    assert "The format suits them" not in reasons_of(the_panel, does_not)


def test_either_format_suits_everyone():
    the_panel = request_panel(format="either")
    person = plain()

    assert "The format suits them" in reasons_of(the_panel, person)


def test_the_format_lifts_someone_into_a_short_list(housing, work):
    """Passports are read only near the top, yet one whose format suits still climbs there:
    5 before the format (both topics) loses to 4.5 + 1 (one topic, hours, online)."""
    the_panel = request_panel(topics=[housing, work], format="online")
    both_topics = plain(topics=[housing, work])
    suited = plain(topics=[housing], hours_per_month=8, access_needs=ONLINE)

    assert ranked(the_panel, limit=1) == [suited.reference]
    assert ranked(the_panel) == [suited.reference, both_topics.reference]


def test_spare_capacity_this_month_ranks_higher():
    the_panel = request_panel(prep_hours="1.0", session_hours="2.0")
    free = plain(hours_per_month=8)
    booked = plain(hours_per_month=8)
    # Booked for 6 hours this month on another panel, joined long ago (not a recent
    # engagement): 2 hours left is less than the 3 asked.
    other = panel(name="Other panel")
    PanelMembership.objects.create(
        panel=other, expert=booked, started_on=timezone.localdate() - timedelta(days=800)
    )
    month_start = timezone.localtime().replace(day=1, hour=12, minute=0)
    panel_session(of_panel=other, days_ahead=0, starts_at=month_start, duration_minutes=300)
    no_hours = plain()

    assert ranked(the_panel) == [free.reference, booked.reference, no_hours.reference]
    assert "8 hours free this month" in reasons_of(the_panel, free)
    assert not any("free this month" in r for r in reasons_of(the_panel, booked))
    assert not any("free this month" in r for r in reasons_of(the_panel, no_hours))


def test_fewer_recent_paid_engagements_rank_higher():
    the_panel = request_panel()
    newcomer = plain()
    busy = plain()
    busier = plain()
    other = panel(name="Other panel", members=[busy, busier])
    session = panel_session(of_panel=other, days_ahead=-30)
    Attendance.objects.create(session=session, expert=busier, attended=True)
    # Work more than a year ago does not count against anyone.
    old = panel(name="Old panel")
    PanelMembership.objects.create(
        panel=old, expert=newcomer, started_on=timezone.localdate() - timedelta(days=400)
    )

    assert ranked(the_panel) == [newcomer.reference, busy.reference, busier.reference]
    assert "No paid engagements in the last 12 months" in reasons_of(the_panel, newcomer)
    assert "1 paid engagement in the last 12 months" in reasons_of(the_panel, busy)
    assert "2 paid engagements in the last 12 months" in reasons_of(the_panel, busier)


def test_fairness_outweighs_a_little_extra_fit(housing, work):
    """Sharing work is part of the score, not a tie-break: a newcomer with one of two topics
    ranks above a person with both topics who has had five engagements this year."""
    the_panel = request_panel(topics=[housing, work])
    newcomer = plain(topics=[housing])
    regular = plain(topics=[housing, work])
    for n in range(5):
        other = panel(name=f"Panel {n}")
        PanelMembership.objects.create(
            panel=other, expert=regular, started_on=timezone.localdate() - timedelta(days=10)
        )

    assert ranked(the_panel) == [newcomer.reference, regular.reference]


def test_who_may_not_be_contacted_never_appears():
    the_panel = request_panel()
    eligible = plain()
    plain(status="paused")
    plain(status="applied")
    plain(status="left")
    plain(paused_until=timezone.localdate() + timedelta(days=3))
    plain(consents={"data_processing": True, "contact": False})
    member = plain()
    PanelMembership.objects.create(
        panel=the_panel, expert=member, started_on=timezone.localdate() - timedelta(days=800)
    )
    for status in ("pending", "declined"):
        invited = plain()
        Invitation.objects.create(panel=the_panel, expert=invited, status=status)

    assert ranked(the_panel) == [eligible.reference]


def test_a_past_member_may_be_suggested_again():
    the_panel = request_panel()
    former = plain()
    PanelMembership.objects.create(
        panel=the_panel,
        expert=former,
        started_on=timezone.localdate() - timedelta(days=800),
        ended_on=timezone.localdate() - timedelta(days=500),
    )

    assert ranked(the_panel) == [former.reference]


def test_a_standing_panel_ranks_by_region_capacity_and_fairness():
    the_panel = panel(name="Standing panel")
    the_panel.region = "wales"
    the_panel.save()
    local_free = plain(hours_per_month=4)
    local = plain()

    suggestions = panel_suggestions(the_panel)
    assert [s.reference for s in suggestions] == [local_free.reference, local.reference]
    assert suggestions[0].reasons == [
        "Lives in the panel's region",
        "4 hours free this month",
        "No paid engagements in the last 12 months",
    ]


@pytest.mark.parametrize("size", [5, 50])
def test_ranking_makes_the_same_queries_at_any_size(size, housing, polish):
    the_panel = request_panel(topics=[housing], languages=[polish], format="online")
    for n in range(size):
        expert(topics=[housing], languages=[polish] if n % 2 else [])

    with CaptureQueriesContext(connection) as ctx:
        suggestions = panel_suggestions(Panel.objects.get(pk=the_panel.pk))

    assert len(suggestions) == min(size, 25)
    # The panel, its request, the request's topics and languages (4), candidates, shared
    # topic and language counts (2), recent engagements (2), booked hours, passports, and the
    # names, topics and languages of those shown (3).
    assert len(ctx.captured_queries) == 14
