from django.utils import formats
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic import CreateView, InspectView

from core.templatetags.money import NOTHING, money_display
from core.viewsets import (
    AddOnlyPolicy,
    LabelledColumn,
    LabelledDateColumn,
    NoCopyModelViewSet,
    ViewOnlyViewSet,
)
from payments.models import Honorarium, RateCard


def _date(value) -> str:
    return formats.date_format(value, "SHORT_DATETIME_FORMAT") if value else NOTHING


class HonorariumInspectView(InspectView):
    """Money as £75.00, dates UK style, and a dash (never "None") for what has not happened."""

    def get_amount_display_value(self):
        return money_display(self.object.amount, self.object.currency)

    def get_created_at_display_value(self):
        return _date(self.object.created_at)

    def get_paid_at_display_value(self):
        return _date(self.object.paid_at)


class HonorariumViewSet(ViewOnlyViewSet):
    """Finance's list of honoraria. Read-only here: payments change state through services."""

    model = Honorarium
    name = "honoraria"
    icon = "form"
    menu_label = _("Honoraria")
    menu_order = 160
    add_to_admin_menu = True
    inspect_view_class = HonorariumInspectView
    list_display = [
        "__str__",
        LabelledColumn(
            "amount",
            label=_("Amount"),
            accessor=lambda honorarium: money_display(honorarium.amount, honorarium.currency),
        ),
        LabelledColumn("status", label=_("Status"), accessor="get_status_display"),
        LabelledColumn("method", label=_("Method"), accessor="get_method_display"),
        LabelledDateColumn("created_at", label=_("Created")),
    ]
    list_filter = ["status", "method"]
    inspect_view_fields = [
        "payee_reference",
        "description",
        "amount",
        "method",
        "status",
        "created_at",
        "paid_at",
    ]


class RateCardCreateView(CreateView):
    def save_instance(self):
        card = self.form.save(commit=False)
        card.created_by = self.request.user
        card.save()
        return card


class RateCardViewSet(NoCopyModelViewSet):
    """Effective-dated rates. A change is a new card from a later date, never an edit: each
    honorarium keeps the card it was worked out from."""

    model = RateCard
    name = "rate-cards"
    icon = "form"
    menu_label = _("Rate cards")
    menu_order = 165
    add_to_admin_menu = True
    add_view_class = RateCardCreateView
    inspect_view_enabled = True
    form_fields = [
        "effective_from",
        "session_hourly",
        "preparation_hourly",
        "review_fee",
        "writing_hourly",
        "day_rate",
        "mileage_per_mile",
        "expenses_notes",
    ]
    list_display = [
        "__str__",
        LabelledDateColumn("effective_from", label=_("In force from")),
        LabelledColumn(
            "session_hourly",
            label=_("Sessions, per hour"),
            accessor=lambda card: money_display(card.session_hourly),
        ),
        LabelledColumn(
            "review_fee",
            label=_("Per review"),
            accessor=lambda card: money_display(card.review_fee),
        ),
    ]

    @property
    def permission_policy(self):
        return AddOnlyPolicy(self.model)
