"""The state-machine spine (core.transitions), exercised through ExpertProfile's declared
transitions: state and actor guards, compare-and-set, audit rows, side effects and rollback."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from core.models import AuditEvent
from core.transitions import TransitionNotAllowed, guarded_fields, transition_run
from engagement.models import ExpertProfile
from payments.models import Honorarium
from tests.factories import coordinator, expert, finance

Status = ExpertProfile.Status


class Boom(Exception):
    pass


@pytest.fixture
def applicant(db):
    return expert(status="applied")


def test_a_transition_moves_the_state_stamps_it_and_writes_one_audit_row(applicant):
    lead = coordinator()
    before = timezone.now()

    result = transition_run(applicant, "request_info", by=lead, note="Which region?")

    applicant.refresh_from_db()
    assert (result.status, applicant.status) == (Status.INFO_REQUESTED, Status.INFO_REQUESTED)
    assert applicant.status_changed_at >= before
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.subject, event.from_state, event.to_state) == (
        lead,
        "expertprofile.request_info",
        applicant,
        "applied",
        "info_requested",
    )
    assert event.note == "Which region?"


def test_the_audit_note_is_encrypted_at_rest(applicant):
    transition_run(applicant, "request_info", by=coordinator(), note="Secret question text")

    with connection.cursor() as cursor:
        cursor.execute("SELECT note FROM core_auditevent")
        (raw,) = cursor.fetchone()
    assert "Secret question text" not in raw
    assert raw.startswith("gAAAAA")


def test_a_transition_from_an_undeclared_state_is_refused_and_writes_nothing(db):
    active = expert(status="active")

    with pytest.raises(TransitionNotAllowed, match="while the status is 'Active'"):
        transition_run(active, "request_info", by=coordinator())

    active.refresh_from_db()
    assert active.status == Status.ACTIVE
    assert not AuditEvent.objects.exists()


def test_someone_the_declaration_does_not_allow_is_refused(applicant):
    with pytest.raises(TransitionNotAllowed, match="You cannot do that"):
        transition_run(applicant, "activate", by=finance())
    with pytest.raises(TransitionNotAllowed, match="You cannot do that"):
        transition_run(applicant, "activate", by=applicant.user)

    applicant.refresh_from_db()
    assert applicant.status == Status.APPLIED
    assert not AuditEvent.objects.exists()


def test_nobody_vets_their_own_application(db):
    lead = coordinator()
    own = expert(status="applied", user=lead)

    for name in ("activate", "request_info", "decline"):
        with pytest.raises(TransitionNotAllowed):
            transition_run(own, name, by=lead)

    own.refresh_from_db()
    assert own.status == Status.APPLIED
    assert ExpertProfile.workflow.permitted(lead, own) == frozenset({"leave"})


def test_only_system_transitions_run_without_a_person(db):
    paused = expert(status="paused", paused_until=timezone.localdate())
    active = expert(status="active")

    transition_run(paused, "resume", by=None)
    with pytest.raises(TransitionNotAllowed, match="You cannot do that"):
        transition_run(active, "pause", by=None)

    paused.refresh_from_db()
    assert paused.status == Status.ACTIVE
    assert AuditEvent.objects.get().actor is None


def test_a_failed_check_changes_nothing(applicant):
    def refuse(obj):
        raise TransitionNotAllowed("Not now")

    with pytest.raises(TransitionNotAllowed, match="Not now"):
        transition_run(applicant, "activate", by=coordinator(), check=refuse)

    applicant.refresh_from_db()
    assert applicant.status == Status.APPLIED
    assert not AuditEvent.objects.exists()


def test_a_failing_side_effect_rolls_the_whole_transition_back(applicant):
    def explode(obj):
        raise Boom

    with pytest.raises(Boom):
        transition_run(applicant, "activate", by=coordinator(), effects=explode)

    applicant.refresh_from_db()
    assert applicant.status == Status.APPLIED
    assert applicant.status_changed_at is None
    assert not AuditEvent.objects.exists()


def test_a_state_changed_by_someone_else_after_the_read_is_not_overwritten(applicant):
    # What a second writer does on SQLite, where the row lock does nothing: it changes the
    # state between this transition's read and its write. Compare-and-set refuses.
    def concurrent_decline(obj):
        ExpertProfile.objects.filter(pk=obj.pk).update(status=Status.DECLINED)

    with pytest.raises(TransitionNotAllowed, match="Waiting for review"):
        transition_run(applicant, "activate", by=coordinator(), check=concurrent_decline)

    assert not AuditEvent.objects.exists()


def test_the_target_must_be_one_the_declaration_names(applicant):
    with pytest.raises(ValueError, match="cannot lead to 'left'"):
        transition_run(applicant, "activate", by=coordinator(), to=Status.LEFT)

    applicant.refresh_from_db()
    assert applicant.status == Status.APPLIED


def test_a_transition_with_two_targets_takes_the_one_chosen_under_the_lock(db):
    waiting = expert(status="applied", paused_until=timezone.localdate() + timedelta(days=5))

    transition_run(
        waiting,
        "activate",
        by=coordinator(),
        to=lambda obj: Status.PAUSED if obj.paused_until else Status.ACTIVE,
    )

    waiting.refresh_from_db()
    assert waiting.status == Status.PAUSED
    assert AuditEvent.objects.get().to_state == "paused"


def test_apply_changes_other_fields_in_the_same_save(db):
    active = expert(status="active")
    until = timezone.localdate() + timedelta(days=9)

    def set_until(obj):
        obj.paused_until = until

    transition_run(active, "pause", by=active.user, apply=set_until, update_fields=["paused_until"])

    active.refresh_from_db()
    assert (active.status, active.paused_until) == (Status.PAUSED, until)


def test_permitted_lists_what_each_person_may_do_now(applicant):
    lead = coordinator()

    assert ExpertProfile.workflow.permitted(lead, applicant) == frozenset(
        {"activate", "request_info", "decline"}
    )
    assert ExpertProfile.workflow.permitted(applicant.user, applicant) == frozenset({"leave"})
    assert ExpertProfile.workflow.permitted(finance(), applicant) == frozenset()


def test_audit_events_are_append_only(applicant):
    transition_run(applicant, "decline", by=coordinator(), note="Sorry")
    event = AuditEvent.objects.get()
    event.note = "Rewritten"

    with pytest.raises(ValueError, match="append-only"):
        event.save()


def test_declarations_guard_the_status_and_access_granting_relations():
    from engagement.models import Panel, PanelMembership

    assert guarded_fields(ExpertProfile) == {"status", "status_changed_at"}
    assert guarded_fields(Honorarium) == {"status"}
    assert guarded_fields(Panel) == {"coordinators", "memberships"}
    assert guarded_fields(PanelMembership) == {"panel", "expert", "role", "started_on", "ended_on"}
