"""What an expert sees of their own payments: every honorarium and expense with its status in
plain words and the date it is expected, totals for the UK tax year, and statements.

The UK tax year runs from 6 April to 5 April; a year is named by the calendar year it starts
in (2026 is 6 April 2026 to 5 April 2027). Every function takes `today` (or a year) so that
its boundaries can be tested."""

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings

TAX_YEAR_STARTS = (4, 6)  # 6 April


def tax_year_of(day: date) -> int:
    """The tax year `day` falls in, named by the calendar year it starts in."""
    return day.year if (day.month, day.day) >= TAX_YEAR_STARTS else day.year - 1


@dataclass(frozen=True)
class TaxYear:
    start_year: int

    @property
    def first_day(self) -> date:
        return date(self.start_year, *TAX_YEAR_STARTS)

    @property
    def last_day(self) -> date:
        return date(self.start_year + 1, 4, 5)

    def __contains__(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    @property
    def label(self) -> str:
        """ "2026 to 2027", as HMRC names tax years."""
        return f"{self.start_year} to {self.start_year + 1}"


def tax_year_for(day: date) -> TaxYear:
    return TaxYear(tax_year_of(day))


def next_batch_day(today: date) -> date:
    """The day of the next payment batch on or after `today`: Finance pays approved items once
    a month, on `PAYMENTS_BATCH_DAY` (the 15th unless configured; the last day of a shorter
    month when the day does not exist in it)."""
    wanted = settings.PAYMENTS_BATCH_DAY

    def in_month(year: int, month: int) -> date:
        return date(year, month, min(wanted, calendar.monthrange(year, month)[1]))

    this_month = in_month(today.year, today.month)
    if this_month >= today:
        return this_month
    year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
    return in_month(year, month)


def threshold_crossed(total: Decimal) -> bool:
    """Whether a year's payments for work reach the trading allowance (or the configured
    threshold): above it, income may need to be reported."""
    return total > settings.PAYMENTS_TRADING_ALLOWANCE
