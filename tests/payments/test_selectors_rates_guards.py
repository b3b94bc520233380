"""Which rate card is in force on a day, and which come into force after it, soonest first."""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from payments.models import RateCard
from payments.selectors.rates import rate_card_in_force, rate_cards_upcoming


def card(effective_from: date) -> RateCard:
    rate = Decimal("25.00")
    return RateCard.objects.create(
        effective_from=effective_from,
        session_hourly=rate,
        preparation_hourly=rate,
        review_fee=rate,
        writing_hourly=rate,
        day_rate=rate,
        mileage_per_mile=Decimal("0.45"),
    )


def test_the_card_in_force_is_the_latest_that_started_on_or_before_the_day(db):
    later = card(date(2031, 4, 1))
    first = card(date(2030, 1, 1))
    card(date(2032, 1, 1))

    assert rate_card_in_force(on=date(2029, 12, 31)) is None
    assert rate_card_in_force(on=date(2030, 1, 1)) == first
    assert rate_card_in_force(on=date(2031, 3, 31)) == first
    assert rate_card_in_force(on=date(2031, 4, 1)) == later


def test_cards_to_come_after_a_given_day_come_soonest_first(db):
    third = card(date(2032, 1, 1))
    first = card(date(2030, 6, 1))
    card(date(2030, 1, 1))
    second = card(date(2031, 4, 1))

    assert rate_cards_upcoming(after=date(2030, 1, 1)) == [first, second, third]
    assert rate_cards_upcoming(after=date(2031, 4, 1)) == [third]


def test_without_a_day_the_cards_to_come_are_those_after_today(db):
    today = timezone.localdate()
    card(today - timedelta(days=30))
    card(today)
    tomorrow = card(today + timedelta(days=1))

    assert rate_cards_upcoming() == [tomorrow]
