import sqlite3
from unittest import mock

import pytest
from django.db import connection

from tests.core.outbox_helpers import Clock


@pytest.fixture
def clock():
    """Freezes django.utils.timezone.now() until advanced."""
    frozen = Clock()
    with mock.patch("django.utils.timezone.now", side_effect=lambda: frozen.now):
        yield frozen


@pytest.fixture(autouse=True)
def _outbox_schedule(settings):
    # The production defaults, stated here so that the tests' figures do not depend on the
    # environment.
    settings.OUTBOX_RETRY_BASE_SECONDS = 60
    settings.OUTBOX_RETRY_MAX_SECONDS = 3600
    settings.OUTBOX_CLAIM_SECONDS = 120
    settings.OUTBOX_ENQUEUE_LEASE_SECONDS = 300
    settings.OUTBOX_GIVE_UP_HOURS = 48


@pytest.fixture
def file_database(tmp_path):
    """For a transactional test whose threads write at once: on SQLite, run it on a copy of
    the test database in a file. The in-memory test database is shared-cache, whose table
    locks fail a waiting writer at once, where a file database (as Tandem uses) lets it wait.
    The in-memory database stays open alongside and comes back afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    memory = connection.connection
    path = tmp_path / "threads.sqlite3"
    copy = sqlite3.connect(path)
    memory.backup(copy)
    copy.close()
    original = connection.settings_dict["NAME"]
    # Every thread's connection reads this same settings dict.
    connection.settings_dict["NAME"] = str(path)
    connection.connection = None
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = original
        connection.connection = memory
