from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

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


# How many panels with open seats the coordinators' dashboard names; the rest are counted.
OPEN_SEATS_SHOWN = 10


def panels_with_open_seats(user: User) -> dict:
    """The panels this coordinator runs that want more experts than they have today: the
    first few by name with their places filled, and how many there are, in two queries."""
    today = timezone.localdate()
    current = Q(memberships__started_on__lte=today) & (
        Q(memberships__ended_on__isnull=True) | Q(memberships__ended_on__gte=today)
    )
    wanting = (
        Panel.objects.filter(coordinators=user, seats__gt=0)
        .annotate(filled=Count("memberships", filter=current, distinct=True))
        .filter(filled__lt=F("seats"))
    )
    return {
        "panels": list(wanting.order_by("name", "pk")[:OPEN_SEATS_SHOWN]),
        "count": wanting.count(),
    }
