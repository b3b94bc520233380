"""Keep secrets out of log lines: one-time tokens travel in some URLs, and Django logs URLs."""

import logging
import re

# Path segments that carry a secret: allauth's email confirmation and password reset keys,
# and invitation tokens.
_SECRET_PATHS = re.compile(
    r"(/accounts/confirm-email/|/accounts/password/reset/key/|/invitations/)[^/\s\"']+"
)


def redact(text: str) -> str:
    return _SECRET_PATHS.sub(r"\1[redacted]", text)


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
