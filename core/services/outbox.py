"""The email outbox: every email Tandem sends is queued here first, then delivered by Celery.

The row is the source of truth and keeps its own schedule. A delivery claims the row with a
conditional UPDATE committed before the SMTP exchange, so one delivery at a time sends it on
any database. A failed attempt (of any kind) schedules the next one with exponential backoff;
the sweeper, run every minute by beat, enqueues what is due and gives up on emails that have
waited OUTBOX_GIVE_UP_HOURS, which staff can then resend.

SMTP makes delivery at least once: a worker that dies after the server accepted a message but
before recording it sends the message again once its claim expires, with the same Message-ID."""

import logging
import time
from collections.abc import Sequence
from datetime import timedelta
from email.mime.text import MIMEText
from enum import Enum
from functools import partial
from typing import NamedTuple

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from wagtail.log_actions import log

from core.enqueue import task_enqueue
from core.models import OutboundAttachment, OutboundEmail

logger = logging.getLogger(__name__)

DELIVER_TASK = "core.tasks.email_deliver"
SWEEP_BATCH = 500
# Beat starts a sweep every minute; stopping well before that keeps sweeps from overlapping.
SWEEP_TIME_BUDGET_SECONDS = 30.0


class Attachment(NamedTuple):
    """A text file sent with an email. `content_type` may carry parameters, as in
    "text/calendar; method=REQUEST"."""

    filename: str
    content_type: str
    content: str


class Delivery(Enum):
    SENT = "sent"
    # Sent, given up, or being sent by another delivery right now.
    ALREADY_DONE = "already_done"
    RETRY = "retry"


def _claim() -> timedelta:
    return timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS)


def _lease() -> timedelta:
    return timedelta(seconds=settings.OUTBOX_ENQUEUE_LEASE_SECONDS)


def _delivery_enqueue(email_id: int) -> None:
    if not task_enqueue(DELIVER_TASK, email_id):
        # Not in the queue after all: due at the next sweep rather than after a lease.
        OutboundEmail.objects.filter(pk=email_id, attempts=0, sent_at__isnull=True).update(
            next_attempt_at=timezone.now()
        )


def _delivery_enqueue_on_commit(email_id: int) -> None:
    # Robust: one failing callback must not stop the rest of the same commit's.
    transaction.on_commit(partial(_delivery_enqueue, email_id), robust=True)


def _unclaimed(now) -> Q:
    return Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)


def _backoff(attempts: int) -> timedelta:
    seconds = settings.OUTBOX_RETRY_BASE_SECONDS * 2 ** (attempts - 1)
    return timedelta(seconds=min(seconds, settings.OUTBOX_RETRY_MAX_SECONDS))


def email_queue(
    *,
    to_address: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    template: str,
    recipient=None,
    attachments: Sequence[Attachment] = (),
) -> OutboundEmail:
    """Store an email (with its attachments, in the same transaction) and enqueue its
    delivery once the surrounding transaction commits. The sweeper leaves it to that task for
    OUTBOX_ENQUEUE_LEASE_SECONDS, or takes it over at its next run if the broker could not be
    reached."""
    now = timezone.now()
    # No savepoint: inside a caller's transaction this adds no queries.
    with transaction.atomic(savepoint=False):
        email = OutboundEmail.objects.create(
            recipient=recipient,
            to_address=to_address,
            subject=subject,
            body_text=body_text,
            body_html=body_html,
            template=template,
            queued_at=now,
            next_attempt_at=now + _lease(),
        )
        OutboundAttachment.objects.bulk_create(
            OutboundAttachment(email=email, **attachment._asdict()) for attachment in attachments
        )
        _delivery_enqueue_on_commit(email.pk)
    return email


def email_queue_template(
    *,
    template: str,
    context: dict,
    recipient=None,
    to_address: str | None = None,
    attachments: Sequence[Attachment] = (),
) -> OutboundEmail:
    """Render `emails/<template>_{subject.txt,message.txt,message.html}` in the recipient's
    language and time zone and queue the result."""
    language = getattr(recipient, "preferred_language", None) or settings.LANGUAGE_CODE
    zone = getattr(recipient, "time_zone", None) or settings.TIME_ZONE
    context = {"site_url": settings.SITE_URL, "recipient": recipient, **context}
    with translation.override(language), timezone.override(zone):
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
        attachments=attachments,
    )


def _mime_attachment(attachment: OutboundAttachment) -> MIMEText:
    """A text attachment with its content type's parameters kept (Django's own attach would
    fold them into the subtype)."""
    content_type, *parameters = (part.strip() for part in attachment.content_type.split(";"))
    subtype = content_type.split("/", 1)[1]
    part = MIMEText(attachment.content, subtype, "utf-8")
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        part.set_param(name.strip(), value.strip().strip('"'))
    part.add_header("Content-Disposition", "attachment", filename=attachment.filename)
    return part


