"""Saving the expert's answers, one step at a time (used by /join/ and by /me/ to edit)."""

from django.db import transaction

from accounts.models import User
from engagement.models import ExpertProfile
from engagement.selectors.consents import consent_statements_current
from engagement.services.consents import consents_record
from engagement.steps import STEP_SLUGS
from payments.models import PaymentMethod


def expert_profile_start(*, user: User) -> ExpertProfile:
    """The person's expert profile, created as a draft the first time they start."""
    profile, _created = ExpertProfile.objects.get_or_create(user=user)
    return profile


def _save_about(profile: ExpertProfile, data: dict) -> None:
    profile.user.display_name = data["display_name"]
    profile.user.save(update_fields=["display_name"])
    profile.pronouns = data["pronouns"].strip()
    profile.region = data["region"]
    profile.languages.set(data["languages"])


def _save_expertise(profile: ExpertProfile, data: dict) -> None:
    profile.topics.set(data["topics"])
    profile.expertise_notes = data["expertise_notes"].strip()


def _save_access(profile: ExpertProfile, data: dict) -> None:
    needs = list(data["needs"])
    profile.access_needs = {
        "needs": needs,
        "interpreter_language": data["interpreter_language"].strip()
        if "interpreter" in needs
        else "",
        "meeting_format": data["meeting_format"],
        "other": data["other"].strip(),
    }


def _save_availability(profile: ExpertProfile, data: dict) -> None:
    profile.hours_per_month = data["hours_per_month"]
    profile.availability = list(data["availability"])
    profile.paused_until = data["paused_until"]


def _save_credit(profile: ExpertProfile, data: dict) -> None:
    profile.credit_preference = data["credit_preference"]
    profile.credit_name = data["credit_name"].strip()


def _save_payment(profile: ExpertProfile, data: dict) -> None:
    profile.right_to_work = data["right_to_work"]
    profile.means_tested_benefits = data["means_tested_benefits"]
    profile.legal_name = data["legal_name"].strip()
    method = data["payment_method"]
    # Without a confirmed right to work, payment for work (money or vouchers) could put the
    # person at risk: Tandem pays receipted expenses only.
    if profile.expenses_only and method in {PaymentMethod.BANK_TRANSFER, PaymentMethod.VOUCHER}:
        method = PaymentMethod.EXPENSES_ONLY
    profile.payment_method = method


def _save_consents(profile: ExpertProfile, data: dict) -> None:
    statements = consent_statements_current()
    consents_record(
        profile=profile,
        answers={kind: bool(data.get(kind)) for kind in statements},
        statements=statements,
    )


_SAVERS = {
    "about": _save_about,
    "expertise": _save_expertise,
    "access": _save_access,
    "availability": _save_availability,
    "credit": _save_credit,
    "payment": _save_payment,
    "consents": _save_consents,
}


def onboarding_step_save(*, profile: ExpertProfile, step: str, data: dict) -> ExpertProfile:
    """Apply one step's validated answers and mark the step finished."""
    with transaction.atomic():
        profile = (
            ExpertProfile.objects.select_for_update().select_related("user").get(pk=profile.pk)
        )
        _SAVERS[step](profile, data)
        if step not in profile.completed_steps:
            profile.completed_steps = [
                s for s in STEP_SLUGS if s in {*profile.completed_steps, step}
            ]
        profile.save()
    return profile
