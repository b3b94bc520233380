"""Expert status transitions. Each one locks the profile, checks the current status, changes
it, writes an ExpertStatusChange row and queues its emails, all in one transaction."""

from datetime import date

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from core.services.outbox import email_queue_template
from engagement.models import ExpertProfile, ExpertStatusChange
from engagement.selectors.consents import consents_current_for
from engagement.steps import STEP_SLUGS

Status = ExpertProfile.Status


class TransitionNotAllowed(Exception):
    """The expert's current status does not allow this change. The message is for people."""


def _locked(profile_id: int) -> ExpertProfile:
    return ExpertProfile.objects.select_for_update().select_related("user").get(pk=profile_id)


def _move(
    profile: ExpertProfile, *, to: str, by: User | None, message: str = ""
) -> ExpertStatusChange:
    change = ExpertStatusChange.objects.create(
        expert=profile, from_status=profile.status, to_status=to, changed_by=by, message=message
    )
    profile.status = to
    profile.status_changed_at = timezone.now()
    return change


def _refuse(profile: ExpertProfile):
    raise TransitionNotAllowed(
        _("That cannot be done while the status is '%(status)s'.")
        % {"status": profile.get_status_display()}
    )


def _set_expert_role(user: User, member: bool) -> None:
    group = Group.objects.get(name=Role.EXPERT.value)
    if member:
        user.groups.add(group)
    else:
        user.groups.remove(group)


def expert_application_submit(*, profile: ExpertProfile) -> ExpertProfile:
    """Send a finished application (or an updated one) to the coordinators."""
    with transaction.atomic():
        profile = _locked(profile.pk)
        if profile.status not in {Status.DRAFT, Status.INFO_REQUESTED}:
            _refuse(profile)
        missing = [slug for slug in STEP_SLUGS if slug not in profile.completed_steps]
        if missing:
            raise TransitionNotAllowed(_("Some parts of the application are not finished yet."))
        data_consent = consents_current_for(profile).get("data_processing")
        if data_consent is None or not data_consent.given:
            raise TransitionNotAllowed(_("We need your agreement to use your information."))
        resubmitted = profile.status == Status.INFO_REQUESTED
        _move(profile, to=Status.APPLIED, by=profile.user)
        profile.submitted_at = timezone.now()
        profile.save(update_fields=["status", "status_changed_at", "submitted_at"])
        email_queue_template(
            template="expert_application_received",
            recipient=profile.user,
            context={"resubmitted": resubmitted},
        )
        for coordinator in User.objects.filter(groups__name=Role.COORDINATOR.value, is_active=True):
            # Coordinators get a link only: names stay inside the admin.
            email_queue_template(
                template="expert_application_new",
                recipient=coordinator,
                context={"reference": profile.reference, "profile_id": profile.pk},
            )
    return profile


def expert_activate(*, profile: ExpertProfile, by: User) -> ExpertProfile:
    """Accept an applicant. One who asked not to be invited yet starts out paused."""
    with transaction.atomic():
        profile = _locked(profile.pk)
        if profile.status not in {Status.APPLIED, Status.INFO_REQUESTED}:
            _refuse(profile)
        waiting = profile.paused_until and profile.paused_until > timezone.localdate()
        _move(profile, to=Status.PAUSED if waiting else Status.ACTIVE, by=by)
        profile.save(update_fields=["status", "status_changed_at"])
        _set_expert_role(profile.user, True)
        email_queue_template(
            template="expert_activated", recipient=profile.user, context={"profile": profile}
        )
    return profile


def expert_request_info(*, profile: ExpertProfile, by: User, message: str) -> ExpertProfile:
    with transaction.atomic():
        profile = _locked(profile.pk)
        if profile.status != Status.APPLIED:
            _refuse(profile)
        _move(profile, to=Status.INFO_REQUESTED, by=by, message=message)
        profile.save(update_fields=["status", "status_changed_at"])
        email_queue_template(
            template="expert_info_requested", recipient=profile.user, context={"message": message}
        )
    return profile


def expert_decline(*, profile: ExpertProfile, by: User, message: str) -> ExpertProfile:
    with transaction.atomic():
        profile = _locked(profile.pk)
        if profile.status not in {Status.APPLIED, Status.INFO_REQUESTED}:
            _refuse(profile)
        _move(profile, to=Status.DECLINED, by=by, message=message)
        profile.save(update_fields=["status", "status_changed_at"])
        email_queue_template(
            template="expert_declined", recipient=profile.user, context={"message": message}
        )
    return profile


def expert_pause(*, profile: ExpertProfile, until: date | None) -> ExpertProfile:
    """The expert takes a break: no invitations until they come back (or until `until`)."""
    with transaction.atomic():
        profile = _locked(profile.pk)
        if profile.status != Status.ACTIVE:
            _refuse(profile)
        _move(profile, to=Status.PAUSED, by=profile.user)
        profile.paused_until = until
        profile.save(update_fields=["status", "status_changed_at", "paused_until"])
    return profile


def expert_resume(*, profile: ExpertProfile, by: User | None) -> ExpertProfile:
    with transaction.atomic():
        profile = _locked(profile.pk)
        if profile.status != Status.PAUSED:
            _refuse(profile)
        _move(profile, to=Status.ACTIVE, by=by)
        profile.paused_until = None
        profile.save(update_fields=["status", "status_changed_at", "paused_until"])
    return profile


def expert_leave(*, profile: ExpertProfile) -> ExpertProfile:
    """Stop advising. The account stays (for payments and the person's records) until they
    delete it."""
    with transaction.atomic():
        profile = _locked(profile.pk)
        if profile.status in {Status.LEFT, Status.DECLINED}:
            _refuse(profile)
        _move(profile, to=Status.LEFT, by=profile.user)
        profile.save(update_fields=["status", "status_changed_at"])
        _set_expert_role(profile.user, False)
    return profile


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
