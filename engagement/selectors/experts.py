from django.db.models import Count, Min, QuerySet
from django.utils import timezone

from accounts.models import User
from core.models import AuditEvent
from engagement.models import (
    AccessNeed,
    Availability,
    ConsentStatement,
    ExpertProfile,
    MeetingFormat,
    SensitiveAccess,
)
from engagement.selectors.consents import consents_current_for, latest_consent_given
from engagement.selectors.invitations import invitations_open_for
from payments.models import Expense, Honorarium


def expert_directory() -> QuerySet[ExpertProfile]:
    """Every expert whose application has been sent, with what the directory shows loaded up
    front (no per-row queries). Drafts were never submitted or agreed to: staff never see them,
    in the list or by id."""
    return (
        ExpertProfile.objects.exclude(status=ExpertProfile.Status.DRAFT)
        .select_related("user")
        .prefetch_related("topics", "languages")
        .annotate(contact_consent=latest_consent_given(ConsentStatement.Kind.CONTACT))
    )


def expert_history(profile: ExpertProfile) -> QuerySet[AuditEvent]:
    """The expert's status changes, newest first, with who made them."""
    return profile.audit_events.select_related("actor").order_by("-created_at", "-pk")


def expert_memberships(profile: ExpertProfile) -> list:
    """The expert's panel memberships, current first, for their record."""
    return list(profile.memberships.select_related("panel").order_by("-started_on", "panel__name"))


def expert_conversation(profile: ExpertProfile) -> list[AuditEvent]:
    """The messages between the coordinators and the applicant (questions, replies, the
    decision), oldest first."""
    # Notes are encrypted, so they cannot be filtered in the database.
    return [event for event in expert_history(profile).reverse() if event.note]


def expert_history_display(profile: ExpertProfile) -> list[AuditEvent]:
    """The history with each status's label, for pages."""
    labels = dict(ExpertProfile.Status.choices)
    events = list(expert_history(profile))
    for event in events:
        event.from_label = labels.get(event.from_state, event.from_state)
        event.to_label = labels.get(event.to_state, event.to_state)
    return events


def expert_applications_waiting() -> dict[str, dict]:
    """How many applications are new and how many wait on the applicant, each with how long
    the oldest has waited in that state, in one query."""
    Status = ExpertProfile.Status
    rows = {
        row["status"]: row
        for row in ExpertProfile.objects.filter(status__in=[Status.APPLIED, Status.INFO_REQUESTED])
        .values("status")
        .annotate(n=Count("pk"), since=Min("status_changed_at"))
        .order_by()
    }
    today = timezone.localdate()

    def summary(status: str) -> dict:
        row = rows.get(status)
        if row is None:
            return {"count": 0, "oldest_days": None}
        since = row["since"]
        days = (today - timezone.localdate(since)).days if since else None
        return {"count": row["n"], "oldest_days": days}

    return {"applied": summary(Status.APPLIED), "info_requested": summary(Status.INFO_REQUESTED)}


def expert_list_available_for_contact() -> QuerySet[ExpertProfile]:
    """Active experts who have agreed to be contacted about opportunities, today."""
    today = timezone.localdate()
    return (
        expert_directory()
        .filter(status=ExpertProfile.Status.ACTIVE, contact_consent=True)
        .exclude(paused_until__gt=today)
    )


def effective_credit(profile: ExpertProfile, consents: dict) -> str:
    """The default credit actually used: naming someone needs their public-credit consent."""
    public = consents.get(ConsentStatement.Kind.PUBLIC_CREDIT)
    named = {ExpertProfile.Credit.FULL_NAME, ExpertProfile.Credit.PSEUDONYM}
    if profile.credit_preference in named and not (public and public.given):
        return ExpertProfile.Credit.ANONYMOUS
    return profile.credit_preference


def expert_profile_for(user: User) -> ExpertProfile | None:
    return (
        ExpertProfile.objects.select_related("user")
        .prefetch_related("topics", "languages")
        .filter(user=user)
        .first()
    )


