"""Reads for panel pages, the expert dashboard and the coordinators' views of sessions and
"you said, we did". Each answers in a fixed number of queries, however many sessions there
are: the viewer's standing on a panel is asked once, and each session's own conditions (has
it started, was it cancelled) are read from the rows already loaded."""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.utils import timezone

from accounts.models import User
from engagement.models import (
    AccessSupport,
    Attendance,
    ImpactRating,
    ImpactRecord,
    Panel,
    PanelMembership,
    PanelSession,
    SessionNote,
)
from engagement.predicates import has_started, leads_session, researches_for_panel

# "You said, we did" is due within two weeks of a session.
IMPACT_DUE_AFTER = timedelta(days=14)
# How long after a session its debrief stays on offer on the dashboard.
DEBRIEF_OFFERED_FOR = timedelta(days=30)


@dataclass(frozen=True)
class PanelViewer:
    """What one person may do on one panel, asked once per page."""

    may_view: bool
    joining_details: bool
    schedule: bool
    agenda: bool
    write_notes: bool
    read_draft_notes: bool
    lead: bool
    record_impact: bool
    see_ratings: bool


def panel_viewer(user: User, panel: Panel) -> PanelViewer:
    may_view = user.has_perm("engagement.view_panel", panel)
    member_or_coordinator = may_view and user.has_perm("engagement.view_joining_details", panel)
    schedule = member_or_coordinator and user.has_perm("engagement.schedule_session", panel)
    return PanelViewer(
        may_view=may_view,
        joining_details=member_or_coordinator,
        schedule=schedule,
        agenda=member_or_coordinator and user.has_perm("engagement.set_session_agenda", panel),
        write_notes=schedule,
        # Draft notes, like joining details, stay with the members and coordinators.
        read_draft_notes=member_or_coordinator,
        # Attendance and impact also need the session to have started: asked per row.
        lead=member_or_coordinator and bool(leads_session.test(user, panel)),
        record_impact=may_view and bool(researches_for_panel.test(user, panel)),
        see_ratings=schedule and user.has_perm("engagement.view_impact_ratings", panel),
    )


def panel_for_page(panel_id: int) -> Panel | None:
    return Panel.objects.select_related("request").filter(pk=panel_id).first()


def session_for_page(session_id: int) -> PanelSession | None:
    return (
        PanelSession.objects.select_related("panel__request", "note", "impact")
        .filter(pk=session_id)
        .first()
    )


def access_support_display(values: list[str]) -> list[str]:
    labels = dict(AccessSupport.choices)
    return [str(labels[value]) for value in values if value in labels]


def _session_row(session: PanelSession, user: User, viewer: PanelViewer) -> dict:
    started = has_started.test(user, session)
    scheduled = session.status == PanelSession.Status.SCHEDULED
    note = getattr(session, "note", None)
    if note is not None and not (
        viewer.read_draft_notes or note.status == SessionNote.Status.APPROVED
    ):
        note = None
    return {
        "session": session,
        "started": started,
        "cancelled": not scheduled,
        "access_support": access_support_display(session.access_support),
        "note": note,
        "impact": getattr(session, "impact", None),
        "may": {
            "edit": viewer.schedule and scheduled and not started,
            "cancel": viewer.schedule and scheduled and not started,
            "agenda": viewer.agenda and scheduled,
            "write_notes": viewer.write_notes
            and scheduled
            and started
            and (note is None or note.status == SessionNote.Status.DRAFT),
            "approve_note": note is not None
            and SessionNote.workflow.state_allows(note, "approve")
            and viewer.agenda,
            "attendance": viewer.lead and scheduled and started,
            "impact": viewer.record_impact and scheduled and started,
        },
    }


def panel_page(panel: Panel, user: User, viewer: PanelViewer) -> dict:
    """The panel's sessions, soonest upcoming first, then past ones, latest first."""
    sessions = list(
        PanelSession.objects.filter(panel=panel)
        .select_related("note", "impact")
        .order_by("starts_at", "pk")
    )
    rows = [_session_row(session, user, viewer) for session in sessions]
    return {
        "panel": panel,
        "upcoming": [row for row in rows if not row["started"]],
        "past": [row for row in reversed(rows) if row["started"]],
        "viewer": viewer,
    }


