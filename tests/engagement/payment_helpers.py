"""Honoraria, expenses and receipt files for the tests of the expert's payment pages."""

from datetime import date, datetime
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from engagement.seed import demo_receipt_png
from payments.models import Expense, Honorarium

PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def upload(name="bus-ticket.png", content=None, content_type="image/png") -> SimpleUploadedFile:
    content = demo_receipt_png() if content is None else content
    return SimpleUploadedFile(name, content, content_type)


def at(day: date) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, 12, 0))


def honorarium(person, amount="75.00", *, status="pending", work_date=None, **fields):
    if status == "paid" and "paid_at" not in fields:
        fields["paid_at"] = timezone.now()
    return Honorarium.objects.create(
        payee=person.user,
        payee_reference=person.reference,
        description=fields.pop("description", "Panel session"),
        amount=Decimal(amount),
        method=fields.pop("method", "bank_transfer"),
        status=status,
        work_date=work_date or timezone.localdate(),
        **fields,
    )


def expense(person, amount="12.50", *, status="pending", incurred_on=None, **fields):
    if status == "paid" and "paid_at" not in fields:
        fields["paid_at"] = timezone.now()
    item = Expense(
        payee=person.user,
        payee_reference=person.reference,
        category=fields.pop("category", "travel"),
        description=fields.pop("description", "Bus fare to the panel"),
        incurred_on=incurred_on or timezone.localdate(),
        amount=Decimal(amount),
        status=status,
        receipt_content_type="image/png",
        **fields,
    )
    item.receipt.save("receipt", ContentFile(demo_receipt_png()), save=False)
    item.save()
    return item
