"""Fair matching, value for value: each reason's exact weight in the score, the edges of free
hours (this month's scheduled sessions only, from the first midnight of the month), what counts
as a paid engagement, and the passports read batch by batch: someone further down is read when
they could still climb into the list, and never when they could not."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagement.models import Attendance, Invitation, Language, PanelMembership, Topic
from engagement.selectors.matching import panel_suggestions
from tests.factories import advisory_request, expert, panel, panel_session

pytestmark = pytest.mark.django_db

ONLINE = {"needs": [], "interpreter_language": "", "meeting_format": "online", "other": ""}
IN_PERSON = {**ONLINE, "meeting_format": "in_person"}
NO_PREFERENCE = {**ONLINE, "meeting_format": "no_preference"}


def plain(**fields):
    defaults = {"region": "london", "hours_per_month": None, "access_needs": IN_PERSON}
    return expert(**{**defaults, **fields})


def request_panel(region="", **request_fields):
    the_panel = panel(request=advisory_request(status="accepted", **request_fields))
    the_panel.region = region
    the_panel.save()
    return the_panel


def standing_panel(region="wales"):
    the_panel = panel(name="Standing panel")
    the_panel.region = region
    the_panel.save()
    return the_panel


def by_reference(the_panel, **kwargs) -> dict:
    return {s.reference: s for s in panel_suggestions(the_panel, **kwargs)}


def engaged(profile, days_ago=10):
    """One paid engagement: joined another panel `days_ago` days ago."""
    PanelMembership.objects.create(
        panel=panel(name=f"Earlier panel {profile.pk}-{days_ago}"),
        expert=profile,
        started_on=timezone.localdate() - datetime.timedelta(days=days_ago),
    )


def test_each_reason_adds_its_exact_weight():
    housing = Topic.objects.create(name="Housing")
    work = Topic.objects.create(name="Work")
    polish = Language.objects.get_or_create(code="pl", defaults={"name": "Polish"})[0]
    the_panel = request_panel(
        region="wales", topics=[housing, work], languages=[polish], format="online"
    )
    every = plain(
        topics=[work, housing],
        languages=[polish],
        region="wales",
        hours_per_month=8,
        access_needs=ONLINE,
    )
    every.user.display_name = "Kit"
    every.user.save()
    engaged(every)
    one_topic = plain(topics=[housing])
    bare = plain()

    shown = panel_suggestions(the_panel)

    assert [
        (s.reference, s.score, s.recent_engagements, s.topics, s.languages, s.same_region)
        for s in shown
    ] == [
        # 3 (both topics) + 1 (language) + 1 (region) + 1 (hours) + 1 (format) + 2 / (1 + 1)
        (every.reference, 8.0, 1, ["Housing", "Work"], ["Polish"], True),
        # 3 x 1/2 + 2
        (one_topic.reference, 3.5, 0, ["Housing"], [], False),
        (bare.reference, 2.0, 0, [], [], False),
    ]
    assert (shown[0].display_name, shown[0].spare_hours, shown[0].format_suits) == (
        "Kit",
        Decimal(8),
        True,
    )
    assert (shown[2].spare_hours, shown[2].format_suits) == (None, False)
    assert shown[0].reasons == [
        "Topics: Housing, Work",
        "Speaks Polish",
        "Lives in the panel's region",
        "The format suits them",
        "8 hours free this month",
        "1 paid engagement in the last 12 months",
    ]


def test_fairness_halves_thirds_and_quarters():
    the_panel = request_panel(format="")
    people = [plain() for _ in range(4)]
    for n, person in enumerate(people):
        for day in range(n):
            engaged(person, days_ago=10 + day)

    scores = {s.expert_id: (s.score, s.recent_engagements) for s in panel_suggestions(the_panel)}

    assert [scores[p.pk] for p in people] == [(2.0, 0), (1.0, 1), (2 / 3, 2), (0.5, 3)]


def test_free_hours_equal_to_the_hours_asked_are_enough():
    the_panel = request_panel(prep_hours="1.0", session_hours="2.0", format="")
    exactly = plain(hours_per_month=3)
    short = plain(hours_per_month=2)

    found = by_reference(the_panel)

    assert "3 hours free this month" in found[exactly.reference].reasons
    assert found[exactly.reference].score == 3.0
    assert found[short.reference].spare_hours is None
    assert found[short.reference].score == 2.0


def test_a_standing_panel_asks_for_no_hours_and_no_format():
    the_panel = standing_panel()
    no_preference = plain(access_needs=NO_PREFERENCE, hours_per_month=None)
    one_hour = plain(hours_per_month=1)
    none_left = plain(hours_per_month=0)
    half_hour = plain(hours_per_month=1)
    # Half an hour booked this month (20 minutes and 10 of preparation): half an hour left.
    booked_on = panel(name="Booked panel")
    PanelMembership.objects.create(
        panel=booked_on,
        expert=half_hour,
        started_on=timezone.localdate() - datetime.timedelta(days=800),
    )
    panel_session(
        of_panel=booked_on,
        starts_at=month_start(),
        duration_minutes=20,
        prep_minutes=10,
    )

    found = by_reference(the_panel)

    assert found[no_preference.reference].reasons == ["No paid engagements in the last 12 months"]
    assert found[one_hour.reference].reasons == [
        "1 hours free this month",
        "No paid engagements in the last 12 months",
    ]
    assert found[none_left.reference].reasons == ["No paid engagements in the last 12 months"]
    assert found[half_hour.reference].reasons == [
        "0.5 hours free this month",
        "No paid engagements in the last 12 months",
    ]
    assert [found[p.reference].score for p in (no_preference, one_hour, none_left)] == [
        2.0,
        3.0,
        2.0,
    ]


def month_start(months_ahead=0) -> datetime.datetime:
    """Midnight, local time, on the first of this month (or a later one)."""
    start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    for _ in range(months_ahead):
        start = (start + datetime.timedelta(days=32)).replace(day=1)
    return timezone.make_aware(start.replace(tzinfo=None))


def test_booked_hours_are_this_months_scheduled_sessions_from_the_first_midnight():
    the_panel = request_panel(prep_hours="1.0", session_hours="2.0", format="")
    person = plain(hours_per_month=8)
    other = panel(name="Other panel")
    PanelMembership.objects.create(
        panel=other, expert=person, started_on=timezone.localdate() - datetime.timedelta(days=800)
    )
    # Counted: an hour and a half, at midnight on the first of this month.
    panel_session(of_panel=other, starts_at=month_start(), duration_minutes=60, prep_minutes=30)
    # Not counted: cancelled, in the month before, or in the month after.
    panel_session(
        of_panel=other,
        starts_at=month_start() + datetime.timedelta(days=2),
        duration_minutes=120,
        status="cancelled",
    )
    panel_session(
        of_panel=other,
        starts_at=month_start() - datetime.timedelta(minutes=1),
        duration_minutes=120,
    )
    panel_session(of_panel=other, starts_at=month_start(1), duration_minutes=120)

    (suggestion,) = panel_suggestions(the_panel)

    assert suggestion.spare_hours == Decimal("6.5")
    assert "6.5 hours free this month" in suggestion.reasons


def test_only_sessions_taken_part_in_this_year_count_as_paid_engagements():
    the_panel = request_panel(format="")
    missed = plain()
    long_ago = plain()
    other = panel(name="Other panel")
    recent_session = panel_session(of_panel=other, days_ahead=-20)
    old_session = panel_session(of_panel=other, days_ahead=-400, title="Old meeting")
    Attendance.objects.create(session=recent_session, expert=missed, attended=False)
    Attendance.objects.create(session=old_session, expert=long_ago, attended=True)

    found = by_reference(the_panel)

    for person in (missed, long_ago):
        assert found[person.reference].recent_engagements == 0
        assert "No paid engagements in the last 12 months" in found[person.reference].reasons


def test_a_passport_without_a_meeting_format_suits_any_format():
    the_panel = request_panel(format="online")
    empty = plain(access_needs={})
    blank = plain(access_needs={**IN_PERSON, "meeting_format": ""})

    found = by_reference(the_panel)

    for person in (empty, blank):
        assert found[person.reference].format_suits is True
        assert found[person.reference].score == 3.0


def passport_reads(ctx) -> int:
    return sum('"access_needs"' in q["sql"] for q in ctx.captured_queries)


def test_passports_further_down_are_read_only_when_they_could_still_climb():
    """101 candidates: the first 100 passports are read together. The last (who joined first,
    so wins a tie) scores 2 before the format and 3 with it: enough to tie for second place,
    never enough for first."""
    the_panel = request_panel(region="wales", format="online")
    climber = plain(hours_per_month=None, access_needs=ONLINE)  # 2, and 3 with the format
    middle = [plain(hours_per_month=8) for _ in range(99)]  # 1 (hours) + 2
    top = plain(hours_per_month=8, region="wales")  # 1 (hours) + 1 (region) + 2

    with CaptureQueriesContext(connection) as ctx:
        first = panel_suggestions(the_panel, limit=1)
    assert [s.reference for s in first] == [top.reference]
    assert passport_reads(ctx) == 1

    with CaptureQueriesContext(connection) as ctx:
        two = panel_suggestions(the_panel, limit=2)
    assert [(s.reference, s.score) for s in two] == [(top.reference, 4.0), (climber.reference, 3.0)]
    assert passport_reads(ctx) == 2

    # A longer list reads passports in batches of twice its length, 100 at the least.
    with CaptureQueriesContext(connection) as ctx:
        forty = panel_suggestions(the_panel, limit=40)
    # Each person once: the top, the climber (first to join of those on 3), then by joining.
    assert [s.reference for s in forty] == [
        top.reference,
        climber.reference,
        *[m.reference for m in middle[:38]],
    ]
    assert passport_reads(ctx) == 2
    with CaptureQueriesContext(connection) as ctx:
        everyone = panel_suggestions(the_panel, limit=300)
    assert len(everyone) == 101
    assert passport_reads(ctx) == 1

    # Exactly one batch of candidates: read once, nothing after it.
    Invitation.objects.create(panel=the_panel, expert=middle[0], status="pending")
    with CaptureQueriesContext(connection) as ctx:
        two = panel_suggestions(the_panel, limit=2)
    assert [s.reference for s in two] == [top.reference, climber.reference]
    assert passport_reads(ctx) == 1
