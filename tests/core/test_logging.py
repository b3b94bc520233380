import email
import json
import logging
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from core.logging import RedactSecretsFilter

ROOT = Path(__file__).resolve().parents[2]


def test_secret_tokens_in_logged_urls_are_redacted():
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Not Found: %s",
        ("/accounts/password/reset/key/3-abc123-secret/",),
        None,
    )

    RedactSecretsFilter().filter(record)

    assert record.getMessage() == "Not Found: /accounts/password/reset/key/[redacted]/"


def test_ordinary_messages_are_untouched():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "Page %s", ("/about/",), None)

    RedactSecretsFilter().filter(record)

    assert record.getMessage() == "Page /about/"


def embedded_env(var_dir: Path) -> dict[str, str]:
    """A development process of its own: SQLite and mail files under var_dir, no services."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return {**env, "TANDEM_VAR_DIR": str(var_dir), "LOG_LEVEL": "INFO"}


# Runs in a fresh process, so that it sees logging exactly as Django configures it (pytest adds
# capture handlers of its own to this one).
HANDLERS_WITHOUT_REDACTION = """
import json, logging
import django
django.setup()
from django.core.servers import basehttp  # noqa: F401 (the runserver logger)
from core.logging import RedactSecretsFilter
loggers = [logging.getLogger()] + [
    logger for logger in logging.Logger.manager.loggerDict.values()
    if isinstance(logger, logging.Logger)
]
checked, unredacted = [], []
for logger in loggers:
    for handler in logger.handlers:
        # A NullHandler writes nothing anywhere (libraries add one to stay quiet).
        if isinstance(handler, logging.NullHandler):
            continue
        checked.append(logger.name)
        if not any(isinstance(f, RedactSecretsFilter) for f in handler.filters):
            unredacted.append(f"{logger.name}: {handler!r}")
print(json.dumps({"checked": sorted(set(checked)), "unredacted": unredacted}))
"""


def test_every_log_handler_redacts_secrets(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", HANDLERS_WITHOUT_REDACTION],
        cwd=ROOT,
        env=embedded_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["unredacted"] == []
    assert found["checked"] == ["django.server", "root"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_listening(port: int, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.poll() is None, log.read_text()
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"runserver did not start:\n{log.read_text()}")


def wait_for_log_line(log: Path, pattern: str) -> None:
    deadline = time.monotonic() + 10
    while not re.search(pattern, log.read_text()):
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)


def confirmation_path(mail_dir: Path) -> str:
    """The confirmation link in the one email the file backend wrote."""
    (mail_file,) = mail_dir.iterdir()
    message = email.message_from_bytes(mail_file.read_bytes().split(b"\n" + b"-" * 79)[0])
    text = next(
        part.get_payload(decode=True).decode()
        for part in message.walk()
        if part.get_content_type() == "text/plain"
    )
    return re.search(r"/accounts/confirm-email/[^/\s]+/", text).group(0)


def csrf_token(page: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)


def test_runserver_logs_no_confirmation_keys(tmp_path):
    env = embedded_env(tmp_path)
    manage = [sys.executable, "manage.py"]
    subprocess.run(
        [*manage, "migrate", "--noinput"], cwd=ROOT, env=env, capture_output=True, check=True
    )
    port = free_port()
    log = tmp_path / "server.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_listening(port, server, log)
        base = f"http://127.0.0.1:{port}"
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        form = browser.open(f"{base}/accounts/signup/").read().decode()
        browser.open(
            f"{base}/accounts/signup/",
            urllib.parse.urlencode(
                {
                    "csrfmiddlewaretoken": csrf_token(form),
                    "email": "river@tandem.test",
                    "display_name": "River",
                    "password1": "a long and unusual passphrase",
                    "password2": "a long and unusual passphrase",
                }
            ).encode(),
        )
        link = confirmation_path(tmp_path / "mail")
        confirmation_page = browser.open(base + link).read().decode()
        # Pressing "Confirm" on a forged or mistyped link: a 404 that django.request logs.
        wrong_key = "MQ:1wrong:Zm9yZ2VkLWtleS10aGF0LWRvZXMtbm90LWV4aXN0"
        with pytest.raises(urllib.error.HTTPError) as wrong_key_response:
            browser.open(
                f"{base}/accounts/confirm-email/{wrong_key}/",
                urllib.parse.urlencode(
                    {"csrfmiddlewaretoken": csrf_token(confirmation_page)}
                ).encode(),
            )
        # runserver logs a request line just after answering it.
        wait_for_log_line(log, r'"POST /accounts/confirm-email/\S+ HTTP/1.1" 404')
    finally:
        server.terminate()
        server.wait(timeout=30)

    output = log.read_text()
    key = link.split("/")[-2]
    assert "river@tandem.test" in confirmation_page
    assert wrong_key_response.value.code == 404
    assert '"GET /accounts/confirm-email/[redacted]/ HTTP/1.1" 200' in output
    assert '"POST /accounts/confirm-email/[redacted]/ HTTP/1.1" 404' in output
    assert "WARNING django.request Not Found: /accounts/confirm-email/[redacted]/" in output
    assert key not in output
    assert wrong_key not in output
