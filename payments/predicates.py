"""Object-level predicates for payments, shared by the transitions declared on the models
and by payments/rules.py."""

import rules


@rules.predicate
def is_payee(user, item) -> bool:
    """The expert an honorarium or expense is for."""
    return item is not None and user is not None and item.payee_id == user.pk
