import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from accounts.roles import Role
from core.models import AuditEvent
from core.transitions import TransitionNotAllowed
from engagement.models import ExpertProfile
from engagement.selectors.consents import consent_statements_current
from engagement.selectors.experts import expert_list_available_for_contact
from engagement.services.consents import consents_record
from engagement.services.experts import (
    expert_activate,
    expert_application_submit,
    expert_pause,
    expert_request_info,
    expert_resume,
    experts_resume_due,
)
from engagement.steps import STEP_SLUGS
from tests.factories import coordinator, expert, finance


@pytest.fixture
def applicant(db):
    return expert(status="applied")


@pytest.fixture
def staff(client, db):
    user = coordinator(display_name="Alex")
    client.force_login(user)
    return user


def vet(client, profile, action, message=None, capture=None):
    data = {"action": action, "confirmed": "yes"}
    if message is not None:
        data[f"{action}-message"] = message
    url = f"/admin/experts/inspect/{profile.pk}/"
    if capture is None:
        return client.post(url, data)
    with capture(execute=True):
        return client.post(url, data)


def test_a_coordinator_activates_an_applicant_and_the_expert_is_emailed(
    client, staff, applicant, django_capture_on_commit_callbacks
):
    response = vet(client, applicant, "activate", capture=django_capture_on_commit_callbacks)

    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.status == ExpertProfile.Status.ACTIVE
    assert applicant.user.groups.filter(name=Role.EXPERT).exists()
    change = AuditEvent.objects.get(expert=applicant)
    assert (change.action, change.from_state, change.to_state, change.actor) == (
        "expertprofile.activate",
        "applied",
        "active",
        staff,
    )
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([applicant.user.email], "Tandem: Welcome to Tandem")
    ]
    assert mail.outbox[0].alternatives[0].mimetype == "text/html"


def test_activating_twice_changes_once_and_emails_once(
    client, staff, applicant, django_capture_on_commit_callbacks
):
    vet(client, applicant, "activate", capture=django_capture_on_commit_callbacks)
    vet(client, applicant, "activate", capture=django_capture_on_commit_callbacks)

    assert AuditEvent.objects.filter(expert=applicant).count() == 1
    assert len(mail.outbox) == 1


def test_asking_for_more_information_sends_the_question(
    client, staff, applicant, django_capture_on_commit_callbacks
):
    vet(
        client,
        applicant,
        "request_info",
        "Which languages could you read documents in?",
        capture=django_capture_on_commit_callbacks,
    )

    applicant.refresh_from_db()
    assert applicant.status == ExpertProfile.Status.INFO_REQUESTED
    assert "Which languages could you read documents in?" in mail.outbox[0].body
    client.force_login(applicant.user)
    assert "Which languages could you read documents in?" in client.get("/me/").content.decode()


def test_the_expert_can_send_an_updated_application(
    client, staff, applicant, django_capture_on_commit_callbacks
):
    vet(client, applicant, "request_info", "Please add a region.")
    client.force_login(applicant.user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/me/resubmit/")

    applicant.refresh_from_db()
    assert applicant.status == ExpertProfile.Status.APPLIED
    assert "Tandem: We have your updated application" in [m.subject for m in mail.outbox]


@pytest.mark.parametrize("answers", [{"data_processing": False}, None])
def test_an_application_is_not_sent_without_the_data_agreement_in_force(
    db, answers, django_capture_on_commit_callbacks
):
    person = expert(status="info_requested", consents={"contact": True})
    if answers:
        # Given once, then withdrawn: the newest answer is the one in force.
        statements = consent_statements_current()
        consents_record(profile=person, answers={"data_processing": True}, statements=statements)
        consents_record(profile=person, answers=answers, statements=statements)

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(
            TransitionNotAllowed, match=r"^We need your agreement to use your information\.$"
        ),
    ):
        expert_application_submit(profile=person, reply="Here is the region.")

    person.refresh_from_db()
    assert person.status == ExpertProfile.Status.INFO_REQUESTED
    assert not AuditEvent.objects.filter(expert=person).exists()
    assert mail.outbox == []


def test_an_application_is_sent_again_once_the_data_agreement_is_given_back(db):
    person = expert(status="info_requested", consents={"data_processing": False})
    consents_record(
        profile=person, answers={"data_processing": True}, statements=consent_statements_current()
    )

    expert_application_submit(profile=person)

    person.refresh_from_db()
    assert person.status == ExpertProfile.Status.APPLIED


