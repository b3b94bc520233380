"""Invitations: a coordinator invites experts to a panel, with an ordered waitlist behind them.

The invitation row is the source of truth. PENDING with `send_requested_at` set means "to
send": a send task is enqueued on commit, and if the broker lost it, the periodic sweeper
sends it later. The `send` transition runs once (a second run finds it sent and does
nothing), makes the one-time token (only its SHA-256 hash is stored), and queues the email
through the outbox in the same transaction, so one invitation makes exactly one email.

Seats: while a panel has fewer outstanding invitations (accepted, sent, or about to be sent)
than seats, the next person on the waitlist is invited, whenever a seat frees up (a decline,
an expiry or a withdrawal), in the same transaction that frees it."""

import hashlib
import secrets
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.enqueue import task_enqueue
from core.services.audit import audit_record
from core.services.outbox import email_queue_template
from core.transitions import TransitionNotAllowed, transition_run
from engagement.models import ExpertProfile, Invitation, Panel, PanelMembership
from engagement.predicates import runs_panel
from engagement.selectors.experts import expert_list_available_for_contact
from engagement.services.panels import panel_member_join

SEND_TASK = "engagement.tasks.invitation_send"
VALID_FOR = timedelta(days=7)
REMIND_BEFORE = timedelta(days=2)

Status = Invitation.Status


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _send_enqueue_on_commit(invitation_id: int) -> None:
    # If the broker is down, the row still says "to send" and the sweeper sends it.
    transaction.on_commit(partial(task_enqueue, SEND_TASK, invitation_id), robust=True)


def invitations_create(
    *, panel: Panel, invitees: list[ExpertProfile], waitlist: list[ExpertProfile], by: User
) -> list[Invitation]:
    """Invite `invitees` now and put `waitlist` in this order behind anyone already waiting.

    Refused, with nothing written, unless `by` coordinates the panel, every person may be
    contacted and is neither on the panel nor invited to it already, nobody is named twice,
    and the invitees fit in the seats left."""
    if not runs_panel(by, panel):
        raise TransitionNotAllowed(_("Only this panel's coordinators can invite experts to it."))
    chosen = [*invitees, *waitlist]
    if not chosen:
        raise TransitionNotAllowed(_("Choose at least one expert to invite."))
    if len({p.pk for p in chosen}) != len(chosen):
        raise TransitionNotAllowed(_("Each expert can be chosen only once."))
    with transaction.atomic():
        panel = Panel.objects.select_for_update().get(pk=panel.pk)
        ids = [p.pk for p in chosen]
        eligible = set(
            expert_list_available_for_contact()
            .filter(pk__in=ids)
            .exclude(pk__in=PanelMembership.objects.current().filter(panel=panel).values("expert"))
            .exclude(pk__in=Invitation.objects.filter(panel=panel).values("expert"))
            .values_list("pk", flat=True)
        )
        if eligible != set(ids):
            raise TransitionNotAllowed(
                _(
                    "Some of the experts chosen can no longer be invited (they have paused, "
                    "are already invited, or are on the panel). Choose again."
                )
            )
        free = panel.seats - panel.invitations.outstanding().count()
        if panel.seats and len(invitees) > free:
            raise TransitionNotAllowed(
                _("The panel has %(free)s seats left: put the others on the waitlist.")
                % {"free": max(free, 0)}
            )
        now = timezone.now()
        last = panel.invitations.order_by("-position").values_list("position", flat=True).first()
        position = (last or 0) + 1
        created = []
        for index, profile in enumerate(chosen):
            to_send = index < len(invitees)
            created.append(
                Invitation.objects.create(
                    panel=panel,
                    expert=profile,
                    position=position + index,
                    send_requested_at=now if to_send else None,
                    created_by=by,
                )
            )
        audit_record(
            actor=by,
            action="invitation.create",
            subject=panel,
            extra={
                "invited": [p.reference for p in invitees],
                "waitlisted": [p.reference for p in waitlist],
            },
        )
        for invitation in created[: len(invitees)]:
            _send_enqueue_on_commit(invitation.pk)
    return created


def invitation_send(*, invitation_id: int) -> bool:
    """Send one invitation that is waiting to be sent: make its token, store the hash, set
    the expiry and queue the email, all in one transaction. False if it was already sent (or
    withdrawn, or is on the waitlist): running it again never sends a second email."""
    token = secrets.token_urlsafe(32)

    def email(locked: Invitation) -> None:
        email_queue_template(
            template="invitation",
            recipient=locked.expert.user,
            context={"invitation": locked, "panel": locked.panel, "token": token},
        )

    with transaction.atomic():
        # The token and expiry are written first, while the row is still PENDING (a SENT row
        # must have them), and only if it is still waiting to be sent; the transition then
        # moves it, and a second run finds nothing to do.
        now = timezone.now()
        prepared = (
            Invitation.objects.waiting_to_send()
            .filter(pk=invitation_id)
            .update(token_hash=token_hash(token), sent_at=now, expires_at=now + VALID_FOR)
        )
        if not prepared:
            return False
        transition_run(
            Invitation(pk=invitation_id),
            "send",
            by=None,
            effects=email,
            queryset=Invitation.objects.select_related("expert__user", "panel"),
        )
    return True