def access_needs_display(access_needs: dict) -> dict:
    """Labels for the access passport, for pages and exports."""
    needs = dict(AccessNeed.choices)
    formats = dict(MeetingFormat.choices)
    return {
        "needs": [str(needs.get(n, n)) for n in access_needs.get("needs", [])],
        "interpreter_language": access_needs.get("interpreter_language", ""),
        "meeting_format": str(formats.get(access_needs.get("meeting_format", ""), "")),
        "other": access_needs.get("other", ""),
    }


def availability_display(values: list[str]) -> list[str]:
    """Labels in the order the choices are offered, whatever order they were saved in."""
    return [str(label) for value, label in Availability.choices if value in values]


def sensitive_accesses_for(profile: ExpertProfile) -> QuerySet[SensitiveAccess]:
    return profile.sensitive_accesses.select_related("accessor").order_by("-accessed_at", "-pk")


def expert_dashboard(user: User) -> dict:
    """What /me/ shows, in a fixed number of queries."""
    profile = expert_profile_for(user)
    context = {"profile": profile, "payments": list(_payments_for(user))}
    if profile is None:
        return context
    consents = consents_current_for(profile)
    context.update(
        consents=consents,
        effective_credit=effective_credit(profile, consents),
        # The coordinator's message travels with the change into the current status.
        latest_message=expert_history(profile).filter(to_state=profile.status).first()
        if profile.status in {ExpertProfile.Status.INFO_REQUESTED, ExpertProfile.Status.DECLINED}
        else None,
        may=ExpertProfile.workflow.permitted(user, profile),
        conversation=expert_conversation(profile)
        if profile.status == ExpertProfile.Status.INFO_REQUESTED
        else [],
        open_invitations=invitations_open_for(profile),
    )
    return context


def _payments_for(user: User) -> QuerySet[Honorarium]:
    return Honorarium.objects.filter(payee=user).order_by("-created_at")


def _expenses_for(user: User) -> QuerySet[Expense]:
    return Expense.objects.filter(payee=user).order_by("-created_at", "-pk")


def _invitations_of(profile: ExpertProfile):
    return profile.invitations.select_related("panel").order_by("created_at", "pk")


def _attendance_of(profile: ExpertProfile):
    return profile.attendance.select_related("session__panel").order_by("session__starts_at", "pk")


def _ratings_of(profile: ExpertProfile):
    return profile.impact_ratings.select_related("impact__session").order_by("created_at", "pk")


def expert_data_overview(*, user: User, profile: ExpertProfile | None) -> dict:
    """What /me/data/ shows in words: the same records as the download, with labels."""
    overview = {
        "user": user,
        "email_addresses": list(user.emailaddress_set.all()),
        "two_factor": sorted(a.get_type_display() for a in user.authenticator_set.all()),
        "payments": list(_payments_for(user)),
        "expenses": list(_expenses_for(user)),
        "teams": list(user.team_memberships.select_related("team").order_by("joined_at", "pk")),
        "profile": profile,
    }
    if profile is not None:
        overview.update(
            invitations=list(_invitations_of(profile)),
            attendance=list(_attendance_of(profile)),
            ratings=list(_ratings_of(profile)),
            consents=list(
                profile.consents.select_related("statement").order_by("recorded_at", "pk")
            ),
            history=list(reversed(expert_history_display(profile))),
            memberships=expert_memberships(profile),
            accesses=list(sensitive_accesses_for(profile)),
        )
    return overview