def test_declining_needs_a_message(client, staff, applicant):
    response = vet(client, applicant, "decline", "")

    assert response.status_code == 200
    assert "Write a message to the expert" in response.content.decode()
    applicant.refresh_from_db()
    assert applicant.status == ExpertProfile.Status.APPLIED
    assert mail.outbox == []


def test_declining_emails_the_reason(client, staff, applicant, django_capture_on_commit_callbacks):
    vet(
        client,
        applicant,
        "decline",
        "We are not recruiting in your region this year.",
        capture=django_capture_on_commit_callbacks,
    )

    applicant.refresh_from_db()
    assert applicant.status == ExpertProfile.Status.DECLINED
    assert "not recruiting in your region" in mail.outbox[0].body
    decision = AuditEvent.objects.get(expert=applicant, action="expertprofile.decline")
    assert decision.note == "We are not recruiting in your region this year."


@pytest.mark.parametrize("action", ["activate", "nonsense", ""])
def test_finance_cannot_vet_and_unknown_actions_change_nothing(client, db, applicant, action):
    client.force_login(finance())

    vet(client, applicant, action or "activate")

    applicant.refresh_from_db()
    assert applicant.status == ExpertProfile.Status.APPLIED
    assert not AuditEvent.objects.exists()


def test_an_unknown_action_from_a_coordinator_changes_nothing(client, staff, applicant):
    response = vet(client, applicant, "promote")

    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.status == ExpertProfile.Status.APPLIED


def test_only_applications_can_be_vetted(client, staff, db):
    active = expert(status="active")

    vet(client, active, "decline", "No")

    active.refresh_from_db()
    assert active.status == ExpertProfile.Status.ACTIVE


@pytest.mark.parametrize("action", ["activate", "request_info", "decline"])
def test_a_declined_expert_cannot_be_vetted_again(client, staff, db, action):
    declined = expert(status="declined")

    page = client.get(f"/admin/experts/inspect/{declined.pk}/").content.decode()
    response = vet(client, declined, action, "Second thoughts")

    assert "Review this application" not in page
    assert response.status_code == 302
    declined.refresh_from_db()
    assert declined.status == ExpertProfile.Status.DECLINED
    assert not declined.user.groups.filter(name=Role.EXPERT).exists()
    assert not AuditEvent.objects.exists()
    assert mail.outbox == []
    with pytest.raises(TransitionNotAllowed):
        expert_activate(profile=declined, by=staff)


def test_an_applicant_who_asked_to_wait_starts_paused(
    db, applicant, django_capture_on_commit_callbacks
):
    ExpertProfile.objects.filter(pk=applicant.pk).update(
        paused_until=timezone.localdate() + timedelta(days=10)
    )

    with django_capture_on_commit_callbacks(execute=True):
        profile = expert_activate(profile=applicant, by=coordinator())

    assert profile.status == ExpertProfile.Status.PAUSED
    welcome = mail.outbox[0]
    waiting = "You asked us not to invite you yet, so we will wait until the date you gave."
    assert waiting in welcome.body
    assert "We will email you when there is work" not in welcome.body


def test_an_applicant_whose_wait_ends_today_starts_active(
    db, applicant, django_capture_on_commit_callbacks
):
    ExpertProfile.objects.filter(pk=applicant.pk).update(paused_until=timezone.localdate())

    with django_capture_on_commit_callbacks(execute=True):
        profile = expert_activate(profile=applicant, by=coordinator())

    assert profile.status == ExpertProfile.Status.ACTIVE
    welcome = mail.outbox[0]
    assert "We will email you when there is work that matches" in welcome.body
    assert "You asked us not to invite you yet" not in welcome.body


def test_pause_resume_and_leave_from_the_dashboard(client, db):
    person = expert(status="active")
    client.force_login(person.user)
    until = timezone.localdate() + timedelta(days=14)

    client.post(
        "/me/pause/",
        {"paused_until_0": until.day, "paused_until_1": until.month, "paused_until_2": until.year},
    )
    person.refresh_from_db()
    assert (person.status, person.paused_until) == ("paused", until)
    assert list(expert_list_available_for_contact()) == []

    client.post("/me/resume/")
    person.refresh_from_db()
    assert (person.status, person.paused_until) == ("active", None)
    resumed = AuditEvent.objects.get(expert=person, action="expertprofile.resume")
    assert resumed.actor == person.user
    assert list(expert_list_available_for_contact()) == [person]

    client.post("/me/leave/")
    person.refresh_from_db()
    assert person.status == "left"
    assert not person.user.groups.filter(name=Role.EXPERT).exists()


