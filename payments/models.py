"""Rate cards, honoraria, expenses, payment batches and the payments ledger.

Money is `Decimal` in pounds with two places, never float. Every status changes through the
transitions declared beside it (core.transitions) and the services in payments/services,
each of which appends a `LedgerEntry`."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.rules import is_coordinator, is_finance
from core.transitions import StateMachine, Transition
from payments.predicates import is_payee
from payments.storage import receipt_storage, receipt_upload_to

MONEY = {"max_digits": 10, "decimal_places": 2}
HOURS = {"max_digits": 6, "decimal_places": 2}


class PaymentMethod(models.TextChoices):
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    VOUCHER = "voucher", _("Shopping voucher")
    EXPENSES_ONLY = "expenses_only", _("Expenses only")
    DECLINED = "declined", _("No payment")
    DONATED = "donated", _("Donated to charity")


class RateCard(models.Model):
    """The rates Tandem pays from `effective_from` until the next card starts. The rate in
    force on a date is the card with the latest `effective_from` on or before it
    (payments.selectors.rates.rate_card_in_force)."""

    effective_from = models.DateField(_("in force from"), unique=True)
    session_hourly = models.DecimalField(_("sessions, per hour"), **MONEY)
    preparation_hourly = models.DecimalField(_("preparation, per hour"), **MONEY)
    review_fee = models.DecimalField(_("scoring, per proposal reviewed"), **MONEY)
    writing_hourly = models.DecimalField(_("writing, per hour"), **MONEY)
    day_rate = models.DecimalField(_("day rate"), **MONEY)
    mileage_per_mile = models.DecimalField(_("mileage, per mile"), **MONEY)
    expenses_notes = models.TextField(
        _("expenses rules"),
        blank=True,
        help_text=_("What Tandem pays back, in plain words. Shown on the public page."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        verbose_name = _("rate card")
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    session_hourly__gte=0,
                    preparation_hourly__gte=0,
                    review_fee__gte=0,
                    writing_hourly__gte=0,
                    day_rate__gte=0,
                    mileage_per_mile__gte=0,
                ),
                name="rate_card_rates_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return str(_("Rates from %(date)s") % {"date": self.effective_from.strftime("%-d %b %Y")})


class PaymentBatch(models.Model):
    """A set of approved items Finance pays together (exported as CSV for the finance
    system). Marking it paid pays every item in it, once."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting to be paid")
        PAID = "paid", _("Paid")

    workflow = StateMachine(
        Transition("pay", source=[Status.OPEN], target=Status.PAID, allowed=is_finance),
    )

    reference = models.CharField(_("reference"), max_length=20, unique=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    total = models.DecimalField(_("total"), default=0, **MONEY)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("payment batch")
        verbose_name_plural = _("payment batches")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(total__gte=0), name="batch_total_gte_0"),
            models.CheckConstraint(
                condition=models.Q(status="paid", paid_at__isnull=False) | ~models.Q(status="paid"),
                name="batch_paid_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class Honorarium(models.Model):
    """A payment owed to an expert for one piece of work.

    `payee_reference` is the expert's pseudonymous reference, copied here so that when a
    person erases their account the record payment law requires (reference, amount, dates)
    survives without naming them. One honorarium per source activity and expert
    (`honorarium_once_per_source`); rows made before sources were recorded have none."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        BATCHED = "batched", _("In a payment batch")
        PAID = "paid", _("Paid")
        REJECTED = "rejected", _("Rejected")
        CANCELLED = "cancelled", _("Cancelled")

    class Source(models.TextChoices):
        ATTENDANCE = "attendance", _("Panel session")
        REVIEW = "review", _("Proposal review")
        WRITING = "writing", _("Writing")

    class NotPayable(models.TextChoices):
        DECLINED = "declined", _("You chose not to be paid for your time")
        EXPENSES_ONLY = "expenses_only", _("You receive expenses only")

    # Coordinators approve; Finance batches and pays (never an item they approved: the pay
    # service checks that).
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
    source_type = models.CharField(
        _("kind of work"), max_length=20, choices=Source.choices, blank=True
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    work_date = models.DateField(_("date of the work"), null=True, blank=True)
    # amount = quantity x rate + preparation_hours x preparation_rate, rounded half-up to
    # pence once (payments.services.honoraria.honorarium_amount).
    quantity = models.DecimalField(_("hours or items"), null=True, blank=True, **HOURS)
    rate = models.DecimalField(_("rate"), null=True, blank=True, **MONEY)
    preparation_hours = models.DecimalField(_("preparation hours"), default=0, **HOURS)
    preparation_rate = models.DecimalField(_("preparation rate"), default=0, **MONEY)
    rate_card = models.ForeignKey(
        RateCard, null=True, blank=True, on_delete=models.PROTECT, related_name="honoraria"
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(max_length=3, default="GBP")
    method = models.CharField(max_length=20, choices=PaymentMethod.choices)
    payable = models.BooleanField(_("to be paid"), default=True)
    not_payable_reason = models.CharField(
        _("why it is not paid"), max_length=20, choices=NotPayable.choices, blank=True
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    rejection_reason = models.CharField(_("reason"), max_length=500, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    batch = models.ForeignKey(
        PaymentBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="honoraria"
    )
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
            # Legacy rows (made before sources were recorded) have neither; new rows both.
            models.UniqueConstraint(
                fields=["source_type", "source_id", "payee_reference"],
                condition=models.Q(source_id__isnull=False),
                name="honorarium_once_per_source",
            ),
            models.CheckConstraint(
                condition=models.Q(source_id__isnull=True, source_type="")
                | (models.Q(source_id__isnull=False) & ~models.Q(source_type="")),
                name="honorarium_source_complete",
            ),
            models.CheckConstraint(
                condition=models.Q(payable=True, not_payable_reason="")
                | (models.Q(payable=False) & ~models.Q(not_payable_reason="")),
                name="honorarium_not_payable_has_reason",
            ),
            # What is not payable is never batched or paid.
            models.CheckConstraint(
                condition=models.Q(payable=True) | ~models.Q(status__in=["batched", "paid"]),
                name="honorarium_paid_only_if_payable",
            ),
        ]
        indexes = [models.Index(fields=["status", "work_date"], name="honorarium_status_work_idx")]

    def __str__(self) -> str:
        return f"{self.payee_reference}: {self.description}"


class Expense(models.Model):
    """Money an expert spent to take part (travel, childcare, data or phone, other), claimed
    with a receipt. Always payable, to every expert, expenses-only ones included."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        APPROVED = "approved", _("Approved")
        BATCHED = "batched", _("In a payment batch")
        PAID = "paid", _("Paid")
        REJECTED = "rejected", _("Not approved")
        CANCELLED = "cancelled", _("Cancelled")

    class Category(models.TextChoices):
        TRAVEL = "travel", _("Travel")
        CHILDCARE = "childcare", _("Childcare or care")
        DATA_PHONE = "data_phone", _("Mobile data or phone")
        OTHER = "other", _("Something else")

    workflow = StateMachine(
        Transition(
            "approve", source=[Status.PENDING], target=Status.APPROVED, allowed=is_coordinator
        ),
        Transition(
            "reject", source=[Status.PENDING], target=Status.REJECTED, allowed=is_coordinator
        ),
        Transition("batch", source=[Status.APPROVED], target=Status.BATCHED, allowed=is_finance),
        Transition("pay", source=[Status.BATCHED], target=Status.PAID, allowed=is_finance),
        # The expert withdraws their own claim (checked in the service), or staff cancel it.
        Transition(
            "cancel",
            source=[Status.PENDING, Status.APPROVED],
            target=Status.CANCELLED,
            allowed=is_coordinator | is_finance,
        ),
        Transition("withdraw", source=[Status.PENDING], target=Status.CANCELLED, allowed=is_payee),
    )

    payee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="expenses",
    )
    payee_reference = models.CharField(_("payee reference"), max_length=16)
    category = models.CharField(_("what kind of cost"), max_length=20, choices=Category.choices)
    description = models.CharField(_("what it was for"), max_length=200)
    incurred_on = models.DateField(_("date of the cost"))
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(max_length=3, default="GBP")
    # How it is paid back: by bank transfer unless the service is told otherwise.
    method = models.CharField(
        max_length=20, choices=PaymentMethod.choices, default=PaymentMethod.BANK_TRANSFER
    )
    receipt = models.FileField(
        _("receipt"), storage=receipt_storage, upload_to=receipt_upload_to, max_length=100
    )
    receipt_content_type = models.CharField(max_length=40)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    rejection_reason = models.CharField(_("reason"), max_length=500, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    batch = models.ForeignKey(
        PaymentBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="expenses"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("expense")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="expense_amount_gt_0"),
            models.CheckConstraint(
                condition=models.Q(status="paid", paid_at__isnull=False) | ~models.Q(status="paid"),
                name="expense_paid_has_date",
            ),
        ]
        indexes = [models.Index(fields=["status", "incurred_on"], name="expense_status_date_idx")]

    def __str__(self) -> str:
        return f"{self.payee_reference}: {self.description}"


class LedgerEntry(models.Model):
    """Append-only: one row per change of an honorarium or expense, its creation included:
    who, when, from which state to which, and the amount. Kept beside the audit table, and
    kept when a person erases their account (`actor_reference` survives the actor)."""

    class Action(models.TextChoices):
        CREATE = "create", _("Created")
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Rejected")
        BATCH = "batch", _("Added to a batch")
        PAY = "pay", _("Paid")
        CANCEL = "cancel", _("Cancelled")

    honorarium = models.ForeignKey(
        Honorarium, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger"
    )
    expense = models.ForeignKey(
        Expense, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger"
    )
    batch = models.ForeignKey(
        PaymentBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger"
    )
    action = models.CharField(max_length=20, choices=Action.choices)
    from_state = models.CharField(max_length=20, blank=True)
    to_state = models.CharField(max_length=20)
    amount = models.DecimalField(**MONEY)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_reference = models.CharField(max_length=40)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(honorarium__isnull=False, expense__isnull=True)
                | models.Q(honorarium__isnull=True, expense__isnull=False),
                name="ledger_entry_one_item",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.from_state}→{self.to_state} {self.amount}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Ledger entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Ledger entries are append-only.")
