"""Pages make the same number of queries whatever the amount of data (5 vs 50 items)."""

import re
from datetime import date
from decimal import Decimal

import pytest

from core.services.audit import audit_record
from engagement.models import Language, Panel, PanelMembership, SensitiveAccess, Topic
from engagement.selectors.experts import expert_list_available_for_contact
from engagement.services.consents import consent_statement_publish
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

    assert_query_count_constant(client, "/admin/experts/", add_experts, max_queries=25)

    # The page really shows all 50 rows, each with its topics.
    page = client.get("/admin/experts/").content.decode()
    assert page.count("ADV-") == 50
    # Each row lists the topics as list items (the filter lists each name once more).
    assert len(re.findall(r"<li>\s*Topic 2\s*</li>", page)) == 50


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

    # Five of these are the panels part: open invitations, panels, panels they chair,
    # upcoming sessions and attended sessions.
    assert_query_count_constant(client, "/me/", add_payments, max_queries=15)


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


def test_the_expert_record_query_count_does_not_grow_with_panels_or_history(client, topics):
    person = expert(status="active", topics=topics)
    lead = coordinator()
    client.force_login(lead)
    url = f"/admin/experts/inspect/{person.pk}/?show=access_needs"

    def add_panels_and_history(count):
        existing = Panel.objects.count()
        for n in range(existing, existing + count):
            panel = Panel.objects.create(name=f"Panel {n}")
            panel.coordinators.add(lead)
            PanelMembership.objects.create(panel=panel, expert=person, started_on=date(2026, 1, 1))
            audit_record(
                actor=lead,
                action="expertprofile.pause",
                subject=person,
                from_state="active",
                to_state="paused",
            )

    assert_query_count_constant(client, url, add_panels_and_history, max_queries=30)

    # The record really lists every panel and every change.
    page = client.get(url).content.decode()
    assert len(re.findall(r"<td>Panel \d+</td>", page)) == 50
    assert page.count("Active → Paused") == 50


def _more_languages(n):
    start = Language.objects.count()
    Language.objects.bulk_create(
        Language(code=f"x-{i}", name=f"Language {i}") for i in range(start, start + n)
    )


def _more_topics(n):
    start = Topic.objects.count()
    Topic.objects.bulk_create(Topic(name=f"Topic {i}") for i in range(start, start + n))


def _more_consent_versions(n):
    for _ in range(n):
        consent_statement_publish(kind="contact", title="Contact", text="New wording.")


# What each editable page lists, grown to the two sizes; (option label, how many appear).
GROWING = {
    "about": (_more_languages, 'name="languages"'),
    "expertise": (_more_topics, 'name="topics"'),
    "consents": (_more_consent_versions, None),
}


@pytest.mark.parametrize("slug", sorted(GROWING))
def test_profile_edit_pages_do_not_grow_with_what_they_list(client, topics, slug):
    person = expert(status="active", topics=topics)
    client.force_login(person.user)
    grow, marker = GROWING[slug]

    assert_query_count_constant(client, f"/me/profile/{slug}/", grow, max_queries=12)

    page = client.get(f"/me/profile/{slug}/").content.decode()
    if marker is None:
        # Fifty versions, and only the newest is offered.
        assert page.count('name="contact"') == 1
    else:
        assert page.count(marker) >= 50


@pytest.mark.parametrize("slug", ["access", "availability", "credit", "payment"])
def test_profile_edit_pages_with_fixed_choices_are_bounded(client, db, slug):
    from tests.helpers import count_queries

    client.force_login(expert(status="active").user)
    count_queries(client, f"/me/profile/{slug}/")

    assert count_queries(client, f"/me/profile/{slug}/") <= 10


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
