"""What an expert sees of their own payments, line by line: every field of every line in plain
words, newest first, this tax year's totals, and a year's statement at its first and last
moments (UK time)."""

import itertools
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

from payments.models import Expense, Honorarium
from payments.selectors.statements import (
    PaymentLine,
    TaxYear,
    payment_statement_for,
    payments_overview_for,
)
from tests.factories import expert

TODAY = date(2026, 11, 20)  # in the tax year 2026 to 2027; the next batch is on 15 December
NEXT_BATCH = date(2026, 12, 15)
LONDON = ZoneInfo("Europe/London")
SOURCES = itertools.count(1)


def at(day: date, hour: int = 12, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def honorarium(person, description, amount, status="pending", **fields) -> Honorarium:
    values = {
        "payee": person.user,
        "payee_reference": person.reference,
        "description": description,
        "amount": Decimal(amount),
        "method": "bank_transfer",
        "status": status,
        "source_type": "attendance",
        "work_date": TODAY,
    }
    values.update(fields)
    values["source_id"] = next(SOURCES) if values["source_type"] else None
    return Honorarium.objects.create(**values)


def expense(person, description, amount, status="pending", **fields) -> Expense:
    values = {
        "payee": person.user,
        "payee_reference": person.reference,
        "category": "travel",
        "description": description,
        "incurred_on": TODAY,
        "amount": Decimal(amount),
        "receipt": "receipts/bus.pdf",
        "receipt_content_type": "application/pdf",
        "status": status,
    }
    values.update(fields)
    return Expense.objects.create(**values)


def line(item, **fields) -> PaymentLine:
    """The line an expert sees; every field but the item's own kind and id is written out."""
    kind = "honorarium" if isinstance(item, Honorarium) else "expense"
    return PaymentLine(kind=kind, pk=item.pk, **fields)


def test_every_line_says_in_plain_words_where_the_money_is_newest_first(db):
    person = expert()
    other = expert()
    honorarium(other, "Somebody else's session", "99.00")
    declined = honorarium(
        person,
        "Session I gave my time to",
        "60.00",
        method="declined",
        payable=False,
        not_payable_reason="declined",
        work_date=date(2026, 11, 18),
    )
    safe = honorarium(
        person,
        "Session paid as expenses only",
        "60.00",
        method="expenses_only",
        payable=False,
        not_payable_reason="expenses_only",
        work_date=date(2026, 3, 1),
    )
    waiting = honorarium(person, "Housing panel session", "50.00", work_date=date(2026, 11, 10))
    cost = expense(person, "Bus to the housing panel", "10.00", incurred_on=date(2026, 11, 10))
    donated = honorarium(
        person, "Session for charity", "25.00", method="donated", work_date=date(2026, 11, 10)
    )
    approved = honorarium(person, "Proposal review", "100.00", "approved", source_type="review")
    Honorarium.objects.filter(pk=approved.pk).update(work_date=date(2026, 11, 1))
    batched = honorarium(
        person,
        "Writing the briefing",
        "200.00",
        "batched",
        source_type="writing",
        work_date=date(2026, 10, 20),
    )
    paid = honorarium(
        person,
        "Panel in September",
        "300.00",
        "paid",
        work_date=date(2026, 9, 1),
        paid_at=at(date(2026, 9, 15)),
    )
    rejected = honorarium(
        person,
        "Session twice",
        "40.00",
        "rejected",
        rejection_reason="This session is already paid.",
        work_date=date(2026, 8, 1),
    )
    cancelled = honorarium(
        person, "Session moved", "45.00", "cancelled", work_date=date(2026, 7, 1)
    )
    undated = honorarium(person, "Advice by email", "40.00", source_type="", work_date=None)
    Honorarium.objects.filter(pk=undated.pk).update(created_at=at(date(2026, 11, 12)))
    paid_cost = expense(
        person,
        "Train to the workshop",
        "12.50",
        "paid",
        incurred_on=date(2026, 9, 2),
        paid_at=at(date(2026, 9, 16)),
    )
    approved_cost = expense(
        person,
        "Childminder",
        "20.00",
        "approved",
        category="childcare",
        incurred_on=date(2026, 10, 30),
    )
    refused_cost = expense(
        person,
        "Taxi",
        "30.00",
        "rejected",
        rejection_reason="No receipt.",
        incurred_on=date(2026, 10, 29),
    )
    last_year = honorarium(
        person,
        "Panel last year",
        "80.00",
        "paid",
        work_date=date(2026, 3, 20),
        paid_at=at(date(2026, 4, 5)),
    )

    overview = payments_overview_for(payee=person.user, today=TODAY)

    grey_note = (
        "We pay your expenses only, to keep you safe, so this is not paid as money. "
        "It still counts as work you did, and we pay back what it cost you."
    )
    common = {"paid_on": None, "note": "", "payable": True, "method_label": "Bank transfer"}
    assert overview["lines"] == [
        line(
            declined,
            description="Session I gave my time to",
            category="Panel session",
            day=date(2026, 11, 18),
            amount=Decimal("60.00"),
            status="pending",
            state="Recorded, not paid",
            tone="grey",
            expected=None,
            paid_on=None,
            note="You chose not to be paid for this: it still counts as work you did.",
            payable=False,
            method_label="No payment",
        ),
        line(
            undated,
            description="Advice by email",
            category="Work",
            day=date(2026, 11, 12),
            amount=Decimal("40.00"),
            status="pending",
            state="Waiting for approval",
            tone="",
            expected=None,
            **common,
        ),
        line(
            donated,
            description="Session for charity",
            category="Panel session",
            day=date(2026, 11, 10),
            amount=Decimal("25.00"),
            status="pending",
            state="Waiting for approval",
            tone="",
            expected=None,
            paid_on=None,
            note="You chose to give this to charity. We pay it to the charity for you.",
            payable=True,
            method_label="Donated to charity",
        ),
        line(
            waiting,
            description="Housing panel session",
            category="Panel session",
            day=date(2026, 11, 10),
            amount=Decimal("50.00"),
            status="pending",
            state="Waiting for approval",
            tone="",
            expected=None,
            **common,
        ),
        line(
            cost,
            description="Bus to the housing panel",
            category="Travel",
            day=date(2026, 11, 10),
            amount=Decimal("10.00"),
            status="pending",
            state="Waiting for approval",
            tone="",
            expected=None,
            may_withdraw=True,
            **common,
        ),
        line(
            approved,
            description="Proposal review",
            category="Proposal review",
            day=date(2026, 11, 1),
            amount=Decimal("100.00"),
            status="approved",
            state="Approved",
            tone="",
            expected=NEXT_BATCH,
            **common,
        ),
        line(
            approved_cost,
            description="Childminder",
            category="Childcare or care",
            day=date(2026, 10, 30),
            amount=Decimal("20.00"),
            status="approved",
            state="Approved",
            tone="",
            expected=NEXT_BATCH,
            **common,
        ),
        line(
            refused_cost,
            description="Taxi",
            category="Travel",
            day=date(2026, 10, 29),
            amount=Decimal("30.00"),
            status="rejected",
            state="Not approved",
            tone="red",
            expected=None,
            paid_on=None,
            note="No receipt.",
            payable=True,
            method_label="Bank transfer",
        ),
        line(
            batched,
            description="Writing the briefing",
            category="Writing",
            day=date(2026, 10, 20),
            amount=Decimal("200.00"),
            status="batched",
            state="Being paid",
            tone="",
            expected=NEXT_BATCH,
            **common,
        ),
        line(
            paid_cost,
            description="Train to the workshop",
            category="Travel",
            day=date(2026, 9, 2),
            amount=Decimal("12.50"),
            status="paid",
            state="Paid",
            tone="green",
            expected=None,
            paid_on=date(2026, 9, 16),
            note="",
            payable=True,
            method_label="Bank transfer",
        ),
        line(
            paid,
            description="Panel in September",
            category="Panel session",
            day=date(2026, 9, 1),
            amount=Decimal("300.00"),
            status="paid",
            state="Paid",
            tone="green",
            expected=None,
            paid_on=date(2026, 9, 15),
            note="",
            payable=True,
            method_label="Bank transfer",
        ),
        line(
            rejected,
            description="Session twice",
            category="Panel session",
            day=date(2026, 8, 1),
            amount=Decimal("40.00"),
            status="rejected",
            state="Not approved",
            tone="red",
            expected=None,
            paid_on=None,
            note="This session is already paid.",
            payable=True,
            method_label="Bank transfer",
        ),
        line(
            cancelled,
            description="Session moved",
            category="Panel session",
            day=date(2026, 7, 1),
            amount=Decimal("45.00"),
            status="cancelled",
            state="Cancelled",
            tone="grey",
            expected=None,
            **common,
        ),
        line(
            last_year,
            description="Panel last year",
            category="Panel session",
            day=date(2026, 3, 20),
            amount=Decimal("80.00"),
            status="paid",
            state="Paid",
            tone="green",
            expected=None,
            paid_on=date(2026, 4, 5),
            note="",
            payable=True,
            method_label="Bank transfer",
        ),
        line(
            safe,
            description="Session paid as expenses only",
            category="Panel session",
            day=date(2026, 3, 1),
            amount=Decimal("60.00"),
            status="pending",
            state="Recorded, not paid",
            tone="grey",
            expected=None,
            paid_on=None,
            note=grey_note,
            payable=False,
            method_label="Expenses only",
        ),
    ]
    assert overview["tax_year"] == TaxYear(2026)
    assert overview["totals"] == {
        "work_paid": Decimal("300.00"),
        "expenses_paid": Decimal("12.50"),
        "on_its_way": Decimal("320.00"),
        "waiting": Decimal("125.00"),
    }
    assert overview["work_total"] == Decimal("600.00")
    assert overview["threshold_crossed"] is False
    assert overview["threshold"] == Decimal("1000.00")
    assert overview["unpaid_work"] == 1


def test_work_expected_after_the_tax_year_ends_is_not_counted_in_it(db, settings):
    settings.PAYMENTS_TRADING_ALLOWANCE = Decimal("500.00")
    person = expert()
    honorarium(person, "Panel in March", "400.00", "approved", work_date=date(2027, 3, 10))
    honorarium(person, "Panel in January", "450.00", "paid", paid_at=at(date(2027, 1, 20)))

    late = payments_overview_for(payee=person.user, today=date(2027, 3, 20))  # paid 15 April
    early = payments_overview_for(payee=person.user, today=date(2027, 3, 10))  # paid 15 March

    assert (late["totals"]["on_its_way"], late["work_total"], late["threshold_crossed"]) == (
        Decimal("400.00"),
        Decimal("450.00"),
        False,
    )
    assert (early["work_total"], early["threshold_crossed"], early["threshold"]) == (
        Decimal("850.00"),
        True,
        Decimal("500.00"),
    )


def test_a_statement_holds_what_was_paid_from_the_first_to_the_last_moment_of_the_year(db):
    person = expert()
    other = expert()
    year = TaxYear(2026)
    honorarium(person, "Just before", "11.00", "paid", paid_at=at(date(2026, 4, 5), 23, 59))
    first = honorarium(person, "First moment", "20.00", "paid", paid_at=at(date(2026, 4, 6), 0))
    cost = expense(person, "Bus", "7.50", "paid", paid_at=at(date(2026, 4, 6), 9))
    late_cost = expense(person, "Late train", "5.25", "paid", paid_at=at(date(2027, 4, 5), 23, 59))
    last = honorarium(person, "Last day", "30.00", "paid", paid_at=at(date(2027, 4, 5), 8))
    honorarium(person, "Just after", "13.00", "paid", paid_at=at(date(2027, 4, 6), 0))
    expense(person, "Next year", "3.00", "paid", paid_at=at(date(2027, 4, 6), 0, 1))
    honorarium(person, "Still waiting", "17.00", "batched")
    honorarium(other, "Somebody else", "19.00", "paid", paid_at=at(date(2026, 6, 1)))

    statement = payment_statement_for(payee=person.user, year=year)

    assert [(row.kind, row.pk, row.paid_on, row.state) for row in statement["lines"]] == [
        ("expense", cost.pk, date(2026, 4, 6), "Paid"),
        ("honorarium", first.pk, date(2026, 4, 6), "Paid"),
        ("expense", late_cost.pk, date(2027, 4, 5), "Paid"),
        ("honorarium", last.pk, date(2027, 4, 5), "Paid"),
    ]
    assert statement["tax_year"] == year
    assert (statement["work_total"], statement["expenses_total"], statement["total"]) == (
        Decimal("50.00"),
        Decimal("12.75"),
        Decimal("62.75"),
    )
