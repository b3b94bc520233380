"""Panel sessions: scheduling, changes and cancellation with calendar invitations, agendas
and notes, attendance, debriefs, and "you said, we did" with its private ratings.

Joining details travel only to the panel's current members: in their invitation emails and
calendar files. Audit rows name the fields that changed, never their values, so joining
details never reach the audit trail or the logs."""

from collections.abc import Mapping
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from core.calendar import CalendarEvent, Method, calendar_content_type, calendar_file
from core.services.audit import audit_record
from core.services.outbox import Attachment, email_queue_template
from core.transitions import TransitionNotAllowed, transition_run
from engagement.models import (
    AccessSupport,
    Attendance,
    ExpertProfile,
    ImpactRating,
    ImpactRecord,
    Panel,
    PanelSession,
    SessionFormat,
    SessionNote,
)
from engagement.services.honoraria import honorarium_enqueue_on_commit

# What a coordinator may change on a scheduled session; each change is a new calendar version.
SESSION_FIELDS = (
    "title",
    "starts_at",
    "duration_minutes",
    "prep_minutes",
    "format",
    "place",
    "joining_details",
    "access_support",
)


def _require(user: User, perm: str, obj, message: str) -> None:
    if not user.has_perm(perm, obj):
        raise TransitionNotAllowed(message)


def _validate(fields: Mapping) -> None:
    """The rules a session's details keep, whoever sets them (forms check them too)."""
    if "starts_at" in fields and fields["starts_at"] <= timezone.now():
        raise TransitionNotAllowed(_("A session must start in the future."))
    if "duration_minutes" in fields and not 15 <= fields["duration_minutes"] <= 600:
        raise TransitionNotAllowed(_("A session lasts between 15 minutes and 10 hours."))
    if "format" in fields and fields["format"] not in SessionFormat.values:
        raise TransitionNotAllowed(_("Choose online or in person."))
    if "access_support" in fields and not set(fields["access_support"]) <= set(
        AccessSupport.values
    ):
        raise TransitionNotAllowed(_("Choose access support from the list."))


def _members(panel: Panel) -> list[ExpertProfile]:
    return list(
        ExpertProfile.objects.filter(
            memberships__in=panel.memberships.current(), user__is_active=True
        ).select_related("user")
    )


def _calendar_event(session: PanelSession) -> CalendarEvent:
    page = settings.SITE_URL + reverse("panel_detail", args=[session.panel_id])
    location = session.joining_details
    if session.format == SessionFormat.IN_PERSON and session.place:
        location = f"{session.place}\n{session.joining_details}".strip()
    return CalendarEvent(
        uid=str(session.uid),
        sequence=session.sequence,
        starts_at=session.starts_at,
        duration=timedelta(minutes=session.duration_minutes),
        summary=f"{session.title} ({session.panel.name})",
        description=_("Agenda, access support and papers: %(url)s") % {"url": page},
        location=location,
        url=page,
    )


def _calendar_emails(session: PanelSession, *, method: Method, template: str, extra=None):
    """One email per current member, each with its own calendar file (the attendee is the
    recipient, the words in their language). Only members get them, so only members get the
    joining details."""
    for member in _members(session.panel):
        user = member.user
        with translation.override(user.preferred_language):
            event = _calendar_event(session)
        email_queue_template(
            template=template,
            recipient=user,
            context={"session": session, "panel": session.panel, **(extra or {})},
            attachments=[
                Attachment(
                    filename="invite.ics" if method == Method.REQUEST else "cancel.ics",
                    content_type=calendar_content_type(method),
                    content=calendar_file(event, method=method, attendee_email=user.email),
                )
            ],
        )


def session_schedule(*, panel: Panel, by: User, **fields) -> PanelSession:
    """Schedule a session and send each current member an invitation with a calendar file.
    A repeated submission (same panel, title and start) returns the session already
    scheduled and sends nothing again."""
    _require(by, "engagement.schedule_session", panel, _("Only this panel's coordinators can."))
    fields = {name: fields[name] for name in (*SESSION_FIELDS, "agenda") if name in fields}
    _validate(fields)
    with transaction.atomic():
        panel = Panel.objects.select_for_update().get(pk=panel.pk)
        existing = PanelSession.objects.filter(
            panel=panel,
            title=fields["title"],
            starts_at=fields["starts_at"],
            status=PanelSession.Status.SCHEDULED,
        ).first()
        if existing is not None:
            return existing
        session = PanelSession.objects.create(panel=panel, **fields)
        audit_record(actor=by, action="panelsession.schedule", subject=session)
        _calendar_emails(session, method=Method.REQUEST, template="session_invitation")
    return session


