"""Forms for the criteria co-design workspace. They read what was typed; the rules (names,
weights, a descriptor for every point, the group weights) are engagement.services.calls'
`criteria_save`, whose problems come back onto the fields here."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from engagement.selectors.codesign import GROUP_WEIGHT_FIELDS
from engagement.services.calls import (
    COMMENT_MAX_LENGTH,
    CRITERIA_MAX,
    SCALE_HIGHEST,
    SCALE_LOWEST,
)

# Blank criteria the form offers below the saved ones; "Add another criterion" adds more.
EXTRA_SLOTS = 1
GROUP_FIELDS = GROUP_WEIGHT_FIELDS


def _int(value, default: int, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if low <= number <= high else default


def _plain(number) -> str:
    """2.50 as "2.5" and 10.00 as "10" (never "1E+1")."""
    return f"{number.normalize():f}"


def form_shape(data, *, saved_slots: int, scale: range, scale_editable: bool):
    """How many criteria the form shows and which points each describes: from a posted
    form, what it showed (bounded, so a tampered form cannot grow it); else the saved ones
    and EXTRA_SLOTS blanks on the round's scale."""
    if data is None:
        return min(max(saved_slots + EXTRA_SLOTS, 1), CRITERIA_MAX), scale
    slots = _int(data.get("slots"), saved_slots + EXTRA_SLOTS, 1, CRITERIA_MAX)
    if not scale_editable:
        return slots, scale
    low = _int(data.get("shown_min"), scale.start, SCALE_LOWEST, SCALE_HIGHEST)
    high = _int(data.get("shown_max"), scale.stop - 1, SCALE_LOWEST, SCALE_HIGHEST)
    return slots, range(low, high + 1) if low < high else scale


