import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_SECRET = "x7!kq2#vR9zL0pW4mN8bT6yH3jF5dS1aG0cE7uI2oP9lK4hJ8gF6dS3aZ5xC7vB"


def run_manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DJANGO_ENV",
            "DJANGO_SECRET_KEY",
            "ALLOWED_HOSTS",
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
            "DJANGO_ENV": "production",
            "DJANGO_SECRET_KEY": PRODUCTION_SECRET,
            "ALLOWED_HOSTS": "tandem.example",
            "TANDEM_VAR_DIR": str(tmp_path),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        },
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (1 silenced)." in result.stdout
    assert "WARNING" not in result.stderr


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"ALLOWED_HOSTS": "tandem.example"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": PRODUCTION_SECRET}, "ALLOWED_HOSTS"),
    ],
)
def test_production_refuses_to_start_without_required_settings(env, missing):
    result = run_manage("check", env={"DJANGO_ENV": "production", **env})

    assert result.returncode == 1
    assert f"Tandem refuses to start in production without {missing}" in result.stderr


def test_seed_demo_is_refused_in_production(tmp_path):
    result = run_manage(
        "seed_demo",
        env={
            "DJANGO_ENV": "production",
            "DJANGO_SECRET_KEY": PRODUCTION_SECRET,
            "ALLOWED_HOSTS": "tandem.example",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        },
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
        env={
            "DJANGO_ENV": "production",
            "DJANGO_SECRET_KEY": PRODUCTION_SECRET,
            "ALLOWED_HOSTS": "tandem.example",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        },
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