def session_update(*, session: PanelSession, by: User, **changes) -> PanelSession:
    """Change a scheduled session. Any real change raises its SEQUENCE and sends members the
    new version of the same calendar event; a submission that changes nothing sends
    nothing."""
    _require(by, "engagement.schedule_session", session, _("Only this panel's coordinators can."))
    with transaction.atomic():
        session = (
            PanelSession.objects.select_for_update().select_related("panel").get(pk=session.pk)
        )
        if session.status != PanelSession.Status.SCHEDULED:
            raise TransitionNotAllowed(_("A cancelled session cannot be changed."))
        changed = {
            name: value
            for name, value in changes.items()
            if name in SESSION_FIELDS and getattr(session, name) != value
        }
        if not changed:
            return session
        _validate(changed)
        for name, value in changed.items():
            setattr(session, name, value)
        session.sequence += 1
        session.save(update_fields=[*changed, "sequence"])
        audit_record(
            actor=by,
            action="panelsession.update",
            subject=session,
            extra={"fields": sorted(changed), "sequence": session.sequence},
        )
        _calendar_emails(
            session, method=Method.REQUEST, template="session_invitation", extra={"update": True}
        )
    return session


def session_cancel(*, session: PanelSession, by: User, reason: str = "") -> PanelSession:
    """Cancel through the spine; members get a cancellation of the same calendar event."""

    def bump(obj):
        obj.sequence += 1

    def notify(obj):
        _calendar_emails(
            obj, method=Method.CANCEL, template="session_cancelled", extra={"reason": reason}
        )

    return transition_run(
        session,
        "cancel",
        by=by,
        apply=bump,
        update_fields=["sequence"],
        effects=notify,
        note=reason,
        queryset=PanelSession.objects.select_related("panel"),
    )


def session_agenda_set(*, session: PanelSession, by: User, agenda: str) -> PanelSession:
    """The chair (or, for a panel without one, its coordinators) sets the agenda."""
    _require(by, "engagement.set_session_agenda", session, _("Only the chair can set the agenda."))
    with transaction.atomic():
        session = PanelSession.objects.select_for_update().get(pk=session.pk)
        if session.status != PanelSession.Status.SCHEDULED:
            raise TransitionNotAllowed(_("A cancelled session cannot be changed."))
        if session.agenda != agenda:
            session.agenda = agenda
            session.save(update_fields=["agenda"])
            audit_record(actor=by, action="panelsession.agenda", subject=session)
    return session


def session_note_write(*, session: PanelSession, by: User, text: str) -> SessionNote:
    """A coordinator writes (or corrects) the notes of a session that has started, until the
    chair approves them for the research team."""
    _require(by, "engagement.write_session_note", session, _("Only coordinators write notes."))
    if not text.strip():
        raise TransitionNotAllowed(_("Write the notes first."))
    with transaction.atomic():
        session = PanelSession.objects.select_for_update().get(pk=session.pk)
        if session.starts_at > timezone.now():
            raise TransitionNotAllowed(_("Notes can be written once the session has started."))
        note, created = SessionNote.objects.get_or_create(session=session, defaults={"text": text})
        if not created:
            if note.status != SessionNote.Status.DRAFT:
                raise TransitionNotAllowed(_("These notes are approved and cannot be changed."))
            note.text = text
            note.save(update_fields=["text", "updated_at"])
        audit_record(actor=by, action="sessionnote.write", subject=note)
    return note


def session_note_approve(*, note: SessionNote, by: User) -> SessionNote:
    """The chair approves the notes; only then may the research team read them."""
    return transition_run(
        note, "approve", by=by, queryset=SessionNote.objects.select_related("session__panel")
    )


def _attendance_eligible(session: PanelSession) -> dict[int, ExpertProfile]:
    """Experts who were members on the day of the session."""
    day = timezone.localdate(session.starts_at)
    return {
        expert.pk: expert
        for expert in ExpertProfile.objects.filter(
            memberships__in=session.panel.memberships.current(on=day)
        )
    }


