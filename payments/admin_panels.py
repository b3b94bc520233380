from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component

from payments.selectors.honoraria import honoraria_waiting


class PaymentsWaitingPanel(Component):
    """On Finance's admin dashboard: honoraria waiting for approval, a batch or payment."""

    name = "payments_waiting"
    order = 50
    template_name = "payments/admin/payments_waiting_panel.html"
    title = _("Payments waiting")

    def get_context_data(self, parent_context=None):
        return {"waiting": honoraria_waiting()}
