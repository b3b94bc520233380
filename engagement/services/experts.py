"""Expert status transitions, each a few lines around the declared transition
(ExpertProfile.workflow) run by core.transitions.transition_run: lock, check state and actor,
change, audit, and queue emails in the same transaction."""

from datetime import date

from django.contrib.auth.models import Group
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from core.services.outbox import email_queue_template
from core.transitions import TransitionNotAllowed, transition_run
from engagement.models import ConsentStatement, ExpertProfile
from engagement.selectors.consents import consents_current_for
from engagement.steps import STEP_SLUGS

Status = ExpertProfile.Status


def _set_expert_role(user: User, member: bool) -> None:
    group = Group.objects.get(name=Role.EXPERT.value)
    if member:
        user.groups.add(group)
    else:
        user.groups.remove(group)


def _application_complete(profile: ExpertProfile) -> None:
    if any(slug not in profile.completed_steps for slug in STEP_SLUGS):
        raise TransitionNotAllowed(_("Some parts of the application are not finished yet."))
    data_consent = consents_current_for(profile).get(ConsentStatement.Kind.DATA_PROCESSING)
    if data_consent is None or not data_consent.given:
        raise TransitionNotAllowed(_("We need your agreement to use your information."))


def expert_application_submit(*, profile: ExpertProfile, reply: str = "") -> ExpertProfile:
    """Send a finished application (or an updated one) to the coordinators. Only a complete
    application with the data-processing agreement in force can be sent. `reply` is the
    applicant's answer to a coordinator's question; it stays (encrypted) in the history."""
    seen = {}

    def complete(locked: ExpertProfile) -> None:
        _application_complete(locked)
        seen["resubmitted"] = locked.status == Status.INFO_REQUESTED

    def stamp(locked: ExpertProfile) -> None:
        locked.submitted_at = timezone.now()

    def notify(locked: ExpertProfile) -> None:
        email_queue_template(
            template="expert_application_received",
            recipient=locked.user,
            context={"resubmitted": seen["resubmitted"]},
        )
        for coordinator in User.objects.filter(groups__name=Role.COORDINATOR.value, is_active=True):
            # Coordinators get a link only: names stay inside the admin.
            email_queue_template(
                template="expert_application_new",
                recipient=coordinator,
                context={"reference": locked.reference, "profile_id": locked.pk},
            )

    return transition_run(
        profile,
        "submit",
        by=profile.user,
        note=reply.strip(),
        check=complete,
        apply=stamp,
        update_fields=["submitted_at"],
        effects=notify,
    )


def expert_activate(*, profile: ExpertProfile, by: User) -> ExpertProfile:
    """Accept an applicant. One who asked not to be invited yet starts out paused."""

    def target(locked: ExpertProfile) -> str:
        waiting = locked.paused_until and locked.paused_until > timezone.localdate()
        return Status.PAUSED if waiting else Status.ACTIVE

    def welcome(locked: ExpertProfile) -> None:
        _set_expert_role(locked.user, True)
        email_queue_template(
            template="expert_activated",
            recipient=locked.user,
            context={"profile": locked, "waiting": locked.status == Status.PAUSED},
        )

    return transition_run(profile, "activate", by=by, to=target, effects=welcome)


def expert_request_info(*, profile: ExpertProfile, by: User, message: str) -> ExpertProfile:
    """Ask the applicant a question; the message goes to them and stays in the history."""
    return transition_run(
        profile,
        "request_info",
        by=by,
        note=message,
        effects=lambda locked: email_queue_template(
            template="expert_info_requested", recipient=locked.user, context={"message": message}
        ),
    )


def expert_decline(*, profile: ExpertProfile, by: User, message: str) -> ExpertProfile:
    return transition_run(
        profile,
        "decline",
        by=by,
        note=message,
        effects=lambda locked: email_queue_template(
            template="expert_declined", recipient=locked.user, context={"message": message}
        ),
    )


def expert_pause(*, profile: ExpertProfile, until: date | None) -> ExpertProfile:
    """The expert takes a break: no invitations until they come back (or until `until`)."""

    def set_until(locked: ExpertProfile) -> None:
        locked.paused_until = until

    return transition_run(
        profile, "pause", by=profile.user, apply=set_until, update_fields=["paused_until"]
    )


def _clear_until(locked: ExpertProfile) -> None:
    locked.paused_until = None


def expert_resume(*, profile: ExpertProfile, by: User | None) -> ExpertProfile:
    """End a break now. `by=None` is the hourly job, which may only end a break whose date has
    come (checked under the lock: the expert may have started a new break since)."""

    def due(locked: ExpertProfile) -> None:
        if by is None and not (locked.paused_until and locked.paused_until <= timezone.localdate()):
            raise TransitionNotAllowed(_("This break has not reached its end date."))

    return transition_run(
        profile,
        "resume",
        by=by,
        check=due,
        apply=_clear_until,
        update_fields=["paused_until"],
    )


def expert_leave(*, profile: ExpertProfile) -> ExpertProfile:
    """Stop advising. The account stays (for payments and the person's records) until they
    delete it."""
    return transition_run(
        profile,
        "leave",
        by=profile.user,
        effects=lambda locked: _set_expert_role(locked.user, False),
    )


def experts_resume_due() -> int:
    """Bring back everyone whose pause has reached its end date. Safe to run repeatedly."""
    due = ExpertProfile.objects.filter(
        status=Status.PAUSED, paused_until__lte=timezone.localdate()
    ).values_list("pk", flat=True)
    resumed = 0
    for profile_id in due:
        try:
            expert_resume(profile=ExpertProfile(pk=profile_id), by=None)
        except TransitionNotAllowed:
            continue  # changed by someone else since the query; nothing to do
        resumed += 1
    return resumed
