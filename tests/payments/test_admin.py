"""Finance's screens: money as £1,234.50, UK dates, never "None", and a dashboard of what
is waiting."""

import re
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from payments.models import Honorarium
from tests.factories import coordinator, expert, finance


def honorarium(person, amount="75.00", status="pending", days_ago=0, **fields):
    item = Honorarium.objects.create(
        payee=person.user,
        payee_reference=person.reference,
        description="Panel session",
        amount=Decimal(amount),
        method="bank_transfer",
        status=status,
        **fields,
    )
    Honorarium.objects.filter(pk=item.pk).update(
        created_at=timezone.now() - timedelta(days=days_ago)
    )
    return item


def test_amounts_show_as_pounds_and_pence(client, db):
    person = expert()
    honorarium(person, "1234.5")
    client.force_login(finance())

    page = client.get("/admin/honoraria/").content.decode()

    assert "£1,234.50" in page
    assert "1234.50" not in page


def test_the_record_never_prints_none(client, db):
    item = honorarium(expert(), "75")
    client.force_login(finance())

    page = client.get(f"/admin/honoraria/inspect/{item.pk}/").content.decode()

    assert "£75.00" in page
    assert re.search(r">\s*None\s*<", page) is None
    assert timezone.localdate().strftime("%-d %b %Y") in page


def test_finance_sees_what_waits_at_each_step_with_its_age(client, db):
    person = expert()
    honorarium(person, status="pending", days_ago=9)
    honorarium(person, status="pending", days_ago=2)
    honorarium(person, status="approved", days_ago=4)
    honorarium(person, status="paid", paid_at=timezone.now())
    client.force_login(finance())

    page = client.get("/admin/").content.decode()

    assert "2 honoraria waiting for approval" in page
    assert "the oldest for 9 days" in page
    assert "1 approved, ready for a payment batch" in page
    assert "0 in batches, waiting to be paid" in page
    assert 'href="/admin/honoraria/?status=pending"' in page
    client.force_login(coordinator())
    assert "Payments waiting" not in client.get("/admin/").content.decode()
