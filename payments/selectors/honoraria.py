from django.db.models import Count, Min
from django.utils import timezone

from payments.models import Expense, Honorarium


def items_waiting(model: type[Honorarium] | type[Expense]) -> dict[str, dict]:
    """Honoraria or expenses waiting at each step before payment, with the age of the
    oldest, in one query."""
    Status = model.Status
    waiting = (Status.PENDING, Status.APPROVED, Status.BATCHED)
    rows = {
        row["status"]: row
        for row in model.objects.filter(status__in=waiting)
        .values("status")
        .annotate(n=Count("pk"), since=Min("created_at"))
        .order_by()
    }
    today = timezone.localdate()
    return {
        status: {
            "count": rows[status]["n"] if status in rows else 0,
            "oldest_days": (today - timezone.localdate(rows[status]["since"])).days
            if status in rows
            else None,
        }
        for status in waiting
    }
