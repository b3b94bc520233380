"""Shared pieces for the invitation tests: a panel with seats, sending, and the token link
from the email (the only place the token exists)."""

import re

from django.core import mail

from engagement.models import Invitation
from engagement.services.invitations import invitations_create
from tests.factories import coordinator, expert, panel

TOKEN_LINK = re.compile(r"/invitations/([A-Za-z0-9_-]{43})/")


def seated_panel(seats: int = 2, **kwargs):
    the_coordinator = coordinator()
    return panel(coordinators=[the_coordinator], seats=seats, **kwargs), the_coordinator


def invite(the_panel, by, invitees, waitlist=(), capture=None) -> list[Invitation]:
    """Create and send, running on-commit callbacks (tasks run in-process) when `capture`
    (django_capture_on_commit_callbacks) is given."""
    if capture is None:
        return invitations_create(
            panel=the_panel, invitees=list(invitees), waitlist=list(waitlist), by=by
        )
    with capture(execute=True):
        return invitations_create(
            panel=the_panel, invitees=list(invitees), waitlist=list(waitlist), by=by
        )


def token_for(profile) -> str:
    """The token in the newest invitation email to this expert."""
    for message in reversed(mail.outbox):
        if message.to == [profile.user.email]:
            found = TOKEN_LINK.search(message.body)
            if found:
                return found.group(1)
    raise AssertionError(f"no invitation email to {profile.user.email}")


def experts(n: int, **fields):
    return [expert(**fields) for _ in range(n)]
