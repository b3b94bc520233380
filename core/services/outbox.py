"""The email outbox: every email Tandem sends is queued here first, then delivered by Celery."""

import logging
from datetime import timedelta
from enum import Enum

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.models import OutboundEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# The sweeper leaves fresh rows to the task enqueued on commit.
SWEEP_GRACE = timedelta(minutes=2)
SWEEP_BATCH = 500


class Delivery(Enum):
    SENT = "sent"
    ALREADY_DONE = "already_done"
    RETRY = "retry"
    GAVE_UP = "gave_up"


def email_queue(
    *,
    to_address: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    template: str,
    recipient=None,
) -> OutboundEmail:
    """Store an email and enqueue its delivery once the surrounding transaction commits."""
    from core.tasks import email_deliver as email_deliver_task

    email = OutboundEmail.objects.create(
        recipient=recipient,
        to_address=to_address,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        template=template,
    )
    transaction.on_commit(lambda: email_deliver_task.delay(email.pk))
    return email


def email_queue_template(
    *, template: str, context: dict, recipient=None, to_address: str | None = None
) -> OutboundEmail:
    """Render `emails/<template>_{subject.txt,message.txt,message.html}` in the recipient's
    language and queue the result."""
    language = getattr(recipient, "preferred_language", None) or settings.LANGUAGE_CODE
    context = {"site_url": settings.SITE_URL, "recipient": recipient, **context}
    with translation.override(language):
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        body_text = render_to_string(f"emails/{template}_message.txt", context).strip()
        body_html = render_to_string(f"emails/{template}_message.html", context).strip()
    return email_queue(
        to_address=to_address or recipient.email,
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        body_text=body_text,
        body_html=body_html,
        template=template,
        recipient=recipient,
    )


def email_deliver(*, email_id: int) -> Delivery:
    """Send one queued email at most once: the row is locked, and a delivered or abandoned
    email is left alone."""
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.sent_at or email.failed_at:
            return Delivery.ALREADY_DONE
        message = EmailMultiAlternatives(
            subject=email.subject,
            body=email.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email.to_address],
        )
        if email.body_html:
            message.attach_alternative(email.body_html, "text/html")
        email.attempts += 1
        try:
            message.send()
        except OSError as exc:
            # SMTP errors are OSErrors; the class name tells operators enough without
            # copying an address or a body into the log.
            email.last_error = type(exc).__name__
            outcome = Delivery.RETRY
            if email.attempts >= MAX_ATTEMPTS:
                email.failed_at = timezone.now()
                outcome = Delivery.GAVE_UP
            email.save(update_fields=["attempts", "last_error", "failed_at"])
            logger.warning(
                "Email %s (%s) not delivered on attempt %s: %s",
                email.pk,
                email.template,
                email.attempts,
                email.last_error,
            )
            return outcome
        email.sent_at = timezone.now()
        email.last_error = ""
        email.save(update_fields=["attempts", "sent_at", "last_error"])
    return Delivery.SENT


def outbox_sweep() -> int:
    """Re-enqueue every email still waiting after the grace period; returns how many."""
    from core.tasks import email_deliver as email_deliver_task

    due = list(
        OutboundEmail.objects.filter(
            sent_at__isnull=True,
            failed_at__isnull=True,
            created_at__lt=timezone.now() - SWEEP_GRACE,
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    for email_id in due:
        email_deliver_task.delay(email_id)
    return len(due)