class CriteriaForm(forms.Form):
    """Every criterion (name, guidance, weight, a descriptor per point of the scale), the
    group weights and, while the round is being set up, the scale: one form, no script."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)
    slots = forms.IntegerField(widget=forms.HiddenInput, required=False)
    shown_min = forms.IntegerField(widget=forms.HiddenInput, required=False)
    shown_max = forms.IntegerField(widget=forms.HiddenInput, required=False)
    lived_weight = forms.CharField(
        label=_("Lived-experience reviewers"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    academic_weight = forms.CharField(
        label=_("Academic reviewers"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    staff_weight = forms.CharField(
        label=_("Staff reviewers"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def __init__(self, data=None, *, slots: int, points: range, scale_editable: bool, **kwargs):
        super().__init__(data, **kwargs)
        self.slot_count = slots
        self.points = points
        self.scale_editable = scale_editable
        for slot in range(slots):
            number = slot + 1
            self.fields[f"c{slot}_name"] = forms.CharField(
                label=_("Name of criterion %(n)s") % {"n": number}, required=False
            )
            self.fields[f"c{slot}_guidance"] = forms.CharField(
                label=_("Guidance for reviewers"),
                help_text=_("What reviewers should look for."),
                required=False,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
            self.fields[f"c{slot}_weight"] = forms.CharField(
                label=_("Weight"),
                help_text=_(
                    "How much this criterion counts beside the others: 2 counts twice as much as 1."
                ),
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
            for point in points:
                self.fields[f"c{slot}_d{point}"] = forms.CharField(
                    label=_("What a score of %(point)s means") % {"point": point},
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 2}),
                )
            self.fields[f"c{slot}_remove"] = forms.BooleanField(
                label=_("Remove this criterion"), required=False
            )
        if scale_editable:
            bounds = {"min_value": SCALE_LOWEST, "max_value": SCALE_HIGHEST}
            message = _("Enter a whole number from %(low)s to %(high)s") % {
                "low": SCALE_LOWEST,
                "high": SCALE_HIGHEST,
            }
            messages = dict.fromkeys(("required", "invalid", "min_value", "max_value"), message)
            self.fields["scale_min"] = forms.IntegerField(
                label=_("Lowest score"), error_messages=messages, **bounds
            )
            self.fields["scale_max"] = forms.IntegerField(
                label=_("Highest score"), error_messages=messages, **bounds
            )

    @classmethod
    def initial_for(cls, scoring_round, criteria, version: str) -> dict:
        initial = {
            "version": version,
            "slots": None,
            "shown_min": scoring_round.scale_min,
            "shown_max": scoring_round.scale_max,
            "scale_min": scoring_round.scale_min,
            "scale_max": scoring_round.scale_max,
        }
        for field in GROUP_FIELDS.values():
            initial[field] = _plain(getattr(scoring_round, field))
        for slot, criterion in enumerate(criteria):
            initial[f"c{slot}_name"] = criterion.name
            initial[f"c{slot}_guidance"] = criterion.guidance
            initial[f"c{slot}_weight"] = _plain(criterion.weight)
            for descriptor in criterion.descriptors.all():
                initial[f"c{slot}_d{descriptor.point}"] = descriptor.text
        return initial

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("scale_min"), cleaned.get("scale_max")
        if self.scale_editable and low is not None and high is not None and low >= high:
            self.add_error("scale_max", _("The highest score must be above the lowest"))
        return cleaned

    def slot_rows(self) -> list[dict]:
        """Each criterion's bound fields, for the template."""
        return [
            {
                "number": slot + 1,
                "name": self[f"c{slot}_name"],
                "guidance": self[f"c{slot}_guidance"],
                "weight": self[f"c{slot}_weight"],
                "descriptors": [self[f"c{slot}_d{point}"] for point in self.points],
                "remove": self[f"c{slot}_remove"],
            }
            for slot in range(self.slot_count)
        ]

    def _filled_slots(self) -> list[int]:
        def blank(slot):
            names = ["name", "guidance", "weight", *(f"d{p}" for p in self.points)]
            return not any(str(self.cleaned_data.get(f"c{slot}_{n}") or "").strip() for n in names)

        return [
            slot
            for slot in range(self.slot_count)
            if not self.cleaned_data.get(f"c{slot}_remove") and not blank(slot)
        ]

    def criteria(self) -> list[dict]:
        """The criteria to save, in order: blank and removed ones left out."""
        self._slots_saved = self._filled_slots()
        return [
            {
                "name": self.cleaned_data[f"c{slot}_name"],
                "guidance": self.cleaned_data[f"c{slot}_guidance"],
                "weight": self.cleaned_data[f"c{slot}_weight"],
                "descriptors": {p: self.cleaned_data[f"c{slot}_d{p}"] for p in self.points},
            }
            for slot in self._slots_saved
        ]

    def group_weights(self) -> dict[str, str]:
        return {group: self.cleaned_data[field] for group, field in GROUP_FIELDS.items()}

    def scale(self) -> tuple[int, int] | None:
        if not self.scale_editable:
            return None
        return self.cleaned_data["scale_min"], self.cleaned_data["scale_max"]

    def scale_changed(self) -> bool:
        scale = self.scale()
        return scale is not None and scale != (self.points.start, self.points.stop - 1)

    def add_service_errors(self, error: ValidationError) -> None:
        """Put criteria_save's problems on the fields they are about."""
        slots = getattr(self, "_slots_saved", [])
        for key, messages in error.message_dict.items():
            field = None
            if key in GROUP_FIELDS:
                field = GROUP_FIELDS[key]
            elif key == "scale" and self.scale_editable:
                field = "scale_min"
            elif "." in key:
                index, part = key.split(".", 1)
                if index.isdigit() and int(index) < len(slots):
                    slot = slots[int(index)]
                    field = f"c{slot}_{part}" if not part.isdigit() else f"c{slot}_d{part}"
            if field not in self.fields:
                field = None
            for message in messages:
                self.add_error(field, message)


class CommentForm(forms.Form):
    text = forms.CharField(
        label=_("Add a comment"),
        help_text=_("Everyone on the panel and the coordinators can read it."),
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Write your comment."),
            "max_length": _("Keep it to %(limit_value)s characters or fewer."),
        },
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Why reopen the criteria?"),
        help_text=_("Kept in the record of changes."),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