def test_pausing_with_a_past_date_is_refused(client, db):
    person = expert(status="active")
    client.force_login(person.user)

    response = client.post(
        "/me/pause/", {"paused_until_0": "1", "paused_until_1": "1", "paused_until_2": "2020"}
    )

    assert "The date must be in the future" in response.content.decode()
    person.refresh_from_db()
    assert person.status == "active"


def test_pauses_end_on_their_date(db):
    ending = expert(status="active")
    open_ended = expert(status="active")
    expert_pause(profile=ending, until=timezone.localdate() + timedelta(days=1))
    expert_pause(profile=open_ended, until=None)
    ExpertProfile.objects.filter(pk=ending.pk).update(paused_until=timezone.localdate())

    assert experts_resume_due() == 1
    assert experts_resume_due() == 0
    ending.refresh_from_db()
    open_ended.refresh_from_db()
    assert (ending.status, open_ended.status) == ("active", "paused")


def test_a_refused_transition_explains_itself(db):
    person = expert(status="left")

    with pytest.raises(TransitionNotAllowed, match="Left"):
        expert_pause(profile=person, until=None)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_activations_make_one_change():
    applicant = expert(status="applied")
    lead = coordinator()
    barrier = threading.Barrier(3)
    outcomes = []

    def activate():
        barrier.wait()
        try:
            expert_activate(profile=applicant, by=lead)
            outcomes.append("activated")
        except TransitionNotAllowed:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=activate) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["activated", "refused", "refused"]
    assert AuditEvent.objects.filter(expert=applicant).count() == 1


def test_coordinators_see_waiting_applications_on_the_admin_dashboard(client, staff, db):
    expert(status="applied")
    expert(status="applied")
    expert(status="info_requested")
    expert(status="active")

    page = client.get("/admin/").content.decode()

    assert "2 applications waiting for review" in page
    assert "1 waiting for the applicant's reply" in page
    client.force_login(finance())
    assert "Adviser applications" not in client.get("/admin/").content.decode()


@pytest.mark.parametrize("action", ["activate", "request_info", "decline"])
def test_a_coordinator_cannot_vet_their_own_application(client, db, action):
    lead = coordinator()
    own = expert(status="applied", user=lead)
    client.force_login(lead)

    page = client.get(f"/admin/experts/inspect/{own.pk}/").content.decode()
    response = vet(client, own, action, "Looks good to me")

    assert "Review this application" not in page
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.status == ExpertProfile.Status.APPLIED
    assert not AuditEvent.objects.exists()
    assert mail.outbox == []


def test_the_hourly_job_does_not_end_a_break_started_again_since_it_looked(db):
    person = expert(status="paused", paused_until=timezone.localdate())
    due_then = ExpertProfile(pk=person.pk)
    # Between the job's query and its lock, the expert came back and took a new break.
    ExpertProfile.objects.filter(pk=person.pk).update(
        paused_until=timezone.localdate() + timedelta(days=20)
    )

    with pytest.raises(TransitionNotAllowed, match=r"^This break has not reached its end date\.$"):
        expert_resume(profile=due_then, by=None)

    person.refresh_from_db()
    assert (person.status, person.paused_until) == (
        "paused",
        timezone.localdate() + timedelta(days=20),
    )


def test_an_open_ended_break_is_never_ended_by_the_job(db):
    person = expert(status="paused", paused_until=None)

    with pytest.raises(TransitionNotAllowed):
        expert_resume(profile=person, by=None)
    expert_resume(profile=person, by=person.user)

    person.refresh_from_db()
    assert person.status == "active"


def test_accepting_asks_for_confirmation_first(client, staff, applicant):
    response = client.post(f"/admin/experts/inspect/{applicant.pk}/", {"action": "activate"})

    assert response.status_code == 200
    assert "as an adviser?" in response.content.decode()
    applicant.refresh_from_db()
    assert applicant.status == ExpertProfile.Status.APPLIED
    assert mail.outbox == []


def test_a_decision_without_a_message_points_to_the_problem(client, staff, applicant):
    response = vet(client, applicant, "request_info", "")

    body = response.content.decode()
    assert 'role="alert"' in body
    assert 'href="#id_request_info-message"' in body
    assert "autofocus" in body


