"""Object predicates about experts and panels. The models' transition declarations and
engagement/rules.py both use them, so they import no engagement models."""

import rules

from accounts.rules import is_coordinator


@rules.predicate
def is_self(user, profile) -> bool:
    """The expert's own record."""
    return profile is not None and user is not None and profile.user_id == user.pk


@rules.predicate
def coordinates_a_panel_of(user, profile) -> bool:
    """The user coordinates a panel the expert belongs to today (an ended or future
    membership opens nothing)."""
    if profile is None or not user.is_authenticated:
        return False
    return profile.memberships.current().filter(panel__coordinators=user).exists()


@rules.predicate
def coordinates_panel(user, panel) -> bool:
    if panel is None or not user.is_authenticated:
        return False
    return panel.coordinators.filter(pk=user.pk).exists()


# Nobody vets their own application, whatever their role.
vets_others = is_coordinator & ~is_self
