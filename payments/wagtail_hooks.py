from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from accounts.roles import Role, has_role
from payments import admin_views
from payments.admin_panels import PaymentsApprovalPanel, PaymentsWaitingPanel
from payments.viewsets import ExpenseViewSet, HonorariumViewSet, RateCardViewSet


class PermittedMenuItem(MenuItem):
    """A menu item shown only to those with `permission` (a rules permission)."""

    def __init__(self, *args, permission: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.permission = permission

    def is_shown(self, request):
        return request.user.has_perm(self.permission)


@hooks.register("register_admin_viewset")
def register_honoraria():
    return HonorariumViewSet()


@hooks.register("register_admin_viewset")
def register_expenses():
    return ExpenseViewSet()


@hooks.register("register_admin_viewset")
def register_rate_cards():
    return RateCardViewSet()


@hooks.register("register_admin_urls")
def register_payments_urls():
    return [
        path("payments/approvals/", admin_views.approval_queue_view, name="payments_approvals"),
        path(
            "payments/expenses/<int:expense_id>/receipt/",
            admin_views.expense_receipt_view,
            name="payments_receipt",
        ),
        path("payments/batches/", admin_views.batch_list_view, name="payments_batches"),
        path(
            "payments/batches/<int:batch_id>/",
            admin_views.batch_detail_view,
            name="payments_batch",
        ),
        path(
            "payments/batches/<int:batch_id>/export/",
            admin_views.batch_export_view,
            name="payments_batch_export",
        ),
    ]


@hooks.register("register_admin_menu_item")
def register_approvals_menu_item():
    return PermittedMenuItem(
        _("Approve payments"),
        reverse("payments_approvals"),
        icon_name="tick",
        order=170,
        permission="payments.approve_items",
    )


@hooks.register("register_admin_menu_item")
def register_batches_menu_item():
    return PermittedMenuItem(
        _("Payment batches"),
        reverse("payments_batches"),
        icon_name="form",
        order=175,
        permission="payments.manage_batches",
    )


@hooks.register("construct_homepage_panels")
def add_payments_panel(request, panels):
    if has_role(request.user, Role.FINANCE):
        panels.append(PaymentsWaitingPanel())
    if has_role(request.user, Role.COORDINATOR):
        panels.append(PaymentsApprovalPanel())
