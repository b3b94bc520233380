"""A person's own answers as summary rows, for "check your answers" and their dashboard.

Only ever shown to the person themselves: it includes their legal name and access needs."""

from collections.abc import Callable

from engagement.models import ExpertProfile
from engagement.steps import STEPS


def answers_for(profile: ExpertProfile, *, change_url: Callable[[str], str]) -> list[dict]:
    """Each step's summary rows, with where to change them (`change_url(slug)`)."""
    return [
        {
            "slug": step.slug,
            "title": step.title,
            "rows": step.summary(profile),
            "change_url": change_url(step.slug),
        }
        for step in STEPS
    ]
