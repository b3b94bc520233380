import logging
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection
from wagtail.models import ModelLogEntry

from core.models import OutboundEmail
from core.services import outbox
from core.services.outbox import (
    Delivery,
    email_deliver,
    email_queue,
    email_queue_template,
    email_resend,
    outbox_sweep,
)
from core.tasks import email_deliver as email_deliver_task
from tests.core.outbox_helpers import stored_email
from tests.factories import UserFactory, coordinator

FAILING = "tests.core.outbox_helpers.FailingBackend"
BROKEN = "tests.core.outbox_helpers.BrokenBackend"


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
def test_queued_email_is_delivered_after_commit_with_text_html_and_its_message_id(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        email = queue()
        assert mail.outbox == []

    email.refresh_from_db()
    assert email.sent_at is not None
    assert email.attempts == 1
    assert email.claimed_until is None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sam@tandem.test"]
    assert message.body == "Plain body"
    assert message.alternatives[0].content == "<p>HTML body</p>"
    assert message.message()["Message-ID"] == f"<{email.message_uuid}@tandem.example>"


@pytest.mark.django_db
def test_delivering_twice_sends_once():
    email = queue()

    first = email_deliver(email_id=email.pk)
    second = email_deliver(email_id=email.pk)

    assert (first, second) == (Delivery.SENT, Delivery.ALREADY_DONE)
    assert len(mail.outbox) == 1


class FlakyBackend(LocmemBackend):
    """Fails the first attempt after building the message, as a dropped connection would."""

    message_ids: list[str] = []

    def send_messages(self, messages):
        FlakyBackend.message_ids.append(messages[0].message()["Message-ID"])
        if len(FlakyBackend.message_ids) == 1:
            raise ConnectionResetError
        return super().send_messages(messages)


@pytest.mark.django_db
def test_every_attempt_carries_the_same_message_id_and_each_email_its_own(settings):
    settings.EMAIL_BACKEND = "tests.core.test_outbox.FlakyBackend"
    FlakyBackend.message_ids = []
    email = stored_email()
    other = stored_email()

    first = email_deliver(email_id=email.pk)
    OutboundEmail.objects.filter(pk=email.pk).update(next_attempt_at=email.created_at)
    second = email_deliver(email_id=email.pk)
    email_deliver(email_id=other.pk)

    assert (first, second) == (Delivery.RETRY, Delivery.SENT)
    assert FlakyBackend.message_ids == [email.message_id, email.message_id, other.message_id]
    assert email.message_id != other.message_id
    assert [m.message()["Message-ID"] for m in mail.outbox] == [
        email.message_id,
        other.message_id,
    ]


@pytest.mark.django_db
def test_a_failed_attempt_is_rescheduled_on_the_row_with_exponential_backoff(settings, clock):
    settings.EMAIL_BACKEND = FAILING
    email = stored_email()
    waits = []

    for _ in range(9):
        outcome = email_deliver(email_id=email.pk)
        email.refresh_from_db()
        waits.append((email.next_attempt_at - clock.now).total_seconds())
        clock.advance(hours=2)

    assert outcome is Delivery.RETRY
    assert waits == [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
    assert email.attempts == 9
    assert email.last_error == "SMTPServerDisconnected"
    assert email.claimed_until is None
    assert (email.sent_at, email.failed_at) == (None, None)


@pytest.mark.django_db
def test_the_sweeper_sends_a_failed_email_only_once_it_is_due(settings, clock):
    settings.EMAIL_BACKEND = FAILING
    email = stored_email()
    email_deliver(email_id=email.pk)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    clock.advance(seconds=59)
    early = outbox_sweep()
    clock.advance(seconds=1)
    due = outbox_sweep()

    email.refresh_from_db()
    assert (early, due) == (0, 1)
    assert email.sent_at == clock.now
    assert email.attempts == 2
    assert email.last_error == ""
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_any_exception_is_a_counted_failed_attempt_logged_by_class_name_only(settings, caplog):
    settings.EMAIL_BACKEND = BROKEN
    email = stored_email()

    with caplog.at_level(logging.WARNING, logger="core.services.outbox"):
        outcome = email_deliver(email_id=email.pk)

    email.refresh_from_db()
    assert outcome is Delivery.RETRY
    assert (email.attempts, email.last_error) == (1, "RuntimeError")
    assert email.next_attempt_at > email.created_at
    assert outbox_sweep() == 0
    assert caplog.messages == [
        f"Email {email.pk} (test) not delivered on attempt 1: RuntimeError; next attempt in 60 s"
    ]
    assert "sam@tandem.test" not in caplog.text


@pytest.mark.django_db
def test_the_task_leaves_retrying_to_the_row_and_the_sweeper(settings):
    settings.EMAIL_BACKEND = FAILING
    email = stored_email()

    result = email_deliver_task.apply(args=(email.pk,))

    email.refresh_from_db()
    assert (result.state, result.result) == ("SUCCESS", "retry")
    assert email.attempts == 1


@pytest.mark.django_db
def test_the_sweeper_leaves_a_fresh_email_to_its_own_task_for_one_lease(
    clock, django_capture_on_commit_callbacks
):
    # The callbacks are captured but not run: the task enqueued on commit never arrives.
    with django_capture_on_commit_callbacks():
        email = queue()

    clock.advance(seconds=299)
    before = outbox_sweep()
    clock.advance(seconds=1)
    after = outbox_sweep()

    email.refresh_from_db()
    assert (before, after) == (0, 1)
    assert email.sent_at == clock.now
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_sweep_leases_what_it_enqueues_so_the_next_sweep_skips_it(clock, monkeypatch):
    # A broker that takes every task, with no worker to run them.
    enqueued = []
    monkeypatch.setattr(outbox, "task_enqueue", lambda name, *ids: enqueued.extend(ids) or True)
    email = stored_email()

    first = outbox_sweep()
    clock.advance(seconds=299)
    second = outbox_sweep()
    clock.advance(seconds=1)
    third = outbox_sweep()

    email.refresh_from_db()
    assert (first, second, third) == (1, 0, 1)
    assert enqueued == [email.pk, email.pk]
    assert email.next_attempt_at == clock.now + timedelta(seconds=300)
    assert email.attempts == 0


@pytest.mark.django_db
def test_a_sweep_continues_batch_after_batch_until_nothing_is_due(monkeypatch):
    monkeypatch.setattr(outbox, "SWEEP_BATCH", 3)
    emails = [stored_email(subject=f"Email {n}") for n in range(7)]

    swept = outbox_sweep()

    assert swept == 7
    assert sorted(m.subject for m in mail.outbox) == sorted(e.subject for e in emails)
    assert OutboundEmail.objects.filter(sent_at__isnull=True).count() == 0


@pytest.mark.django_db
def test_the_outbox_gives_up_by_age_not_by_count(settings, clock, caplog):
    settings.EMAIL_BACKEND = FAILING
    old = stored_email(queued_at=clock.now - timedelta(hours=48, seconds=1), attempts=2)
    young = stored_email(queued_at=clock.now - timedelta(hours=48), attempts=40)

    with caplog.at_level(logging.WARNING, logger="core.services.outbox"):
        swept = outbox_sweep()

    old.refresh_from_db()
    young.refresh_from_db()
    assert swept == 1
    assert (old.failed_at, old.attempts) == (clock.now, 2)
    assert (young.failed_at, young.attempts) == (None, 41)
    assert (
        caplog.messages[0] == "Gave up on 1 emails not sent within 48 hours; staff can resend them"
    )
    assert email_deliver(email_id=old.pk) is Delivery.ALREADY_DONE
    clock.advance(days=1)
    assert outbox_sweep() == 0  # the young one is given up now, and neither is enqueued


@pytest.mark.django_db
def test_a_stale_claim_lapses_and_a_live_one_is_respected(clock):
    live = stored_email(claimed_until=clock.now + timedelta(seconds=1))
    stale = stored_email(claimed_until=clock.now - timedelta(seconds=1))

    assert email_deliver(email_id=live.pk) is Delivery.ALREADY_DONE
    assert email_deliver(email_id=stale.pk) is Delivery.SENT
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_claim_is_committed_before_the_email_server_is_contacted(settings):
    settings.EMAIL_BACKEND = "tests.core.test_outbox.ClaimObservingBackend"
    email = stored_email()
    ClaimObservingBackend.seen = []

    email_deliver(email_id=email.pk)

    email.refresh_from_db()
    assert ClaimObservingBackend.seen == [(True, 1)]
    assert email.sent_at is not None


class ClaimObservingBackend(LocmemBackend):
    """Looks at the row from another connection while the message is being sent."""

    seen: list[tuple[bool, int]] = []

    def send_messages(self, messages):
        def look():
            try:
                row = OutboundEmail.objects.values("claimed_until", "attempts").get()
                ClaimObservingBackend.seen.append(
                    (row["claimed_until"] is not None, row["attempts"])
                )
            finally:
                connection.close()

        other = threading.Thread(target=look)
        other.start()
        other.join()
        return super().send_messages(messages)


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


@pytest.mark.django_db
def test_resending_a_given_up_email_starts_it_over_and_is_logged(
    clock, django_capture_on_commit_callbacks
):
    staff = coordinator()
    email = stored_email(
        queued_at=clock.now - timedelta(hours=50),
        failed_at=clock.now - timedelta(hours=2),
        attempts=30,
        last_error="SMTPServerDisconnected",
    )

    with django_capture_on_commit_callbacks(execute=True):
        resent = email_resend(email_id=email.pk, by=staff)

    email.refresh_from_db()
    assert resent is True
    assert (email.failed_at, email.queued_at, email.sent_at) == (None, clock.now, clock.now)
    assert (email.attempts, email.last_error) == (1, "")
    assert len(mail.outbox) == 1
    entry = ModelLogEntry.objects.get()
    assert (entry.action, entry.user, entry.object_id) == (
        "tandem.email_resend",
        staff,
        str(email.pk),
    )
    assert entry.data == {"attempts": 30, "last_error": "SMTPServerDisconnected"}


@pytest.mark.django_db
def test_an_email_sent_or_being_sent_is_not_resent(clock):
    staff = coordinator()
    sent = stored_email(sent_at=clock.now)
    sending = stored_email(claimed_until=clock.now + timedelta(seconds=30))

    assert email_resend(email_id=sent.pk, by=staff) is False
    assert email_resend(email_id=sending.pk, by=staff) is False
    sending.refresh_from_db()
    assert sending.claimed_until == clock.now + timedelta(seconds=30)
    assert ModelLogEntry.objects.count() == 0
    assert mail.outbox == []


def _deliver_concurrently(email_id: int, threads: int) -> list[str]:
    barrier = threading.Barrier(threads)
    outcomes = []

    def deliver():
        barrier.wait()
        try:
            outcomes.append(email_deliver(email_id=email_id).value)
        finally:
            connection.close()

    workers = [threading.Thread(target=deliver) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sorted(outcomes)


class SlowBackend(LocmemBackend):
    """A mail server that takes a moment, so the deliveries overlap."""

    def send_messages(self, messages):
        time.sleep(0.05)
        return super().send_messages(messages)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_deliveries_of_one_email_send_it_once_on_any_database(settings, file_database):
    # SQLite has no row locks: only the conditional claim keeps this to one sender.
    settings.EMAIL_BACKEND = "tests.core.test_outbox.SlowBackend"
    emails = [stored_email() for _ in range(5)]

    results = [_deliver_concurrently(email.pk, threads=4) for email in emails]

    assert results == [["already_done"] * 3 + ["sent"]] * 5
    assert len(mail.outbox) == 5
    assert set(OutboundEmail.objects.values_list("attempts", flat=True)) == {1}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_deliveries_of_one_email_send_it_once():
    email = stored_email()

    outcomes = _deliver_concurrently(email.pk, threads=4)

    assert outcomes == ["already_done"] * 3 + ["sent"]
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_attachments_are_stored_encrypted_and_sent_with_their_parameters_once():
    from email import message_from_bytes

    from django.db import connection as db

    from core.models import OutboundAttachment
    from core.services.outbox import Attachment

    email = queue(
        attachments=[Attachment("invite.ics", "text/calendar; method=REQUEST", "BEGIN:VCALENDAR")]
    )
    with db.cursor() as cursor:
        cursor.execute("SELECT content FROM core_outboundattachment")
        (stored,) = cursor.fetchone()
    assert "VCALENDAR" not in stored
    assert OutboundAttachment.objects.get().content == "BEGIN:VCALENDAR"

    assert email_deliver(email_id=email.pk) == Delivery.SENT
    assert email_deliver(email_id=email.pk) == Delivery.ALREADY_DONE

    assert len(mail.outbox) == 1
    raw = message_from_bytes(mail.outbox[0].message().as_bytes())
    (part,) = [p for p in raw.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == "invite.ics"
    assert part.get_payload(decode=True) == b"BEGIN:VCALENDAR"


def _sent_attachment(content_type: str, content: str = "BEGIN:VCALENDAR"):
    from email import message_from_bytes

    from core.services.outbox import Attachment

    email = queue(attachments=[Attachment("invite.ics", content_type, content)])
    assert email_deliver(email_id=email.pk) == Delivery.SENT
    raw = message_from_bytes(mail.outbox[0].message().as_bytes())
    (part,) = [p for p in raw.walk() if p.get_filename()]
    return part


@pytest.mark.django_db
def test_an_invitation_attachment_has_exactly_these_headers_in_utf8():
    part = _sent_attachment("text/calendar; method=REQUEST", "SUMMARY:Café panel")

    assert part.items() == [
        ("MIME-Version", "1.0"),
        ("Content-Transfer-Encoding", "base64"),
        ("Content-Type", 'text/calendar; charset="utf-8"; method="REQUEST"'),
        ("Content-Disposition", 'attachment; filename="invite.ics"'),
    ]
    assert part.get_payload(decode=True).decode("utf-8") == "SUMMARY:Café panel"


@pytest.mark.django_db
def test_an_ascii_attachment_is_still_declared_utf8():
    part = _sent_attachment("text/calendar; method=REQUEST")

    assert part.get_content_charset() == "utf-8"
    assert part["Content-Transfer-Encoding"] == "base64"


@pytest.mark.django_db
def test_attachment_parameters_are_kept_unquoted_and_whole():
    part = _sent_attachment('text/calendar; method="REQUEST" ; x-tandem = "X-PANEL=1"')

    # The header is folded onto two lines: compare its words.
    assert part["Content-Type"].split() == [
        "text/calendar;",
        'charset="utf-8";',
        'method="REQUEST";',
        'x-tandem="X-PANEL=1"',
    ]
    assert (part.get_param("method"), part.get_param("x-tandem")) == ("REQUEST", "X-PANEL=1")


@pytest.mark.django_db
def test_a_broker_that_cannot_be_reached_makes_only_that_fresh_email_due_at_once(
    clock, settings, django_capture_on_commit_callbacks
):
    from tests.core.outbox_helpers import broker_down

    leased = stored_email(next_attempt_at=clock.now + timedelta(seconds=300))
    with django_capture_on_commit_callbacks() as callbacks:
        email = queue()
    with broker_down():
        for callback in callbacks:
            callback()

    email.refresh_from_db()
    leased.refresh_from_db()
    assert email.next_attempt_at == clock.now
    assert leased.next_attempt_at == clock.now + timedelta(seconds=300)


@pytest.mark.django_db
def test_an_enqueue_failing_after_the_email_was_already_tried_or_sent_keeps_its_schedule(
    clock, settings, django_capture_on_commit_callbacks
):
    # Another delivery (a sweep's) reached both emails before their own tasks' callbacks ran.
    from tests.core.outbox_helpers import broker_down

    with django_capture_on_commit_callbacks() as callbacks:
        tried = queue()
        sent = queue()
    settings.EMAIL_BACKEND = FAILING
    email_deliver(email_id=tried.pk)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    email_deliver(email_id=sent.pk)
    with broker_down():
        for callback in callbacks:
            callback()

    tried.refresh_from_db()
    sent.refresh_from_db()
    assert tried.next_attempt_at == clock.now + timedelta(seconds=60)
    assert sent.next_attempt_at == clock.now + timedelta(seconds=120)


@pytest.mark.django_db
def test_a_sent_email_is_never_swept_again(clock):
    email = stored_email()
    assert email_deliver(email_id=email.pk) is Delivery.SENT

    clock.advance(hours=1)

    assert outbox_sweep() == 0
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_failed_attempt_leaves_another_email_claimed_at_the_same_moment_alone(settings, clock):
    settings.EMAIL_BACKEND = FAILING
    sending = stored_email(claimed_until=clock.now + timedelta(seconds=120), attempts=1)
    failing = stored_email()

    assert email_deliver(email_id=failing.pk) is Delivery.RETRY

    sending.refresh_from_db()
    assert (sending.claimed_until, sending.last_error) == (clock.now + timedelta(seconds=120), "")
    assert sending.next_attempt_at == sending.created_at


class OvertakenBackend(LocmemBackend):
    """So slow that the claim lapses and another delivery sends the email meanwhile; then this
    delivery's connection drops."""

    clock = None

    def send_messages(self, messages):
        if OvertakenBackend.clock is None:
            return super().send_messages(messages)
        clock, OvertakenBackend.clock = OvertakenBackend.clock, None
        clock.advance(seconds=121)
        email = OutboundEmail.objects.get()
        assert email_deliver(email_id=email.pk) is Delivery.SENT
        raise ConnectionResetError


@pytest.mark.django_db
def test_a_delivery_whose_claim_lapsed_does_not_record_its_failure_over_the_one_that_sent(
    settings, clock
):
    settings.EMAIL_BACKEND = "tests.core.test_outbox.OvertakenBackend"
    OvertakenBackend.clock = clock
    email = stored_email()

    assert email_deliver(email_id=email.pk) is Delivery.RETRY

    email.refresh_from_db()
    assert email.sent_at == clock.now
    assert (email.attempts, email.last_error, email.claimed_until) == (2, "", None)
    assert email.next_attempt_at == clock.now + timedelta(seconds=120)
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_delivery_refuses_to_run_inside_a_callers_transaction():
    from django.db import transaction

    email = stored_email()

    with transaction.atomic(), pytest.raises(RuntimeError):
        email_deliver(email_id=email.pk)

    email.refresh_from_db()
    assert (email.attempts, email.sent_at) == (0, None)
    assert mail.outbox == []


@pytest.mark.django_db
def test_giving_up_leaves_sent_claimed_and_already_given_up_emails_alone(clock, caplog):
    old = clock.now - timedelta(hours=49)
    sent = stored_email(queued_at=old, sent_at=old)
    sending = stored_email(queued_at=old, claimed_until=clock.now + timedelta(seconds=60))
    given_up = stored_email(queued_at=old, failed_at=clock.now - timedelta(hours=1))
    lapsed = stored_email(queued_at=old, claimed_until=clock.now - timedelta(seconds=1))

    with caplog.at_level(logging.WARNING, logger="core.services.outbox"):
        outbox_sweep()

    for email in (sent, sending, given_up, lapsed):
        email.refresh_from_db()
    assert sent.failed_at is None
    assert (sending.failed_at, sending.claimed_until) == (None, clock.now + timedelta(seconds=60))
    assert given_up.failed_at == clock.now - timedelta(hours=1)
    assert (lapsed.failed_at, lapsed.claimed_until) == (clock.now, None)
    assert caplog.messages == [
        "Gave up on 1 emails not sent within 48 hours; staff can resend them"
    ]


@pytest.mark.django_db
def test_a_resent_email_is_a_freshly_queued_one_left_to_its_task_for_a_lease(
    clock, django_capture_on_commit_callbacks, django_assert_num_queries
):
    staff = coordinator()
    email = stored_email(
        queued_at=clock.now - timedelta(hours=50),
        next_attempt_at=clock.now - timedelta(hours=1),
        claimed_until=clock.now - timedelta(hours=2),
        failed_at=clock.now - timedelta(hours=2),
        attempts=30,
        last_error="SMTPServerDisconnected",
    )
    other = stored_email(failed_at=clock.now - timedelta(hours=2), attempts=30)

    ContentType.objects.get_for_model(OutboundEmail)  # cached from here on, as in a worker
    # The callbacks are captured but not run: the task enqueued on commit has not run yet.
    # Its log entry is labelled from the row already read: no query for the template.
    with django_capture_on_commit_callbacks(), django_assert_num_queries(7):
        assert email_resend(email_id=email.pk, by=staff) is True

    email.refresh_from_db()
    other.refresh_from_db()
    assert (email.failed_at, email.claimed_until, email.sent_at) == (None, None, None)
    assert (email.attempts, email.last_error) == (0, "")
    assert (email.queued_at, email.next_attempt_at) == (
        clock.now,
        clock.now + timedelta(seconds=300),
    )
    assert (other.failed_at, other.attempts) == (clock.now - timedelta(hours=2), 30)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_sweep_skips_an_email_locked_by_another_sweep_instead_of_waiting_for_it(monkeypatch):
    from django.db import transaction

    locked, free = stored_email(), stored_email()
    holding, release = threading.Event(), threading.Event()

    def hold():
        try:
            with transaction.atomic():
                list(OutboundEmail.objects.select_for_update().filter(pk=locked.pk))
                holding.set()
                release.wait(5)
        finally:
            connection.close()

    other = threading.Thread(target=hold)
    other.start()
    holding.wait(5)
    enqueued = []
    monkeypatch.setattr(outbox, "task_enqueue", lambda name, *ids: enqueued.extend(ids) or True)
    try:
        swept = outbox_sweep()
    finally:
        release.set()
        other.join()

    assert (swept, enqueued) == (1, [free.pk])
