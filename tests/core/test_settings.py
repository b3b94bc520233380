import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_SECRET = "x7!kq2#vR9zL0pW4mN8bT6yH3jF5dS1aG0cE7uI2oP9lK4hJ8gF6dS3aZ5xC7vB"
ENCRYPTION_KEY = "Zq3Vd0Yb7i4nKf0Q2sJm8cXw1tR5uLh9pGe6aNoB4yM="
PRODUCTION = {
    "DJANGO_ENV": "production",
    "DJANGO_SECRET_KEY": PRODUCTION_SECRET,
    "ALLOWED_HOSTS": "tandem.example",
    "FIELD_ENCRYPTION_KEYS": ENCRYPTION_KEY,
}


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DJANGO_ENV",
            "DJANGO_SECRET_KEY",
            "ALLOWED_HOSTS",
            "FIELD_ENCRYPTION_KEYS",
            "DATABASE_URL",
            "DJANGO_ALLOW_ASYNC_UNSAFE",
        }
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_passes_check_deploy_without_warnings(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env={
            **PRODUCTION,
            "TANDEM_VAR_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        },
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (1 silenced)." in result.stdout
    assert "WARNING" not in result.stderr


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "ALLOWED_HOSTS", "FIELD_ENCRYPTION_KEYS"])
def test_production_refuses_to_start_without_required_settings(missing):
    env = {name: value for name, value in PRODUCTION.items() if name != missing}

    result = run_manage("check", env=env)

    assert result.returncode == 1
    assert f"Tandem refuses to start in production without {missing}." in result.stderr


def test_production_refuses_an_empty_list_of_encryption_keys():
    result = run_manage("check", env={**PRODUCTION, "FIELD_ENCRYPTION_KEYS": " , "})

    assert result.returncode == 1
    assert "Tandem refuses to start in production without FIELD_ENCRYPTION_KEYS." in result.stderr


@pytest.mark.parametrize("environment", ["production", "development"])
def test_an_invalid_encryption_key_is_refused_without_printing_it(environment):
    not_a_key = "my-secret-passphrase-that-is-not-a-fernet-key"

    result = run_manage(
        "check",
        env={
            **PRODUCTION,
            "DJANGO_ENV": environment,
            "FIELD_ENCRYPTION_KEYS": f"{ENCRYPTION_KEY},{not_a_key}",
        },
    )

    assert result.returncode == 1
    assert (
        "FIELD_ENCRYPTION_KEYS: key number 2 is not a valid Fernet key (32 bytes, URL-safe "
        "base64)." in result.stderr
    )
    assert not_a_key not in result.stderr + result.stdout
    assert ENCRYPTION_KEY not in result.stderr + result.stdout


def test_production_encrypts_with_the_configured_key_not_one_derived_from_the_secret(tmp_path):
    code = (
        "from cryptography.fernet import Fernet; from core import crypto;"
        f"print(Fernet({ENCRYPTION_KEY!r}).decrypt(crypto.encrypt('Ana').encode()).decode())"
    )

    result = run_manage(
        "shell",
        "-c",
        code,
        env={**PRODUCTION, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "Ana"


def test_seed_demo_is_refused_in_production(tmp_path):
    result = run_manage(
        "seed_demo",
        env={**PRODUCTION, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
    )

    assert result.returncode == 1
    assert "seed_demo creates demo accounts, so it is refused in production." in result.stderr


def test_production_security_settings_are_on(tmp_path):
    code = (
        "from django.conf import settings as s;"
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS >= 31536000, s.CSP_REPORT_ONLY)"
    )
    result = run_manage(
        "shell",
        "-c",
        code,
        env={**PRODUCTION, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "False True True True True False"


def test_with_redis_the_cache_fails_open_and_a_dead_workers_tasks_return_in_five_minutes(
    tmp_path,
):
    code = (
        "import json; from django.conf import settings as s;"
        "print(json.dumps([s.CACHES['default']['BACKEND'], s.CACHES['default']['OPTIONS'],"
        " s.CELERY_BROKER_TRANSPORT_OPTIONS, s.CELERY_TASK_ALWAYS_EAGER]))"
    )
    result = run_manage(
        "shell",
        "-c",
        code,
        env={"REDIS_URL": "redis://127.0.0.1:6379/0", "TANDEM_VAR_DIR": str(tmp_path)},
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [
        "core.cache.ResilientRedisCache",
        {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        {"visibility_timeout": 300, "socket_connect_timeout": 2, "socket_timeout": 5},
        False,
    ]
