from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component

from engagement.selectors.experts import expert_applications_waiting
from engagement.selectors.panels import panels_with_open_seats
from engagement.selectors.teams import advisory_requests_waiting


class ApplicationsWaitingPanel(Component):
    """On the admin dashboard: how many adviser applications need a coordinator."""

    name = "applications_waiting"
    order = 50
    template_name = "engagement/admin/applications_waiting_panel.html"
    title = _("Adviser applications")

    def get_context_data(self, parent_context=None):
        return {"counts": expert_applications_waiting()}


class RequestsWaitingPanel(Component):
    """On the admin dashboard: research teams' requests waiting for triage."""

    name = "requests_waiting"
    order = 60
    template_name = "engagement/admin/requests_waiting_panel.html"
    title = _("Requests for advice")

    def get_context_data(self, parent_context=None):
        return {"waiting": advisory_requests_waiting()}


class OpenSeatsPanel(Component):
    """On the admin dashboard: the coordinator's panels that still want experts."""

    name = "open_seats"
    order = 55
    template_name = "engagement/admin/open_seats_panel.html"
    title = _("Panels still forming")

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context=None):
        return panels_with_open_seats(self.user)