def email_deliver(*, email_id: int) -> Delivery:
    """Send one queued email unless it is sent, given up or claimed by another delivery.

    The claim is committed before the SMTP exchange (never inside a caller's transaction), so
    a concurrent delivery sees it; it lapses after OUTBOX_CLAIM_SECONDS, after which the
    sweeper retries an email whose worker died."""
    now = timezone.now()
    claimed_until = now + _claim()
    with transaction.atomic(durable=True):
        claimed = OutboundEmail.objects.filter(
            _unclaimed(now), pk=email_id, sent_at__isnull=True, failed_at__isnull=True
        ).update(
            claimed_until=claimed_until,
            next_attempt_at=claimed_until,
            attempts=F("attempts") + 1,
        )
    if not claimed:
        return Delivery.ALREADY_DONE
    try:
        email = OutboundEmail.objects.get(pk=email_id)
        message = EmailMultiAlternatives(
            subject=email.subject,
            body=email.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email.to_address],
            headers={"Message-ID": email.message_id},
        )
        if email.body_html:
            message.attach_alternative(email.body_html, "text/html")
        for attachment in email.attachments.all():
            message.attach(_mime_attachment(attachment))
        message.send()
    except Exception as exc:  # every kind of failure is counted and retried on schedule
        _failure_record(email_id, claimed_until=claimed_until, error=type(exc).__name__)
        return Delivery.RETRY
    OutboundEmail.objects.filter(pk=email_id, sent_at__isnull=True).update(
        sent_at=timezone.now(), claimed_until=None, last_error=""
    )
    return Delivery.SENT


def _failure_record(email_id: int, *, claimed_until, error: str) -> None:
    # The class name tells operators enough without copying an address or a body anywhere.
    attempts, template = (
        OutboundEmail.objects.filter(pk=email_id).values_list("attempts", "template").get()
    )
    delay = _backoff(attempts)
    OutboundEmail.objects.filter(pk=email_id, claimed_until=claimed_until).update(
        claimed_until=None, next_attempt_at=timezone.now() + delay, last_error=error
    )
    logger.warning(
        "Email %s (%s) not delivered on attempt %s: %s; next attempt in %g s",
        email_id,
        template,
        attempts,
        error,
        delay.total_seconds(),
    )


def outbox_sweep() -> int:
    """Give up on emails older than OUTBOX_GIVE_UP_HOURS, then enqueue every email that is
    due, batch after batch until none is left or the time budget is spent. Each batch is
    leased first (its next attempt pushed one lease ahead), so a sweep never enqueues an
    email that an earlier one has just enqueued. Returns how many were enqueued."""
    _overdue_give_up()
    deadline = time.monotonic() + SWEEP_TIME_BUDGET_SECONDS
    enqueued = 0
    while time.monotonic() < deadline:
        batch = _due_batch_lease()
        if not batch:
            break
        for email_id in batch:
            if not task_enqueue(DELIVER_TASK, email_id):
                # The broker is down: the rest of the batch waits out its lease.
                return enqueued
            enqueued += 1
    return enqueued


def _due_batch_lease() -> list[int]:
    now = timezone.now()
    with transaction.atomic():
        due = list(
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=True, failed_at__isnull=True, next_attempt_at__lte=now)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:SWEEP_BATCH]
        )
        OutboundEmail.objects.filter(pk__in=due, next_attempt_at__lte=now).update(
            next_attempt_at=now + _lease()
        )
    return due


def _overdue_give_up() -> None:
    now = timezone.now()
    overdue = OutboundEmail.objects.filter(
        _unclaimed(now),
        sent_at__isnull=True,
        failed_at__isnull=True,
        queued_at__lt=now - timedelta(hours=settings.OUTBOX_GIVE_UP_HOURS),
    )
    given_up = overdue.update(failed_at=now, claimed_until=None)
    if given_up:
        logger.warning(
            "Gave up on %s emails not sent within %s hours; staff can resend them",
            given_up,
            settings.OUTBOX_GIVE_UP_HOURS,
        )


def email_resend(*, email_id: int, by) -> bool:
    """Start an unsent email over: a fresh give-up clock and backoff, enqueued on commit.
    Refused (False) for an email that has been sent or is being sent right now."""
    now = timezone.now()
    resendable = OutboundEmail.objects.filter(_unclaimed(now), pk=email_id, sent_at__isnull=True)
    with transaction.atomic():
        email = (
            resendable.select_for_update().only("pk", "template", "attempts", "last_error").first()
        )
        # Conditional as well as locked: SQLite has no row locks.
        if email is None or not resendable.update(
            failed_at=None,
            claimed_until=None,
            attempts=0,
            last_error="",
            queued_at=now,
            next_attempt_at=now + _lease(),
        ):
            return False
        log(
            instance=email,
            action="tandem.email_resend",
            user=by,
            data={"attempts": email.attempts, "last_error": email.last_error},
        )
        _delivery_enqueue_on_commit(email_id)
    return True
