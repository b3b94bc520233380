import datetime

from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils.translation import gettext_lazy as _


class TandemFormRenderer(DjangoTemplates):
    """Render every form with labels, hints and errors tied together for assistive tech."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


class DateInputs(forms.MultiWidget):
    """Day, month and year in three boxes, as the GOV.UK Design System asks for dates people
    know or can look up: browsers' date pickers differ, and some show mm/dd/yyyy."""

    template_name = "forms/widgets/date_inputs.html"
    parts = (("day", _("Day"), 2), ("month", _("Month"), 2), ("year", _("Year"), 4))

    def __init__(self, attrs=None):
        # A list, not a dict: the boxes are named <field>_0, _1 and _2, and the first one is
        # what an error summary links to.
        widgets = [
            forms.TextInput(
                attrs={"inputmode": "numeric", "class": f"date-input__{name}", "maxlength": width}
            )
            for name, _label, width in self.parts
        ]
        super().__init__(widgets, attrs)

    def decompress(self, value):
        if isinstance(value, datetime.date):
            return [value.day, value.month, value.year]
        return [None, None, None]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        for subwidget, (_name, label, _width) in zip(
            context["widget"]["subwidgets"], self.parts, strict=True
        ):
            subwidget["label"] = label
        return context


class DayMonthYearField(forms.Field):
    """A date typed as day, month and year, with GOV.UK's messages for what is missing or
    not a real date."""

    widget = DateInputs
    default_error_messages = {
        "incomplete": _("Enter the day, month and year, for example 27 3 2027"),
        "invalid": _("Enter a real date, for example 27 3 2027"),
    }

    def to_python(self, value):
        if not value or not any(str(part or "").strip() for part in value):
            return None
        parts = [str(part or "").strip() for part in value]
        if not all(parts):
            raise forms.ValidationError(self.error_messages["incomplete"], code="incomplete")
        try:
            day, month, year = (int(part) for part in parts)
            if year < 1000:
                raise ValueError
            return datetime.date(year, month, day)
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