def invitation_accept(*, invitation: Invitation, by: User) -> Invitation:
    """The invited expert says yes and joins the panel in the same transaction."""

    def not_expired(locked: Invitation) -> None:
        if locked.expires_at <= timezone.now():
            raise TransitionNotAllowed(_("This invitation has expired."))

    def answered(locked: Invitation) -> None:
        locked.responded_at = timezone.now()

    return transition_run(
        invitation,
        "accept",
        by=by,
        check=not_expired,
        apply=answered,
        update_fields=["responded_at"],
        effects=lambda locked: panel_member_join(invitation=locked, by=by),
        queryset=Invitation.objects.select_related("expert"),
    )


def invitation_decline(*, invitation: Invitation, by: User, reason: str = "") -> Invitation:
    """The invited expert says no, with a reason if they want to give one (kept encrypted).
    The next person on the waitlist is invited if a seat is free."""

    def answered(locked: Invitation) -> None:
        locked.responded_at = timezone.now()
        locked.decline_reason = reason.strip()

    return transition_run(
        invitation,
        "decline",
        by=by,
        apply=answered,
        update_fields=["responded_at", "decline_reason"],
        effects=lambda locked: waitlist_refill(panel_id=locked.panel_id),
        queryset=Invitation.objects.select_related("expert"),
    )


def invitation_withdraw(*, invitation: Invitation, by: User) -> Invitation:
    """A coordinator of the panel withdraws an invitation not yet answered, or a place on the
    waitlist; a seat it held goes to the next person waiting."""
    return transition_run(
        invitation,
        "withdraw",
        by=by,
        effects=lambda locked: waitlist_refill(panel_id=locked.panel_id),
        queryset=Invitation.objects.select_related("panel"),
    )


def waitlist_refill(*, panel_id: int) -> list[int]:
    """Ask to send the next waitlisted invitations, in order, until the outstanding ones fill
    the panel's seats. Call it inside the transaction that freed a seat; returns the ids."""
    with transaction.atomic():
        panel = Panel.objects.select_for_update().get(pk=panel_id)
        free = panel.seats - panel.invitations.outstanding().count()
        if free <= 0:
            return []
        promoted = list(panel.invitations.waitlisted().values_list("pk", flat=True)[:free])
        Invitation.objects.filter(pk__in=promoted, send_requested_at__isnull=True).update(
            send_requested_at=timezone.now()
        )
        if promoted:
            audit_record(
                actor=None,
                action="invitation.waitlist_promote",
                subject=panel,
                extra={"invitations": promoted},
            )
        for invitation_id in promoted:
            _send_enqueue_on_commit(invitation_id)
    return promoted


def invitations_send_due() -> int:
    """The sweeper: send every invitation asked for more than INVITATION_SEND_GRACE_SECONDS
    ago and still not sent (its task was lost, or the broker was down). Safe to run at any
    time: a task that arrives later finds it sent."""
    before = timezone.now() - timedelta(seconds=settings.INVITATION_SEND_GRACE_SECONDS)
    due = Invitation.objects.waiting_to_send().filter(send_requested_at__lte=before)
    return sum(invitation_send(invitation_id=pk) for pk in due.values_list("pk", flat=True))


def invitations_remind_due() -> int:
    """Remind, once, everyone whose invitation expires within REMIND_BEFORE."""
    now = timezone.now()
    due = Invitation.objects.filter(
        status=Status.SENT,
        reminded_at__isnull=True,
        expires_at__gt=now,
        expires_at__lte=now + REMIND_BEFORE,
    ).values_list("pk", flat=True)
    reminded = 0
    for invitation_id in due:
        with transaction.atomic():
            # Compare-and-set: a concurrent run that reminded first makes this a no-op.
            claimed = Invitation.objects.filter(
                pk=invitation_id, status=Status.SENT, reminded_at__isnull=True
            ).update(reminded_at=now)
            if not claimed:
                continue
            invitation = Invitation.objects.select_related("expert__user", "panel").get(
                pk=invitation_id
            )
            email_queue_template(
                template="invitation_reminder",
                recipient=invitation.expert.user,
                context={"invitation": invitation, "panel": invitation.panel},
            )
        reminded += 1
    return reminded


def invitations_expire_due() -> int:
    """Expire every sent invitation past its expiry, inviting the next person waiting."""
    due = Invitation.objects.filter(status=Status.SENT, expires_at__lte=timezone.now()).values_list(
        "pk", flat=True
    )
    expired = 0
    for invitation_id in due:
        try:
            transition_run(
                Invitation(pk=invitation_id),
                "expire",
                by=None,
                effects=lambda locked: waitlist_refill(panel_id=locked.panel_id),
            )
        except TransitionNotAllowed:
            continue  # answered since the query
        expired += 1
    return expired