def attendance_form_rows(session: PanelSession) -> list[dict]:
    """Members on the day of the session, with what is recorded so far."""
    day = timezone.localdate(session.starts_at)
    recorded = dict(session.attendance.values_list("expert_id", "attended"))
    memberships = (
        session.panel.memberships.current(on=day)
        .select_related("expert__user")
        .order_by("expert__user__display_name", "pk")
    )
    return [
        {"expert": membership.expert, "attended": recorded.get(membership.expert_id)}
        for membership in memberships
    ]


def expert_sessions_dashboard(user: User) -> dict:
    """For /me/: the expert's panels and their upcoming sessions, debriefs on offer, and
    their impact history ("you said, we did" for sessions they took part in)."""
    now = timezone.now()
    upcoming = list(
        PanelSession.objects.filter(
            panel__memberships__in=_current_memberships(user),
            status=PanelSession.Status.SCHEDULED,
            starts_at__gt=now,
        )
        .select_related("panel")
        .order_by("starts_at", "pk")[:20]
    )
    attended = (
        Attendance.objects.filter(expert__user=user, attended=True)
        .select_related("session__panel", "session__impact")
        .annotate(
            rated=Exists(
                ImpactRating.objects.filter(
                    impact__session=OuterRef("session"), expert=OuterRef("expert")
                )
            )
        )
        .order_by("-session__starts_at", "-pk")
    )
    attended = list(attended[:50])
    return {
        "my_panels": list(
            _current_memberships(user).select_related("panel").order_by("panel__name", "pk")
        ),
        "upcoming_sessions": upcoming,
        "debriefs": [row for row in attended if row.session.starts_at >= now - DEBRIEF_OFFERED_FOR],
        "impact_history": [row for row in attended if hasattr(row.session, "impact")],
    }


def _current_memberships(user: User):
    return PanelMembership.objects.current().filter(expert__user=user)


def panel_ratings(panel: Panel) -> dict:
    """How the panel's experts felt listened to: counts per answer, and the notes they
    wrote, without who wrote them."""
    ratings = ImpactRating.objects.filter(impact__session__panel=panel)
    counts = dict(ratings.values_list("answer").annotate(n=Count("pk")).values_list("answer", "n"))
    return {
        "counts": [
            {"answer": label, "count": counts.get(value, 0)}
            for value, label in ImpactRating.Answer.choices
        ],
        "total": sum(counts.values()),
        # The note is encrypted, so empty ones are dropped here rather than in SQL.
        "notes": [
            {
                "session": rating.impact.session,
                "answer": rating.get_answer_display(),
                "note": rating.note,
            }
            for rating in ratings.select_related("impact__session").order_by(
                "-impact__session__starts_at", "pk"
            )
            if rating.note
        ],
    }


def impact_overdue(user: User, limit: int = 20) -> list[PanelSession]:
    """Sessions of the panels this coordinator runs that ended more than two weeks ago with
    no "you said, we did" yet, oldest first."""
    due_before = timezone.now() - IMPACT_DUE_AFTER
    sessions = (
        PanelSession.objects.filter(
            panel__coordinators=user,
            status=PanelSession.Status.SCHEDULED,
            starts_at__lt=due_before,
        )
        .exclude(Exists(ImpactRecord.objects.filter(session=OuterRef("pk"))))
        .select_related("panel")
        .order_by("starts_at", "pk")
    )
    # The end is start plus length. Sessions last at most ten hours, so only the newest few
    # rows can have started in time but ended too late: they are dropped here.
    return [session for session in sessions[: limit + 50] if session.ends_at < due_before][:limit]


def panels_rated_for(user: User) -> QuerySet[Panel]:
    """The panels this coordinator runs, with how many ratings each has had."""
    return (
        Panel.objects.filter(coordinators=user)
        .annotate(rating_count=Count("sessions__impact__ratings", distinct=True))
        .order_by("name")
    )
