import logging

from core.logging import RedactSecretsFilter


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
