"""/panels/: a panel's page for its members, its coordinators and the research team it works
for, and the session pages behind it. People who may not see a panel get 404, as if it did
not exist; people who may see it but not do something get 403. The chair may also suggest
experts for the panel (`engagement.suggest_panel_expert`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core.transitions import TransitionNotAllowed
from engagement.forms import PanelSuggestionForm
from engagement.models import ImpactRecord, Panel, PanelSession, SessionNote
from engagement.panel_forms import (
    AgendaForm,
    AttendanceForm,
    CancelForm,
    ImpactForm,
    NoteForm,
    RatingForm,
    SessionForm,
)
from engagement.selectors.codesign import codesign_rounds_for_panel
from engagement.selectors.sessions import (
    attendance_form_rows,
    panel_for_page,
    panel_page,
    panel_viewer,
    session_for_page,
)
from engagement.services.panels import panel_suggestion_create
from engagement.services.sessions import (
    attendance_record,
    debrief_request,
    impact_rating_submit,
    impact_record_save,
    session_agenda_set,
    session_cancel,
    session_note_approve,
    session_note_write,
    session_schedule,
    session_update,
)


def _panel(request, panel_id: int):
    panel = panel_for_page(panel_id)
    if panel is None:
        raise Http404
    viewer = panel_viewer(request.user, panel)
    if not viewer.may_view:
        raise Http404
    return panel, viewer


def _session(request, session_id: int, perm: str | None = None) -> PanelSession:
    """The session if the person may see its panel (else 404) and, when given, has `perm`
    on it (else 403)."""
    session = session_for_page(session_id)
    if session is None or not request.user.has_perm("engagement.view_panel", session.panel):
        raise Http404
    if perm and not request.user.has_perm(perm, session):
        raise PermissionDenied
    return session


def _done(request, session: PanelSession, message: str):
    messages.success(request, message)
    return redirect("panel_detail", session.panel_id)


def _refused(request, session: PanelSession, refusal: TransitionNotAllowed):
    messages.error(request, str(refusal))
    return redirect("panel_detail", session.panel_id)


@never_cache
@login_required
def panel_detail(request, panel_id: int):
    panel, viewer = _panel(request, panel_id)
    context = panel_page(panel, request.user, viewer)
    context["time_zone"] = request.user.time_zone
    # Draft calls whose criteria this panel co-designs: for its members and coordinators.
    context["codesign_rounds"] = codesign_rounds_for_panel(panel) if viewer.joining_details else []
    return render(request, "engagement/panels/detail.html", context)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def session_new(request, panel_id: int):
    panel, viewer = _panel(request, panel_id)
    if not viewer.schedule:
        raise PermissionDenied
    form = SessionForm(
        request.POST if request.method == "POST" else None, time_zone=request.user.time_zone
    )
    if request.method == "POST" and form.is_valid():
        try:
            session = session_schedule(panel=panel, by=request.user, **form.session_fields())
        except TransitionNotAllowed as refusal:
            form.add_error(None, str(refusal))
        else:
            return _done(request, session, _("Session scheduled. Members have been emailed."))
    return render(request, "engagement/panels/session_form.html", {"form": form, "panel": panel})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request, session_id: int):
    session = _session(request, session_id, "engagement.schedule_session")
    if session.status != PanelSession.Status.SCHEDULED:
        raise PermissionDenied
    zone = request.user.time_zone
    form = SessionForm(
        request.POST if request.method == "POST" else None,
        initial=SessionForm.initial_for(session, zone),
        time_zone=zone,
    )
    if request.method == "POST" and form.is_valid():
        try:
            session_update(session=session, by=request.user, **form.session_fields())
        except TransitionNotAllowed as refusal:
            form.add_error(None, str(refusal))
        else:
            return _done(request, session, _("Saved. Members have the updated details."))
    return render(
        request,
        "engagement/panels/session_form.html",
        {"form": form, "panel": session.panel, "session": session},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def session_cancel_view(request, session_id: int):
    session = _session(request, session_id)
    if not PanelSession.workflow.permits(request.user, session, "cancel"):
        raise PermissionDenied
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            session_cancel(session=session, by=request.user, reason=form.cleaned_data["reason"])
        except TransitionNotAllowed as refusal:
            return _refused(request, session, refusal)
        return _done(request, session, _("Session cancelled. Members have been emailed."))
    return render(
        request, "engagement/panels/session_cancel.html", {"form": form, "session": session}
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def session_agenda(request, session_id: int):
    session = _session(request, session_id, "engagement.set_session_agenda")
    form = AgendaForm(request.POST or None, initial={"agenda": session.agenda})
    if request.method == "POST" and form.is_valid():
        try:
            session_agenda_set(session=session, by=request.user, agenda=form.cleaned_data["agenda"])
        except TransitionNotAllowed as refusal:
            return _refused(request, session, refusal)
        return _done(request, session, _("Agenda saved."))
    return render(
        request, "engagement/panels/session_agenda.html", {"form": form, "session": session}
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def session_notes(request, session_id: int):
    session = _session(request, session_id, "engagement.write_session_note")
    note = getattr(session, "note", None)
    form = NoteForm(request.POST or None, initial={"text": note.text if note else ""})
    if request.method == "POST" and form.is_valid():
        try:
            session_note_write(session=session, by=request.user, text=form.cleaned_data["text"])
        except TransitionNotAllowed as refusal:
            form.add_error(None, str(refusal))
        else:
            return _done(request, session, _("Notes saved. The chair can now approve them."))
    return render(
        request, "engagement/panels/session_notes.html", {"form": form, "session": session}
    )


@login_required
@require_POST
def session_notes_approve(request, session_id: int):
    session = _session(request, session_id)
    note = SessionNote.objects.filter(session=session).first()
    if note is None or not SessionNote.workflow.actor_allows(request.user, note, "approve"):
        raise PermissionDenied
    try:
        session_note_approve(note=note, by=request.user)
    except TransitionNotAllowed as refusal:
        return _refused(request, session, refusal)
    return _done(request, session, _("Notes approved. The research team can read them now."))


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def session_attendance(request, session_id: int):
    session = _session(request, session_id, "engagement.record_attendance")
    rows = attendance_form_rows(session)
    form = AttendanceForm(request.POST or None, rows=rows)
    if request.method == "POST" and form.is_valid():
        try:
            attendance_record(session=session, by=request.user, attended=form.attendance())
        except TransitionNotAllowed as refusal:
            form.add_error(None, str(refusal))
        else:
            return _done(request, session, _("Attendance saved."))
    return render(
        request,
        "engagement/panels/session_attendance.html",
        {"form": form, "session": session, "time_zone": request.user.time_zone},
    )


@login_required
@require_POST
def session_debrief(request, session_id: int):
    session = _session(request, session_id, "engagement.request_debrief")
    try:
        debrief_request(session=session, by=request.user)
    except TransitionNotAllowed as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Thank you. A coordinator will contact you to arrange it."))
    return redirect("me")


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def session_impact(request, session_id: int):
    session = _session(request, session_id, "engagement.record_impact")
    impact = getattr(session, "impact", None)
    initial = (
        {"heard": impact.heard, "changed": impact.changed, "not_changed": impact.not_changed}
        if impact
        else {}
    )
    form = ImpactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            impact_record_save(session=session, by=request.user, **form.cleaned_data)
        except TransitionNotAllowed as refusal:
            form.add_error(None, str(refusal))
        else:
            return _done(request, session, _("Saved. The experts who took part have been told."))
    return render(
        request,
        "engagement/panels/session_impact.html",
        {"form": form, "session": session, "time_zone": request.user.time_zone},
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def session_rating(request, session_id: int):
    session = _session(request, session_id, "engagement.rate_impact")
    impact = ImpactRecord.objects.filter(session=session).first()
    if impact is None:
        raise Http404
    already = impact.ratings.filter(expert__user=request.user).exists()
    form = RatingForm(request.POST or None)
    if request.method == "POST" and not already and form.is_valid():
        try:
            impact_rating_submit(impact=impact, by=request.user, **form.cleaned_data)
        except TransitionNotAllowed as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("Thank you for telling us."))
        return redirect("me")
    return render(
        request,
        "engagement/panels/session_rating.html",
        {
            "form": form,
            "session": session,
            "impact": impact,
            "already": already,
            "time_zone": request.user.time_zone,
        },
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def panel_suggest(request, pk: int):
    panel = get_object_or_404(Panel, pk=pk)
    if not request.user.has_perm("engagement.suggest_panel_expert", panel):
        raise Http404
    form = PanelSuggestionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            panel_suggestion_create(panel=panel, text=form.cleaned_data["text"], by=request.user)
        except TransitionNotAllowed as refusal:
            form.add_error("text", str(refusal))
        else:
            messages.success(request, _("Thank you. A coordinator will look at your suggestion."))
            return redirect("me")
    return render(request, "engagement/panels/suggest.html", {"form": form, "panel": panel})