def test_the_applicants_reply_reaches_the_coordinators_record(
    client, staff, applicant, django_capture_on_commit_callbacks
):
    vet(client, applicant, "request_info", "Which region are you in?")
    client.force_login(applicant.user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/me/resubmit/", {"reply": "I moved to Wales; I have updated it."})
    client.force_login(staff)

    record = client.get(f"/admin/experts/inspect/{applicant.pk}/").content.decode()

    assert "Which region are you in?" in record
    assert "I moved to Wales; I have updated it." in record
    assert "The applicant" in record
    reply = AuditEvent.objects.get(expert=applicant, action="expertprofile.submit")
    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM core_auditevent WHERE id = %s", [reply.pk])
        assert "Wales" not in cursor.fetchone()[0]


def test_finance_does_not_see_the_vetting_conversation(client, db, applicant):
    expert_request_info(profile=applicant, by=coordinator(), message="Private question")
    client.force_login(finance())

    record = client.get(f"/admin/experts/inspect/{applicant.pk}/").content.decode()

    assert "Private question" not in record


def test_the_applications_panel_says_how_long_the_oldest_has_waited(client, staff, db):
    old = expert(status="applied")
    expert(status="applied")
    ExpertProfile.objects.filter(pk=old.pk).update(
        status_changed_at=timezone.now() - timedelta(days=12)
    )

    page = client.get("/admin/").content.decode()

    assert "2 applications waiting for review" in page
    assert "the oldest for 12 days" in page
    assert 'href="/admin/experts/?status=applied"' in page


def test_the_directory_does_not_offer_a_filter_that_can_never_match(client, staff, db):
    page = client.get("/admin/experts/").content.decode()

    assert "Application not finished" not in page
    assert "Waiting for review" in page


def test_an_unfinished_application_is_not_sent(db):
    person = expert(status="draft")
    ExpertProfile.objects.filter(pk=person.pk).update(completed_steps=list(STEP_SLUGS)[:-1])

    with pytest.raises(
        TransitionNotAllowed, match=r"^Some parts of the application are not finished yet\.$"
    ):
        expert_application_submit(profile=person)

    person.refresh_from_db()
    assert person.status == ExpertProfile.Status.DRAFT
    assert not AuditEvent.objects.filter(expert=person).exists()


def test_a_new_application_reaches_the_coordinators_still_with_us_and_records_no_reply(
    db, django_capture_on_commit_callbacks
):
    person = expert(status="draft")
    coordinator(email="lead@tandem.test")
    coordinator(email="gone@tandem.test", is_active=False)

    with django_capture_on_commit_callbacks(execute=True):
        expert_application_submit(profile=person)

    assert sorted(m.to[0] for m in mail.outbox) == sorted([person.user.email, "lead@tandem.test"])
    assert AuditEvent.objects.get(expert=person, action="expertprofile.submit").note == ""


def test_the_hourly_job_skips_a_break_renewed_under_it_and_ends_the_others(db, monkeypatch):
    from engagement.services import experts as service

    people = [expert(status="paused", paused_until=timezone.localdate()) for _ in range(3)]
    real_resume = service.expert_resume
    renewed = []

    def resume_after_a_renewal(*, profile, by):
        if not renewed:
            # The first expert the job reaches took a new break after the job's query.
            ExpertProfile.objects.filter(pk=profile.pk).update(
                paused_until=timezone.localdate() + timedelta(days=20)
            )
            renewed.append(profile.pk)
        return real_resume(profile=profile, by=by)

    monkeypatch.setattr(service, "expert_resume", resume_after_a_renewal)

    assert experts_resume_due() == 2
    assert dict(ExpertProfile.objects.values_list("pk", "status")) == {
        p.pk: "paused" if p.pk == renewed[0] else "active" for p in people
    }


def test_the_hourly_job_does_not_touch_experts_whose_break_is_not_due(
    db, django_assert_num_queries
):
    expert(status="paused", paused_until=timezone.localdate() + timedelta(days=1))
    expert(status="paused", paused_until=None)
    # Accepted after the date they asked to wait for had passed: the date stays on record.
    expert(status="active", paused_until=timezone.localdate() - timedelta(days=1))

    with django_assert_num_queries(1):
        assert experts_resume_due() == 0
