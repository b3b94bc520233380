"""The onboarding step forms, shared by /join/ (first time) and /me/ (editing later)."""

from engagement.forms import (
    AboutForm,
    AccessForm,
    AvailabilityForm,
    ConsentsForm,
    CreditForm,
    ExpertiseForm,
    PaymentForm,
)
from engagement.models import ExpertProfile
from engagement.selectors.consents import consent_statements_current, consents_current_for

STEP_FORMS = {
    "about": AboutForm,
    "expertise": ExpertiseForm,
    "access": AccessForm,
    "availability": AvailabilityForm,
    "credit": CreditForm,
    "payment": PaymentForm,
    "consents": ConsentsForm,
}
STEP_TEMPLATES = {
    "access": "engagement/steps/access.html",
    "credit": "engagement/steps/credit.html",
}


def _initial(profile: ExpertProfile, slug: str) -> dict:
    if slug == "about":
        return {
            "display_name": profile.user.display_name,
            "pronouns": profile.pronouns,
            "languages": [language.pk for language in profile.languages.all()],
            "region": profile.region,
        }
    if slug == "expertise":
        return {
            "topics": [topic.pk for topic in profile.topics.all()],
            "expertise_notes": profile.expertise_notes,
        }
    if slug == "access":
        return AccessForm.initial_from(profile.access_needs)
    if slug == "availability":
        return {
            "hours_per_month": profile.hours_per_month,
            "availability": profile.availability,
            "paused_until": profile.paused_until,
        }
    if slug == "credit":
        return {"credit_preference": profile.credit_preference, "credit_name": profile.credit_name}
    if slug == "payment":
        return {
            "payment_method": profile.payment_method,
            "legal_name": profile.legal_name,
            "right_to_work": profile.right_to_work,
            "means_tested_benefits": profile.means_tested_benefits,
        }
    current = consents_current_for(profile)
    return {kind: consent.given for kind, consent in current.items()}


def step_form(profile: ExpertProfile, slug: str, data=None):
    """The bound (POST) or pre-filled (GET) form for one step."""
    form_class = STEP_FORMS[slug]
    kwargs = {"data": data, "initial": _initial(profile, slug) if data is None else None}
    if form_class is ConsentsForm:
        kwargs["statements"] = consent_statements_current()
    return form_class(**kwargs)
