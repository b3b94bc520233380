from unittest import mock

import pytest

from tests.core.outbox_helpers import Clock


@pytest.fixture
def clock():
    """Freezes django.utils.timezone.now() until advanced."""
    frozen = Clock()
    with mock.patch("django.utils.timezone.now", side_effect=lambda: frozen.now):
        yield frozen
