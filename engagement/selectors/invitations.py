"""Reads for invitations: finding one by its token, what an invitation offers, and the lists
the expert's dashboard and the panel's page show."""

import hashlib

from django.db.models import QuerySet
from django.utils import timezone
from wagtail.models import Page

from engagement.models import (
    AccessSupport,
    ExpertProfile,
    Invitation,
    Panel,
    PanelSession,
)

Status = Invitation.Status
HOW_WE_PAY_SLUG = "how-we-pay"


def invitation_by_token(token: str) -> Invitation | None:
    """The invitation whose token this is, with what its page shows, or None."""
    digest = hashlib.sha256(token.encode()).hexdigest()
    return (
        Invitation.objects.select_related("panel__request", "expert__user")
        .filter(token_hash=digest)
        .first()
    )


def invitation_for_expert(*, pk: int, user) -> Invitation | None:
    """The signed-in expert's own invitation (anyone else's is None)."""
    return (
        Invitation.objects.select_related("panel__request", "expert__user")
        .filter(pk=pk, expert__user=user)
        .exclude(status=Status.PENDING)
        .first()
    )


def invitation_is_open(invitation: Invitation) -> bool:
    """Sent, and still before its expiry (the expiry job may not have run yet)."""
    return invitation.status == Status.SENT and invitation.expires_at > timezone.now()


def _how_we_pay_url() -> str:
    page = Page.objects.live().filter(slug=HOW_WE_PAY_SLUG, depth__gt=1).first()
    return page.localized.url if page is not None else ""


def invitation_offer(invitation: Invitation) -> dict:
    """Everything the expert is told before saying yes: the work, the time it takes, the
    format, the access support offered, content notes, and how they are paid."""
    panel = invitation.panel
    request = panel.request
    sessions = list(
        PanelSession.objects.filter(
            panel=panel, status=PanelSession.Status.SCHEDULED, starts_at__gte=timezone.now()
        ).order_by("starts_at")[:5]
    )
    labels = dict(AccessSupport.choices)
    support = []
    for session in sessions:
        for value in session.access_support:
            if labels.get(value, value) not in support:
                support.append(labels.get(value, value))
    profile: ExpertProfile = invitation.expert
    return {
        "invitation": invitation,
        "panel": panel,
        "advisory_request": request,
        "sessions": sessions,
        "access_support": support,
        "content_notes": request.content_notes if request else "",
        "how_we_pay_url": _how_we_pay_url(),
        "expenses_only": profile.expenses_only,
        "benefits_signposting": profile.benefits_signposting,
    }


def invitations_open_for(profile: ExpertProfile) -> list[Invitation]:
    """The expert's invitations waiting for an answer, soonest to expire first."""
    return list(
        Invitation.objects.filter(expert=profile, status=Status.SENT, expires_at__gt=timezone.now())
        .select_related("panel")
        .order_by("expires_at", "pk")
    )


def panel_invitations(panel: Panel) -> QuerySet[Invitation]:
    """Every invitation of the panel for its page: sent and answered, then the waitlist."""
    return panel.invitations.select_related("expert__user").order_by("position", "pk")
