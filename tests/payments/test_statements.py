"""The UK tax year and the expected payment date, at their boundaries."""

from datetime import date
from decimal import Decimal

import pytest

from payments.selectors.statements import (
    next_batch_day,
    tax_year_for,
    tax_year_of,
    threshold_crossed,
)


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2026, 4, 5), 2025),
        (date(2026, 4, 6), 2026),
        (date(2026, 12, 31), 2026),
        (date(2027, 1, 1), 2026),
        (date(2027, 4, 5), 2026),
        (date(2027, 4, 6), 2027),
    ],
)
def test_the_tax_year_starts_on_6_april(day, year):
    assert tax_year_of(day) == year


def test_a_tax_year_runs_from_6_april_to_5_april_inclusive():
    year = tax_year_for(date(2026, 11, 30))

    assert (year.first_day, year.last_day, year.label) == (
        date(2026, 4, 6),
        date(2027, 4, 5),
        "2026 to 2027",
    )
    assert date(2026, 4, 6) in year
    assert date(2027, 4, 5) in year
    assert date(2026, 4, 5) not in year
    assert date(2027, 4, 6) not in year


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 12, 1), date(2026, 12, 15)),
        (date(2026, 12, 15), date(2026, 12, 15)),
        (date(2026, 12, 16), date(2027, 1, 15)),
        (date(2027, 1, 31), date(2027, 2, 15)),
    ],
)
def test_approved_items_are_expected_by_the_next_monthly_batch(today, expected):
    assert next_batch_day(today) == expected


def test_a_batch_day_past_the_end_of_a_month_falls_on_its_last_day(settings):
    settings.PAYMENTS_BATCH_DAY = 31

    assert next_batch_day(date(2027, 2, 3)) == date(2027, 2, 28)
    assert next_batch_day(date(2027, 3, 1)) == date(2027, 3, 31)


def test_the_threshold_is_crossed_only_above_the_allowance(settings):
    assert Decimal("1000.00") == settings.PAYMENTS_TRADING_ALLOWANCE
    assert threshold_crossed(Decimal("1000.00")) is False
    assert threshold_crossed(Decimal("1000.01")) is True
    settings.PAYMENTS_TRADING_ALLOWANCE = Decimal("500.00")
    assert threshold_crossed(Decimal("500.01")) is True
