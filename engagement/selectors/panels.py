from engagement.models import Panel, PanelMembership


def panel_detail(panel: Panel) -> dict:
    """A panel's coordinators and its current and past members, in three queries."""
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
    }
