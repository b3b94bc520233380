"""Advisory requests: a research team writes one (a draft it may change), submits it, and a
coordinator accepts it (forming a panel for it), asks for changes or declines it. Every
status change is a declared transition (AdvisoryRequest.workflow) run by
core.transitions.transition_run; the coordinator's message goes, encrypted, into the
request's history and by email to every member of the team."""

import uuid

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.services.audit import audit_record
from core.services.outbox import email_queue_template
from core.transitions import TransitionNotAllowed, transition_run
from engagement.models import AdvisoryRequest, ResearchTeam
from engagement.predicates import is_team_member
from engagement.services.panels import panel_create

Status = AdvisoryRequest.Status
EDITABLE = (Status.DRAFT, Status.CHANGES_REQUESTED)
# What the form writes: every answer except the status, which only transitions change.
FIELDS = (
    "title",
    "about",
    "stage",
    "input_kind",
    "experts_wanted",
    "prep_hours",
    "session_hours",
    "earliest_date",
    "latest_date",
    "format",
    "place",
    "content_notes",
    "agrees_to_fund",
)
RELATIONS = ("topics", "languages")


def _write(advisory_request: AdvisoryRequest, data: dict) -> None:
    for name in FIELDS:
        setattr(advisory_request, name, data[name])
    advisory_request.save()
    for name in RELATIONS:
        getattr(advisory_request, name).set(data[name])


def advisory_request_create(
    *, team: ResearchTeam, data: dict, by: User, draft_key: uuid.UUID | None = None
) -> AdvisoryRequest:
    """Save a new request as a draft of the team. The same form sent again (same
    `draft_key`) returns the draft it made the first time."""
    with transaction.atomic():
        team = ResearchTeam.objects.select_for_update().get(pk=team.pk)
        if not is_team_member(by, team):
            raise TransitionNotAllowed(_("Only members of this team can ask for advice for it."))
        existing = draft_key and AdvisoryRequest.objects.filter(draft_key=draft_key).first()
        if existing is not None:
            if existing.team_id == team.pk:
                return existing
            draft_key = None  # a key copied from another team's form: just a new draft
        advisory_request = AdvisoryRequest(team=team, created_by=by, draft_key=draft_key)
        _write(advisory_request, data)
        audit_record(actor=by, action="advisoryrequest.create", subject=advisory_request)
    return advisory_request


def advisory_request_update(
    *, advisory_request: AdvisoryRequest, data: dict, by: User
) -> AdvisoryRequest:
    """Change the answers while the request is a draft or the coordinator asked for changes."""
    with transaction.atomic():
        locked = AdvisoryRequest.objects.select_for_update().get(pk=advisory_request.pk)
        if not is_team_member(by, locked):
            raise TransitionNotAllowed(_("Only members of this team can change its requests."))
        if locked.status not in EDITABLE:
            raise TransitionNotAllowed(
                _("This request can no longer be changed: it is '%(status)s'.")
                % {"status": locked.get_status_display()}
            )
        _write(locked, data)
        audit_record(actor=by, action="advisoryrequest.update", subject=locked)
    return locked


def _complete(locked: AdvisoryRequest) -> None:
    if not locked.agrees_to_fund:
        raise TransitionNotAllowed(
            _("Before you send it, confirm that your team will pay the advisers' honoraria.")
        )


def _stamp_submitted(locked: AdvisoryRequest) -> None:
    locked.submitted_at = timezone.now()


def advisory_request_submit(*, advisory_request: AdvisoryRequest, by: User) -> AdvisoryRequest:
    """Send the request to the coordinators. Sending twice changes nothing the second time."""
    return transition_run(
        advisory_request,
        "submit",
        by=by,
        check=_complete,
        apply=_stamp_submitted,
        update_fields=["submitted_at"],
    )


def advisory_request_withdraw(*, advisory_request: AdvisoryRequest, by: User) -> AdvisoryRequest:
    return transition_run(advisory_request, "withdraw", by=by)


def _notify_team(locked: AdvisoryRequest, template: str, message: str) -> None:
    members = locked.team.memberships.select_related("user").filter(user__is_active=True)
    for membership in members:
        email_queue_template(
            template=template,
            recipient=membership.user,
            context={"advisory_request": locked, "message": message},
        )


def _message_required(message: str) -> str:
    message = message.strip()
    if not message:
        raise TransitionNotAllowed(_("Write a message to the research team."))
    return message


def advisory_request_accept(
    *, advisory_request: AdvisoryRequest, by: User, message: str
) -> AdvisoryRequest:
    """Accept the request and form its panel, with as many seats as experts asked for and
    the accepting coordinator as its coordinator, in the same transaction."""
    message = _message_required(message)

    def form_panel(locked: AdvisoryRequest) -> None:
        panel_create(name=locked.title, description=locked.about, by=by, request=locked)
        _notify_team(locked, "advisory_request_accepted", message)

    return transition_run(advisory_request, "accept", by=by, note=message, effects=form_panel)


def advisory_request_request_changes(
    *, advisory_request: AdvisoryRequest, by: User, message: str
) -> AdvisoryRequest:
    """Ask the team to change the request; they edit it and send it again."""
    message = _message_required(message)
    return transition_run(
        advisory_request,
        "request_changes",
        by=by,
        note=message,
        effects=lambda locked: _notify_team(locked, "advisory_request_changes", message),
    )


def advisory_request_decline(
    *, advisory_request: AdvisoryRequest, by: User, message: str
) -> AdvisoryRequest:
    message = _message_required(message)
    return transition_run(
        advisory_request,
        "decline",
        by=by,
        note=message,
        effects=lambda locked: _notify_team(locked, "advisory_request_declined", message),
    )
