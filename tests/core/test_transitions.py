"""The state-machine spine (core.transitions), exercised through ExpertProfile's declared
transitions: state and actor guards, compare-and-set, audit rows, side effects and rollback."""

from datetime import timedelta

import pytest
import rules
from django.contrib.auth.models import AnonymousUser
from django.db import connection, models
from django.test.utils import isolate_apps
from django.utils import timezone

from core import transitions
from core.models import AuditEvent
from core.transitions import (
    GrantsAccess,
    StateMachine,
    Transition,
    TransitionNotAllowed,
    guarded_fields,
    guarded_models,
    machine_for,
    state_machines,
    transition_run,
)
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


def test_apply_saves_only_the_fields_the_service_lists(db):
    active = expert(status="active", pronouns="they/them")
    until = timezone.localdate() + timedelta(days=9)

    def pause_and_stray(obj):
        obj.paused_until = until
        obj.pronouns = "she/her"

    transition_run(
        active, "pause", by=active.user, apply=pause_and_stray, update_fields=["paused_until"]
    )

    active.refresh_from_db()
    assert (active.status, active.paused_until, active.pronouns) == (
        Status.PAUSED,
        until,
        "they/them",
    )


def test_the_row_is_looked_up_only_in_the_queryset_the_service_gives(applicant):
    """A service that narrows which rows it may lock (one panel's, say) cannot move another."""
    with pytest.raises(ExpertProfile.DoesNotExist):
        transition_run(
            applicant,
            "request_info",
            by=coordinator(),
            queryset=ExpertProfile.objects.filter(status=Status.ACTIVE),
        )

    applicant.refresh_from_db()
    assert applicant.status == Status.APPLIED
    assert not AuditEvent.objects.exists()


def test_the_audit_row_keeps_the_services_extra_details(applicant):
    transition_run(applicant, "request_info", by=coordinator(), extra={"asked_about": "region"})

    assert AuditEvent.objects.get().extra == {"asked_about": "region"}


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


@pytest.fixture
def registries(monkeypatch):
    """Models declared inside a test leave the project's registries as they were."""
    monkeypatch.setattr(transitions, "_machines", dict(transitions._machines))
    monkeypatch.setattr(transitions, "_all_machines", dict(transitions._all_machines))
    monkeypatch.setattr(transitions, "_access_relations", dict(transitions._access_relations))


def test_a_transition_keeps_its_sources_as_a_set_and_leads_to_its_first_target_by_default():
    single = Transition("publish", source=["draft", "review", "draft"], target="live")
    several = Transition("close", source=(s for s in ["open"]), target=["closed", "archived"])

    assert (single.source, single.target, single.targets) == (
        frozenset({"draft", "review"}),
        "live",
        frozenset({"live"}),
    )
    assert (several.source, several.target, several.targets) == (
        frozenset({"open"}),
        "closed",
        frozenset({"closed", "archived"}),
    )


def test_a_machine_declared_on_a_model_is_that_models_and_guards_its_status_and_stamp(registries):
    with isolate_apps("core"):

        class Ticket(models.Model):  # noqa: DJ008 - declared only for this test
            status = models.CharField(max_length=20)
            closed_at = models.DateTimeField(null=True)
            workflow = StateMachine(
                Transition("close", source=["open"], target="closed", allowed=rules.always_allow),
                Transition("reopen", source=["closed"], target="open", system=True),
                stamp="closed_at",
            )

            class Meta:
                app_label = "core"

    assert machine_for(Ticket) is Ticket.workflow
    assert state_machines()[Ticket] is Ticket.workflow
    assert Ticket.workflow.model is Ticket
    assert Ticket in guarded_models()
    assert guarded_fields(Ticket) == {"status", "closed_at"}
    assert Ticket.workflow.permitted(AnonymousUser(), Ticket(status="open")) == {"close"}
    assert Ticket.workflow.permitted(None, Ticket(status="closed")) == {"reopen"}


def test_a_model_may_declare_a_machine_per_field_with_names_unique_across_them(registries):
    with isolate_apps("core"):

        class Round(models.Model):  # noqa: DJ008 - declared only for this test
            phase = models.CharField(max_length=20)
            approval = models.CharField(max_length=20)
            workflow = StateMachine(
                Transition("start", source=["setup"], target="running", system=True),
                field="phase",
            )
            approval_workflow = StateMachine(
                Transition("approve", source=["draft"], target="approved", system=True),
                field="approval",
            )

            class Meta:
                app_label = "core"

    assert machine_for(Round) is Round.workflow
    assert machine_for(Round, "approve") is Round.approval_workflow
    assert machine_for(Round, "start") is Round.workflow
    assert guarded_fields(Round) == {"phase", "approval"}

    with pytest.raises(ValueError, match="declared twice"), isolate_apps("core"):

        class Clash(models.Model):  # noqa: DJ008 - declared only for this test
            phase = models.CharField(max_length=20)
            approval = models.CharField(max_length=20)
            workflow = StateMachine(
                Transition("go", source=["a"], target="b", system=True), field="phase"
            )
            approval_workflow = StateMachine(
                Transition("go", source=["x"], target="y", system=True), field="approval"
            )

            class Meta:
                app_label = "core"


def test_access_granting_relations_are_guarded_by_name_or_as_the_whole_model(registries):
    with isolate_apps("core"):

        class Club(models.Model):  # noqa: DJ008 - declared only for this test
            name = models.CharField(max_length=20)
            organiser = models.CharField(max_length=20)
            access = GrantsAccess("organiser")

            class Meta:
                app_label = "core"

        class Seat(models.Model):  # noqa: DJ008 - declared only for this test
            club = models.CharField(max_length=20)
            person = models.CharField(max_length=20)
            access = GrantsAccess(all_fields=True)

            class Meta:
                app_label = "core"

    assert (Club.access.relations, Seat.access.all_fields) == (frozenset({"organiser"}), True)
    assert guarded_fields(Club) == {"organiser"}
    assert guarded_fields(Seat) == {"club", "person"}
    assert {Club, Seat} <= guarded_models()
    assert Club not in state_machines()


def test_a_status_without_choices_is_named_by_its_value_when_refused(db, registries):
    with isolate_apps("core"):

        class Draft(models.Model):  # noqa: DJ008 - declared only for this test
            state = models.CharField(max_length=20)
            workflow = StateMachine(
                Transition("submit", source=["open"], target="sent", allowed=rules.always_allow),
                field="state",
            )

            class Meta:
                app_label = "core"
                db_table = "test_transitions_draft"

    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {Draft._meta.db_table} (id integer PRIMARY KEY, state text)")
    Draft.objects.create(id=1, state="archived")

    with pytest.raises(TransitionNotAllowed) as refused:
        transition_run(Draft(id=1), "submit", by=AnonymousUser())

    assert str(refused.value) == "That cannot be done while the status is 'archived'."
    assert not AuditEvent.objects.exists()
