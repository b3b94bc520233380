import pytest
from django.core import mail

from accounts.roles import Role
from core.models import OutboundEmail
from engagement.models import ExpertProfile
from tests.engagement.onboarding_data import (
    DISPLAY_NAME,
    LEGAL_NAME,
    complete_onboarding,
    default_answers,
)
from tests.factories import UserFactory, coordinator


@pytest.fixture
def newcomer(client, db):
    user = UserFactory(display_name="New person")
    client.force_login(user)
    return user


def profile_of(user) -> ExpertProfile:
    return ExpertProfile.objects.get(user=user)


def test_onboarding_saves_every_step_and_submits_an_application(
    client, newcomer, django_capture_on_commit_callbacks
):
    staff = coordinator()

    with django_capture_on_commit_callbacks(execute=True):
        answers = complete_onboarding(client)

    profile = profile_of(newcomer)
    newcomer.refresh_from_db()
    assert profile.status == ExpertProfile.Status.APPLIED
    assert profile.submitted_at is not None
    assert newcomer.display_name == DISPLAY_NAME
    assert profile.region == "wales"
    assert sorted(profile.topics.values_list("pk", flat=True)) == sorted(
        answers["expertise"]["topics"]
    )
    assert profile.access_needs["needs"] == ["interpreter", "easy_read", "breaks"]
    assert profile.hours_per_month == 12
    assert profile.availability == ["weekday_evenings", "weekends"]
    assert profile.credit_preference == "full_name"
    assert profile.payment_method == "voucher"
    assert profile.legal_name == LEGAL_NAME
    recipients = sorted((m.to[0], m.subject) for m in mail.outbox)
    assert recipients == sorted(
        [
            (newcomer.email, "Tandem: We have your application"),
            (staff.email, "Tandem: A new adviser application is waiting"),
        ]
    )
    to_coordinator = next(m for m in mail.outbox if m.to == [staff.email])
    assert DISPLAY_NAME not in to_coordinator.body
    assert LEGAL_NAME not in to_coordinator.body
    assert profile.reference in to_coordinator.body


def test_join_resumes_at_the_step_where_the_person_left(client, newcomer):
    answers = default_answers()
    client.post("/join/")
    for slug in ["about", "expertise", "access"]:
        client.post(f"/join/{slug}/", answers[slug])

    client.logout()
    client.force_login(newcomer)
    response = client.get("/join/")

    assert response.status_code == 302
    assert response["Location"] == "/join/availability/"
    page = client.get("/join/about/").content.decode()
    assert f'value="{DISPLAY_NAME}"' in page


def test_a_later_step_cannot_be_opened_or_posted_before_its_turn(client, newcomer):
    client.post("/join/")

    opened = client.get("/join/payment/")
    posted = client.post("/join/payment/", default_answers()["payment"])

    assert opened["Location"] == "/join/about/"
    assert posted["Location"] == "/join/about/"
    profile = profile_of(newcomer)
    assert profile.legal_name == ""
    assert profile.completed_steps == []


def test_the_application_cannot_be_sent_before_every_step_is_done(client, newcomer):
    answers = default_answers()
    client.post("/join/")
    client.post("/join/about/", answers["about"])

    response = client.post("/join/check/")

    assert response["Location"] == "/join/expertise/"
    assert profile_of(newcomer).status == ExpertProfile.Status.DRAFT


@pytest.mark.parametrize(
    ("slug", "data", "field", "message"),
    [
        ("about", {}, "display_name", "Enter a display name"),
        ("about", {"display_name": "x" * 81}, "display_name", "80 characters or fewer"),
        ("about", {"display_name": "   "}, "display_name", "Enter a display name"),
        ("about", {"display_name": "A", "languages": ["999999"]}, "languages", "not one of"),
        ("about", {"display_name": "A", "region": "mars"}, "region", "Select a valid choice"),
    ],
)
def test_bad_input_on_a_step_gets_a_clear_message_and_changes_nothing(
    client, newcomer, slug, data, field, message
):
    client.post("/join/")

    response = client.post(f"/join/{slug}/", data)

    assert response.status_code == 200
    content = response.content.decode()
    assert "There is a problem" in content
    assert f'href="#id_{field}' in content
    assert message in content
    newcomer.refresh_from_db()
    assert newcomer.display_name == "New person"
    assert profile_of(newcomer).completed_steps == []


def _reach(client, slug: str) -> dict:
    answers = default_answers()
    client.post("/join/")
    for step, data in answers.items():
        if step == slug:
            break
        client.post(f"/join/{step}/", data)
    return answers


