"""Panels: who coordinates them and who belongs to them.

A panel's coordinators may see its current members' access needs, so these relations grant
access to special-category data. They change only here: each function checks who is asking
(a coordinator of this panel), accepts only active experts and coordinators, locks the panel
so concurrent changes queue up, and appends an AuditEvent."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role, has_role
from core.services.audit import audit_record
from core.services.outbox import email_queue_template
from core.transitions import TransitionNotAllowed
from engagement.models import (
    AdvisoryRequest,
    ExpertProfile,
    Invitation,
    Panel,
    PanelMembership,
    PanelSuggestion,
)


def _may_manage(user: User, panel: Panel) -> bool:
    return user.has_perm("engagement.manage_panel", panel)


def _locked(panel: Panel, by: User) -> Panel:
    panel = Panel.objects.select_for_update().get(pk=panel.pk)
    if not _may_manage(by, panel):
        raise TransitionNotAllowed(_("Only this panel's coordinators can change who is on it."))
    return panel


def panel_create(
    *,
    name: str,
    description: str,
    by: User,
    region: str = "",
    seats: int = 0,
    request: AdvisoryRequest | None = None,
) -> Panel:
    """A new panel, coordinated by the coordinator who creates it. A panel formed for a
    research team's request is linked to it and wants as many experts as the team asked for."""
    if not has_role(by, Role.COORDINATOR):
        raise TransitionNotAllowed(_("Only coordinators can create panels."))
    with transaction.atomic():
        panel = Panel.objects.create(
            name=name,
            description=description,
            region=region,
            kind=Panel.Kind.REQUEST if request else Panel.Kind.STANDING,
            request=request,
            seats=request.experts_wanted if request else seats,
        )
        audit_record(
            actor=by,
            action="panel.create",
            subject=panel,
            extra={"request_id": request.pk} if request else None,
        )
        panel.coordinators.add(by)
        audit_record(
            actor=by, action="panel.coordinator_add", subject=panel, extra={"user_id": by.pk}
        )
    return panel


def panel_coordinator_add(*, panel: Panel, coordinator: User, by: User) -> Panel:
    with transaction.atomic():
        panel = _locked(panel, by)
        if not coordinator.is_active or not has_role(coordinator, Role.COORDINATOR):
            raise TransitionNotAllowed(_("Only people with the coordinator role can coordinate."))
        if panel.coordinators.filter(pk=coordinator.pk).exists():
            return panel
        panel.coordinators.add(coordinator)
        audit_record(
            actor=by,
            action="panel.coordinator_add",
            subject=panel,
            extra={"user_id": coordinator.pk},
        )
    return panel


def panel_coordinator_remove(*, panel: Panel, coordinator: User, by: User) -> Panel:
    """Stop coordinating. A panel always keeps at least one coordinator."""
    with transaction.atomic():
        panel = _locked(panel, by)
        if not panel.coordinators.filter(pk=coordinator.pk).exists():
            return panel
        if panel.coordinators.count() == 1:
            raise TransitionNotAllowed(_("A panel needs at least one coordinator."))
        panel.coordinators.remove(coordinator)
        audit_record(
            actor=by,
            action="panel.coordinator_remove",
            subject=panel,
            extra={"user_id": coordinator.pk},
        )
    return panel


def panel_member_add(
    *, panel: Panel, expert: ExpertProfile, role: str, started_on: date, by: User
) -> PanelMembership:
    """Add an active expert to the panel (or bring back one whose membership ended)."""
    if role not in PanelMembership.Role.values:
        raise TransitionNotAllowed(_("Choose member or chair."))
    with transaction.atomic():
        panel = _locked(panel, by)
        return _membership_start(
            panel=panel, expert=expert, role=role, started_on=started_on, by=by
        )


