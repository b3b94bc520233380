from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedTextField


class OutboundEmail(models.Model):
    """One email to one person. The row is written in the same transaction as the change that
    causes it, so a broker outage delays the email but never loses it; `sent_at` set means
    delivered, and delivery is guarded so a retried task never sends twice.

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
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = _("outbound email")
        indexes = [
            models.Index(
                fields=["created_at"],
                name="outbox_pending_idx",
                condition=models.Q(sent_at__isnull=True, failed_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.template} #{self.pk}"
