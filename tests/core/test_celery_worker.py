"""A real Celery worker consuming from Redis: on-commit enqueueing works end to end."""

import time

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.signals import task_received
from django.conf import settings
from django.core import mail
from django.db import transaction

from config.celery import app
from core.models import OutboundEmail
from core.services.outbox import email_queue


class Rollback(Exception):
    pass


def queue_email(subject: str) -> OutboundEmail:
    return email_queue(
        to_address="sam@tandem.test", subject=subject, body_text="Body", template="worker-test"
    )


def wait_for(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.celery_worker
@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_runs_tasks_enqueued_on_commit_and_never_those_rolled_back():
    # One test, one worker: a second worker starting or stopping nearby could take a message
    # meant for this one.
    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.delete("celery", "unacked", "unacked_index")
    received = []

    def record(sender=None, request=None, **kwargs):
        received.append(request.args)

    task_received.connect(record)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            with pytest.raises(Rollback), transaction.atomic():
                queue_email("Rolled back")
                raise Rollback
            with transaction.atomic():
                committed = queue_email("Committed")

            # The committed email was enqueued after the rolled-back one, so once the worker
            # has handled it, anything enqueued before it would have arrived too.
            delivered = wait_for(
                lambda: OutboundEmail.objects.get(pk=committed.pk).sent_at is not None
            )
    finally:
        task_received.disconnect(record)

    assert delivered
    assert received == [[committed.pk]]
    assert [m.subject for m in mail.outbox] == ["Committed"]
    assert list(OutboundEmail.objects.values_list("subject", flat=True)) == ["Committed"]
    assert broker.llen("celery") == 0