def panel_member_join(*, invitation: Invitation, by: User) -> PanelMembership:
    """The expert who accepted `invitation` joins its panel, in the role it offered, from
    today. Runs inside the accept transition, which has locked and accepted the invitation;
    only its own expert can use it."""
    if invitation.status != Invitation.Status.ACCEPTED or invitation.expert.user_id != by.pk:
        raise TransitionNotAllowed(_("Only the expert invited can accept this invitation."))
    with transaction.atomic():
        panel = Panel.objects.select_for_update().get(pk=invitation.panel_id)
        return _membership_start(
            panel=panel,
            expert=invitation.expert,
            role=invitation.role,
            started_on=timezone.localdate(),
            by=by,
            extra={"invitation": invitation.pk},
        )


def _membership_start(
    *, panel: Panel, expert: ExpertProfile, role: str, started_on: date, by: User, extra=None
) -> PanelMembership:
    expert = ExpertProfile.objects.select_for_update().get(pk=expert.pk)
    if expert.status != ExpertProfile.Status.ACTIVE:
        raise TransitionNotAllowed(_("Only active experts can join a panel."))
    membership = PanelMembership.objects.filter(panel=panel, expert=expert).first()
    current = PanelMembership.objects.current()
    if membership is not None and current.filter(pk=membership.pk).exists():
        raise TransitionNotAllowed(_("This expert is already on the panel."))
    if membership is None:
        membership = PanelMembership.objects.create(
            panel=panel, expert=expert, role=role, started_on=started_on
        )
    else:
        membership.role, membership.started_on, membership.ended_on = role, started_on, None
        membership.save(update_fields=["role", "started_on", "ended_on"])
    audit_record(
        actor=by,
        action="panel.member_add",
        subject=panel,
        extra={
            "expert": expert.reference,
            "role": role,
            "from": started_on.isoformat(),
            **(extra or {}),
        },
    )
    return membership


def panel_membership_end(
    *, membership: PanelMembership, by: User, ended_on: date | None = None
) -> PanelMembership:
    """End a membership (today unless a date is given): from then on the panel's coordinators
    no longer see the member's access needs."""
    ended_on = ended_on or timezone.localdate()
    with transaction.atomic():
        _locked(membership.panel, by)
        membership = PanelMembership.objects.select_for_update().get(pk=membership.pk)
        if membership.ended_on is not None and membership.ended_on <= ended_on:
            return membership
        if ended_on < membership.started_on:
            raise TransitionNotAllowed(_("A membership cannot end before it starts."))
        membership.ended_on = ended_on
        membership.save(update_fields=["ended_on"])
        audit_record(
            actor=by,
            action="panel.member_end",
            subject=membership.panel,
            extra={"expert": membership.expert.reference, "until": ended_on.isoformat()},
        )
    return membership


def panel_suggestion_create(*, panel: Panel, text: str, by: User) -> PanelSuggestion:
    """A chair suggests someone for the panel, in their own words (stored encrypted). The
    panel's coordinators are told by email with a link only: the words stay in the admin.
    The same words sent twice by the same chair (a double click) are kept once."""
    text = text.strip()
    if not text:
        raise TransitionNotAllowed(_("Say who you suggest and why."))
    with transaction.atomic():
        panel = Panel.objects.select_for_update().get(pk=panel.pk)
        if not by.has_perm("engagement.suggest_panel_expert", panel):
            raise TransitionNotAllowed(_("Only the panel's chair can suggest experts for it."))
        for earlier in panel.suggestions.filter(suggested_by=by):
            if earlier.text == text:
                return earlier
        suggestion = PanelSuggestion.objects.create(panel=panel, suggested_by=by, text=text)
        audit_record(
            actor=by, action="panel.suggestion", subject=panel, extra={"id": suggestion.pk}
        )
        for coordinator in panel.coordinators.filter(is_active=True):
            email_queue_template(
                template="panel_suggestion_new",
                recipient=coordinator,
                context={"panel": panel},
            )
    return suggestion
