"""The outbox sweeper, at its edges: a first sweep that finds emails due sends every one of
them and leaves alone what is sent, given up or not yet due."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core import mail
from django.utils import timezone

from core.models import OutboundEmail
from core.services import outbox
from core.services.outbox import outbox_sweep
from tests.core.outbox_helpers import stored_email

pytestmark = pytest.mark.django_db


def test_a_sweep_sends_what_is_due_and_nothing_else():
    now = timezone.now()
    for n in range(2):
        stored_email(subject=f"Due {n}", to_address=f"due{n}@tandem.test")
    stored_email(subject="Later", next_attempt_at=now + timedelta(minutes=5))
    stored_email(subject="Sent", sent_at=now)
    stored_email(subject="Given up", failed_at=now)

    swept = outbox_sweep()

    assert swept == 2
    assert sorted((m.subject, m.to[0]) for m in mail.outbox) == [
        ("Due 0", "due0@tandem.test"),
        ("Due 1", "due1@tandem.test"),
    ]
    assert set(
        OutboundEmail.objects.filter(sent_at__isnull=False).values_list("subject", flat=True)
    ) == {"Due 0", "Due 1", "Sent"}


def test_a_sweep_enqueues_each_due_email_once_and_leases_it(clock, monkeypatch):
    # A broker that takes every task, with no worker to run them; batches of one, and a budget
    # long enough for a sweep that re-enqueued its own batch to show it.
    enqueued = []
    monkeypatch.setattr(outbox, "task_enqueue", lambda name, *ids: enqueued.extend(ids) or True)
    monkeypatch.setattr(outbox, "SWEEP_BATCH", 1)
    monkeypatch.setattr(outbox, "SWEEP_TIME_BUDGET_SECONDS", 2)
    older = stored_email(next_attempt_at=clock.now - timedelta(minutes=1))
    newer = stored_email()

    swept = outbox_sweep()

    assert swept == 2
    assert enqueued == [older.pk, newer.pk]
    assert list(OutboundEmail.objects.order_by("pk").values_list("next_attempt_at", flat=True)) == [
        clock.now + timedelta(seconds=300),
        clock.now + timedelta(seconds=300),
    ]


def test_a_sweep_stops_once_its_time_budget_is_spent(clock, monkeypatch):
    # The sweep's own clock, moved only by the broker: each enqueue takes half a second, so
    # a batch of two takes one. The budget is spent after the third batch, to the instant.
    seconds = [100.0]

    def enqueue(name, *ids):
        seconds[0] += 0.5
        return True

    monkeypatch.setattr(outbox, "time", SimpleNamespace(monotonic=lambda: seconds[0]))
    monkeypatch.setattr(outbox, "task_enqueue", enqueue)
    monkeypatch.setattr(outbox, "SWEEP_BATCH", 2)
    monkeypatch.setattr(outbox, "SWEEP_TIME_BUDGET_SECONDS", 3.0)
    for n in range(8):
        stored_email(subject=f"Email {n}", next_attempt_at=clock.now - timedelta(minutes=8 - n))

    swept = outbox_sweep()

    assert (swept, seconds[0]) == (6, 103.0)
    leased = clock.now + timedelta(seconds=300)
    assert [
        (e.subject, e.next_attempt_at == leased) for e in OutboundEmail.objects.order_by("pk")
    ] == [(f"Email {n}", n < 6) for n in range(8)]
