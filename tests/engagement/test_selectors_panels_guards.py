"""What the panel selectors return: a panel's coordinators, current and past members and the
chair's suggestions; the panels a person chairs today; and the panels a coordinator runs
that still want experts."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from engagement.models import PanelMembership, PanelSuggestion
from engagement.selectors.panels import (
    panel_detail,
    panels_chaired_by,
    panels_with_open_seats,
)
from tests.factories import UserFactory, coordinator, expert, panel


def named(name):
    return expert(user=UserFactory(display_name=name))


def join(of_panel, profile, *, started, ended=None, role=PanelMembership.Role.MEMBER):
    return PanelMembership.objects.create(
        panel=of_panel, expert=profile, started_on=started, ended_on=ended, role=role
    )


@pytest.fixture
def today(db):
    return timezone.localdate()


# panel_detail


def test_the_panel_page_splits_members_into_current_and_past_and_lists_suggestions_newest_first(
    today, django_assert_num_queries
):
    the_panel = panel(
        coordinators=[coordinator(display_name="Zoe"), coordinator(display_name="Alun")]
    )
    long_ago = today - timedelta(days=60)
    current = join(the_panel, named("Bea"), started=long_ago)
    ends_today = join(the_panel, named("Ann"), started=long_ago, ended=today)
    ended = join(the_panel, named("Cai"), started=long_ago, ended=today - timedelta(days=1))
    not_yet = join(the_panel, named("Dee"), started=today + timedelta(days=1))
    join(panel(name="Other panel"), named("Aaron"), started=long_ago)

    chair = UserFactory(display_name="Chair")
    # Made out of the order of their times: the time decides, then the newer pk.
    tied_first, tied_second, newest, old = (
        PanelSuggestion.objects.create(panel=the_panel, suggested_by=chair, text=text)
        for text in ("Tied first", "Tied second", "Newest", "Old")
    )
    now = timezone.now()
    PanelSuggestion.objects.filter(pk=newest.pk).update(created_at=now)
    PanelSuggestion.objects.filter(pk__in=[tied_first.pk, tied_second.pk]).update(
        created_at=now - timedelta(days=1)
    )
    PanelSuggestion.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=2))
    PanelSuggestion.objects.create(panel=panel(name="Other"), suggested_by=chair, text="Theirs")

    with django_assert_num_queries(4):
        detail = panel_detail(the_panel)
        shown = (
            [m.expert.user.display_name for m in detail["current_members"]],
            [m.expert.user.display_name for m in detail["past_members"]],
            [(s.text, s.suggested_by.display_name) for s in detail["chair_suggestions"]],
        )

    assert detail["panel"] == the_panel
    assert [c.display_name for c in detail["coordinators"]] == ["Alun", "Zoe"]
    assert detail["current_members"] == [ends_today, current]
    assert detail["past_members"] == [ended, not_yet]
    assert shown == (
        ["Ann", "Bea"],
        ["Cai", "Dee"],
        [("Newest", "Chair"), ("Tied second", "Chair"), ("Tied first", "Chair"), ("Old", "Chair")],
    )


def test_members_with_the_same_name_are_listed_in_the_order_they_joined(today):
    the_panel = panel()
    older_profile, newer_profile = named("Sam"), named("Sam")
    # They join in the reverse order of their profiles: only the membership's own pk decides.
    first = join(the_panel, newer_profile, started=today)
    second = join(the_panel, older_profile, started=today)

    assert panel_detail(the_panel)["current_members"] == [first, second]


# panels_chaired_by


def test_a_person_chairs_only_the_panels_where_they_are_chair_today(today):
    profile = named("Chair")
    long_ago = today - timedelta(days=60)
    chair = PanelMembership.Role.CHAIR
    zeta, alpha = panel(name="Zeta"), panel(name="Alpha")
    join(zeta, profile, started=long_ago, role=chair)
    join(alpha, profile, started=today, ended=today, role=chair)
    join(panel(name="Member only"), profile, started=long_ago)
    join(
        panel(name="Chaired before"),
        profile,
        started=long_ago,
        ended=today - timedelta(1),
        role=chair,
    )
    join(panel(name="Chair later"), profile, started=today + timedelta(days=1), role=chair)
    join(panel(name="Someone else chairs"), named("Other"), started=long_ago, role=chair)

    assert list(panels_chaired_by(profile.user)) == [alpha, zeta]
    assert list(panels_chaired_by(AnonymousUser())) == []


# panels_with_open_seats


def test_the_coordinator_sees_their_panels_with_fewer_members_today_than_seats(today):
    staff = coordinator()
    long_ago = today - timedelta(days=60)

    def members(of_panel, *spans):
        for started, ended in spans:
            join(of_panel, expert(), started=started, ended=ended)

    one_seat = panel(coordinators=[staff], seats=1, name="One seat")
    counted = panel(coordinators=[staff], seats=5, name="Counted")
    members(
        counted,
        (long_ago, None),  # counts
        (long_ago, today),  # counts
        (today, None),  # counts
        (today + timedelta(days=1), None),  # not yet
        (long_ago, today - timedelta(days=1)),  # ended
    )
    full = panel(coordinators=[staff], seats=2, name="Full")
    members(full, (long_ago, None), (today, today + timedelta(days=9)))
    panel(coordinators=[staff], seats=0, name="No seats")
    panel(coordinators=[coordinator()], seats=3, name="Someone else's")
    panel(seats=3, name="Nobody's")

    wanting = panels_with_open_seats(staff)

    assert [(p.name, p.filled, p.seats) for p in wanting["panels"]] == [
        ("Counted", 3, 5),
        ("One seat", 0, 1),
    ]
    assert wanting["count"] == 2
    assert full not in wanting["panels"]
    assert one_seat in wanting["panels"]


def test_the_dashboard_names_the_first_ten_by_name_and_counts_them_all(db):
    staff = coordinator()
    made = [panel(coordinators=[staff], seats=2, name=f"Panel {n:02d}") for n in range(12, 0, -1)]
    twin = panel(coordinators=[staff], seats=2, name="Panel 01")

    wanting = panels_with_open_seats(staff)

    by_name = sorted(made, key=lambda p: p.name)
    assert wanting["panels"] == [by_name[0], twin, *by_name[1:9]]
    assert wanting["count"] == 13


@pytest.mark.postgres
def test_members_with_the_same_name_stay_in_joining_order_after_one_changes(today):
    the_panel = panel()
    first = join(the_panel, named("Sam"), started=today)
    second = join(the_panel, named("Sam"), started=today)
    # PostgreSQL writes a changed row anew, after the others: only the pk tie-break keeps
    # the first to join first.
    PanelMembership.objects.filter(pk=first.pk).update(role=PanelMembership.Role.CHAIR)

    assert panel_detail(the_panel)["current_members"] == [first, second]
