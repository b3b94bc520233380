from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component

from payments.selectors.queue import approvals_waiting, payment_speed, payments_waiting


class PaymentsWaitingPanel(Component):
    """On Finance's admin dashboard: honoraria and expenses waiting for approval, a batch or
    payment, and the batches still to pay."""

    name = "payments_waiting"
    order = 50
    template_name = "payments/admin/payments_waiting_panel.html"
    title = _("Payments waiting")

    def get_context_data(self, parent_context=None):
        waiting = payments_waiting()
        return {"waiting": waiting["honoraria"], **waiting}


class PaymentsApprovalPanel(Component):
    """On coordinators' admin dashboard: what waits for their approval, and how fast experts
    are paid (median days from the work to payment, this month and last)."""

    name = "payments_approval"
    order = 65
    template_name = "payments/admin/payments_approval_panel.html"
    title = _("Payments")

    def get_context_data(self, parent_context=None):
        return {"approvals": approvals_waiting(), "speed": payment_speed()}
