"""Payment batches: Finance builds them from approved payable items, exports them as CSV and
marks them paid, once; nobody pays what they approved; each expert gets a remittance email."""

import csv
import io
from decimal import Decimal

import pytest
from django.core import mail

from core.models import AuditEvent
from core.transitions import TransitionNotAllowed
from engagement.models import SensitiveAccess
from payments.models import Expense, Honorarium, LedgerEntry, PaymentBatch
from payments.services.batches import batch_create, batch_export_csv, batch_mark_paid
from payments.services.expenses import expense_approve
from payments.services.honoraria import honorarium_approve
from tests.factories import coordinator, expert, finance
from tests.payments.core_helpers import expense_for, honorarium_for, rate_card


@pytest.fixture(autouse=True)
def receipts_root(settings, tmp_path):
    settings.PAYMENTS_RECEIPTS_ROOT = tmp_path / "receipts"


@pytest.fixture
def lead(db):
    return coordinator()


@pytest.fixture
def payer(db):
    return finance()


def approved_honorarium(person, lead, **kwargs):
    item = honorarium_for(person, **kwargs)
    return honorarium_approve(honorarium_id=item.pk, by=lead)


def approved_expense(person, lead, **kwargs):
    claim = expense_for(person, **kwargs)
    return expense_approve(expense_id=claim.pk, by=lead)


@pytest.fixture
def items(db, lead):
    rate_card()
    bank = expert()
    voucher = expert(payment_method="voucher")
    return {
        "bank": approved_honorarium(bank, lead, hours="1.5", preparation="0.5"),  # 47.50
        "voucher": approved_honorarium(voucher, lead, hours="1", preparation="0"),  # 25.00
        "expense": approved_expense(voucher, lead, amount="12.35"),
        "bank_expense": approved_expense(bank, lead, amount="4.10"),
        "people": (bank, voucher),
    }


def build(payer, items):
    return batch_create(
        by=payer,
        honorarium_ids=[items["bank"].pk, items["voucher"].pk],
        expense_ids=[items["expense"].pk, items["bank_expense"].pk],
    )


def test_a_batch_takes_approved_items_and_totals_them(payer, items):
    batch = build(payer, items)

    assert batch.total == Decimal("88.95")
    assert batch.reference.startswith("PB-") and batch.reference.endswith(f"-{batch.pk:04d}")
    assert set(Honorarium.objects.values_list("status", "batch")) == {("batched", batch.pk)}
    assert set(Expense.objects.values_list("status", "batch")) == {("batched", batch.pk)}
    assert LedgerEntry.objects.filter(action="batch", batch=batch).count() == 4


def test_a_batch_is_all_or_nothing(payer, items, lead):
    pending = honorarium_for(items["people"][0], source_id=99)

    with pytest.raises(TransitionNotAllowed, match=f"H-{pending.pk}"):
        batch_create(by=payer, honorarium_ids=[items["bank"].pk, pending.pk])

    assert not PaymentBatch.objects.exists()
    assert Honorarium.objects.get(pk=items["bank"].pk).status == "approved"
    assert not LedgerEntry.objects.filter(action="batch").exists()


def test_what_is_not_payable_never_joins_a_batch(payer, lead):
    rate_card()
    declined = approved_honorarium(expert(payment_method="declined"), lead)

    with pytest.raises(TransitionNotAllowed, match="recorded but not paid"):
        batch_create(by=payer, honorarium_ids=[declined.pk])

    assert not PaymentBatch.objects.exists()


def test_an_item_joins_one_batch_only(payer, items):
    build(payer, items)

    with pytest.raises(TransitionNotAllowed):
        batch_create(by=payer, honorarium_ids=[items["bank"].pk])

    assert PaymentBatch.objects.count() == 1


def test_coordinators_cannot_batch_or_pay(payer, items, lead):
    with pytest.raises(TransitionNotAllowed, match="Only Finance"):
        batch_create(by=lead, honorarium_ids=[items["bank"].pk])
    batch = build(payer, items)
    for action in (batch_mark_paid, batch_export_csv):
        with pytest.raises(TransitionNotAllowed, match="Only Finance"):
            action(batch_id=batch.pk, by=lead)
    assert PaymentBatch.objects.get().status == "open"


