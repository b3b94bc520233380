"""Nothing is lost when a worker is killed mid-run and the mail server goes away for a while:
real Celery worker processes against Redis and PostgreSQL, and a local SMTP server."""

import asyncio
import email
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection, transaction

from core.models import OutboundEmail
from core.services.outbox import email_queue, outbox_sweep

ROOT = Path(__file__).resolve().parents[2]
EMAILS = 200
RETRY_BASE_SECONDS = 0.05
RETRY_MAX_SECONDS = 0.8
# A killed worker's claim lapses quickly; a queued task is trusted to arrive for longer than
# the whole test, so the sweeper never floods the queue with copies of waiting tasks.
CLAIM_SECONDS = 2
ENQUEUE_LEASE_SECONDS = 60
# Eight attempts on the compressed schedule take 0.05 + 0.1 + 0.2 + 0.4 + 0.8 + 0.8 + 0.8 s,
# about 3.2 s; the old outbox gave up after its eighth attempt.
OUTAGE_SECONDS = 8
SWEEP_EVERY_SECONDS = 0.25


class Sink:
    """An SMTP server that keeps the Message-ID of everything it accepts, duplicates too.

    Its `hold_at`-th message is accepted but answered only after a pause, during which
    `holding` is set: a worker killed then has handed over an email without learning so. Its
    `down_at`-th message is kept unanswered while `going_down` is set, for the test to stop
    the server: the outage then starts at a count, however fast the workers send."""

    def __init__(self, hold_at: int, down_at: int):
        self.message_ids: list[str] = []
        self.hold_at = hold_at
        self.down_at = down_at
        self.holding = threading.Event()
        self.going_down = threading.Event()
        self.held_id = None

    async def handle_DATA(self, server, session, envelope):
        message_id = email.message_from_bytes(envelope.content)["Message-ID"]
        self.message_ids.append(message_id)
        if len(self.message_ids) == self.hold_at:
            self.held_id = message_id
            self.holding.set()
            await asyncio.sleep(2)
        elif len(self.message_ids) == self.down_at:
            self.going_down.set()
            await asyncio.sleep(30)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SinkController(Controller):
    """Stopping is an outage: open connections are dropped too, rather than left hanging
    until the client's timeout."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sessions = []

    def factory(self):
        session = super().factory()
        self.sessions.append(session)
        return session

    def stop(self, *args, **kwargs):
        for session in self.sessions:
            if session.transport is not None:
                self.loop.call_soon_threadsafe(session.transport.abort)
        super().stop(*args, **kwargs)


def sink_start(sink: Sink, port: int) -> SinkController:
    controller = SinkController(sink, hostname="127.0.0.1", port=port)
    controller.start()
    return controller


def worker_database_url() -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def worker_start(smtp_port: int, log) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "false",
        "OUTBOX_RETRY_BASE_SECONDS": str(RETRY_BASE_SECONDS),
        "OUTBOX_RETRY_MAX_SECONDS": str(RETRY_MAX_SECONDS),
        "OUTBOX_CLAIM_SECONDS": str(CLAIM_SECONDS),
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def sent() -> int:
    return OutboundEmail.objects.filter(sent_at__isnull=False).count()


def most_attempts_unsent() -> int:
    unsent = OutboundEmail.objects.filter(sent_at__isnull=True)
    return max(unsent.values_list("attempts", flat=True), default=0)


def sweep_until(condition, timeout: float) -> bool:
    """Run the sweeper every SWEEP_EVERY_SECONDS, as beat would, until `condition` holds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        outbox_sweep()
        time.sleep(SWEEP_EVERY_SECONDS)
    return condition()


@pytest.mark.celery_worker
@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_email_is_lost_to_a_killed_worker_or_a_mail_server_outage(settings, tmp_path, caplog):
    """200 emails. The first worker is SIGKILLed while the mail server holds its reply to the
    40th message, and a second worker takes over; at its 150th message the mail server goes down
    for at least OUTAGE_SECONDS, and until an email has been tried more than eight times, while
    the sweeper runs as beat would. The retry schedule is compressed
    (OUTBOX_RETRY_BASE_SECONDS=0.05, doubling to 0.8 s), so eight attempts take about 3.2 s
    and the outage outlasts them: the old outbox, which gave up after eight chained attempts, would
    have lost every email still unsent. Every email must arrive, and every duplicate (SMTP is
    at least once: the 40th message went twice) must carry its original's Message-ID."""
    settings.OUTBOX_ENQUEUE_LEASE_SECONDS = ENQUEUE_LEASE_SECONDS
    caplog.set_level(logging.WARNING, logger="mail.log")  # one line per SMTP command
    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.delete("celery", "unacked", "unacked_index")
    sink = Sink(hold_at=40, down_at=150)
    smtp_port = free_port()
    controller = sink_start(sink, smtp_port)
    log_path = tmp_path / "workers.log"
    workers = []
    started = time.monotonic()
    try:
        with transaction.atomic():
            for n in range(EMAILS):
                email_queue(
                    to_address=f"person{n}@tandem.test",
                    subject=f"Email {n}",
                    body_text="Body",
                    template="fault-test",
                )
        with log_path.open("w") as log:
            workers.append(worker_start(smtp_port, log))
            assert sink.holding.wait(timeout=30), "the first worker sent nothing"
            workers[0].send_signal(signal.SIGKILL)
            workers[0].wait()
            killed_at = time.monotonic() - started

            workers.append(worker_start(smtp_port, log))
            assert sweep_until(sink.going_down.is_set, timeout=30), log_path.read_text()[-3000:]
            controller.stop()
            outage_at = time.monotonic() - started
            outlasted_old_schedule = sweep_until(
                lambda: (
                    time.monotonic() - started - outage_at >= OUTAGE_SECONDS
                    and most_attempts_unsent() > 8
                ),
                timeout=30,
            )
            outage = time.monotonic() - started - outage_at
            unsent_after_outage = OutboundEmail.objects.filter(sent_at__isnull=True).count()
            most_attempts = most_attempts_unsent()
            controller = sink_start(sink, smtp_port)

            everything_sent = sweep_until(lambda: sent() == EMAILS, timeout=20)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=15)
        controller.stop()
        broker.delete("celery", "unacked", "unacked_index")
    duration = time.monotonic() - started

    rows = list(OutboundEmail.objects.all())
    row_ids = {row.message_id for row in rows}
    duplicates = len(sink.message_ids) - len(set(sink.message_ids))
    print(
        f"\n{EMAILS} emails; first worker killed at {killed_at:.1f} s holding a sent message; "
        f"mail server down at {outage_at:.1f} s for {outage:.1f} s, leaving "
        f"{unsent_after_outage} unsent after up to {most_attempts} attempts; "
        f"{len(sink.message_ids)} received, {duplicates} duplicates; {duration:.1f} s in all"
    )
    assert everything_sent, log_path.read_text()[-3000:]
    assert outlasted_old_schedule, log_path.read_text()[-5000:]
    assert unsent_after_outage > 0
    assert all(row.sent_at is not None and row.failed_at is None for row in rows)
    assert len(row_ids) == EMAILS
    assert set(sink.message_ids) == row_ids
    assert duplicates >= 1
    assert sink.message_ids.count(sink.held_id) >= 2