def attendance_record(
    *, session: PanelSession, by: User, attended: Mapping[int, bool]
) -> list[Attendance]:
    """Record who took part (expert id → took part), once the session has started. One row
    per expert and session (a database constraint); submitting again corrects the rows rather
    than adding any. This is the record payments use."""
    _require(
        by,
        "engagement.record_attendance",
        session,
        _("Attendance is recorded by the chair or a coordinator, once the session has started."),
    )
    with transaction.atomic():
        session = (
            PanelSession.objects.select_for_update().select_related("panel").get(pk=session.pk)
        )
        if session.status != PanelSession.Status.SCHEDULED:
            raise TransitionNotAllowed(_("This session was cancelled."))
        eligible = _attendance_eligible(session)
        if not attended or not set(attended) <= set(eligible):
            raise TransitionNotAllowed(_("Say for each member whether they took part."))
        rows = [
            Attendance.objects.update_or_create(
                session=session,
                expert_id=expert_id,
                defaults={"attended": bool(took_part), "recorded_by": by},
            )[0]
            for expert_id, took_part in sorted(attended.items())
        ]
        for row in rows:
            if row.attended:
                honorarium_enqueue_on_commit(row.pk)
        audit_record(
            actor=by,
            action="attendance.record",
            subject=session,
            extra={
                "attended": sum(1 for row in rows if row.attended),
                "absent": sum(1 for row in rows if not row.attended),
            },
        )
    return rows


def debrief_request(*, session: PanelSession, by: User) -> Attendance:
    """An expert who took part asks for a debrief; the panel's coordinators are emailed once
    (asking again changes nothing)."""
    _require(
        by,
        "engagement.request_debrief",
        session,
        _("A debrief is offered to the people who took part."),
    )
    with transaction.atomic():
        attendance = Attendance.objects.select_related("expert__user", "session__panel").get(
            session=session, expert__user=by, attended=True
        )
        now = timezone.now()
        if not Attendance.objects.filter(
            pk=attendance.pk, debrief_requested_at__isnull=True
        ).update(debrief_requested_at=now):
            attendance.refresh_from_db(fields=["debrief_requested_at"])
            return attendance
        attendance.debrief_requested_at = now
        audit_record(actor=by, action="attendance.debrief_request", subject=attendance.session)
        for coordinator in attendance.session.panel.coordinators.filter(is_active=True):
            email_queue_template(
                template="session_debrief_requested",
                recipient=coordinator,
                context={"session": attendance.session, "expert": attendance.expert},
            )
    return attendance


def impact_record_save(
    *, session: PanelSession, by: User, heard: str, changed: str, not_changed: str
) -> ImpactRecord:
    """ "You said, we did": the research team says what it heard and what it changed (or why
    not). The first record notifies everyone who took part; corrections do not email again."""
    _require(
        by,
        "engagement.record_impact",
        session,
        _("The research team records this, once the session has taken place."),
    )
    if not heard.strip():
        raise TransitionNotAllowed(_("Say what you heard."))
    if not (changed.strip() or not_changed.strip()):
        raise TransitionNotAllowed(_("Say what you changed, or what you did not change and why."))
    with transaction.atomic():
        session = (
            PanelSession.objects.select_for_update().select_related("panel").get(pk=session.pk)
        )
        if session.status != PanelSession.Status.SCHEDULED:
            raise TransitionNotAllowed(_("This session was cancelled."))
        values = {"heard": heard, "changed": changed, "not_changed": not_changed}
        impact, created = ImpactRecord.objects.update_or_create(
            session=session, defaults={**values, "recorded_by": by}
        )
        audit_record(
            actor=by,
            action="impactrecord.create" if created else "impactrecord.update",
            subject=impact,
        )
        if created:
            for attendance in session.attendance.filter(attended=True).select_related(
                "expert__user"
            ):
                email_queue_template(
                    template="session_impact_recorded",
                    recipient=attendance.expert.user,
                    context={"session": session, "impact": impact},
                )
    return impact


def impact_rating_submit(
    *, impact: ImpactRecord, by: User, answer: str, note: str = ""
) -> ImpactRating:
    """An expert who took part says, once and privately, whether they felt listened to."""
    _require(
        by,
        "engagement.rate_impact",
        impact.session,
        _("Only the people who took part can answer."),
    )
    if answer not in ImpactRating.Answer.values:
        raise TransitionNotAllowed(_("Choose yes, partly or no."))
    expert = ExpertProfile.objects.get(user=by)
    try:
        with transaction.atomic():
            rating = ImpactRating.objects.create(
                impact=impact, expert=expert, answer=answer, note=note
            )
    except IntegrityError:
        raise TransitionNotAllowed(_("You have already answered. Thank you.")) from None
    return rating
