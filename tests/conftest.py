import uuid

import pytest
from django.utils import translation

from config.celery import app as celery_app
from tests.services import require

SERVICE_MARKERS = ("postgres", "redis", "celery_worker", "browser")


def pytest_runtest_setup(item):
    # Before any fixture: a skipped test must not set up (and later flush) the database.
    for marker in SERVICE_MARKERS:
        if item.get_closest_marker(marker):
            require(marker)


@pytest.fixture(autouse=True)
def _test_settings(settings, request):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
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
