"""The onboarding steps, in order: one registry that /join/, /me/ (editing later), the
check-your-answers page and the onboarding service all read. One thing per page; each step is
saved as it is finished.

A step knows its form, its template, how to pre-fill the form from a profile, how to apply
validated answers to a (locked) profile, and how to summarise the answers for the person."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
from engagement.selectors.experts import access_needs_display, availability_display
from engagement.services.consents import consents_record
from payments.eligibility import payment_method_allowed

DEFAULT_TEMPLATE = "engagement/join/step.html"


@dataclass(frozen=True)
class Step:
    slug: str
    title: str
    form_class: type
    initial: Callable[[ExpertProfile], dict]
    save: Callable[[ExpertProfile, dict], None]
    summary: Callable[[ExpertProfile], list[tuple[str, str]]]
    template: str = DEFAULT_TEMPLATE
    form_kwargs: Callable[[ExpertProfile], dict] = lambda profile: {}

    def form(self, profile: ExpertProfile, data=None):
        """The bound (POST) or pre-filled (GET) form for this step."""
        initial = self.initial(profile) if data is None else None
        return self.form_class(data=data, initial=initial, **self.form_kwargs(profile))


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


# About you


def _about_initial(profile):
    return {
        "display_name": profile.user.display_name,
        "pronouns": profile.pronouns,
        "languages": [language.pk for language in profile.languages.all()],
        "region": profile.region,
    }


def _about_save(profile, data):
    profile.user.display_name = data["display_name"]
    profile.user.save(update_fields=["display_name"])
    profile.pronouns = data["pronouns"].strip()
    profile.region = data["region"]
    profile.languages.set(data["languages"])


def _about_summary(profile):
    return [
        (_("Display name"), profile.user.display_name),
        (_("Pronouns"), profile.pronouns or _("Not given")),
        (_("Languages"), ", ".join(str(language) for language in profile.languages.all())),
        (_("Region"), profile.get_region_display()),
    ]


# What you want to advise on


def _expertise_initial(profile):
    return {
        "topics": [topic.pk for topic in profile.topics.all()],
        "expertise_notes": profile.expertise_notes,
    }


def _expertise_save(profile, data):
    profile.topics.set(data["topics"])
    profile.expertise_notes = data["expertise_notes"].strip()


def _expertise_summary(profile):
    return [
        (_("Topics"), ", ".join(str(topic) for topic in profile.topics.all()) or _("None")),
        (_("Anything else"), profile.expertise_notes or _("Nothing added")),
    ]


# What helps you take part


def _access_save(profile, data):
    needs = list(data["needs"])
    profile.access_needs = {
        "needs": needs,
        "interpreter_language": data["interpreter_language"].strip()
        if "interpreter" in needs
        else "",
        "meeting_format": data["meeting_format"],
        "other": data["other"].strip(),
    }


def _access_summary(profile):
    access = access_needs_display(profile.access_needs)
    needs = list(access["needs"])
    if access["interpreter_language"]:
        needs.append(_("Interpreter language: %s") % access["interpreter_language"])
    return [
        (_("What helps you"), "; ".join(needs) or _("Nothing chosen")),
        (_("How you prefer to meet"), access["meeting_format"]),
        (_("Anything else"), access["other"] or _("Nothing added")),
    ]


# Your time


def _availability_initial(profile):
    return {
        "hours_per_month": profile.hours_per_month,
        "availability": profile.availability,
        "paused_until": profile.paused_until,
    }


def _availability_save(profile, data):
    profile.hours_per_month = data["hours_per_month"]
    profile.availability = list(data["availability"])
    profile.paused_until = data["paused_until"]


def _availability_summary(profile):
    return [
        (_("Hours a month"), str(profile.hours_per_month or "")),
        (
            _("Usually free"),
            ", ".join(availability_display(profile.availability)) or _("Not given"),
        ),
        (
            _("Not available until"),
            date_format(profile.paused_until, "j F Y")
            if profile.paused_until
            else _("Available now"),
        ),
    ]


# How you are credited


def _credit_save(profile, data):
    profile.credit_preference = data["credit_preference"]
    profile.credit_name = data["credit_name"].strip()


def _credit_summary(profile):
    rows = [(_("Credit"), profile.get_credit_preference_display())]
    if profile.credit_name:
        rows.append((_("Name to show"), profile.credit_name))
    return rows


# Payment


def _payment_initial(profile):
    return {
        "payment_method": profile.payment_method,
        "legal_name": profile.legal_name,
        "right_to_work": profile.right_to_work,
        "means_tested_benefits": profile.means_tested_benefits,
    }


def _payment_save(profile, data):
    profile.right_to_work = data["right_to_work"]
    profile.means_tested_benefits = data["means_tested_benefits"]
    profile.legal_name = data["legal_name"].strip()
    profile.payment_method = payment_method_allowed(
        requested=data["payment_method"], right_to_work=profile.right_to_work
    )


def _payment_summary(profile):
    return [
        (_("How you are paid"), profile.get_payment_method_display()),
        (_("Legal name"), profile.legal_name or _("Not needed")),
        (_("Right to work in the UK"), profile.get_right_to_work_display()),
        (_("Means-tested benefits"), profile.get_means_tested_benefits_display()),
    ]


# Your agreement


def _consents_kwargs(profile):
    return {"statements": consent_statements_current(), "current": consents_current_for(profile)}


def _consents_initial(profile):
    # Only an answer to the wording shown now counts: a new version starts unanswered.
    statements = consent_statements_current()
    return {
        kind: consent.given
        for kind, consent in consents_current_for(profile).items()
        if kind in statements and consent.statement_id == statements[kind].pk
    }


def _consents_save(profile, data):
    statements = consent_statements_current()
    consents_record(
        profile=profile,
        answers={kind: bool(data.get(kind)) for kind in statements},
        statements=statements,
    )


def _consents_summary(profile):
    statements = consent_statements_current()
    current = consents_current_for(profile)
    return [
        (
            _(statement.title),
            _yes_no(
                bool(
                    current.get(kind)
                    and current[kind].given
                    and current[kind].statement_id == statement.pk
                )
            ),
        )
        for kind, statement in statements.items()
    ]


STEPS = (
    Step(
        "about",
        gettext_lazy("About you"),
        AboutForm,
        initial=_about_initial,
        save=_about_save,
        summary=_about_summary,
    ),
    Step(
        "expertise",
        gettext_lazy("What you want to advise on"),
        ExpertiseForm,
        initial=_expertise_initial,
        save=_expertise_save,
        summary=_expertise_summary,
    ),
    Step(
        "access",
        gettext_lazy("What helps you take part"),
        AccessForm,
        initial=lambda profile: AccessForm.initial_from(profile.access_needs),
        save=_access_save,
        summary=_access_summary,
        template="engagement/steps/access.html",
    ),
    Step(
        "availability",
        gettext_lazy("Your time"),
        AvailabilityForm,
        initial=_availability_initial,
        save=_availability_save,
        summary=_availability_summary,
    ),
    Step(
        "credit",
        gettext_lazy("How you are credited"),
        CreditForm,
        initial=lambda profile: {
            "credit_preference": profile.credit_preference,
            "credit_name": profile.credit_name,
        },
        save=_credit_save,
        summary=_credit_summary,
        template="engagement/steps/credit.html",
    ),
    Step(
        "payment",
        gettext_lazy("Payment"),
        PaymentForm,
        initial=_payment_initial,
        save=_payment_save,
        summary=_payment_summary,
        template="engagement/steps/payment.html",
    ),
    Step(
        "consents",
        gettext_lazy("Your agreement"),
        ConsentsForm,
        initial=_consents_initial,
        save=_consents_save,
        summary=_consents_summary,
        form_kwargs=_consents_kwargs,
    ),
)
STEP_SLUGS = tuple(step.slug for step in STEPS)
STEPS_BY_SLUG = {step.slug: step for step in STEPS}


def first_unfinished_step(completed: list[str]) -> str | None:
    """Where a person should continue: the first step not yet finished, or None when all are."""
    return next((slug for slug in STEP_SLUGS if slug not in completed), None)


def may_open_step(slug: str, completed: list[str]) -> bool:
    """A finished step, or the next one to do. Later steps wait their turn."""
    if slug in completed:
        return True
    return slug == first_unfinished_step(completed)
