"""The reminder sweep's claim, when someone else gets in between the sweep reading what is due
and claiming each invitation: an expert answering, or a second sweep (beat overlapping a slow
run). The other party's work is run at exactly that moment, just before the sweep's first claim,
so the interleaving is the same on every run."""

from contextlib import contextmanager

import pytest
from django.core import mail
from django.db import connection

from engagement.models import Invitation
from engagement.services.invitations import invitation_decline, invitations_remind_due
from tests.engagement.invitation_helpers import experts, invite, seated_panel

pytestmark = pytest.mark.django_db


@contextmanager
def before_the_first_claim(meanwhile):
    """Run `meanwhile(invitation_id)` once, just before the sweep claims its first invitation
    (the UPDATE that sets reminded_at), with the id it is about to claim."""
    state = {"done": False}

    def wrapper(execute, sql, params, many, context):
        claim = sql.startswith('UPDATE "engagement_invitation"') and '"reminded_at"' in sql
        if claim and not state["done"]:
            state["done"] = True
            meanwhile(next(p for p in params if isinstance(p, int)))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield


def reminders() -> list[str]:
    return sorted(m.to[0] for m in mail.outbox if "Reminder" in m.subject)


def two_due_invitations(clock, capture):
    the_panel, by = seated_panel(seats=2)
    a, b = experts(2)
    invite(the_panel, by, [a, b], capture=capture)
    mail.outbox.clear()
    clock.advance(days=5, minutes=1)
    return a, b


def test_an_invitation_declined_after_the_sweep_read_it_gets_no_reminder_and_the_next_one_does(
    clock, django_capture_on_commit_callbacks
):
    a, b = two_due_invitations(clock, django_capture_on_commit_callbacks)
    people = {a.pk: a, b.pk: b}
    declined = []

    def decline(invitation_id):
        invitation = Invitation.objects.get(pk=invitation_id)
        declined.append(people[invitation.expert_id])
        invitation_decline(invitation=invitation, by=invitation.expert.user)

    with before_the_first_claim(decline), django_capture_on_commit_callbacks(execute=True):
        assert invitations_remind_due() == 1

    (gone,) = declined
    (still_open,) = [p for p in (a, b) if p != gone]
    assert reminders() == [still_open.user.email]
    assert Invitation.objects.get(expert=gone).status == Invitation.Status.DECLINED
    assert Invitation.objects.get(expert=gone).reminded_at is None
    assert Invitation.objects.get(expert=still_open).reminded_at == clock.now


def test_two_overlapping_sweeps_remind_each_expert_once(clock, django_capture_on_commit_callbacks):
    a, b = two_due_invitations(clock, django_capture_on_commit_callbacks)
    other_sweep = []

    def sweep(_invitation_id):
        other_sweep.append(invitations_remind_due())

    with before_the_first_claim(sweep), django_capture_on_commit_callbacks(execute=True):
        assert invitations_remind_due() == 0

    assert other_sweep == [2]
    assert reminders() == sorted([a.user.email, b.user.email])
