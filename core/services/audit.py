"""Writing the audit trail. Reads live beside the features that show them."""

from django.db import models

from core.models import AuditEvent


def audit_record(
    *,
    actor,
    action: str,
    subject: models.Model,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
    extra: dict | None = None,
) -> AuditEvent:
    """Append one event. Call it inside the transaction that makes the change it records, so
    the change and its record commit together."""
    return AuditEvent.objects.create(
        actor=actor,
        action=action,
        subject=subject,
        from_state=from_state,
        to_state=to_state,
        note=note,
        extra=extra or {},
    )
