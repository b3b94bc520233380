from django.urls import reverse
from django.utils import formats
from django.utils.html import format_html
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
from payments.models import Expense, Honorarium, RateCard


def _date(value) -> str:
    return formats.date_format(value, "SHORT_DATETIME_FORMAT") if value else NOTHING


class LedgerInspectView(InspectView):
    """A record with its ledger below it: every change, who made it and when."""

    template_name = "payments/admin/item_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["ledger"] = self.object.ledger.select_related("actor").order_by("at", "pk")
        return context


class HonorariumInspectView(LedgerInspectView):
    """Money as £75.00, dates UK style, and a dash (never "None") for what has not happened."""

    def get_amount_display_value(self):
        return money_display(self.object.amount, self.object.currency)

    def get_created_at_display_value(self):
        return _date(self.object.created_at)

    def get_paid_at_display_value(self):
        return _date(self.object.paid_at)

    def get_work_date_display_value(self):
        work_date = self.object.work_date
        return formats.date_format(work_date, "SHORT_DATE_FORMAT") if work_date else NOTHING

    def get_quantity_display_value(self):
        return self.object.quantity if self.object.quantity is not None else NOTHING

    def get_source_type_display_value(self):
        return self.object.get_source_type_display() or NOTHING

    def get_not_payable_reason_display_value(self):
        return self.object.get_not_payable_reason_display() or NOTHING

    def get_rejection_reason_display_value(self):
        return self.object.rejection_reason or NOTHING

    def get_approved_at_display_value(self):
        return _date(self.object.approved_at)

    def get_rate_display_value(self):
        return money_display(self.object.rate, self.object.currency)

    def get_preparation_rate_display_value(self):
        return money_display(self.object.preparation_rate, self.object.currency)


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
        LabelledDateColumn("work_date", label=_("Date of the work")),
        LabelledDateColumn("created_at", label=_("Created")),
    ]
    list_filter = ["status", "method", "source_type", "payable"]
    inspect_view_fields = [
        "payee_reference",
        "description",
        "source_type",
        "work_date",
        "quantity",
        "rate",
        "preparation_hours",
        "preparation_rate",
        "amount",
        "method",
        "payable",
        "not_payable_reason",
        "status",
        "rejection_reason",
        "created_at",
        "approved_at",
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


class ExpenseInspectView(LedgerInspectView):
    """One claim: money as £12.50, UK dates, a dash for what has not happened, and its
    receipt through the permission-checked view (never a file URL)."""

    def get_fields(self):
        return [
            "payee_reference",
            "category",
            "description",
            "incurred_on",
            "amount",
            "method",
            "status",
            "rejection_reason",
            "receipt",
            "created_at",
            "approved_at",
            "paid_at",
        ]

    def get_amount_display_value(self):
        return money_display(self.object.amount, self.object.currency)

    def get_incurred_on_display_value(self):
        return formats.date_format(self.object.incurred_on, "SHORT_DATE_FORMAT")

    def get_rejection_reason_display_value(self):
        return self.object.rejection_reason or NOTHING

    def get_receipt_display_value(self):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("payments_receipt", args=[self.object.pk]),
            _("See the receipt"),
        )

    def get_created_at_display_value(self):
        return _date(self.object.created_at)

    def get_approved_at_display_value(self):
        return _date(self.object.approved_at)

    def get_paid_at_display_value(self):
        return _date(self.object.paid_at)


class ExpenseViewSet(ViewOnlyViewSet):
    """Expense claims for Finance and coordinators to look up. Read-only: claims are
    approved in the approval queue and paid in batches, through the services."""

    model = Expense
    name = "expenses"
    icon = "form"
    menu_label = _("Expense claims")
    menu_order = 162
    add_to_admin_menu = True
    inspect_view_class = ExpenseInspectView
    list_per_page = 50
    ordering = ["-created_at"]
    list_display = [
        "__str__",
        LabelledColumn(
            "amount",
            label=_("Amount"),
            accessor=lambda expense: money_display(expense.amount, expense.currency),
        ),
        LabelledColumn("category", label=_("Kind of cost"), accessor="get_category_display"),
        LabelledColumn("status", label=_("Status"), accessor="get_status_display"),
        LabelledDateColumn("incurred_on", label=_("Date of the cost")),
    ]
    list_filter = ["status", "category"]
