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


@pytest.fixture(scope="module")
def running_worker():
    """One worker for the whole module: a worker stopping between tests could take the next
    test's message with it. Leftovers from earlier runs are cleared first."""
    redis.Redis.from_url(settings.REDIS_URL).delete("celery", "unacked", "unacked_index")
    received = []

    def record(sender=None, request=None, **kwargs):
        received.append(request.args)

    task_received.connect(record)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield received
    finally:
        task_received.disconnect(record)


@pytest.fixture
def worker(running_worker):
    running_worker.clear()
    return running_worker


def wait_for(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.celery_worker
@pytest.mark.xdist_group("celery-worker")
@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_task_enqueued_on_commit_is_run_by_the_worker(worker):
    with transaction.atomic():
        email = queue_email("Committed")

    assert wait_for(lambda: OutboundEmail.objects.get(pk=email.pk).sent_at is not None)
    assert worker == [[email.pk]]
    assert [m.subject for m in mail.outbox] == ["Committed"]


@pytest.mark.celery_worker
@pytest.mark.xdist_group("celery-worker")
@pytest.mark.redis
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_task_enqueued_in_a_rolled_back_transaction_never_runs(worker):
    with pytest.raises(Rollback), transaction.atomic():
        queue_email("Rolled back")
        raise Rollback

    with transaction.atomic():
        marker = queue_email("Marker")

    # The marker is enqueued after the rolled-back email, so once the worker has handled
    # it, anything enqueued before it would have arrived too.
    assert wait_for(lambda: OutboundEmail.objects.get(pk=marker.pk).sent_at is not None)
    assert worker == [[marker.pk]]
    assert [m.subject for m in mail.outbox] == ["Marker"]
    assert OutboundEmail.objects.count() == 1
    assert redis.Redis.from_url(settings.REDIS_URL).llen("celery") == 0
