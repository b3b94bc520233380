"""A person's own answers as summary rows, for "check your answers" and their dashboard.

Only ever shown to the person themselves: it includes their legal name and access needs."""

from django.utils.translation import gettext as _

from engagement.models import ExpertProfile
from engagement.selectors.consents import consent_statements_current, consents_current_for
from engagement.selectors.experts import access_needs_display, availability_display
from engagement.steps import STEPS


def _yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def _rows(profile: ExpertProfile, slug: str) -> list[tuple[str, str]]:
    if slug == "about":
        return [
            (_("Display name"), profile.user.display_name),
            (_("Pronouns"), profile.pronouns or _("Not given")),
            (_("Languages"), ", ".join(lang.name for lang in profile.languages.all())),
            (_("Region"), profile.get_region_display()),
        ]
    if slug == "expertise":
        return [
            (_("Topics"), ", ".join(topic.name for topic in profile.topics.all()) or _("None")),
            (_("Anything else"), profile.expertise_notes or _("Nothing added")),
        ]
    if slug == "access":
        access = access_needs_display(profile.access_needs)
        needs = list(access["needs"])
        if access["interpreter_language"]:
            needs.append(_("Interpreter language: %s") % access["interpreter_language"])
        return [
            (_("What helps you"), "; ".join(needs) or _("Nothing chosen")),
            (_("How you prefer to meet"), access["meeting_format"]),
            (_("Anything else"), access["other"] or _("Nothing added")),
        ]
    if slug == "availability":
        return [
            (_("Hours a month"), str(profile.hours_per_month or "")),
            (
                _("Usually free"),
                ", ".join(availability_display(profile.availability)) or _("Not given"),
            ),
            (
                _("Not available until"),
                profile.paused_until.strftime("%d %B %Y")
                if profile.paused_until
                else _("Available now"),
            ),
        ]
    if slug == "credit":
        rows = [(_("Credit"), profile.get_credit_preference_display())]
        if profile.credit_name:
            rows.append((_("Name to show"), profile.credit_name))
        return rows
    if slug == "payment":
        return [
            (_("How you are paid"), profile.get_payment_method_display()),
            (_("Legal name"), profile.legal_name or _("Not given")),
            (_("Right to work in the UK"), profile.get_right_to_work_display()),
            (_("Means-tested benefits"), profile.get_means_tested_benefits_display()),
        ]
    statements = consent_statements_current()
    current = consents_current_for(profile)
    return [
        (statement.title, _yes_no(bool(current.get(kind) and current[kind].given)))
        for kind, statement in statements.items()
    ]


def answers_for(profile: ExpertProfile, *, edit_prefix: str, suffix: str = "") -> list[dict]:
    return [
        {
            "slug": step.slug,
            "title": step.title,
            "rows": _rows(profile, step.slug),
            "change_url": f"{edit_prefix}{step.slug}/{suffix}",
        }
        for step in STEPS
    ]
