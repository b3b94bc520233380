"""Role predicates shared by every app's rules module."""

import rules

from accounts.roles import Role, has_role, is_staff_member


@rules.predicate
def is_expert(user) -> bool:
    return has_role(user, Role.EXPERT)


@rules.predicate
def is_researcher(user) -> bool:
    return has_role(user, Role.RESEARCHER)


@rules.predicate
def is_coordinator(user) -> bool:
    return has_role(user, Role.COORDINATOR)


@rules.predicate
def is_finance(user) -> bool:
    return has_role(user, Role.FINANCE)


@rules.predicate
def is_staff(user) -> bool:
    return is_staff_member(user)
