"""Invitations through their services: sending once, the waitlist refilling seats on decline,
expiry and withdrawal, reminders two days before expiry, accepting into the panel, and the
emails' shape."""

import email
import hashlib
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection

from core.models import AuditEvent, OutboundEmail
from core.transitions import TransitionNotAllowed
from engagement.models import Invitation, PanelMembership
from engagement.services.invitations import (
    invitation_accept,
    invitation_decline,
    invitation_send,
    invitation_withdraw,
    invitations_create,
    invitations_expire_due,
    invitations_remind_due,
    invitations_send_due,
)
from tests.core.outbox_helpers import broker_down
from tests.engagement.invitation_helpers import (
    experts,
    invite,
    seated_panel,
    token_for,
)
from tests.factories import coordinator, expert, panel

pytestmark = pytest.mark.django_db
Status = Invitation.Status


def statuses(the_panel) -> list[tuple[str, str, bool]]:
    return [
        (i.expert.reference, i.status, i.send_requested_at is not None)
        for i in the_panel.invitations.select_related("expert").order_by("position")
    ]


def test_invitees_are_sent_one_email_each_and_the_waitlist_waits(
    django_capture_on_commit_callbacks,
):
    the_panel, by = seated_panel(seats=2)
    first, second, third = experts(3)

    invite(the_panel, by, [first, second], [third], capture=django_capture_on_commit_callbacks)

    assert statuses(the_panel) == [
        (first.reference, Status.SENT, True),
        (second.reference, Status.SENT, True),
        (third.reference, Status.PENDING, False),
    ]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([first.user.email, second.user.email])
    sent = Invitation.objects.get(expert=first)
    assert sent.expires_at - sent.sent_at == timedelta(days=7)
    # Only the hash is stored: the token is in the email alone.
    token = token_for(first)
    assert sent.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(list(Invitation.objects.values()))
    assert AuditEvent.objects.filter(action="invitation.send").count() == 2


def test_sending_twice_sends_one_email(django_capture_on_commit_callbacks):
    the_panel, by = seated_panel(seats=1)
    (person,) = experts(1)
    (invitation,) = invite(the_panel, by, [person])

    with django_capture_on_commit_callbacks(execute=True):
        assert invitation_send(invitation_id=invitation.pk) is True
        assert invitation_send(invitation_id=invitation.pk) is False

    assert len(mail.outbox) == 1
    assert OutboundEmail.objects.filter(template="invitation").count() == 1


def test_a_waitlisted_invitation_is_never_sent_by_the_task(django_capture_on_commit_callbacks):
    the_panel, by = seated_panel(seats=1)
    first, second = experts(2)
    _sent, waiting = invite(the_panel, by, [first], [second])

    assert invitation_send(invitation_id=waiting.pk) is False
    waiting.refresh_from_db()
    assert waiting.status == Status.PENDING


def test_a_decline_invites_the_next_on_the_waitlist(django_capture_on_commit_callbacks):
    the_panel, by = seated_panel(seats=2)
    a, b, c, d = experts(4)
    invite(the_panel, by, [a, b], [c, d], capture=django_capture_on_commit_callbacks)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        invitation_decline(
            invitation=Invitation.objects.get(expert=a), by=a.user, reason="Not this time"
        )

    assert statuses(the_panel) == [
        (a.reference, Status.DECLINED, True),
        (b.reference, Status.SENT, True),
        (c.reference, Status.SENT, True),
        (d.reference, Status.PENDING, False),
    ]
    assert [m.to[0] for m in mail.outbox] == [c.user.email]
    declined = Invitation.objects.get(expert=a)
    assert declined.decline_reason == "Not this time"
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT decline_reason FROM engagement_invitation WHERE id = %s", [declined.pk]
        )
        assert "Not this time" not in cursor.fetchone()[0]


