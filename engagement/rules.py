"""Who may see and do what with experts' records. Views, templates and the admin all ask
these predicates; none of them re-implements the checks."""

import rules

from accounts.rules import is_coordinator, is_finance


@rules.predicate
def is_self(user, profile) -> bool:
    return profile is not None and profile.user_id == user.pk


@rules.predicate
def coordinates_a_panel_of(user, profile) -> bool:
    """The user coordinates a panel the expert currently belongs to."""
    if profile is None or not user.is_authenticated:
        return False
    return profile.memberships.filter(panel__coordinators=user, ended_on__isnull=True).exists()


@rules.predicate
def is_vettable(user, profile) -> bool:
    return profile is not None and profile.status in {"applied", "info_requested"}


rules.add_perm("engagement.view_expert_legal_name", is_self | is_finance)
rules.add_perm("engagement.view_expert_eligibility", is_self | is_finance)
rules.add_perm("engagement.view_expert_payment_method", is_self | is_finance)
rules.add_perm(
    "engagement.view_expert_access_needs", is_self | (is_coordinator & coordinates_a_panel_of)
)
rules.add_perm("engagement.view_expert_expertise_notes", is_self | is_coordinator)
rules.add_perm("engagement.vet_expert", is_coordinator & is_vettable)