def expert_export_data(*, user: User) -> dict:
    """Everything Tandem holds about this person, as JSON-ready data (for /me/data.json)."""
    data = {
        "account": {
            "email": user.email,
            "display_name": user.display_name,
            "preferred_language": user.preferred_language,
            "date_joined": user.date_joined.isoformat(),
            "last_login": user.last_login.isoformat() if user.last_login else None,
            "email_addresses": [
                {"email": e.email, "verified": e.verified, "primary": e.primary}
                for e in user.emailaddress_set.all()
            ],
            "two_factor_methods": sorted(a.type for a in user.authenticator_set.all()),
            "time_zone": user.time_zone,
        },
        "research_teams": [
            {
                "team": m.team.name,
                "organisation": m.team.organisation,
                "joined_at": m.joined_at.isoformat(),
            }
            for m in user.team_memberships.select_related("team").order_by("joined_at", "pk")
        ],
        "payments": [
            {
                "reference": h.payee_reference,
                "description": h.description,
                "amount": str(h.amount),
                "currency": h.currency,
                "method": h.method,
                "status": h.status,
                "created_at": h.created_at.isoformat(),
                "paid_at": h.paid_at.isoformat() if h.paid_at else None,
            }
            for h in _payments_for(user)
        ],
        # The receipt itself is opened from /me/payments/; its file name here is Tandem's own.
        "expenses": [
            {
                "reference": e.payee_reference,
                "category": e.category,
                "description": e.description,
                "incurred_on": e.incurred_on.isoformat(),
                "amount": str(e.amount),
                "currency": e.currency,
                "status": e.status,
                "rejection_reason": e.rejection_reason,
                "created_at": e.created_at.isoformat(),
                "paid_at": e.paid_at.isoformat() if e.paid_at else None,
            }
            for e in _expenses_for(user)
        ],
        "expert_profile": None,
    }
    profile = expert_profile_for(user)
    if profile is None:
        return data
    data["expert_profile"] = {
        "reference": profile.reference,
        "status": profile.status,
        "pronouns": profile.pronouns,
        "languages": [language.name for language in profile.languages.all()],
        "region": profile.region,
        "topics": [topic.name for topic in profile.topics.all()],
        "expertise_notes": profile.expertise_notes,
        "access_needs": profile.access_needs,
        "hours_per_month": profile.hours_per_month,
        "availability": profile.availability,
        "paused_until": profile.paused_until.isoformat() if profile.paused_until else None,
        "credit_preference": profile.credit_preference,
        "credit_name": profile.credit_name,
        "legal_name": profile.legal_name,
        "payment_method": profile.payment_method,
        "right_to_work": profile.right_to_work,
        "means_tested_benefits": profile.means_tested_benefits,
        "submitted_at": profile.submitted_at.isoformat() if profile.submitted_at else None,
        "created_at": profile.created_at.isoformat(),
        "consents": [
            {
                "statement": c.statement.kind,
                "version": c.statement.version,
                "wording": c.statement.text,
                "given": c.given,
                "recorded_at": c.recorded_at.isoformat(),
            }
            for c in profile.consents.select_related("statement").order_by("recorded_at", "pk")
        ],
        "status_history": [
            {
                "from": event.from_state,
                "to": event.to_state,
                "message": event.note,
                "changed_at": event.created_at.isoformat(),
            }
            for event in expert_history(profile).reverse()
        ],
        "panels": [
            {
                "panel": m.panel.name,
                "role": m.role,
                "from": m.started_on.isoformat(),
                "until": m.ended_on.isoformat() if m.ended_on else None,
            }
            for m in profile.memberships.select_related("panel")
        ],
        "invitations": [
            {
                "panel": i.panel.name,
                "status": i.status,
                "sent_at": i.sent_at.isoformat() if i.sent_at else None,
                "answered_at": i.responded_at.isoformat() if i.responded_at else None,
                "reason_given": i.decline_reason,
            }
            for i in _invitations_of(profile)
        ],
        "sessions": [
            {
                "session": a.session.title,
                "panel": a.session.panel.name,
                "starts_at": a.session.starts_at.isoformat(),
                "took_part": a.attended,
                "debrief_asked_for_at": a.debrief_requested_at.isoformat()
                if a.debrief_requested_at
                else None,
            }
            for a in _attendance_of(profile)
        ],
        "felt_listened_to": [
            {
                "session": r.impact.session.title,
                "answer": r.answer,
                "note": r.note,
                "given_at": r.created_at.isoformat(),
            }
            for r in _ratings_of(profile)
        ],
        "sensitive_data_views": [
            {
                "field": access.field,
                "viewed_by": access.accessor.display_name if access.accessor else None,
                "viewed_at": access.accessed_at.isoformat(),
            }
            for access in sensitive_accesses_for(profile)
        ],
    }
    return data
