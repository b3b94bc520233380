"""Loaded into every pytest run that mutmut starts (`pytest_add_cli_args` in pyproject.toml).

mutmut forks one process per mutant and runs pytest again inside it. Left alone, pytest-django
would then build the test database from the migrations in every one of those processes, about
half a minute each on this project. Instead the first run migrates a template database file
once, and each later run copies it into a private in-memory SQLite database (sqlite3's backup
API, milliseconds): the same schema and migration data that a normal test run starts from.

It also runs first the tests that mirror the mutated module (tests/core/test_public_cache.py for
core/public_cache.py, then the rest of tests/core/): mutmut stops at the first failure, so a
mutant that those tests kill costs seconds instead of the whole list of tests that call it.

Only the embedded SQLite mode is supported: `make mutate` unsets DATABASE_URL and REDIS_URL.
"""

import fcntl
import os
import sqlite3
from pathlib import Path

import django.test.utils
import pytest

from mutation import predicates_patch

# Before Django imports the mutated modules, in every pytest run that mutmut starts (also from
# `mutmut browse` or a bare `mutmut run`), or @rules.predicate trampolines get the wrong arity.
predicates_patch.apply()

TEMPLATE_ENV = "TANDEM_MUTATION_TEMPLATE_DB"


def _template_path() -> Path:
    # mutmut runs pytest from inside mutants/, so the default lands there and goes with it.
    return Path(os.environ.get(TEMPLATE_ENV) or Path.cwd() / "template.sqlite3").resolve()


def _build_template(connection, path: Path, verbosity: int) -> None:
    """Migrate a file database exactly as Django's test runner would, and keep the file."""
    settings_dict = connection.settings_dict
    original_name, original_test_name = settings_dict["NAME"], settings_dict["TEST"]["NAME"]
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    settings_dict["TEST"]["NAME"] = str(partial)
    try:
        connection.creation.create_test_db(
            verbosity=verbosity, autoclobber=True, serialize=False, keepdb=False
        )
    finally:
        connection.close()
        settings_dict["NAME"], settings_dict["TEST"]["NAME"] = original_name, original_test_name
    partial.rename(path)


def setup_databases(verbosity, interactive, serialized_aliases=None, **kwargs):
    """Stands in for django.test.utils.setup_databases (which pytest-django calls)."""
    from django.db import connections

    connection = connections["default"]
    if connection.vendor != "sqlite":
        raise RuntimeError("Mutation testing runs in embedded mode: unset DATABASE_URL.")
    path = _template_path()
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            _build_template(connection, path, verbosity)

    original_name = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = f"file:mutation-{os.getpid()}?mode=memory&cache=shared"
    connection.ensure_connection()
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as template:
        template.backup(connection.connection)
    template.close()
    if serialized_aliases is None or "default" in serialized_aliases:
        # What `serialized_rollback=True` tests restore after a flush, as Django would keep it.
        connection._test_serialized_contents = connection.creation.serialize_db_to_string()
    return [(connection, original_name)]


def teardown_databases(old_config, verbosity, **kwargs):
    for connection, original_name in old_config:
        # Closing an in-memory database is a no-op in Django; point back at the file first.
        connection.settings_dict["NAME"] = original_name
        connection.close()
        connection.__dict__.pop("_test_serialized_contents", None)


def pytest_configure(config):
    # pytest-django imports these from django.test.utils when its django_db_setup runs.
    django.test.utils.setup_databases = setup_databases
    django.test.utils.teardown_databases = teardown_databases


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(items):
    # Before pytest-django's own (stable) reordering, which must stay last: it puts the
    # transactional tests, which flush the database, after all the others.
    _mirror_tests_first(items)
    return (yield)


def _mirror_tests_first(items) -> None:
    mutant = os.environ.get("MUTANT_UNDER_TEST", "")
    if "__mutmut_" not in mutant:
        return
    module = mutant.partition("__mutmut_")[0].rpartition(".")[0].split(".")
    app, name = module[0], module[-1]

    def rank(item) -> int:
        path = item.nodeid.partition("::")[0]
        if path == f"tests/{app}/test_{name}.py":
            return 0
        return 1 if path.startswith(f"tests/{app}/") else 2

    # A stable sort: within each rank, mutmut's order (fastest first) stays.
    items.sort(key=rank)
