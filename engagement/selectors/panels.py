from django.db.models import QuerySet

from accounts.models import User
from engagement.models import Panel, PanelMembership, PanelSuggestion


def panel_detail(panel: Panel) -> dict:
    """A panel's coordinators, its current and past members and the chair's suggestions, in
    four queries."""
    memberships = list(
        PanelMembership.objects.filter(panel=panel)
        .select_related("expert__user")
        .order_by("expert__user__display_name", "pk")
    )
    current = set(panel.memberships.current().values_list("pk", flat=True))
    return {
        "panel": panel,
        "coordinators": list(panel.coordinators.order_by("display_name")),
        "current_members": [m for m in memberships if m.pk in current],
        "past_members": [m for m in memberships if m.pk not in current],
        "chair_suggestions": list(
            PanelSuggestion.objects.filter(panel=panel)
            .select_related("suggested_by")
            .order_by("-created_at", "-pk")
        ),
    }


def panels_chaired_by(user: User) -> QuerySet[Panel]:
    """The panels the person chairs today."""
    if not user.is_authenticated:
        return Panel.objects.none()
    return Panel.objects.filter(
        pk__in=PanelMembership.objects.current()
        .filter(expert__user=user, role=PanelMembership.Role.CHAIR)
        .values("panel")
    ).order_by("name")
