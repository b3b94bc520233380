"""The rates the public "How we pay" page shows: those of the rate card in force, and what
each card to come changes, read from the rate cards (never written into a page)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.templatetags.money import money_display as money
from payments.models import RateCard
from payments.selectors.rates import rate_card_in_force, rate_cards_upcoming

# Each rate on a card: its field, its name on the page, how it is counted, and the sentence
# that announces a change to it.
RATES = (
    "session_hourly",
    "preparation_hourly",
    "review_fee",
    "writing_hourly",
    "day_rate",
    "mileage_per_mile",
)


def _names() -> dict[str, tuple[str, str]]:
    return {
        "session_hourly": (_("Sessions"), _("%(amount)s an hour")),
        "preparation_hourly": (_("Preparation"), _("%(amount)s an hour")),
        "review_fee": (_("Reviewing a funding proposal"), _("%(amount)s for each proposal")),
        "writing_hourly": (_("Writing"), _("%(amount)s an hour")),
        "day_rate": (_("A full day"), _("%(amount)s a day")),
        "mileage_per_mile": (_("Travel by car"), _("%(amount)s a mile")),
    }


def _changes() -> dict[str, str]:
    return {
        "session_hourly": _("From %(date)s the session rate is %(amount)s an hour."),
        "preparation_hourly": _("From %(date)s the preparation rate is %(amount)s an hour."),
        "review_fee": _("From %(date)s the review fee is %(amount)s for each proposal."),
        "writing_hourly": _("From %(date)s the writing rate is %(amount)s an hour."),
        "day_rate": _("From %(date)s the day rate is %(amount)s a day."),
        "mileage_per_mile": _("From %(date)s the mileage rate is %(amount)s a mile."),
    }


@dataclass(frozen=True)
class Rate:
    name: str
    amount: Decimal
    shown: str  # "£25.00 an hour"


def rates_published(*, today: date) -> dict:
    """The card in force on `today` as named rates, and a sentence for each rate that a card
    to come changes ("From 1 April 2027 the session rate is £30.00 an hour."), in two
    queries."""
    card = rate_card_in_force(on=today)
    names = _names()
    rates = []
    if card is not None:
        rates = [
            Rate(
                name=names[field][0],
                amount=getattr(card, field),
                shown=names[field][1] % {"amount": money(getattr(card, field))},
            )
            for field in RATES
        ]
    return {
        "card": card,
        "rates": rates,
        "upcoming": _upcoming(card, rate_cards_upcoming(after=today)),
    }


def _upcoming(card: RateCard | None, upcoming: list[RateCard]) -> list[dict]:
    sentences = _changes()
    changes = []
    before = card
    for later in upcoming:
        day = date_format(later.effective_from, "j F Y")
        changed = [
            sentences[field] % {"date": day, "amount": money(getattr(later, field))}
            for field in RATES
            if before is None or getattr(later, field) != getattr(before, field)
        ]
        changes.append({"card": later, "changes": changed})
        before = later
    return changes
