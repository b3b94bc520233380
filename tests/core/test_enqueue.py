"""A broker outage delays background work but never fails the request that caused it."""

import json
import logging

import pytest
from django.core import mail
from django.db import transaction

from core.models import OutboundEmail
from core.services.outbox import email_queue, outbox_sweep
from tests.core.outbox_helpers import broker_down
from tests.core.test_settings import run_manage

SIGNUP = {
    "email": "new.adviser@tandem.test",
    "display_name": "River",
    "password1": "a long and unusual passphrase",
    "password2": "a long and unusual passphrase",
}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_with_the_broker_down_at_commit_every_email_is_kept_and_later_sent_once(
    client, clock, caplog
):
    with caplog.at_level(logging.WARNING, logger="core.enqueue"), broker_down():
        with transaction.atomic():
            queued = [
                email_queue(
                    to_address=f"person{n}@tandem.test",
                    subject=f"Email {n}",
                    body_text="Body",
                    template="test",
                )
                for n in range(3)
            ]
        # allauth queues its emails outside any transaction, so this enqueues at once.
        response = client.post("/accounts/signup/", SIGNUP)

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    assert OutboundEmail.objects.filter(sent_at__isnull=True).count() == 4
    assert [r.getMessage() for r in caplog.records if r.name == "core.enqueue"] == [
        f"Task core.tasks.email_deliver({pk},) not enqueued (OperationalError); left to the sweeper"
        for pk in OutboundEmail.objects.order_by("pk").values_list("pk", flat=True)
    ]
    assert mail.outbox == []
    # Not in the queue after all, so due at the sweeper's next run.
    assert set(OutboundEmail.objects.values_list("next_attempt_at", flat=True)) == {clock.now}

    swept = outbox_sweep()
    again = outbox_sweep()

    assert (swept, again) == (4, 0)
    assert sorted(m.subject for m in mail.outbox) == [
        "Email 0",
        "Email 1",
        "Email 2",
        "Tandem: Confirm your email address",
    ]
    assert set(OutboundEmail.objects.values_list("attempts", flat=True)) == {1}
    assert [e.pk for e in queued] == list(
        OutboundEmail.objects.filter(template="test").order_by("pk").values_list("pk", flat=True)
    )


def test_publishing_to_an_unreachable_broker_gives_up_within_a_fraction_of_a_second(tmp_path):
    # A real, closed port: kombu's default policy would retry for about 0.6 s per task. The
    # first call also loads the broker transport, a one-off cost, so it is not timed.
    result = run_manage(
        "shell",
        "-c",
        "import json, time\n"
        "from core.enqueue import task_enqueue\n"
        "task_enqueue('core.tasks.email_deliver', 7)\n"
        "timings = []\n"
        "for _ in range(3):\n"
        "    start = time.monotonic()\n"
        "    enqueued = task_enqueue('core.tasks.email_deliver', 7)\n"
        "    timings.append((enqueued, time.monotonic() - start))\n"
        "print(json.dumps(timings))",
        env={"REDIS_URL": "redis://127.0.0.1:1/0", "TANDEM_VAR_DIR": str(tmp_path)},
    )

    timings = json.loads(result.stdout.strip().splitlines()[-1])
    assert [enqueued for enqueued, _seconds in timings] == [False, False, False]
    # Each call gives up in well under the 0.6 s the default retry policy spent.
    assert max(seconds for _enqueued, seconds in timings) < 0.3, timings
    warnings = [line for line in result.stderr.splitlines() if "core.enqueue" in line]
    assert [line.split(" core.enqueue ")[1] for line in warnings] == [
        "Task core.tasks.email_deliver(7,) not enqueued (OperationalError); left to the sweeper"
    ] * 4
