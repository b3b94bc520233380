from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from core.models import OutboundEmail

# An email still unsent this long after it was queued is worth a look from staff.
STALLED_AFTER = timedelta(minutes=30)


def outbound_email_list_needing_attention() -> QuerySet[OutboundEmail]:
    """Emails given up, or still unsent after STALLED_AFTER, newest first. The encrypted
    address, subject and bodies are never loaded."""
    stalled_since = timezone.now() - STALLED_AFTER
    return (
        OutboundEmail.objects.filter(
            Q(failed_at__isnull=False) | Q(sent_at__isnull=True, queued_at__lt=stalled_since)
        )
        .defer("to_address", "subject", "body_text", "body_html")
        .select_related("recipient")
        .order_by("-queued_at", "-pk")
    )