def test_an_accepted_seat_is_not_refilled(django_capture_on_commit_callbacks):
    the_panel, by = seated_panel(seats=1)
    a, b = experts(2)
    invite(the_panel, by, [a], [b], capture=django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        invitation_accept(invitation=Invitation.objects.get(expert=a), by=a.user)

    assert statuses(the_panel) == [
        (a.reference, Status.ACCEPTED, True),
        (b.reference, Status.PENDING, False),
    ]
    membership = PanelMembership.objects.get(panel=the_panel, expert=a)
    assert membership.role == "member"
    event = AuditEvent.objects.get(action="panel.member_add")
    assert (event.actor, event.extra["expert"]) == (a.user, a.reference)


def test_expiry_invites_the_next_on_the_waitlist(clock, django_capture_on_commit_callbacks):
    the_panel, by = seated_panel(seats=1)
    a, b = experts(2)
    invite(the_panel, by, [a], [b], capture=django_capture_on_commit_callbacks)

    clock.advance(days=6, hours=23)
    assert invitations_expire_due() == 0
    clock.advance(hours=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert invitations_expire_due() == 1
    assert invitations_expire_due() == 0

    assert statuses(the_panel) == [
        (a.reference, Status.EXPIRED, True),
        (b.reference, Status.SENT, True),
    ]
    assert [m.to[0] for m in mail.outbox] == [a.user.email, b.user.email]


def test_the_waitlist_stops_when_it_is_empty(clock, django_capture_on_commit_callbacks):
    the_panel, by = seated_panel(seats=2)
    a, b = experts(2)
    invite(the_panel, by, [a, b], capture=django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        invitation_decline(invitation=Invitation.objects.get(expert=a), by=a.user)

    assert statuses(the_panel) == [
        (a.reference, Status.DECLINED, True),
        (b.reference, Status.SENT, True),
    ]


def test_a_withdrawal_frees_the_seat_for_the_next(django_capture_on_commit_callbacks):
    the_panel, by = seated_panel(seats=1)
    a, b = experts(2)
    invite(the_panel, by, [a], [b], capture=django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        invitation_withdraw(invitation=Invitation.objects.get(expert=a), by=by)

    assert statuses(the_panel) == [
        (a.reference, Status.WITHDRAWN, True),
        (b.reference, Status.SENT, True),
    ]


def test_only_the_panels_coordinators_invite_or_withdraw(django_capture_on_commit_callbacks):
    the_panel, by = seated_panel(seats=1)
    other_coordinator = coordinator()
    panel(coordinators=[other_coordinator], name="Other panel")
    a, b = experts(2)

    for outsider in (other_coordinator, a.user):
        with pytest.raises(TransitionNotAllowed):
            invitations_create(panel=the_panel, invitees=[a], waitlist=[], by=outsider)
    (invitation,) = invite(the_panel, by, [a])
    with pytest.raises(TransitionNotAllowed):
        invitation_withdraw(invitation=invitation, by=other_coordinator)
    with pytest.raises(TransitionNotAllowed):
        invitation_accept(invitation=invitation, by=b.user)

    assert list(Invitation.objects.values_list("status", flat=True)) == [Status.PENDING]


@pytest.mark.parametrize(
    "problem",
    ["paused", "no_contact", "member", "invited", "twice", "too_many", "nobody"],
)
def test_invitations_that_cannot_be_made_change_nothing(problem):
    the_panel, by = seated_panel(seats=1)
    person, other = experts(2)
    invitees, waitlist = [person], []
    if problem == "paused":
        invitees = [expert(status="paused")]
    elif problem == "no_contact":
        invitees = [expert(consents={"data_processing": True, "contact": False})]
    elif problem == "member":
        PanelMembership.objects.create(
            panel=the_panel, expert=person, started_on=the_panel.created_at.date()
        )
    elif problem == "invited":
        Invitation.objects.create(panel=the_panel, expert=person, status=Status.DECLINED)
    elif problem == "twice":
        waitlist = [person]
    elif problem == "too_many":
        invitees = [person, other]
    elif problem == "nobody":
        invitees = []
    before = Invitation.objects.count()

    with pytest.raises(TransitionNotAllowed):
        invitations_create(panel=the_panel, invitees=invitees, waitlist=waitlist, by=by)

    assert Invitation.objects.count() == before


def test_accepting_after_expiry_is_refused(clock, django_capture_on_commit_callbacks):
    the_panel, by = seated_panel(seats=1)
    (a,) = experts(1)
    invite(the_panel, by, [a], capture=django_capture_on_commit_callbacks)
    clock.advance(days=7, seconds=1)

    with pytest.raises(TransitionNotAllowed, match="expired"):
        invitation_accept(invitation=Invitation.objects.get(expert=a), by=a.user)
    assert not PanelMembership.objects.filter(expert=a).exists()


def test_a_reminder_goes_once_two_days_before_expiry(clock, django_capture_on_commit_callbacks):
    the_panel, by = seated_panel(seats=1)
    (a,) = experts(1)
    invite(the_panel, by, [a], capture=django_capture_on_commit_callbacks)
    mail.outbox.clear()

    clock.advance(days=4, hours=23, minutes=59)
    assert invitations_remind_due() == 0
    clock.advance(minutes=2)
    with django_capture_on_commit_callbacks(execute=True):
        assert invitations_remind_due() == 1
    clock.advance(days=1)
    assert invitations_remind_due() == 0

    assert [m.subject for m in mail.outbox] == [
        f"Tandem: Reminder: your invitation to {the_panel.name}"
    ]
    invitation = Invitation.objects.get(expert=a)
    assert invitation.reminded_at == invitation.expires_at - timedelta(days=2, minutes=-1)


def test_no_reminder_for_an_answered_or_expired_invitation(
    clock, django_capture_on_commit_callbacks
):
    the_panel, by = seated_panel(seats=2)
    a, b = experts(2)
    invite(the_panel, by, [a, b], capture=django_capture_on_commit_callbacks)
    invitation_decline(invitation=Invitation.objects.get(expert=a), by=a.user)
    clock.advance(days=7, minutes=1)

    assert invitations_remind_due() == 0


def test_the_sweeper_sends_what_the_broker_never_got(settings, django_capture_on_commit_callbacks):
    settings.INVITATION_SEND_GRACE_SECONDS = 0
    the_panel, by = seated_panel(seats=3)
    people = experts(3)
    with broker_down(), django_capture_on_commit_callbacks(execute=True):
        invite(the_panel, by, people)
    assert set(Invitation.objects.values_list("status", flat=True)) == {Status.PENDING}

    with django_capture_on_commit_callbacks(execute=True):
        assert invitations_send_due() == 3
    assert invitations_send_due() == 0

    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.user.email for p in people)


def test_the_sweeper_leaves_fresh_invitations_to_their_task(settings):
    settings.INVITATION_SEND_GRACE_SECONDS = 300
    the_panel, by = seated_panel(seats=1)
    invite(the_panel, by, experts(1))

    assert invitations_send_due() == 0


def test_invitation_emails_are_plain_text_and_html(clock, django_capture_on_commit_callbacks):
    the_panel, by = seated_panel(seats=1)
    (a,) = experts(1)
    invite(the_panel, by, [a], capture=django_capture_on_commit_callbacks)
    clock.advance(days=5, minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        invitations_remind_due()

    assert len(mail.outbox) == 2
    for message in mail.outbox:
        parsed = email.message_from_bytes(message.message().as_bytes())
        assert parsed.is_multipart()
        parts = {part.get_content_type(): part for part in parsed.walk()}
        assert {"text/plain", "text/html"} <= set(parts)
        html = parts["text/html"].get_payload(decode=True).decode()
        assert "<html" in html
        assert a.user.display_name in parts["text/plain"].get_payload(decode=True).decode()
    token = token_for(a)
    assert f"/invitations/{token}/" in mail.outbox[0].alternatives[0].content
    # The reminder cannot know the token: it points to the dashboard.
    assert "/invitations/" not in mail.outbox[1].body


def test_each_due_invitation_is_reminded_of_its_own_date_and_a_later_one_waits_its_turn(
    clock, django_capture_on_commit_callbacks, django_assert_num_queries
):
    from django.db.models import F

    the_panel, by = seated_panel(seats=5)
    a, b, later, answered, reminded = experts(5)
    invite(
        the_panel,
        by,
        [a, b, later, answered, reminded],
        capture=django_capture_on_commit_callbacks,
    )
    Invitation.objects.filter(expert=later).update(expires_at=F("expires_at") + timedelta(days=3))
    invitation_decline(invitation=Invitation.objects.get(expert=answered), by=answered.user)
    Invitation.objects.filter(expert=reminded).update(reminded_at=clock.now)
    mail.outbox.clear()
    clock.advance(days=5, minutes=1)

    # One query for what is due, then ten per invitation (its claim, one read with its expert
    # and panel, the queued email with its reference index, and savepoints); nothing at all
    # for the answered or the already reminded one.
    with django_capture_on_commit_callbacks(execute=True), django_assert_num_queries(21):
        assert invitations_remind_due() == 2

    expires = Invitation.objects.get(expert=a).expires_at
    day = f"{expires.day} {expires:%B %Y}"
    assert sorted(m.to[0] for m in mail.outbox) == sorted([a.user.email, b.user.email])
    assert all(f"is open until {day}." in m.body for m in mail.outbox)
    assert Invitation.objects.get(expert=later).reminded_at is None

    clock.advance(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        assert invitations_remind_due() == 1
    assert mail.outbox[-1].to == [later.user.email]
