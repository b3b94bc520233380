"""Building blocks for the payments core tests: rate cards, honoraria and expenses made
through the services, and receipts of each kind."""

from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from payments.models import Honorarium, RateCard
from payments.services.expenses import expense_submit
from payments.services.honoraria import honorarium_create_for_work

PDF = b"%PDF-1.4\n% a receipt\n"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def rate_card(effective_from=date(2026, 4, 1), **rates) -> RateCard:
    values = {
        "session_hourly": Decimal("25.00"),
        "preparation_hourly": Decimal("20.00"),
        "review_fee": Decimal("40.00"),
        "writing_hourly": Decimal("30.00"),
        "day_rate": Decimal("180.00"),
        "mileage_per_mile": Decimal("0.45"),
        "expenses_notes": "Travel, childcare and data, with a receipt.",
    }
    values.update({name: Decimal(value) for name, value in rates.items()})
    return RateCard.objects.create(effective_from=effective_from, **values)


def honorarium_for(
    person,
    *,
    source_id=1,
    work_date=date(2026, 6, 1),
    hours="2",
    preparation="1",
    source_type=Honorarium.Source.ATTENDANCE,
    method=None,
    right_to_work="yes",
) -> Honorarium:
    item, _created = honorarium_create_for_work(
        source_type=source_type,
        source_id=source_id,
        payee=person.user,
        payee_reference=person.reference,
        work_date=work_date,
        description="Housing panel session",
        quantity=Decimal(hours),
        preparation_hours=Decimal(preparation),
        method=method or person.payment_method,
        right_to_work=right_to_work,
    )
    return item


def receipt(content=PDF, name="my-receipt-Jane-Doe.pdf", content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def expense_for(person, *, amount="12.50", content=PDF, incurred_on=date(2026, 6, 2), **fields):
    values = {
        "payee": person.user,
        "payee_reference": person.reference,
        "category": "travel",
        "description": "Bus to the session",
        "incurred_on": incurred_on,
        "amount": amount,
        "receipt": receipt(content),
    }
    values.update(fields)
    return expense_submit(**values)
