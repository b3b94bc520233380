"""What the expert selectors return, value for value: the whole download of a person's data
(every key, every record, in its order), the data page's records, the dashboard, the
applications waiting, and the labels shown for an access passport."""

import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from core.models import AuditEvent
from engagement.models import (
    Attendance,
    ExpertProfile,
    ImpactRating,
    ImpactRecord,
    Invitation,
    Language,
    PanelMembership,
    SensitiveAccess,
    TeamMembership,
    Topic,
)
from engagement.selectors.experts import (
    access_needs_display,
    availability_display,
    expert_applications_waiting,
    expert_dashboard,
    expert_data_overview,
    expert_directory,
    expert_export_data,
    expert_list_available_for_contact,
)
from payments.models import Expense, Honorarium
from tests.factories import UserFactory, coordinator, expert, panel, panel_session, team

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def at(day: int, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(2026, 3, day, hour, 0, tzinfo=UTC)


def iso(day: int, hour: int = 9) -> str:
    return at(day, hour).isoformat()


def stamp(obj, **fields) -> None:
    """Set timestamps Django fills in itself (auto_now_add) to known values."""
    type(obj)._base_manager.filter(pk=obj.pk).update(**fields)


def honorarium(user, reference, description, created, **fields):
    made = Honorarium.objects.create(
        payee=user,
        payee_reference=reference,
        description=description,
        amount=Decimal("82.50"),
        method="voucher",
        **fields,
    )
    stamp(made, created_at=created)
    return made


def expense(user, reference, description, created, **fields):
    made = Expense.objects.create(
        payee=user,
        payee_reference=reference,
        category="travel",
        description=description,
        incurred_on=datetime.date(2026, 2, 20),
        amount=Decimal("12.40"),
        receipt="receipts/ticket.pdf",
        receipt_content_type="application/pdf",
        **fields,
    )
    stamp(made, created_at=created)
    return made


def status_event(profile, from_state, to_state, created, note="", actor=None):
    return AuditEvent.objects.create(
        actor=actor,
        action="expert.status",
        content_type=ContentType.objects.get_for_model(ExpertProfile),
        object_id=profile.pk,
        from_state=from_state,
        to_state=to_state,
        note=note,
        created_at=created,
    )


@pytest.fixture
def person():
    """An expert with two or three of every record, made in an order that differs from the
    order each list is shown in, and with ties on time broken by the order of making."""
    user = UserFactory(
        email="ash@tandem.test",
        display_name="Ash",
        preferred_language="cy",
        time_zone="Europe/London",
        mfa=True,
    )
    type(user).objects.filter(pk=user.pk).update(date_joined=at(1), last_login=at(2, 10))
    user.refresh_from_db()
    user.emailaddress_set.create(email="ash.old@tandem.test", verified=False, primary=False)
    topic = Topic.objects.create(name="Housing")
    language = Language.objects.get_or_create(code="pl", defaults={"name": "Polish"})[0]
    profile = expert(
        user=user,
        status="active",
        topics=[topic],
        languages=[language],
        pronouns="they/them",
        region="wales",
        expertise_notes="Tenancy law",
        hours_per_month=6,
        availability=["weekends"],
        paused_until=datetime.date(2026, 4, 1),
        credit_preference="full_name",
        credit_name="A. Ash",
        legal_name="Ash Legal",
        payment_method="voucher",
        submitted_at=at(3),
    )
    stamp(profile, created_at=at(1, 12))
    profile.refresh_from_db()
    # Consents: the five the factory gave, recorded at the same moment (made in pk order).
    consents = list(profile.consents.order_by("pk"))
    for n, consent in enumerate(consents):
        stamp(consent, recorded_at=at(4) if n else at(5))

    # Payments: the older one made last.
    honorarium(user, profile.reference, "Second session", at(11), status="pending")
    honorarium(user, profile.reference, "First session", at(10), status="paid", paid_at=at(12, 15))
    # Expenses: the newest made first; two made later share a time.
    expense(user, profile.reference, "Train", at(14))
    expense(user, profile.reference, "Bus", at(13), status="paid", paid_at=at(15, 11))
    expense(user, profile.reference, "Taxi", at(13), status="rejected", rejection_reason="No")

    # Research teams: joined in an order other than the order of making.
    for name, joined in [("Team C", at(8)), ("Team A", at(6)), ("Team B", at(6))]:
        membership = TeamMembership.objects.create(
            team=team(name=name, organisation=f"Org of {name}"), user=user
        )
        stamp(membership, joined_at=joined)

    # Status history: created out of order, two at the same time.
    staff = coordinator(display_name="Robin")
    status_event(profile, "applied", "active", at(7), note="Welcome", actor=staff)
    status_event(profile, "draft", "applied", at(3))
    status_event(profile, "applied", "info_requested", at(3), note="Which city?", actor=staff)

    # Panels: joined on different days, two on the same day.
    housing = panel(name="Housing panel")
    work = panel(name="Work panel")
    benefits = panel(name="Benefits panel")
    PanelMembership.objects.create(
        panel=housing, expert=profile, started_on=datetime.date(2026, 3, 1)
    )
    PanelMembership.objects.create(
        panel=work,
        expert=profile,
        started_on=datetime.date(2026, 3, 9),
        ended_on=datetime.date(2026, 3, 20),
        role="chair",
    )
    PanelMembership.objects.create(
        panel=benefits, expert=profile, started_on=datetime.date(2026, 3, 1)
    )

    # Invitations: created out of order, two at the same time.
    for n, (the_panel, status, created, fields) in enumerate(
        [
            (panel(name="Later panel"), "declined", at(20), {"decline_reason": "Too soon"}),
            (panel(name="Early panel"), "accepted", at(16), {}),
            (panel(name="Tied panel"), "sent", at(16), {}),
        ]
    ):
        invitation = Invitation.objects.create(
            panel=the_panel,
            expert=profile,
            status=status,
            sent_at=created + datetime.timedelta(hours=1),
            token_hash=str(n) * 64,
            expires_at=created + datetime.timedelta(days=7),
            responded_at=created + datetime.timedelta(days=1) if status != "sent" else None,
            **fields,
        )
        stamp(invitation, created_at=created)

    # Sessions attended: made out of order, two starting at the same time.
    late = panel_session(of_panel=housing, title="Third meeting", starts_at=at(25, 18))
    early = panel_session(of_panel=housing, title="First meeting", starts_at=at(22, 18))
    tied = panel_session(of_panel=work, title="Work meeting", starts_at=at(22, 18))
    Attendance.objects.create(session=late, expert=profile, attended=False)
    Attendance.objects.create(
        session=early, expert=profile, attended=True, debrief_requested_at=at(23)
    )
    Attendance.objects.create(session=tied, expert=profile, attended=True)

    # Felt listened to: given out of order, two at the same time.
    for session, answer, note, given in [
        (late, "no", "Rushed", at(27)),
        (early, "yes", "", at(26)),
        (tied, "partly", "Good start", at(26)),
    ]:
        impact = ImpactRecord.objects.create(session=session, heard="Shorter questions")
        rating = ImpactRating.objects.create(
            impact=impact, expert=profile, answer=answer, note=note
        )
        stamp(rating, created_at=given)

    # Sensitive data views: made out of order, two at the same time, one by a person since
    # gone.
    for accessor, field, when in [
        (staff, "legal_name", at(28)),
        (staff, "access_needs", at(29)),
        (None, "eligibility", at(28)),
    ]:
        access = SensitiveAccess.objects.create(accessor=accessor, expert=profile, field=field)
        stamp(access, accessed_at=when)
    return profile


def test_the_download_of_someone_without_a_profile_has_only_their_account():
    user = UserFactory(email="sam@tandem.test", display_name="Sam", verified=False)

    data = expert_export_data(user=user)

    assert data["expert_profile"] is None
    assert data["account"]["email_addresses"] == []
    assert data["account"]["last_login"] is None
    assert (data["research_teams"], data["payments"], data["expenses"]) == ([], [], [])


def test_the_data_page_of_someone_without_a_profile_has_only_their_account():
    user = UserFactory(email="sam@tandem.test")

    overview = expert_data_overview(user=user, profile=None)

    assert sorted(overview) == [
        "email_addresses",
        "expenses",
        "payments",
        "profile",
        "teams",
        "two_factor",
        "user",
    ]
    assert overview["profile"] is None
    assert overview["two_factor"] == []


def test_a_history_label_for_a_state_no_longer_offered_is_the_state_itself(person):
    status_event(person, "archived", "", at(30))

    overview = expert_data_overview(user=person.user, profile=person)

    assert (overview["history"][-1].from_label, overview["history"][-1].to_label) == (
        "archived",
        "",
    )


def test_the_access_passport_is_shown_in_words():
    shown = access_needs_display(
        {
            "needs": ["captions", "retired_need", "breaks"],
            "interpreter_language": "Tigrinya",
            "meeting_format": "in_person",
            "other": "A quiet room",
        }
    )

    assert shown == {
        "needs": ["Live captions in online meetings", "retired_need", "Regular breaks"],
        "interpreter_language": "Tigrinya",
        "meeting_format": "In person",
        "other": "A quiet room",
    }


def test_an_empty_access_passport_is_shown_as_nothing():
    assert access_needs_display({}) == {
        "needs": [],
        "interpreter_language": "",
        "meeting_format": "",
        "other": "",
    }


def test_availability_is_shown_in_the_order_offered():
    assert availability_display(["weekends", "weekday_mornings"]) == [
        "Weekday mornings",
        "Weekends",
    ]


def waiting_since(status: str, days_ago: int | None):
    profile = expert(status=status)
    when = None if days_ago is None else timezone.now() - datetime.timedelta(days=days_ago)
    stamp(profile, status_changed_at=when)
    return profile


def test_applications_waiting_are_counted_with_the_oldest_wait():
    waiting_since("applied", 3)
    waiting_since("applied", 9)
    waiting_since("info_requested", 4)
    waiting_since("active", 40)
    waiting_since("draft", 50)

    assert expert_applications_waiting() == {
        "applied": {"count": 2, "oldest_days": 9},
        "info_requested": {"count": 1, "oldest_days": 4},
    }


def test_no_applications_waiting_is_zero_of_each():
    waiting_since("active", 40)

    assert expert_applications_waiting() == {
        "applied": {"count": 0, "oldest_days": None},
        "info_requested": {"count": 0, "oldest_days": None},
    }


def test_an_application_with_no_date_of_change_has_no_wait_to_show():
    waiting_since("applied", None)

    assert expert_applications_waiting()["applied"] == {"count": 1, "oldest_days": None}


def test_only_active_experts_who_agreed_and_are_not_on_a_break_may_be_contacted():
    today = timezone.localdate()
    reachable = expert(status="active")
    break_ended = expert(status="active", paused_until=today)
    expert(status="active", paused_until=today + datetime.timedelta(days=1))
    expert(status="active", consents={"data_processing": True, "contact": False})
    expert(status="applied")
    expert(status="paused")
    withdrew = expert(status="active")
    # The newest answer counts: agreed once, then withdrew.
    from engagement.selectors.consents import consent_statements_current
    from engagement.services.consents import consents_record

    statements = consent_statements_current()
    consents_record(profile=withdrew, answers={"contact": False}, statements=statements)

    assert sorted(p.pk for p in expert_list_available_for_contact()) == sorted(
        [reachable.pk, break_ended.pk]
    )


def test_the_directory_leaves_out_drafts_and_knows_who_may_be_contacted():
    shown = expert(status="applied")
    silent = expert(status="active", consents={"data_processing": True, "contact": False})
    expert(status="draft")

    directory = {p.pk: p.contact_consent for p in expert_directory()}

    assert directory == {shown.pk: True, silent.pk: False}


def test_the_dashboard_of_someone_asked_for_more_information(person):
    profile = person
    ExpertProfile.objects.filter(pk=profile.pk).update(status="info_requested")
    status_event(profile, "info_requested", "applied", at(30, 8), note="Here you are")
    asked = status_event(profile, "applied", "info_requested", at(30, 10), note="And the town?")
    status_event(profile, "applied", "applied", at(30, 9))

    dashboard = expert_dashboard(profile.user)

    assert dashboard["profile"] == profile
    assert [p.description for p in dashboard["payments"]] == ["Second session", "First session"]
    assert sorted(dashboard["consents"]) == [
        "contact",
        "data_processing",
        "public_credit",
        "quoted",
        "recorded",
    ]
    assert dashboard["effective_credit"] == "full_name"
    assert dashboard["latest_message"] == asked
    assert dashboard["may"] == frozenset({"submit", "leave"})
    assert [e.note for e in dashboard["conversation"]] == [
        "Which city?",
        "Welcome",
        "Here you are",
        "And the town?",
    ]
    assert [i.panel.name for i in dashboard["open_invitations"]] == []


def test_the_dashboard_of_an_active_expert_has_no_message_or_conversation():
    profile = expert(status="active", credit_preference="pseudonym")
    status_event(profile, "applied", "active", at(3), note="Welcome")
    invited = panel(name="Open panel")
    Invitation.objects.create(
        panel=invited,
        expert=profile,
        status="sent",
        sent_at=timezone.now(),
        token_hash="f" * 64,
        expires_at=timezone.now() + datetime.timedelta(days=3),
    )

    dashboard = expert_dashboard(profile.user)

    assert dashboard["latest_message"] is None
    assert dashboard["conversation"] == []
    assert dashboard["effective_credit"] == "pseudonym"
    assert dashboard["may"] == frozenset({"pause", "leave"})
    assert [i.panel.name for i in dashboard["open_invitations"]] == ["Open panel"]


def test_the_dashboard_of_a_declined_applicant_shows_the_decision():
    profile = expert(status="declined")
    decision = status_event(profile, "applied", "declined", at(3), note="Not this time")

    dashboard = expert_dashboard(profile.user)

    assert dashboard["latest_message"] == decision
    assert dashboard["conversation"] == []


@pytest.mark.parametrize(
    ("preference", "public_credit", "used"),
    [
        ("full_name", True, "full_name"),
        ("full_name", False, "anonymous"),
        ("pseudonym", True, "pseudonym"),
        ("pseudonym", False, "anonymous"),
        ("panel_member", False, "panel_member"),
        ("anonymous", True, "anonymous"),
    ],
)
def test_a_name_is_credited_only_with_consent_to_public_credit(preference, public_credit, used):
    profile = expert(
        credit_preference=preference,
        consents={"data_processing": True, "contact": True, "public_credit": public_credit},
    )

    assert expert_dashboard(profile.user)["effective_credit"] == used


def test_a_name_is_not_credited_when_public_credit_was_never_answered():
    profile = expert(credit_preference="full_name", consents={"data_processing": True})

    assert expert_dashboard(profile.user)["effective_credit"] == "anonymous"


def test_the_dashboard_of_someone_without_a_profile_has_only_their_payments():
    user = UserFactory()
    honorarium(user, "R-1", "Workshop", at(5))

    dashboard = expert_dashboard(user)

    assert sorted(dashboard) == ["payments", "profile"]
    assert dashboard["profile"] is None
    assert [p.description for p in dashboard["payments"]] == ["Workshop"]


@pytest.mark.parametrize("url", ["/me/data/", "/me/data.json"])
def test_the_data_page_and_download_do_not_grow_in_queries_with_the_records(client, url):
    from engagement.models import ConsentStatement
    from tests.helpers import assert_query_count_constant

    profile = expert(status="active")
    staff = coordinator()
    statement = ConsentStatement.objects.get(kind="contact", version=1)
    client.force_login(profile.user)
    made = []

    def grow(count):
        for _ in range(count):
            n = len(made)
            made.append(n)
            the_panel = panel(name=f"Panel {n}")
            PanelMembership.objects.create(
                panel=the_panel, expert=profile, started_on=datetime.date(2026, 3, 1)
            )
            Invitation.objects.create(panel=panel(name=f"Invited {n}"), expert=profile)
            session = panel_session(of_panel=the_panel, title=f"Meeting {n}", days_ahead=-n - 1)
            Attendance.objects.create(session=session, expert=profile, attended=True)
            impact = ImpactRecord.objects.create(session=session, heard="Heard")
            ImpactRating.objects.create(impact=impact, expert=profile, answer="yes")
            TeamMembership.objects.create(team=team(name=f"Team {n}"), user=profile.user)
            status_event(profile, "paused", "active", at(1 + n % 27), note="", actor=staff)
            SensitiveAccess.objects.create(accessor=staff, expert=profile, field="legal_name")
            profile.consents.create(statement=statement, given=bool(n % 2))
            honorarium(profile.user, profile.reference, f"Session {n}", at(1 + n % 27))
            expense(profile.user, profile.reference, f"Bus {n}", at(1 + n % 27))

    assert_query_count_constant(client, url, grow, sizes=(2, 5))
