import fcntl
import tempfile
import uuid
from pathlib import Path

import pytest
from allauth.account.internal.flows.login import record_authentication
from allauth.mfa.models import Authenticator
from django.http import HttpRequest
from django.test import Client
from django.utils import translation

from config.celery import app as celery_app
from tests.services import require

SERVICE_MARKERS = ("postgres", "redis", "celery_worker", "browser")
# Shared by every pytest process on the machine (both xdist workers, and any other run).
CELERY_WORKER_LOCK = Path(tempfile.gettempdir()) / "tandem-tests-celery-worker.lock"


def pytest_runtest_setup(item):
    # Before any fixture: a skipped test must not set up (and later flush) the database.
    for marker in SERVICE_MARKERS:
        if item.get_closest_marker(marker):
            require(marker)


@pytest.fixture(autouse=True)
def _one_celery_worker_at_a_time(request):
    """Tests that start a real Celery worker share the broker's queue: one worker would take
    the other's tasks. They take turns across processes behind a file lock, which the system
    releases even when a test process dies."""
    if request.node.get_closest_marker("celery_worker") is None:
        yield
        return
    with CELERY_WORKER_LOCK.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@pytest.fixture(autouse=True)
def _test_settings(settings, request, tmp_path_factory):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Expense receipts and proposal documents (the demo seed makes some) never land in the
    # project's var/ folder.
    settings.PAYMENTS_RECEIPTS_ROOT = tmp_path_factory.getbasetemp() / "receipts"
    settings.PROPOSAL_ATTACHMENTS_ROOT = tmp_path_factory.getbasetemp() / "proposals"
    # A fresh cache namespace per test: rate limits and cached fragments never leak between
    # tests, even when parallel workers share one Redis.
    caches = {name: dict(config) for name, config in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"test-{uuid.uuid4().hex}"
    settings.CACHES = caches
    # Tasks run in-process unless the test exercises a real worker. Celery reads Django's
    # CELERY_-prefixed names first, so the override uses that name.
    eager = request.node.get_closest_marker("celery_worker") is None
    previous = celery_app.conf.task_always_eager
    celery_app.conf.CELERY_TASK_ALWAYS_EAGER = eager
    # A request leaves its language active on the thread; each test starts in English.
    with translation.override(settings.LANGUAGE_CODE):
        yield
    celery_app.conf.CELERY_TASK_ALWAYS_EAGER = previous


@pytest.fixture(autouse=True)
def _force_login_with_code(monkeypatch):
    """`client.force_login(user)` stands for a full sign-in with a one-time code: for someone
    with an authenticator app it also writes the record allauth writes once a code is accepted,
    which staff pages require. `force_login(user, mfa=False)` stands for a session that never
    passed a code (for the tests of that policy)."""
    force_login = Client.force_login

    def force_login_with_code(self, user, backend=None, *, mfa=True):
        force_login(self, user, backend)
        if not mfa:
            return
        authenticator = Authenticator.objects.filter(
            user=user, type=Authenticator.Type.TOTP
        ).first()
        if authenticator is not None:
            request = HttpRequest()
            request.session = self.session
            record_authentication(
                request, user, "mfa", id=authenticator.pk, type=authenticator.type
            )
            request.session.save()

    monkeypatch.setattr(Client, "force_login", force_login_with_code)
