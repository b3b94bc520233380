from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, DateColumn

from core.viewsets import ViewOnlyViewSet
from payments.models import Honorarium


class HonorariumViewSet(ViewOnlyViewSet):
    """Finance's list of honoraria. Read-only here: payments change state through services."""

    model = Honorarium
    name = "honoraria"
    icon = "form"
    menu_label = _("Honoraria")
    menu_order = 160
    add_to_admin_menu = True
    list_display = [
        "__str__",
        Column("amount", label=_("Amount")),
        Column("status", label=_("Status"), accessor="get_status_display"),
        Column("method", label=_("Method"), accessor="get_method_display"),
        DateColumn("created_at", label=_("Created")),
    ]
    list_filter = ["status", "method"]
    inspect_view_fields = [
        "payee_reference",
        "description",
        "amount",
        "currency",
        "method",
        "status",
        "created_at",
        "paid_at",
    ]
