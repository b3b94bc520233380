from django.urls import path
from wagtail import hooks

from accounts.roles import Role, has_role
from engagement import admin_scoring
from engagement.admin_calls import funding_call_viewsets
from engagement.admin_panels import ApplicationsWaitingPanel, OpenSeatsPanel, RequestsWaitingPanel
from engagement.admin_sessions import ImpactOverduePanel, panel_ratings_view
from engagement.viewsets import AdvisersGroup


@hooks.register("register_admin_viewset")
def register_advisers():
    return AdvisersGroup()


@hooks.register("register_admin_viewset")
def register_funding_calls():
    return funding_call_viewsets()


@hooks.register("construct_homepage_panels")
def add_applications_panel(request, panels):
    if has_role(request.user, Role.COORDINATOR):
        panels.append(ApplicationsWaitingPanel())
        panels.append(RequestsWaitingPanel())
        panels.append(OpenSeatsPanel(request.user))


@hooks.register("construct_homepage_panels")
def add_impact_overdue_panel(request, panels):
    if has_role(request.user, Role.COORDINATOR):
        panels.append(ImpactOverduePanel(request.user))


@hooks.register("register_admin_urls")
def register_panel_ratings_url():
    return [path("panel-ratings/<int:panel_id>/", panel_ratings_view, name="panel_ratings")]


hooks.register("register_admin_urls", admin_scoring.admin_urls)
