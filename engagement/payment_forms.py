"""The expense claim form. It checks what a person typed; payments.services.expenses checks
the receipt by its content and records the claim."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import DayMonthYearField
from core.templatetags.money import money_display
from payments.models import Expense


class PoundsField(forms.DecimalField):
    """An amount in pounds and pence, as people write it: "12.50", "£12.50" or "1,200"."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().removeprefix("£").replace(",", "").strip()
        return super().to_python(value)


class ExpenseClaimForm(forms.Form):
    category = forms.ChoiceField(
        label=_("What kind of cost was it?"),
        choices=Expense.Category.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose what kind of cost it was"),
            "invalid_choice": _("Choose what kind of cost it was"),
        },
    )
    description = forms.CharField(
        label=_("What was it for?"),
        max_length=200,
        help_text=_("For example, 'Bus fare to the panel meeting on 3 December'."),
        error_messages={
            "required": _("Say what the cost was for"),
            "max_length": _("This must be 200 characters or fewer"),
        },
    )
    incurred_on = DayMonthYearField(
        label=_("When did you pay it?"),
        help_text=_("For example, 3 12 2026."),
        error_messages={"required": _("Enter the date you paid it")},
    )
    amount = PoundsField(
        label=_("How much did it cost, in pounds?"),
        max_digits=10,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "input--short"}),
        help_text=_("For example, 12.50"),
        error_messages={
            "required": _("Enter how much it cost"),
            "invalid": _("Enter an amount in pounds and pence, like 12.50"),
            "max_decimal_places": _("Enter an amount in pounds and pence, like 12.50"),
            "max_digits": _("Enter an amount in pounds and pence, like 12.50"),
        },
    )
    receipt = forms.FileField(
        label=_("A photo or scan of the receipt"),
        help_text=_(
            "A PDF, JPEG or PNG file, up to 10 MB. If you cannot get a receipt, contact us "
            "before you claim."
        ),
        error_messages={
            "required": _("Choose a file with your receipt"),
            "empty": _("The file you chose is empty: choose the file with your receipt"),
            "invalid": _("Choose a file with your receipt"),
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receipt"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png"
        megabytes = settings.PAYMENTS_RECEIPT_MAX_BYTES // (1024 * 1024)
        self.fields["receipt"].help_text = _(
            "A PDF, JPEG or PNG file, up to %(size)s MB. If you cannot get a receipt, contact "
            "us before you claim."
        ) % {"size": megabytes}

    def clean_incurred_on(self):
        day = self.cleaned_data["incurred_on"]
        if day > timezone.localdate():
            raise ValidationError(_("The date must be today or in the past"))
        return day

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        most = Decimal(str(settings.PAYMENTS_EXPENSE_MAX_AMOUNT))
        if amount <= 0:
            raise ValidationError(_("Enter an amount more than £0.00"))
        if amount > most:
            raise ValidationError(
                _("Enter no more than %(most)s. For a larger cost, contact us first.")
                % {"most": money_display(most)}
            )
        return amount
