"""Pages make the same number of queries whatever the amount of data (5 vs 50 items)."""

from datetime import date
from decimal import Decimal

import pytest

from engagement.models import Panel, PanelMembership, SensitiveAccess, Topic
from engagement.selectors.experts import expert_list_available_for_contact
from payments.models import Honorarium
from tests.factories import coordinator, expert, finance
from tests.helpers import assert_query_count_constant


@pytest.fixture
def topics(db):
    return [Topic.objects.create(name=f"Topic {n}") for n in range(3)]


def test_the_expert_directory_query_count_does_not_grow(client, topics):
    client.force_login(coordinator())

    def add_experts(count):
        for _ in range(count):
            expert(status="active", topics=topics)

    count = assert_query_count_constant(client, "/admin/experts/", add_experts, max_queries=25)
    assert count > 0


def test_the_filtered_directory_query_count_does_not_grow(client, topics):
    client.force_login(finance())
    url = f"/admin/experts/?status=active&topics={topics[0].pk}&available=true&min_hours=2"

    assert_query_count_constant(
        client,
        url,
        lambda n: [expert(status="active", topics=topics) for _ in range(n)],
        max_queries=25,
    )


def test_the_dashboard_query_count_does_not_grow_with_payments(client, db):
    person = expert(status="active")
    client.force_login(person.user)

    def add_payments(count):
        Honorarium.objects.bulk_create(
            Honorarium(
                payee=person.user,
                payee_reference=person.reference,
                description="Session",
                amount=Decimal("50.00"),
                method="bank_transfer",
            )
            for _ in range(count)
        )

    assert_query_count_constant(client, "/me/", add_payments, max_queries=12)


def test_the_access_log_query_count_does_not_grow(client, db):
    person = expert(status="active")
    viewer = finance()
    client.force_login(person.user)

    def add_views(count):
        SensitiveAccess.objects.bulk_create(
            SensitiveAccess(accessor=viewer, expert=person, field="legal_name")
            for _ in range(count)
        )

    assert_query_count_constant(client, "/me/access-log/", add_views, max_queries=10)


def test_the_expert_record_query_count_does_not_grow_with_panels(client, topics):
    person = expert(status="active", topics=topics)
    lead = coordinator()
    client.force_login(lead)

    def add_panels(count):
        for n in range(count):
            panel = Panel.objects.create(name=f"Panel {n}")
            panel.coordinators.add(lead)
            PanelMembership.objects.create(panel=panel, expert=person, started_on=date(2026, 1, 1))

    assert_query_count_constant(
        client,
        f"/admin/experts/inspect/{person.pk}/?show=access_needs",
        add_panels,
        max_queries=30,
    )


@pytest.mark.parametrize("slug", ["about", "expertise", "access", "payment", "consents"])
def test_profile_edit_pages_are_bounded(client, topics, slug):
    person = expert(status="active", topics=topics)
    client.force_login(person.user)

    assert_query_count_constant(
        client,
        f"/me/profile/{slug}/",
        lambda n: [Topic.objects.create(name=f"More {slug} {i}-{n}") for i in range(n)],
        max_queries=12,
    )


def test_directory_filters_select_the_right_experts(client, topics):
    from engagement.models import Language

    english = Language.objects.get(code="en")
    match = expert(
        status="active", topics=[topics[0]], languages=[english], region="wales", hours_per_month=10
    )
    expert(status="active", topics=[topics[1]], languages=[english], region="wales")
    expert(status="paused", topics=[topics[0]], languages=[english], region="wales")
    expert(status="active", topics=[topics[0]], consents={"data_processing": True})
    client.force_login(coordinator())

    response = client.get(
        "/admin/experts/",
        {
            "status": "active",
            "topics": topics[0].pk,
            "languages": english.pk,
            "region": "wales",
            "min_hours": 8,
            "available": "true",
        },
    )

    assert response.status_code == 200
    assert [row.pk for row in response.context["object_list"]] == [match.pk]
    assert set(expert_list_available_for_contact()) >= {match}
