"""Payment batch guards: the exact words Finance sees when a batch is refused, batches of
expenses alone, who built a batch, the export's audit event and its query count, an erased
bank-transfer payee in the export, and remittance emails (only to active experts, in a fixed
order, listing items in the order they were paid)."""

import csv
import io
from decimal import Decimal

import pytest
from django.core import mail

from core.models import AuditEvent
from core.transitions import TransitionNotAllowed
from engagement.services.privacy import account_erase
from payments.models import Expense, PaymentBatch
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
    kwargs.setdefault("preparation", "0")
    item = honorarium_for(person, **kwargs)
    return honorarium_approve(honorarium_id=item.pk, by=lead)


def approved_expense(person, lead, **kwargs):
    return expense_approve(expense_id=expense_for(person, **kwargs).pk, by=lead)


def refusal(call, **kwargs) -> str:
    with pytest.raises(TransitionNotAllowed) as refused:
        call(**kwargs)
    return str(refused.value)


def export_rows(batch, by):
    return list(csv.reader(io.StringIO(batch_export_csv(batch_id=batch.pk, by=by))))


def test_only_finance_is_told_in_plain_words(lead, payer):
    rate_card()
    item = approved_honorarium(expert(), lead)
    batch = batch_create(by=payer, honorarium_ids=[item.pk])
    words = "Only Finance builds, exports and pays payment batches."

    assert refusal(batch_create, by=lead, honorarium_ids=[item.pk]) == words
    assert refusal(batch_create, by=None, honorarium_ids=[item.pk]) == words
    assert refusal(batch_mark_paid, batch_id=batch.pk, by=None) == words
    assert refusal(batch_export_csv, batch_id=batch.pk, by=lead) == words


def test_a_batch_needs_at_least_one_item_that_still_exists(payer, lead):
    rate_card()
    item = approved_honorarium(expert(), lead)

    assert refusal(batch_create, by=payer) == "Choose at least one approved item."
    assert (
        refusal(batch_create, by=payer, honorarium_ids=[item.pk], expense_ids=[item.pk + 1000])
        == "Some of the chosen items no longer exist."
    )
    assert not PaymentBatch.objects.exists()


def test_a_honorarium_not_to_be_paid_is_named_with_its_reason(payer, lead):
    rate_card()
    declined = approved_honorarium(expert(payment_method="declined"), lead)

    assert refusal(batch_create, by=payer, honorarium_ids=[declined.pk]) == (
        f"H-{declined.pk}: H-{declined.pk} is recorded but not paid "
        "(You chose not to be paid for your time)."
    )


def test_a_batch_of_expenses_alone_records_who_built_it(payer, lead):
    person = expert()
    first = approved_expense(person, lead, amount="3.10")
    second = approved_expense(person, lead, amount="4.25")

    batch = batch_create(by=payer, expense_ids=[str(second.pk), first.pk])

    stored = PaymentBatch.objects.get(pk=batch.pk)
    assert (stored.total, stored.created_by, stored.status) == (Decimal("7.35"), payer, "open")
    assert set(Expense.objects.values_list("status", "batch")) == {("batched", batch.pk)}


def test_exporting_is_audited_with_the_rows_written(payer, lead):
    rate_card()
    bank, voucher = expert(), expert(payment_method="voucher")
    batch = batch_create(
        by=payer,
        honorarium_ids=[approved_honorarium(bank, lead).pk, approved_honorarium(voucher, lead).pk],
        expense_ids=[approved_expense(voucher, lead).pk],
    )

    rows = export_rows(batch, payer)

    event = AuditEvent.objects.get(action="paymentbatch.export")
    assert (event.actor, event.subject, event.extra) == (payer, batch, {"rows": 3})
    assert len(rows) == 4


def test_an_erased_bank_transfer_payee_is_exported_without_a_name(payer, lead):
    rate_card()
    person = expert()
    item = approved_honorarium(person, lead)
    batch = batch_create(by=payer, honorarium_ids=[item.pk])
    account_erase(user=person.user)

    rows = export_rows(batch, payer)

    assert rows[1] == [
        batch.reference,
        person.reference,
        "",
        "bank_transfer",
        "50.00",
        f"H-{item.pk}",
    ]


# One expert paid, then three (each an honorarium and an expense by bank transfer): the export
# logs each legal name it hands out; paying moves, ledgers and audits every item and emails
# each expert. Neither loads an item's payee or fields one at a time.
EXPORT_QUERIES = (8, 12)
PAY_QUERIES = (27, 63)


