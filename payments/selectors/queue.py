"""Reads for staff: the coordinators' approval queue, Finance's batches and dashboard, and
how fast experts are paid. Each is a fixed number of queries, whatever the data."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from payments.models import Expense, Honorarium, PaymentBatch
from payments.selectors.honoraria import items_waiting

QUEUE_LIMIT = 200


@dataclass(frozen=True)
class QueueRow:
    """One honorarium or expense as the approval queue shows it."""

    kind: str  # "honorarium" or "expense"
    item: Honorarium | Expense
    work_date: date
    age_days: int
    source: str

    @property
    def reference(self) -> str:
        return f"{'H' if self.kind == 'honorarium' else 'E'}-{self.item.pk}"


def approval_queue(
    *,
    kind: str = "",
    status: str = "pending",
    source: str = "",
    older_than_days: int | None = None,
    today: date | None = None,
) -> list[QueueRow]:
    """Honoraria and expenses in `status`, oldest work first (at most QUEUE_LIMIT of each),
    aged in days since the work was done; filtered by kind, source (a kind of work, or
    "expense") and age (work done more than `older_than_days` ago). Two queries at most."""
    today = today or timezone.localdate()
    rows: list[QueueRow] = []
    cutoff = today - timedelta(days=older_than_days) if older_than_days else None
    if kind in ("", "honorarium") and source != "expense":
        honoraria = Honorarium.objects.filter(status=status).select_related("payee")
        if source:
            honoraria = honoraria.filter(source_type=source)
        if cutoff:
            honoraria = honoraria.filter(work_date__lt=cutoff)
        for item in honoraria.order_by("work_date", "pk")[:QUEUE_LIMIT]:
            work_date = item.work_date or timezone.localdate(item.created_at)
            rows.append(
                QueueRow(
                    "honorarium",
                    item,
                    work_date,
                    (today - work_date).days,
                    item.get_source_type_display(),
                )
            )
    if kind in ("", "expense") and source in ("", "expense"):
        expenses = Expense.objects.filter(status=status).select_related("payee")
        if cutoff:
            expenses = expenses.filter(incurred_on__lt=cutoff)
        for item in expenses.order_by("incurred_on", "pk")[:QUEUE_LIMIT]:
            rows.append(
                QueueRow(
                    "expense",
                    item,
                    item.incurred_on,
                    (today - item.incurred_on).days,
                    item.get_category_display(),
                )
            )
    return sorted(rows, key=lambda row: (row.work_date, row.kind, row.item.pk))


def batch_candidates() -> dict[str, list]:
    """Approved items that may join a batch: honoraria to be paid, and expenses."""
    return {
        "honoraria": list(
            Honorarium.objects.filter(status=Honorarium.Status.APPROVED, payable=True)
            .select_related("payee")
            .order_by("work_date", "pk")
        ),
        "expenses": list(
            Expense.objects.filter(status=Expense.Status.APPROVED)
            .select_related("payee")
            .order_by("incurred_on", "pk")
        ),
    }


def batch_list():
    """Batches, newest first, with how many items each pays (one query)."""
    return PaymentBatch.objects.annotate(
        honoraria_count=Count("honoraria", distinct=True),
        expenses_count=Count("expenses", distinct=True),
    ).order_by("-created_at", "-pk")


def batch_items(batch: PaymentBatch) -> list[tuple[str, Honorarium | Expense]]:
    """(reference, item) for everything the batch pays: two queries."""
    return [
        *((f"H-{item.pk}", item) for item in batch.honoraria.order_by("pk")),
        *((f"E-{item.pk}", item) for item in batch.expenses.order_by("pk")),
    ]


def payments_waiting() -> dict:
    """Finance's dashboard: honoraria and expenses waiting at each step (with the age of the
    oldest), and the batches still to pay with their total. Three queries."""
    open_batches = PaymentBatch.objects.filter(status=PaymentBatch.Status.OPEN).aggregate(
        n=Count("pk"), total=Sum("total")
    )
    return {
        "honoraria": items_waiting(Honorarium),
        "expenses": items_waiting(Expense),
        "batches_to_pay": open_batches["n"],
        "batches_total": open_batches["total"] or Decimal(0),
    }


def approvals_waiting(today: date | None = None) -> dict:
    """Coordinators' dashboard: how many honoraria and expenses wait for approval, and the
    days since the oldest work was done. Two queries."""
    today = today or timezone.localdate()
    honoraria = Honorarium.objects.filter(status=Honorarium.Status.PENDING).aggregate(
        n=Count("pk"), oldest=Min("work_date")
    )
    expenses = Expense.objects.filter(status=Expense.Status.PENDING).aggregate(
        n=Count("pk"), oldest=Min("incurred_on")
    )
    oldest = [day for day in (honoraria["oldest"], expenses["oldest"]) if day is not None]
    return {
        "honoraria": honoraria["n"],
        "expenses": expenses["n"],
        "oldest_days": (today - min(oldest)).days if oldest else None,
    }


def _median(values: list[int]) -> Decimal | None:
    if not values:
        return None
    values = sorted(values)
    middle = len(values) // 2
    if len(values) % 2:
        return Decimal(values[middle])
    return (Decimal(values[middle - 1]) + Decimal(values[middle])) / 2


def _month_start(day: date) -> date:
    return day.replace(day=1)


def payment_speed(today: date | None = None) -> dict:
    """Median days from the work (or the cost) to payment, for items paid this month and
    last month (UK time). Two queries."""
    today = today or timezone.localdate()
    this_month = _month_start(today)
    last_month = _month_start(this_month - timedelta(days=1))
    since = timezone.make_aware(datetime.combine(last_month, time.min))
    paid = Q(status="paid", paid_at__gte=since)
    days = {"this_month": [], "last_month": []}
    pairs = [
        *Honorarium.objects.filter(paid, work_date__isnull=False).values_list(
            "work_date", "paid_at"
        ),
        *Expense.objects.filter(paid).values_list("incurred_on", "paid_at"),
    ]
    for worked, paid_at in pairs:
        paid_on = timezone.localdate(paid_at)
        month = "this_month" if paid_on >= this_month else "last_month"
        days[month].append((paid_on - worked).days)
    return {
        month: {"median_days": _median(values), "count": len(values)}
        for month, values in days.items()
    }
