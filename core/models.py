import uuid
from email.utils import parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedTextField


class OutboundEmail(models.Model):
    """One email to one person. The row is written in the same transaction as the change that
    causes it, so a broker outage delays the email but never loses it. The row keeps its own
    retry schedule: `next_attempt_at` says when the sweeper next enqueues it, `claimed_until`
    marks a delivery in progress, `sent_at` set means delivered and `failed_at` set means
    given up (staff can resend it).

    Delivery is at least once: an attempt interrupted after the mail server accepted the
    message is repeated, with the same Message-ID.

    Address, subject and bodies are encrypted: they can carry names and one-time links."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbound_emails",
    )
    template = models.CharField(_("template"), max_length=120)
    to_address = EncryptedTextField(_("to"))
    subject = EncryptedTextField(_("subject"))
    body_text = EncryptedTextField(_("plain text body"))
    body_html = EncryptedTextField(_("HTML body"), blank=True)
    message_uuid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The give-up clock runs from here; a resend starts it again.
    queued_at = models.DateTimeField(_("queued"), default=timezone.now)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    claimed_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    failed_at = models.DateTimeField(_("given up"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("outbound email")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_due_idx",
                condition=models.Q(sent_at__isnull=True, failed_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.template} #{self.pk}"

    @property
    def message_id(self) -> str:
        """The same for every attempt, so that a duplicate can be recognised."""
        domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2]
        return f"<{self.message_uuid}@{domain or urlsplit(settings.SITE_URL).hostname}>"


class OutboundAttachment(models.Model):
    """A file sent with an outbound email (a calendar invitation, say). Encrypted like the
    body: a session's calendar file carries its joining details."""

    email = models.ForeignKey(OutboundEmail, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(_("file name"), max_length=120)
    # May carry parameters, e.g. "text/calendar; method=REQUEST" (RFC 6047 asks for it).
    content_type = models.CharField(_("content type"), max_length=120)
    content = EncryptedTextField(_("content"))

    class Meta:
        verbose_name = _("outbound email attachment")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.filename


class AuditEvent(models.Model):
    """Append-only record of every state change and every grant of access: who did what to
    which object, from which state to which, and when (the shape of Zulip's RealmAuditLog).

    `note` holds a message written to a person (for example a coordinator's question to an
    applicant) and is encrypted; `extra` holds only non-personal details. Payments keep their
    own ledger beside this table."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=80)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    from_state = models.CharField(_("from"), max_length=40, blank=True)
    to_state = models.CharField(_("to"), max_length=40, blank=True)
    note = EncryptedTextField(_("message"), blank=True, default="")
    extra = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("audit event")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "-created_at"], name="audit_subject_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.from_state}→{self.to_state}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        super().save(*args, **kwargs)
