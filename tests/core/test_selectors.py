"""The staff list of emails that need attention: which, in what order, and without content."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import OutboundEmail
from core.selectors import outbound_email_list_needing_attention


def stuck_email(queued_minutes_ago, **fields):
    return OutboundEmail.objects.create(
        template="expert_activated",
        to_address="sam.secret@tandem.test",
        subject="Your private link",
        body_text="Body that only Sam may read",
        body_html="<p>Body that only Sam may read</p>",
        queued_at=timezone.now() - timedelta(minutes=queued_minutes_ago),
        **fields,
    )


def test_newest_queued_first_then_newest_written_first(db):
    queued_earlier = stuck_email(90)
    queued_later = stuck_email(40)
    same_time = timezone.now() - timedelta(hours=2)
    first_of_two = stuck_email(0, failed_at=timezone.now())
    second_of_two = stuck_email(0, failed_at=timezone.now())
    OutboundEmail.objects.filter(pk__in=[first_of_two.pk, second_of_two.pk]).update(
        queued_at=same_time
    )

    listed = [e.pk for e in outbound_email_list_needing_attention()]

    assert listed == [queued_later.pk, queued_earlier.pk, second_of_two.pk, first_of_two.pk]


def test_the_list_never_reads_an_emails_address_subject_or_bodies(db):
    stuck_email(45)

    with CaptureQueriesContext(connection) as ctx:
        listed = list(outbound_email_list_needing_attention())

    assert len(listed) == 1
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    for column in ("to_address", "subject", "body_text", "body_html"):
        assert f'"{column}"' not in sql
