from wagtail import hooks

from accounts.roles import Role, has_role
from payments.admin_panels import PaymentsWaitingPanel
from payments.viewsets import HonorariumViewSet


@hooks.register("register_admin_viewset")
def register_honoraria():
    return HonorariumViewSet()


@hooks.register("construct_homepage_panels")
def add_payments_panel(request, panels):
    if has_role(request.user, Role.FINANCE):
        panels.append(PaymentsWaitingPanel())
