"""What an expert sees of their own payments: every honorarium and expense with its status in
plain words and the date it is expected, totals for the UK tax year, and statements.

The UK tax year runs from 6 April to 5 April; a year is named by the calendar year it starts
in (2026 is 6 April 2026 to 5 April 2027). Every function takes `today` (or a year) so that
its boundaries can be tested."""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from payments.models import Expense, Honorarium, PaymentMethod

TAX_YEAR_STARTS = (4, 6)  # 6 April


def tax_year_of(day: date) -> int:
    """The tax year `day` falls in, named by the calendar year it starts in."""
    return day.year if (day.month, day.day) >= TAX_YEAR_STARTS else day.year - 1


@dataclass(frozen=True)
class TaxYear:
    start_year: int

    @property
    def first_day(self) -> date:
        return date(self.start_year, *TAX_YEAR_STARTS)

    @property
    def last_day(self) -> date:
        return date(self.start_year + 1, 4, 5)

    def __contains__(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    @property
    def label(self) -> str:
        """ "2026 to 2027", as HMRC names tax years."""
        return f"{self.start_year} to {self.start_year + 1}"


def tax_year_for(day: date) -> TaxYear:
    return TaxYear(tax_year_of(day))


def next_batch_day(today: date) -> date:
    """The day of the next payment batch on or after `today`: Finance pays approved items once
    a month, on `PAYMENTS_BATCH_DAY` (the 15th unless configured; the last day of a shorter
    month when the day does not exist in it)."""
    wanted = settings.PAYMENTS_BATCH_DAY

    def in_month(year: int, month: int) -> date:
        return date(year, month, min(wanted, calendar.monthrange(year, month)[1]))

    this_month = in_month(today.year, today.month)
    if this_month >= today:
        return this_month
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return in_month(year, month)


def threshold_crossed(total: Decimal) -> bool:
    """Whether a year's payments for work reach the trading allowance (or the configured
    threshold): above it, income may need to be reported."""
    return total > settings.PAYMENTS_TRADING_ALLOWANCE


@dataclass(frozen=True)
class PaymentLine:
    """One honorarium or expense as its expert sees it."""

    kind: str  # "honorarium" or "expense"
    pk: int
    description: str
    category: str
    day: date  # when the work was done, or the cost was paid
    amount: Decimal
    status: str
    state: str  # the status in plain words
    tone: str  # the tag's colour: "green", "grey", "red" or "" (blue)
    expected: date | None  # paid by this date at the latest
    paid_on: date | None
    note: str  # why it is not paid, or why it was not approved
    payable: bool
    method_label: str
    may_withdraw: bool = False  # a claim its expert may still take back


def _honorarium_line(item: Honorarium, today: date) -> PaymentLine:
    Status = Honorarium.Status
    note = ""
    expected = None
    if not item.payable:
        state, tone = _("Recorded, not paid"), "grey"
        note = (
            _("You chose not to be paid for this: it still counts as work you did.")
            if item.not_payable_reason == Honorarium.NotPayable.DECLINED
            else _(
                "We pay your expenses only, to keep you safe, so this is not paid as money. "
                "It still counts as work you did, and we pay back what it cost you."
            )
        )
    else:
        state, tone, expected = _state(item, Status, today)
        if item.status == Status.REJECTED:
            note = item.rejection_reason
        elif item.method == PaymentMethod.DONATED:
            note = _("You chose to give this to charity. We pay it to the charity for you.")
    return PaymentLine(
        kind="honorarium",
        pk=item.pk,
        description=item.description,
        category=item.get_source_type_display() if item.source_type else _("Work"),
        day=item.work_date or timezone.localdate(item.created_at),
        amount=item.amount,
        status=item.status,
        state=state,
        tone=tone,
        expected=expected,
        paid_on=timezone.localdate(item.paid_at) if item.paid_at else None,
        note=note,
        payable=item.payable,
        method_label=item.get_method_display(),
    )


def _expense_line(item: Expense, today: date, payee) -> PaymentLine:
    state, tone, expected = _state(item, Expense.Status, today)
    return PaymentLine(
        kind="expense",
        pk=item.pk,
        description=item.description,
        category=item.get_category_display(),
        day=item.incurred_on,
        amount=item.amount,
        status=item.status,
        state=state,
        tone=tone,
        expected=expected,
        paid_on=timezone.localdate(item.paid_at) if item.paid_at else None,
        note=item.rejection_reason if item.status == Expense.Status.REJECTED else "",
        payable=True,
        method_label=item.get_method_display(),
        may_withdraw=Expense.workflow.permits(payee, item, "withdraw"),
    )


def _state(item, Status, today: date) -> tuple[str, str, date | None]:
    """The status in words, the tag's colour and the date it is expected by."""
    if item.status == Status.PENDING:
        return _("Waiting for approval"), "", None
    if item.status == Status.APPROVED:
        return _("Approved"), "", next_batch_day(today)
    if item.status == Status.BATCHED:
        return _("Being paid"), "", next_batch_day(today)
    if item.status == Status.PAID:
        return _("Paid"), "green", None
    if item.status == Status.REJECTED:
        return _("Not approved"), "red", None
    return _("Cancelled"), "grey", None


ON_ITS_WAY = ("approved", "batched")


def payments_overview_for(*, payee, today: date) -> dict:
    """/me/payments/: every honorarium and expense of `payee`, newest first, and this tax
    year's totals, in two queries.

    A paid item counts in the tax year it was paid in (what HMRC counts); an approved one
    in the year of the batch it is expected by. `work_total` (payments for work received or
    on their way this year) is what the trading-allowance notice compares."""
    year = tax_year_for(today)
    lines = [_honorarium_line(h, today) for h in Honorarium.objects.filter(payee=payee)]
    lines += [_expense_line(e, today, payee) for e in Expense.objects.filter(payee=payee)]
    lines.sort(key=lambda line: (line.day, line.kind, line.pk), reverse=True)
    zero = Decimal("0.00")
    totals = {"work_paid": zero, "expenses_paid": zero, "on_its_way": zero, "waiting": zero}
    work_due = zero
    for line in lines:
        if not line.payable:
            continue
        if line.status == "paid" and line.paid_on in year:
            totals["work_paid" if line.kind == "honorarium" else "expenses_paid"] += line.amount
        elif line.status in ON_ITS_WAY:
            totals["on_its_way"] += line.amount
            if line.kind == "honorarium" and line.expected in year:
                work_due += line.amount
        elif line.status == "pending":
            totals["waiting"] += line.amount
    work_total = totals["work_paid"] + work_due
    return {
        "lines": lines,
        "tax_year": year,
        "totals": totals,
        "work_total": work_total,
        "threshold_crossed": threshold_crossed(work_total),
        "threshold": settings.PAYMENTS_TRADING_ALLOWANCE,
        "unpaid_work": sum(1 for line in lines if not line.payable and line.day in year),
    }


def payment_statement_for(*, payee, year: TaxYear) -> dict:
    """Everything paid to `payee` in a tax year (by the day it was paid), oldest first, with
    totals for work and for expenses paid back, in two queries."""
    zone = timezone.get_current_timezone()
    since = datetime.combine(year.first_day, time.min, tzinfo=zone)
    until = datetime.combine(year.last_day + timedelta(days=1), time.min, tzinfo=zone)
    paid = {"status": "paid", "paid_at__gte": since, "paid_at__lt": until, "payee": payee}
    lines = [_honorarium_line(h, year.first_day) for h in Honorarium.objects.filter(**paid)]
    lines += [_expense_line(e, year.first_day, payee) for e in Expense.objects.filter(**paid)]
    lines.sort(key=lambda line: (line.paid_on, line.kind, line.pk))
    work = sum((line.amount for line in lines if line.kind == "honorarium"), Decimal("0.00"))
    expenses = sum((line.amount for line in lines if line.kind == "expense"), Decimal("0.00"))
    return {
        "lines": lines,
        "tax_year": year,
        "work_total": work,
        "expenses_total": expenses,
        "total": work + expenses,
    }
