"""The browser journey of tests/e2e/test_payments.py over HTTP (it runs where Chromium does
not): a claim travels from the expert's form through the approval queue and a paid batch
back to the expert's page."""

import csv
import io
import uuid
from decimal import Decimal

from django.utils import timezone

from payments.models import Expense, PaymentBatch
from tests.engagement.payment_helpers import upload
from tests.factories import coordinator, expert, finance


def test_a_claim_is_approved_batched_paid_and_seen_paid(client, db, settings, tmp_path):
    settings.PAYMENTS_RECEIPTS_ROOT = tmp_path
    sam, alex, jo = expert(), coordinator(), finance()
    today = timezone.localdate()
    client.force_login(sam.user)
    client.post(
        "/me/payments/expenses/new/",
        {
            "claim_key": str(uuid.uuid4()),
            "category": "travel",
            "description": "Bus fare to the panel meeting",
            "incurred_on_0": today.day,
            "incurred_on_1": today.month,
            "incurred_on_2": today.year,
            "amount": "12.50",
            "receipt": upload(),
        },
    )
    claim = Expense.objects.get()

    client.force_login(alex)
    queue = client.get("/admin/payments/approvals/").content.decode()
    assert f'Approve<span class="w-sr-only"> E-{claim.pk}</span>' in queue
    client.post(
        "/admin/payments/approvals/", {"kind": "expense", "item": claim.pk, "action": "approve"}
    )
    client.force_login(sam.user)
    assert "expected by" in client.get("/me/payments/").content.decode()

    client.force_login(jo)
    built = client.post("/admin/payments/batches/", {"expenses": [claim.pk]})
    batch = PaymentBatch.objects.get()
    assert built["Location"] == f"/admin/payments/batches/{batch.pk}/"
    exported = client.get(f"/admin/payments/batches/{batch.pk}/export/").content.decode()
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [(row["payee_reference"], row["items"], row["amount"]) for row in rows] == [
        (sam.reference, f"E-{claim.pk}", "12.50")
    ]
    client.post(f"/admin/payments/batches/{batch.pk}/")

    claim.refresh_from_db()
    assert claim.status == "paid"
    client.force_login(sam.user)
    page = client.get("/me/payments/").content.decode()
    assert f"on {today.strftime('%-d %B %Y')}" in page
    statement = client.get("/me/payments/statement.csv").content.decode()
    assert [row["Amount (GBP)"] for row in csv.DictReader(io.StringIO(statement))] == ["12.50"]
    assert batch.total == Decimal("12.50")
