"""Tandem's roles. Each is a Django group; object-level rules live in each app's rules.py."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    EXPERT = "Expert", _("Expert")
    RESEARCHER = "Researcher", _("Researcher")
    COORDINATOR = "Coordinator", _("Coordinator")
    FINANCE = "Finance", _("Finance")


def role_names(user) -> frozenset[str]:
    """The user's group names, loaded once per user object."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_tandem_role_names", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._tandem_role_names = cached
    return cached


def has_role(user, role: Role) -> bool:
    return role.value in role_names(user)


def is_staff_member(user) -> bool:
    """Coordinators, Finance and superusers: the people who work in the admin. Every one of
    them must use multi-factor authentication."""
    return bool(user.is_authenticated) and (
        user.is_superuser or bool(role_names(user) & {Role.COORDINATOR, Role.FINANCE})
    )