@pytest.mark.parametrize(
    ("slug", "change", "field", "message"),
    [
        ("expertise", {"topics": [], "expertise_notes": ""}, "topics", "Choose at least one"),
        ("expertise", {"topics": ["abc"]}, "topics", "is not a valid value"),
        ("access", {"needs": ["interpreter"], "interpreter_language": ""}, "interpreter_language",
         "Enter the language"),
        ("access", {"meeting_format": "teleport"}, "meeting_format", "Select a valid choice"),
        ("availability", {"hours_per_month": "lots"}, "hours_per_month", "Enter a whole number"),
        ("availability", {"hours_per_month": "500"}, "hours_per_month", "160 hours or fewer"),
        ("availability", {"paused_until_0": "1", "paused_until_1": "1", "paused_until_2": "2020"},
         "paused_until", "must be in the future"),
        ("availability", {"paused_until_0": "31", "paused_until_1": "2", "paused_until_2": "2027"},
         "paused_until", "Enter a real date"),
        ("availability", {"paused_until_0": "31", "paused_until_1": "", "paused_until_2": "2027"},
         "paused_until", "Enter the day, month and year"),
        ("availability", {"paused_until_0": "x", "paused_until_1": "3", "paused_until_2": "27"},
         "paused_until", "Enter a real date"),
        ("credit", {"credit_preference": "full_name", "credit_name": ""}, "credit_name",
         "Enter the name to show"),
        ("payment", {"legal_name": ""}, "legal_name", "Enter your legal name, as it is on"),
        ("payment", {"right_to_work": "maybe"}, "right_to_work", "Select a valid choice"),
        ("consents", {"data_processing": ""}, "data_processing", "You need to agree"),
    ],
)  # fmt: skip
def test_bad_input_on_later_steps_is_refused(client, newcomer, slug, change, field, message):
    answers = _reach(client, slug)
    before = profile_of(newcomer).completed_steps

    response = client.post(f"/join/{slug}/", {**answers[slug], **change})

    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    assert f'href="#id_{field}' in content
    assert profile_of(newcomer).completed_steps == before


def test_right_to_work_no_makes_the_person_expenses_only_and_explains_why(client, newcomer):
    answers = _reach(client, "payment")
    payment = {**answers["payment"], "payment_method": "bank_transfer", "right_to_work": "no"}

    response = client.post("/join/payment/", payment)

    assert response["Location"] == "/join/payment/explained/"
    profile = profile_of(newcomer)
    assert profile.payment_method == "expenses_only"
    assert profile.expenses_only is True
    page = client.get("/join/payment/explained/").content.decode()
    assert "We will pay your expenses" in page
    assert "free and confidential advice" in page


def test_right_to_work_not_sure_is_expenses_only_too_but_declining_payment_is_kept(
    client, newcomer
):
    answers = _reach(client, "payment")

    client.post(
        "/join/payment/",
        {**answers["payment"], "payment_method": "voucher", "right_to_work": "not_sure"},
    )
    assert profile_of(newcomer).payment_method == "expenses_only"
    client.post(
        "/join/payment/",
        {**answers["payment"], "payment_method": "declined", "right_to_work": "not_sure"},
    )
    assert profile_of(newcomer).payment_method == "declined"


def test_benefits_yes_shows_signposting(client, newcomer):
    answers = _reach(client, "payment")

    response = client.post("/join/payment/", {**answers["payment"], "means_tested_benefits": "yes"})

    assert response["Location"] == "/join/payment/explained/"
    page = client.get("/join/payment/explained/").content.decode()
    assert "Payments and your benefits" in page
    assert profile_of(newcomer).benefits_signposting is True


def test_after_submitting_join_sends_people_to_their_dashboard(client, newcomer):
    complete_onboarding(client)

    assert client.get("/join/")["Location"] == "/me/"
    assert client.get("/join/about/")["Location"] == "/me/"
    dashboard = client.get("/me/").content.decode()
    assert "Waiting for review" in dashboard


def test_an_expert_role_is_given_only_on_activation(client, newcomer):
    complete_onboarding(client)

    assert not newcomer.groups.filter(name=Role.EXPERT).exists()
    assert OutboundEmail.objects.filter(recipient=newcomer).count() == 1


def test_saving_the_about_step_reads_the_person_with_their_profile(db, django_assert_num_queries):
    from engagement.services.onboarding import expert_profile_start, onboarding_step_save

    profile = expert_profile_start(user=UserFactory(display_name="New person"))

    # Lock and read the profile with its person (1), save the name (1), the languages (1) and
    # the profile (1), inside one transaction (savepoint and release: 2).
    with django_assert_num_queries(6):
        saved = onboarding_step_save(
            profile=profile,
            step="about",
            data={"display_name": "Wren", "pronouns": "", "languages": [], "region": "wales"},
        )

    assert (saved.user.display_name, saved.completed_steps) == ("Wren", ["about"])
