"""Panels: who coordinates them and who belongs to them grant access to members' access
needs, so they change only through engagement.services.panels, checked and recorded."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.models import AuditEvent
from core.transitions import TransitionNotAllowed
from engagement.models import Panel, PanelMembership
from engagement.services.panels import (
    panel_coordinator_add,
    panel_coordinator_remove,
    panel_create,
    panel_member_add,
    panel_membership_end,
)
from tests.factories import UserFactory, coordinator, expert, finance
from tests.helpers import assert_query_count_constant

TODAY = timezone.localdate


@pytest.fixture
def lead(db):
    return coordinator(display_name="Alex")


@pytest.fixture
def panel(lead):
    return panel_create(name="Housing", description="", by=lead)


def access_needs_page(client, viewer, person):
    client.force_login(viewer)
    return client.get(f"/admin/experts/inspect/{person.pk}/?show=access_needs")


def test_the_coordinator_who_creates_a_panel_coordinates_it(lead, panel):
    assert list(panel.coordinators.all()) == [lead]
    assert set(AuditEvent.objects.filter(panel=panel).values_list("action", flat=True)) == {
        "panel.create",
        "panel.coordinator_add",
    }


def test_only_coordinators_create_panels(db):
    with pytest.raises(TransitionNotAllowed, match="Only coordinators"):
        panel_create(name="Mine", description="", by=finance())

    assert not Panel.objects.exists()


def test_a_coordinator_of_another_panel_cannot_add_themselves_or_members(client, panel):
    intruder = coordinator()
    person = expert(status="active")

    with pytest.raises(TransitionNotAllowed, match="Only this panel's coordinators"):
        panel_coordinator_add(panel=panel, coordinator=intruder, by=intruder)
    with pytest.raises(TransitionNotAllowed, match="Only this panel's coordinators"):
        panel_member_add(panel=panel, expert=person, role="member", started_on=TODAY(), by=intruder)

    assert list(panel.coordinators.all()) != [intruder]
    assert not PanelMembership.objects.exists()
    assert access_needs_page(client, intruder, person).status_code == 302


def test_a_member_added_by_the_panels_coordinator_is_recorded_and_opens_access_needs(
    client, lead, panel
):
    person = expert(status="active")

    membership = panel_member_add(
        panel=panel, expert=person, role="chair", started_on=TODAY(), by=lead
    )

    assert (membership.role, membership.started_on, membership.ended_on) == (
        "chair",
        TODAY(),
        None,
    )
    event = AuditEvent.objects.filter(panel=panel, action="panel.member_add").get()
    assert (event.actor, event.extra) == (
        lead,
        {"expert": person.reference, "role": "chair", "from": TODAY().isoformat()},
    )
    assert access_needs_page(client, lead, person).status_code == 200


@pytest.mark.parametrize("status", ["applied", "info_requested", "paused", "declined", "left"])
def test_only_active_experts_join_a_panel(lead, panel, status):
    person = expert(status=status)

    with pytest.raises(TransitionNotAllowed, match="Only active experts"):
        panel_member_add(panel=panel, expert=person, role="member", started_on=TODAY(), by=lead)

    assert not PanelMembership.objects.exists()


def test_an_ended_membership_closes_access_needs(client, lead, panel):
    person = expert(status="active")
    membership = panel_member_add(
        panel=panel,
        expert=person,
        role="member",
        started_on=TODAY() - timedelta(days=30),
        by=lead,
    )

    panel_membership_end(membership=membership, by=lead, ended_on=TODAY() - timedelta(days=1))

    assert access_needs_page(client, lead, person).status_code == 302
    assert AuditEvent.objects.filter(panel=panel, action="panel.member_end").count() == 1


def test_a_membership_ending_later_still_counts_today(client, lead, panel):
    person = expert(status="active")
    membership = panel_member_add(
        panel=panel, expert=person, role="member", started_on=TODAY(), by=lead
    )

    panel_membership_end(membership=membership, by=lead, ended_on=TODAY() + timedelta(days=10))

    assert access_needs_page(client, lead, person).status_code == 200


def test_a_membership_ending_today_still_counts_today(client, lead, panel):
    person = expert(status="active")
    membership = panel_member_add(
        panel=panel,
        expert=person,
        role="member",
        started_on=TODAY() - timedelta(days=30),
        by=lead,
    )

    panel_membership_end(membership=membership, by=lead, ended_on=TODAY())

    assert access_needs_page(client, lead, person).status_code == 200


def test_a_membership_that_has_not_started_opens_nothing(client, lead, panel):
    person = expert(status="active")

    panel_member_add(
        panel=panel, expert=person, role="member", started_on=TODAY() + timedelta(days=3), by=lead
    )

    assert access_needs_page(client, lead, person).status_code == 302


def test_adding_a_current_member_twice_is_refused(lead, panel):
    person = expert(status="active")
    panel_member_add(panel=panel, expert=person, role="member", started_on=TODAY(), by=lead)

    with pytest.raises(TransitionNotAllowed, match="already on the panel"):
        panel_member_add(panel=panel, expert=person, role="chair", started_on=TODAY(), by=lead)

    assert PanelMembership.objects.get().role == "member"


def test_a_former_member_can_be_brought_back(lead, panel):
    person = expert(status="active")
    membership = panel_member_add(
        panel=panel, expert=person, role="member", started_on=TODAY() - timedelta(days=9), by=lead
    )
    panel_membership_end(membership=membership, by=lead, ended_on=TODAY() - timedelta(days=2))

    again = panel_member_add(panel=panel, expert=person, role="chair", started_on=TODAY(), by=lead)

    assert again.pk == membership.pk
    assert (again.role, again.started_on, again.ended_on) == ("chair", TODAY(), None)


def test_a_membership_cannot_end_before_it_starts(lead, panel):
    person = expert(status="active")
    membership = panel_member_add(
        panel=panel, expert=person, role="member", started_on=TODAY(), by=lead
    )

    with pytest.raises(TransitionNotAllowed, match="cannot end before it starts"):
        panel_membership_end(membership=membership, by=lead, ended_on=TODAY() - timedelta(days=1))

    membership.refresh_from_db()
    assert membership.ended_on is None


def test_only_people_with_the_coordinator_role_coordinate(lead, panel):
    with pytest.raises(TransitionNotAllowed, match="coordinator role"):
        panel_coordinator_add(panel=panel, coordinator=finance(), by=lead)

    assert list(panel.coordinators.all()) == [lead]


def test_coordinators_are_added_and_removed_but_a_panel_keeps_one(lead, panel):
    colleague = coordinator()

    panel_coordinator_add(panel=panel, coordinator=colleague, by=lead)
    panel_coordinator_remove(panel=panel, coordinator=lead, by=colleague)
    with pytest.raises(TransitionNotAllowed, match="at least one coordinator"):
        panel_coordinator_remove(panel=panel, coordinator=colleague, by=colleague)

    assert list(panel.coordinators.all()) == [colleague]
    assert list(
        AuditEvent.objects.filter(panel=panel).order_by("pk").values_list("action", "extra")[2:]
    ) == [
        ("panel.coordinator_add", {"user_id": colleague.pk}),
        ("panel.coordinator_remove", {"user_id": lead.pk}),
    ]


# The panel's admin page


def test_the_member_picker_offers_only_active_experts_with_their_reference(client, lead, panel):
    active = expert(status="active")
    expert(status="paused")
    expert(status="applied")
    client.force_login(lead)

    response = client.get(f"/admin/panels/inspect/{panel.pk}/")

    choices = list(response.context["member_form"].fields["expert"].choices)[1:]
    assert [label for _value, label in choices] == [
        f"{active.user.display_name} ({active.reference})"
    ]


def test_the_member_form_starts_today_in_the_form_a_date_box_shows(client, lead, panel):
    client.force_login(lead)

    page = client.get(f"/admin/panels/inspect/{panel.pk}/").content.decode()

    assert f'name="started_on" value="{TODAY().isoformat()}"' in page


def test_adding_a_member_from_the_admin_page(client, lead, panel):
    person = expert(status="active")
    client.force_login(lead)

    response = client.post(
        f"/admin/panels/inspect/{panel.pk}/",
        {
            "action": "add_member",
            "expert": person.pk,
            "role": "member",
            "started_on": TODAY().isoformat(),
        },
    )

    assert response.status_code == 302
    assert list(panel.memberships.values_list("expert", flat=True)) == [person.pk]


def test_a_forged_non_active_expert_is_refused_with_a_message(client, lead, panel):
    person = expert(status="applied")
    client.force_login(lead)

    response = client.post(
        f"/admin/panels/inspect/{panel.pk}/",
        {
            "action": "add_member",
            "expert": person.pk,
            "role": "member",
            "started_on": TODAY().isoformat(),
        },
    )

    assert response.status_code == 200
    assert "Choose an active expert who is not on this panel yet" in response.content.decode()
    assert not PanelMembership.objects.exists()


def test_another_coordinator_cannot_change_the_panel_from_its_page(client, panel):
    person = expert(status="active")
    client.force_login(coordinator())

    response = client.post(
        f"/admin/panels/inspect/{panel.pk}/",
        {
            "action": "add_member",
            "expert": person.pk,
            "role": "member",
            "started_on": TODAY().isoformat(),
        },
    )

    # Wagtail answers a refused admin action by sending the person to the dashboard.
    assert (response.status_code, response["Location"]) == (302, "/admin/")
    assert not PanelMembership.objects.exists()


@pytest.mark.parametrize("action", ["end_membership", "remove_coordinator", "promote", ""])
def test_unknown_or_foreign_targets_change_nothing(client, lead, panel, action):
    other_panel = panel_create(name="Other", description="", by=lead)
    person = expert(status="active")
    foreign = panel_member_add(
        panel=other_panel, expert=person, role="member", started_on=TODAY(), by=lead
    )
    client.force_login(lead)

    response = client.post(
        f"/admin/panels/inspect/{panel.pk}/",
        {"action": action, "membership": foreign.pk, "coordinator": lead.pk},
    )

    assert response.status_code == 302
    foreign.refresh_from_db()
    assert foreign.ended_on is None
    assert list(panel.coordinators.all()) == [lead]


def test_the_panel_page_lists_current_members_by_name_and_past_ones_apart(client, lead):
    described = panel_create(name="Work", description="Meets on the first Monday", by=lead)
    second = coordinator(display_name="Aisha")
    panel_coordinator_add(panel=described, coordinator=second, by=lead)
    zoe = expert(status="active", user=UserFactory(display_name="Zoe Quill"))
    ada = expert(status="active", user=UserFactory(display_name="Ada Brook"))
    gone = expert(status="active", user=UserFactory(display_name="Mo Past"))
    for person in (zoe, ada, gone):
        panel_member_add(
            panel=described,
            expert=person,
            role="member",
            started_on=TODAY() - timedelta(days=30),
            by=lead,
        )
    panel_membership_end(
        membership=PanelMembership.objects.get(expert=gone),
        by=lead,
        ended_on=TODAY() - timedelta(days=1),
    )
    client.force_login(lead)

    response = client.get(f"/admin/panels/inspect/{described.pk}/")

    context = response.context
    assert [m.expert for m in context["current_members"]] == [ada, zoe]
    assert [m.expert for m in context["past_members"]] == [gone]
    assert context["coordinators"] == [second, lead]
    assert "Meets on the first Monday" in response.content.decode()


def test_the_panel_page_makes_the_same_number_of_queries_at_any_size(client, lead, panel):
    def grow(count):
        for _ in range(count):
            panel_member_add(
                panel=panel,
                expert=expert(status="active"),
                role="member",
                started_on=TODAY(),
                by=lead,
            )

    client.force_login(lead)
    assert_query_count_constant(client, f"/admin/panels/inspect/{panel.pk}/", grow, sizes=(2, 6))


def test_members_with_the_same_name_are_listed_in_the_order_they_joined(client, lead, panel):
    earlier_account = expert(status="active", user=UserFactory(display_name="Sam Lee"))
    later_account = expert(status="active", user=UserFactory(display_name="Sam Lee"))
    for person in (later_account, earlier_account):
        panel_member_add(panel=panel, expert=person, role="member", started_on=TODAY(), by=lead)
    client.force_login(lead)

    response = client.get(f"/admin/panels/inspect/{panel.pk}/")

    assert [m.expert for m in response.context["current_members"]] == [
        later_account,
        earlier_account,
    ]


# Exact refusals and records


def refusal(call, **kwargs) -> str:
    with pytest.raises(TransitionNotAllowed) as refused:
        call(**kwargs)
    return str(refused.value)


def test_refusals_are_explained_in_these_words(lead, panel):
    membership = panel_member_add(
        panel=panel, expert=expert(status="active"), role="member", started_on=TODAY(), by=lead
    )

    assert refusal(panel_coordinator_add, panel=panel, coordinator=finance(), by=lead) == (
        "Only people with the coordinator role can coordinate."
    )
    assert refusal(panel_coordinator_remove, panel=panel, coordinator=lead, by=lead) == (
        "A panel needs at least one coordinator."
    )
    assert refusal(
        panel_membership_end,
        membership=membership,
        by=lead,
        ended_on=TODAY() - timedelta(days=1),
    ) == ("A membership cannot end before it starts.")


def test_coordinator_changes_are_recorded_once_against_who_made_them(lead, panel):
    colleague = coordinator()

    panel_coordinator_add(panel=panel, coordinator=colleague, by=lead)
    panel_coordinator_add(panel=panel, coordinator=colleague, by=lead)
    panel_coordinator_remove(panel=panel, coordinator=lead, by=colleague)

    assert list(panel.coordinators.all()) == [colleague]
    events = AuditEvent.objects.filter(panel=panel).order_by("pk")[2:]
    assert [(e.actor, e.action, e.extra) for e in events] == [
        (lead, "panel.coordinator_add", {"user_id": colleague.pk}),
        (colleague, "panel.coordinator_remove", {"user_id": lead.pk}),
    ]


def test_a_membership_can_end_the_day_it_starts_and_ending_it_again_changes_nothing(lead, panel):
    colleague = coordinator()
    panel_coordinator_add(panel=panel, coordinator=colleague, by=lead)
    person = expert(status="active")
    start = TODAY() - timedelta(days=5)
    membership = panel_member_add(
        panel=panel, expert=person, role="member", started_on=start, by=lead
    )

    panel_membership_end(membership=membership, by=colleague, ended_on=start)
    panel_membership_end(membership=membership, by=lead, ended_on=start)
    panel_membership_end(membership=membership, by=lead, ended_on=TODAY())

    membership.refresh_from_db()
    assert membership.ended_on == start
    events = AuditEvent.objects.filter(panel=panel, action="panel.member_end")
    assert [(e.actor, e.extra) for e in events] == [
        (colleague, {"expert": person.reference, "until": start.isoformat()})
    ]
