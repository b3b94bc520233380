"""Role predicates shared by every app's rules module and transition declarations."""

import rules

from accounts.roles import Role, has_role


@rules.predicate
def is_coordinator(user) -> bool:
    return has_role(user, Role.COORDINATOR)


@rules.predicate
def is_finance(user) -> bool:
    return has_role(user, Role.FINANCE)
