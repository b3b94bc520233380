"""The onboarding steps, in order. One thing per page; each is saved as it is finished."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Step:
    slug: str
    title: str


STEPS = (
    Step("about", _("About you")),
    Step("expertise", _("What you want to advise on")),
    Step("access", _("What helps you take part")),
    Step("availability", _("Your time")),
    Step("credit", _("How you are credited")),
    Step("payment", _("Payment")),
    Step("consents", _("Your agreement")),
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