def test_marking_paid_pays_every_item_once_and_emails_each_expert(
    payer, items, django_capture_on_commit_callbacks
):
    batch = build(payer, items)

    with django_capture_on_commit_callbacks(execute=True):
        paid, changed = batch_mark_paid(batch_id=batch.pk, by=payer)
    with django_capture_on_commit_callbacks(execute=True):
        again, changed_again = batch_mark_paid(batch_id=batch.pk, by=payer)

    assert (changed, changed_again) == (True, False)
    assert (paid.status, paid.paid_by, again.paid_at) == ("paid", payer, paid.paid_at)
    for model in (Honorarium, Expense):
        assert set(model.objects.values_list("status", "paid_by")) == {("paid", payer.pk)}
        assert all(model.objects.values_list("paid_at", flat=True))
    assert LedgerEntry.objects.filter(action="pay").count() == 4
    assert AuditEvent.objects.filter(action="paymentbatch.pay").count() == 1
    bank, voucher = items["people"]
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == sorted(
        [
            (bank.user.email, "Tandem: We have paid you £51.60"),
            (voucher.user.email, "Tandem: We have paid you £37.35"),
        ]
    )
    body = next(m.body for m in mail.outbox if m.to == [voucher.user.email])
    assert "Housing panel session: £25.00 (Shopping voucher)" in body
    assert "Bus to the session: £12.35 (Bank transfer)" in body
    assert batch.reference in body
    assert "Legal Name" not in body


def test_the_approver_cannot_pay_even_holding_both_roles(items, lead):
    from django.contrib.auth.models import Group

    from accounts.roles import Role

    lead.groups.add(Group.objects.get(name=Role.FINANCE))
    lead = type(lead).objects.get(pk=lead.pk)
    batch = build(lead, items)

    with pytest.raises(TransitionNotAllowed, match="You approved 4 item"):
        batch_mark_paid(batch_id=batch.pk, by=lead)

    assert PaymentBatch.objects.get().status == "open"
    assert not Honorarium.objects.filter(status="paid").exists()
    assert paid_by_someone_else(batch)


def paid_by_someone_else(batch):
    return batch_mark_paid(batch_id=batch.pk, by=finance())[1]


def test_the_csv_parses_sums_to_the_total_and_names_only_bank_transfers(payer, items):
    batch = build(payer, items)
    bank, voucher = items["people"]

    rows = list(csv.reader(io.StringIO(batch_export_csv(batch_id=batch.pk, by=payer))))

    assert rows[0] == ["batch", "payee_reference", "legal_name", "method", "amount", "items"]
    body = sorted(rows[1:], key=lambda row: (row[1], row[3]))
    expected = sorted(
        [
            [
                batch.reference,
                bank.reference,
                bank.legal_name,
                "bank_transfer",
                "51.60",
                f"E-{items['bank_expense'].pk} H-{items['bank'].pk}",
            ],
            [
                batch.reference,
                voucher.reference,
                "",
                "bank_transfer",
                "12.35",
                f"E-{items['expense'].pk}",
            ],
            [
                batch.reference,
                voucher.reference,
                "",
                "voucher",
                "25.00",
                f"H-{items['voucher'].pk}",
            ],
        ],
        key=lambda row: (row[1], row[3]),
    )
    # The voucher expert's expense goes by bank transfer: their name is given for it.
    expected[[row[1:4:2] for row in expected].index([voucher.reference, "bank_transfer"])][2] = (
        voucher.legal_name
    )
    assert body == expected
    assert sum(Decimal(row[4]) for row in rows[1:]) == batch.total
    names_in = [row for row in rows[1:] if row[2]]
    assert all(row[3] == "bank_transfer" for row in names_in)
    assert SensitiveAccess.objects.filter(accessor=payer, field="legal_name").count() == 2


def test_a_legal_name_that_looks_like_a_formula_is_defused(payer, lead):
    rate_card()
    person = expert(legal_name='=HYPERLINK("x")')
    item = approved_honorarium(person, lead)
    batch = batch_create(by=payer, honorarium_ids=[item.pk])

    rows = list(csv.reader(io.StringIO(batch_export_csv(batch_id=batch.pk, by=payer))))

    assert rows[1][2] == '\'=HYPERLINK("x")'


def test_erasing_an_account_keeps_the_payment_records_and_their_ledger(payer, items):
    from engagement.services.privacy import account_erase

    batch = build(payer, items)
    batch_mark_paid(batch_id=batch.pk, by=payer)
    bank, _voucher = items["people"]

    account_erase(user=bank.user)

    kept = Honorarium.objects.get(pk=items["bank"].pk)
    assert (kept.payee, kept.payee_reference, kept.status) == (None, bank.reference, "paid")
    assert Expense.objects.get(pk=items["bank_expense"].pk).payee is None
    assert list(kept.ledger.values_list("action", flat=True)) == [
        "create",
        "approve",
        "batch",
        "pay",
    ]
