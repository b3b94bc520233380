"""Invitations through a real Celery worker consuming from Redis: every invitation makes
exactly one email, whether its task arrives once, twice, or never (the broker was down and
the sweeper sent it later)."""

import time
from contextlib import contextmanager
from unittest import mock

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.core import mail
from django.db import transaction
from kombu.exceptions import OperationalError

from config.celery import app
from core.enqueue import task_enqueue
from core.models import OutboundEmail
from engagement.models import Invitation
from engagement.services.invitations import SEND_TASK, invitations_create, invitations_send_due
from tests.factories import coordinator, expert, panel

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def wait_for(condition, timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@contextmanager
def unreachable_broker():
    """Publishing fails the way kombu fails once it has given up reaching the broker."""
    with mock.patch(
        "kombu.messaging.Producer.publish",
        side_effect=OperationalError("Error 111 connecting to 127.0.0.1:6379"),
    ):
        yield


@contextmanager
def worker():
    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.delete("celery", "unacked", "unacked_index")
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield broker


def invited_panel(count: int):
    the_coordinator = coordinator()
    return (
        panel(coordinators=[the_coordinator], seats=count),
        the_coordinator,
        [expert() for _ in range(count)],
    )


def all_delivered(count: int):
    def check() -> bool:
        emails = OutboundEmail.objects.filter(template="invitation")
        return emails.count() == count and not emails.filter(sent_at__isnull=True).exists()

    return check


def test_fifty_invitations_make_exactly_fifty_emails():
    the_panel, by, people = invited_panel(50)

    with worker() as broker:
        with transaction.atomic():
            invitations_create(panel=the_panel, invitees=people, waitlist=[], by=by)
        delivered = wait_for(all_delivered(50))
        time.sleep(1)  # anything sent twice would arrive by now

    assert delivered
    assert Invitation.objects.filter(status="sent").count() == 50
    assert OutboundEmail.objects.filter(template="invitation").count() == 50
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.user.email for p in people)
    assert broker.llen("celery") == 0


def test_with_the_broker_down_the_sweeper_sends_each_exactly_once(settings):
    settings.INVITATION_SEND_GRACE_SECONDS = 0
    the_panel, by, people = invited_panel(20)
    with unreachable_broker(), transaction.atomic():
        invitations_create(panel=the_panel, invitees=people, waitlist=[], by=by)
    assert Invitation.objects.waiting_to_send().count() == 20

    with worker():
        assert invitations_send_due() == 20
        assert invitations_send_due() == 0
        delivered = wait_for(all_delivered(20))
        time.sleep(1)

    assert delivered
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.user.email for p in people)


def test_a_send_task_delivered_twice_sends_one_email():
    the_panel, by, (person,) = invited_panel(1)
    with unreachable_broker(), transaction.atomic():
        (invitation,) = invitations_create(panel=the_panel, invitees=[person], waitlist=[], by=by)
    runs = []

    def record(sender=None, args=None, retval=None, **kwargs):
        if sender.name == SEND_TASK:
            runs.append(retval)

    task_postrun.connect(record)
    try:
        with worker():
            assert task_enqueue(SEND_TASK, invitation.pk)
            assert task_enqueue(SEND_TASK, invitation.pk)
            finished = wait_for(lambda: len(runs) == 2)
            delivered = wait_for(all_delivered(1))
            time.sleep(1)
    finally:
        task_postrun.disconnect(record)

    assert finished and delivered
    assert sorted(runs) == [False, True]
    assert [m.to[0] for m in mail.outbox] == [person.user.email]
