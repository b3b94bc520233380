"""Shared test helpers: query counting at two data sizes, and the one-time code an
authenticator app shows now."""

import time
from collections.abc import Callable

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(client, url: str, expected_status: int = 200) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == expected_status, (url, response.status_code)
    return len(ctx.captured_queries)


def assert_query_count_constant(
    client,
    url: str,
    grow: Callable[[int], None],
    *,
    sizes: tuple[int, int] = (5, 50),
    max_queries: int | None = None,
) -> int:
    """Grow the data to each size with `grow(n)` (n = how many to add), load the page, and
    assert the page makes the same number of queries at both sizes (and at most
    `max_queries`). Returns the count. Both sizes are measured warm: the page shell is cached
    until pages or settings change, and creating site settings on first use invalidates it."""
    grow(sizes[0])
    count_queries(client, url)
    count_queries(client, url)
    small = count_queries(client, url)
    grow(sizes[1] - sizes[0])
    count_queries(client, url)
    large = count_queries(client, url)
    assert small == large, f"{url}: {small} queries at {sizes[0]} items, {large} at {sizes[1]}"
    if max_queries is not None:
        assert large <= max_queries, f"{url}: {large} queries, more than {max_queries}"
    return large


def totp_code(secret: str, *, at: float | None = None) -> str:
    """The code of the current 30-second period (not the oldest one the tolerance accepts,
    which stops working at the next boundary), or of the period holding the instant `at`."""
    counter = int(time.time() if at is None else at) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))
