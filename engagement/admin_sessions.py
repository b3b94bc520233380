"""Coordinators' admin views of sessions: "you said, we did" that is overdue (a dashboard
panel), and how a panel's experts felt listened to (counts and notes, never names)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component

from engagement.models import Panel
from engagement.selectors.sessions import impact_overdue, panel_ratings, panels_rated_for


class ImpactOverduePanel(Component):
    """On the admin dashboard: sessions over two weeks old without "you said, we did", and
    the ratings of the panels this coordinator runs."""

    name = "impact_overdue"
    order = 60
    template_name = "engagement/admin/impact_overdue_panel.html"
    title = _("You said, we did")

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context=None):
        return {"overdue": impact_overdue(self.user), "rated_panels": panels_rated_for(self.user)}


def panel_ratings_view(request, panel_id: int):
    panel = get_object_or_404(Panel, pk=panel_id)
    if not request.user.has_perm("engagement.view_impact_ratings", panel):
        raise PermissionDenied
    return TemplateResponse(
        request,
        "engagement/admin/panel_ratings.html",
        {"panel": panel, **panel_ratings(panel), "page_title": panel.name},
    )
