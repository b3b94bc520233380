"""Saving the expert's answers, one step at a time (used by /join/ and by /me/ to edit)."""

from django.db import transaction

from accounts.models import User
from engagement.models import ExpertProfile
from engagement.steps import STEP_SLUGS, STEPS_BY_SLUG


def expert_profile_start(*, user: User) -> ExpertProfile:
    """The person's expert profile, created as a draft the first time they start."""
    profile, _created = ExpertProfile.objects.get_or_create(user=user)
    return profile


def onboarding_step_save(*, profile: ExpertProfile, step: str, data: dict) -> ExpertProfile:
    """Apply one step's validated answers to the locked profile and mark the step finished;
    finished steps stay in the registry's order."""
    with transaction.atomic():
        profile = (
            ExpertProfile.objects.select_for_update().select_related("user").get(pk=profile.pk)
        )
        STEPS_BY_SLUG[step].save(profile, data)
        if step not in profile.completed_steps:
            profile.completed_steps = [
                s for s in STEP_SLUGS if s in {*profile.completed_steps, step}
            ]
        profile.save()
    return profile
