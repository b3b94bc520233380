"""The audit trail's one writer."""

from core.models import AuditEvent
from core.services.audit import audit_record
from tests.factories import coordinator


def test_an_event_without_a_status_change_records_empty_states_and_no_note(db):
    lead = coordinator()

    event = audit_record(actor=lead, action="panel.coordinator_add", subject=lead)

    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.from_state, stored.to_state, stored.note, stored.extra) == ("", "", "", {})


def test_an_event_keeps_its_states_note_and_details(db):
    lead = coordinator()

    event = audit_record(
        actor=lead,
        action="expertprofile.decline",
        subject=lead,
        from_state="applied",
        to_state="declined",
        note="Thank you for applying",
        extra={"reference": "EX-1"},
    )

    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.from_state, stored.to_state, stored.note, stored.extra) == (
        "applied",
        "declined",
        "Thank you for applying",
        {"reference": "EX-1"},
    )
