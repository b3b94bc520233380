"""Shared pieces for the outbox tests: a controllable clock, email servers that fail, and
rows written directly (queueing would deliver them at once, on commit). The `clock` fixture
is in tests/core/conftest.py."""

import smtplib
from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone
from kombu.exceptions import OperationalError

from config.celery import app as celery_app
from core.models import OutboundEmail


class FailingBackend(BaseEmailBackend):
    """An email server that is down."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("connection lost")


class BrokenBackend(BaseEmailBackend):
    """A bug rather than an outage, with personal data in its message."""

    def send_messages(self, email_messages):
        raise RuntimeError(f"cannot encode {email_messages[0].to[0]}")


class Clock:
    def __init__(self):
        self.now = timezone.now()

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


def stored_email(**fields) -> OutboundEmail:
    """A pending email written directly, due now unless `fields` say otherwise."""
    now = timezone.now()
    defaults = {
        "queued_at": now,
        "next_attempt_at": now,
        "template": "test",
        "to_address": "sam@tandem.test",
        "subject": "Hello",
        "body_text": "Body",
    }
    return OutboundEmail.objects.create(**{**defaults, **fields})


@contextmanager
def broker_down():
    """Tasks are published instead of run in-process, and publishing fails the way kombu
    fails once it has given up reaching the broker."""
    celery_app.conf.CELERY_TASK_ALWAYS_EAGER = False
    try:
        with mock.patch(
            "kombu.messaging.Producer.publish",
            side_effect=OperationalError("Error 111 connecting to 127.0.0.1:6379"),
        ):
            yield
    finally:
        celery_app.conf.CELERY_TASK_ALWAYS_EAGER = True
