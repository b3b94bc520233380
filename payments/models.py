from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.rules import is_coordinator, is_finance
from core.transitions import StateMachine, Transition


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    VOUCHER = "voucher", _("Shopping voucher")
    EXPENSES_ONLY = "expenses_only", _("Expenses only")
    DECLINED = "declined", _("No payment")
    DONATED = "donated", _("Donated to charity")


class Honorarium(models.Model):
    """A payment owed to an expert for one piece of work.

    `payee_reference` is the expert's pseudonymous reference, copied here so that when a
    person erases their account the record payment law requires (reference, amount, dates)
    survives without naming them."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        BATCHED = "batched", _("In a payment batch")
        PAID = "paid", _("Paid")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    # Coordinators approve; Finance batches and pays. No service runs these yet: the payments
    # feature adds them, and nothing else may write the status meanwhile.
    workflow = StateMachine(
        Transition(
            "approve", source=[Status.PENDING], target=Status.APPROVED, allowed=is_coordinator
        ),
        Transition(
            "reject", source=[Status.PENDING], target=Status.REJECTED, allowed=is_coordinator
        ),
        Transition("batch", source=[Status.APPROVED], target=Status.BATCHED, allowed=is_finance),
        Transition("pay", source=[Status.BATCHED], target=Status.PAID, allowed=is_finance),
        Transition(
            "cancel",
            source=[Status.PENDING, Status.APPROVED],
            target=Status.CANCELLED,
            allowed=is_coordinator | is_finance,
        ),
    )

    payee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="honoraria",
    )
    payee_reference = models.CharField(_("payee reference"), max_length=16)
    description = models.CharField(_("what it is for"), max_length=200)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3, default="GBP")
    method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("honorarium")
        verbose_name_plural = _("honoraria")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0), name="honorarium_amount_gte_0"
            ),
            models.CheckConstraint(
                condition=models.Q(status="paid", paid_at__isnull=False) | ~models.Q(status="paid"),
                name="honorarium_paid_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payee_reference}: {self.description}"