def batch_of(count, payer, lead):
    """A batch paying `count` experts one honorarium and one expense each by bank transfer."""
    honoraria, expenses = [], []
    for _ in range(count):
        person = expert()
        honoraria.append(approved_honorarium(person, lead).pk)
        expenses.append(approved_expense(person, lead).pk)
    return batch_create(by=payer, honorarium_ids=honoraria, expense_ids=expenses)


def test_the_export_reads_a_pinned_number_of_queries(payer, lead, django_assert_num_queries):
    rate_card()
    warm, small, large = (batch_of(n, payer, lead) for n in (1, 1, 3))
    # The first export in a process also fills per-process caches (content types): not counted.
    batch_export_csv(batch_id=warm.pk, by=payer)

    for batch, queries in ((small, EXPORT_QUERIES[0]), (large, EXPORT_QUERIES[1])):
        with django_assert_num_queries(queries):
            batch_export_csv(batch_id=batch.pk, by=payer)


def test_marking_paid_reads_a_pinned_number_of_queries(payer, lead, django_assert_num_queries):
    rate_card()
    warm, small, large = (batch_of(n, payer, lead) for n in (1, 1, 3))
    # The first payment in a process also fills per-process caches (content types): not counted.
    batch_mark_paid(batch_id=warm.pk, by=payer)

    for batch, queries in ((small, PAY_QUERIES[0]), (large, PAY_QUERIES[1])):
        with django_assert_num_queries(queries):
            batch_mark_paid(batch_id=batch.pk, by=payer)


def test_remittances_go_to_active_experts_only_in_a_fixed_order(
    payer, lead, django_capture_on_commit_callbacks
):
    rate_card()
    first, second, away, erased = expert(), expert(), expert(), expert()
    items = {
        "first": approved_expense(first, lead, amount="5.00"),
        "second": approved_honorarium(second, lead),
        "away": approved_honorarium(away, lead),
        "erased": approved_honorarium(erased, lead),
    }
    batch = batch_create(
        by=payer,
        honorarium_ids=[items[name].pk for name in ("second", "away", "erased")],
        expense_ids=[items["first"].pk],
    )
    away.user.is_active = False
    away.user.save(update_fields=["is_active"])
    account_erase(user=erased.user)

    with django_capture_on_commit_callbacks(execute=True):
        _paid, changed = batch_mark_paid(batch_id=batch.pk, by=payer)

    assert changed is True
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([first.user.email], "Tandem: We have paid you £5.00"),
        ([second.user.email], "Tandem: We have paid you £50.00"),
    ]


def test_a_remittance_lists_items_in_the_order_they_were_paid(
    payer, lead, django_capture_on_commit_callbacks
):
    rate_card()
    person = expert()
    one = approved_honorarium(person, lead, source_id=1, hours="1")
    two = approved_honorarium(person, lead, source_id=2, hours="2")
    claim = approved_expense(person, lead, amount="3.00")
    batch = batch_create(by=payer, honorarium_ids=[two.pk, one.pk], expense_ids=[claim.pk])

    with django_capture_on_commit_callbacks(execute=True):
        batch_mark_paid(batch_id=batch.pk, by=payer)

    (message,) = mail.outbox
    listed = [line for line in message.body.splitlines() if line.startswith("- ")]
    assert listed == [
        "- Housing panel session: £25.00 (Bank transfer)",
        "- Housing panel session: £50.00 (Bank transfer)",
        "- Bus to the session: £3.00 (Bank transfer)",
    ]
    assert message.subject == "Tandem: We have paid you £78.00"


def test_finance_who_approved_items_is_told_to_ask_someone_else(payer, lead):
    from django.contrib.auth.models import Group

    from accounts.roles import Role

    rate_card()
    lead.groups.add(Group.objects.get(name=Role.FINANCE))
    lead = type(lead).objects.get(pk=lead.pk)
    person = expert()
    batch = batch_create(
        by=payer,
        honorarium_ids=[approved_honorarium(person, lead).pk],
        expense_ids=[approved_expense(person, lead).pk],
    )

    assert refusal(batch_mark_paid, batch_id=batch.pk, by=lead) == (
        "You approved 2 item(s) in this batch, so someone else in Finance must mark it paid."
    )
    assert PaymentBatch.objects.get(pk=batch.pk).status == "open"
