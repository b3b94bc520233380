import smtplib
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import connection
from django.utils import timezone

from core.models import OutboundEmail
from core.services.outbox import (
    MAX_ATTEMPTS,
    Delivery,
    email_deliver,
    email_queue,
    email_queue_template,
    outbox_sweep,
)
from tests.factories import UserFactory


class FailingBackend(BaseEmailBackend):
    """An email server that is down."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("connection lost")


def queue(**kwargs) -> OutboundEmail:
    return email_queue(
        to_address="sam@tandem.test",
        subject="Hello",
        body_text="Plain body",
        body_html="<p>HTML body</p>",
        template="test",
        **kwargs,
    )


@pytest.mark.django_db
def test_queued_email_is_delivered_after_commit_with_text_and_html(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue()
        assert mail.outbox == []

    email.refresh_from_db()
    assert email.sent_at is not None
    assert email.attempts == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sam@tandem.test"]
    assert message.body == "Plain body"
    assert message.alternatives[0].content == "<p>HTML body</p>"


@pytest.mark.django_db
def test_delivering_twice_sends_once():
    email = queue()

    first = email_deliver(email_id=email.pk)
    second = email_deliver(email_id=email.pk)

    assert (first, second) == (Delivery.SENT, Delivery.ALREADY_DONE)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_server_outage_keeps_the_email_for_the_sweeper(settings):
    settings.EMAIL_BACKEND = "tests.core.test_outbox.FailingBackend"
    email = queue()

    outcome = email_deliver(email_id=email.pk)

    email.refresh_from_db()
    assert outcome is Delivery.RETRY
    assert email.sent_at is None
    assert email.attempts == 1
    assert email.last_error == "SMTPServerDisconnected"

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutboundEmail.objects.filter(pk=email.pk).update(created_at=timezone.now() - timedelta(hours=1))
    swept = outbox_sweep()

    email.refresh_from_db()
    assert swept == 1
    assert email.sent_at is not None
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_the_outbox_gives_up_after_the_last_attempt(settings):
    settings.EMAIL_BACKEND = "tests.core.test_outbox.FailingBackend"
    email = queue()
    OutboundEmail.objects.filter(pk=email.pk).update(attempts=MAX_ATTEMPTS - 1)

    outcome = email_deliver(email_id=email.pk)

    email.refresh_from_db()
    assert outcome is Delivery.GAVE_UP
    assert email.failed_at is not None
    assert outbox_sweep() == 0


@pytest.mark.django_db
def test_sweeper_leaves_fresh_emails_to_their_own_task():
    queue()

    assert outbox_sweep() == 0


@pytest.mark.django_db
def test_templated_email_is_rendered_in_the_recipients_language(
    django_capture_on_commit_callbacks, settings
):
    templates = [dict(settings.TEMPLATES[0])]
    templates[0]["DIRS"] = [*templates[0]["DIRS"], Path(__file__).parents[1] / "templates"]
    settings.TEMPLATES = templates
    recipient = UserFactory(preferred_language="cy")

    with django_capture_on_commit_callbacks(execute=True):
        email = email_queue_template(
            template="test_language", recipient=recipient, context={"name": "Sam"}
        )

    assert email.to_address == recipient.email
    assert email.recipient == recipient
    assert mail.outbox[0].subject == "Tandem: cy Sam"
    assert mail.outbox[0].body == "Language cy"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_deliveries_of_one_email_send_it_once():
    # Created directly: queueing would deliver it at once, on commit.
    email = OutboundEmail.objects.create(
        template="test", to_address="sam@tandem.test", subject="Hello", body_text="Body"
    )
    barrier = threading.Barrier(4)
    outcomes = []

    def deliver():
        barrier.wait()
        try:
            outcomes.append(email_deliver(email_id=email.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(o.value for o in outcomes) == ["already_done"] * 3 + ["sent"]
    assert len(mail.outbox) == 1
