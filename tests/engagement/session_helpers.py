"""Shared by the session tests: deliver what the outbox queued (its delivery runs on commit,
which a test inside one transaction never reaches)."""

from django.core import mail

from core.models import OutboundEmail
from core.services.outbox import email_deliver


def delivered() -> list:
    """Deliver every queued email, then return everything sent so far."""
    for email_id in OutboundEmail.objects.filter(sent_at__isnull=True).values_list("pk", flat=True):
        email_deliver(email_id=email_id)
    return mail.outbox
