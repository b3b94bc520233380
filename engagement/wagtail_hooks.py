from wagtail import hooks

from accounts.roles import Role, has_role
from engagement.admin_panels import ApplicationsWaitingPanel, RequestsWaitingPanel
from engagement.viewsets import AdvisersGroup


@hooks.register("register_admin_viewset")
def register_advisers():
    return AdvisersGroup()


@hooks.register("construct_homepage_panels")
def add_applications_panel(request, panels):
    if has_role(request.user, Role.COORDINATOR):
        panels.append(ApplicationsWaitingPanel())
        panels.append(RequestsWaitingPanel())
