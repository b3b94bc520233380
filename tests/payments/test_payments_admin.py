"""Staff screens: the coordinators' approval queue (filters, ageing, approve and reject as
POST actions through the services), receipts behind a permission check, Finance's batches
(build, export, mark paid), and the dashboards."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.models import AuditEvent
from payments.models import Expense, Honorarium, PaymentBatch, RateCard
from payments.services.batches import batch_create, batch_mark_paid
from payments.services.expenses import expense_approve
from payments.services.honoraria import honorarium_approve
from tests.factories import coordinator, expert, finance
from tests.helpers import assert_query_count_constant
from tests.payments.core_helpers import PNG, expense_for, honorarium_for, rate_card

QUEUE = "/admin/payments/approvals/"
BATCHES = "/admin/payments/batches/"


@pytest.fixture(autouse=True)
def receipts_root(settings, tmp_path):
    settings.PAYMENTS_RECEIPTS_ROOT = tmp_path / "receipts"


@pytest.fixture
def lead(client, db):
    user = coordinator()
    client.force_login(user)
    return user


@pytest.fixture
def card(db):
    return rate_card(timezone.localdate() - timedelta(days=400))


def test_the_queue_lists_pending_work_oldest_first_with_its_age(client, lead, card):
    person = expert()
    today = timezone.localdate()
    old = honorarium_for(person, source_id=1, work_date=today - timedelta(days=12))
    new = honorarium_for(person, source_id=2, work_date=today - timedelta(days=2))
    claim = expense_for(person, incurred_on=today - timedelta(days=5), amount="1234.5")

    page = client.get(QUEUE).content.decode()

    assert page.index(f"H-{old.pk}") < page.index(f"E-{claim.pk}") < page.index(f"H-{new.pk}")
    assert "£1,234.50" in page and "£70.00" in page
    assert "<td>12</td>" in page and "<td>5</td>" in page
    assert f'href="/admin/payments/expenses/{claim.pk}/receipt/"' in page
    assert person.legal_name not in page


def test_the_queue_filters_by_kind_source_state_and_age(client, lead, card):
    person = expert()
    today = timezone.localdate()
    old = honorarium_for(person, source_id=1, work_date=today - timedelta(days=40))
    review = honorarium_for(person, source_id=2, source_type="review", work_date=today)
    claim = expense_for(person, incurred_on=today)
    approved = honorarium_approve(
        honorarium_id=honorarium_for(person, source_id=3, work_date=today).pk, by=coordinator()
    )

    def shown(query):
        page = client.get(QUEUE + query).content.decode()
        refs = {f"H-{old.pk}", f"H-{review.pk}", f"E-{claim.pk}", f"H-{approved.pk}"}
        return {ref for ref in refs if f"{ref}<br>" in page}

    assert shown("") == {f"H-{old.pk}", f"H-{review.pk}", f"E-{claim.pk}"}
    assert shown("?kind=expense") == {f"E-{claim.pk}"}
    assert shown("?source=review") == {f"H-{review.pk}"}
    assert shown("?source=expense") == {f"E-{claim.pk}"}
    assert shown("?age=30") == {f"H-{old.pk}"}
    assert shown("?status=approved") == {f"H-{approved.pk}"}
    # Nonsense falls back to the default view rather than failing.
    assert shown("?status=nonsense&age=x") == {f"H-{old.pk}", f"H-{review.pk}", f"E-{claim.pk}"}


def test_approving_and_rejecting_are_posts_through_the_services(client, lead, card):
    person = expert()
    item = honorarium_for(person)
    claim = expense_for(person)

    approve = client.post(
        QUEUE + "?kind=", {"kind": "honorarium", "item": item.pk, "action": "approve"}
    )
    no_reason = client.post(QUEUE, {"kind": "expense", "item": claim.pk, "action": "reject"})
    reject = client.post(
        QUEUE, {"kind": "expense", "item": claim.pk, "action": "reject", "reason": "No date"}
    )

    assert (approve.status_code, approve.url) == (302, QUEUE + "?kind=")
    assert no_reason.status_code == reject.status_code == 302
    item.refresh_from_db()
    claim.refresh_from_db()
    assert (item.status, item.approved_by) == ("approved", lead)
    assert (claim.status, claim.rejection_reason) == ("rejected", "No date")
    assert [row[0] for row in item.ledger.values_list("action")] == ["create", "approve"]
    assert [row[0] for row in claim.ledger.values_list("action")] == ["create", "reject"]


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"kind": "honorarium", "item": "x", "action": "approve"},
        {"kind": "honorarium", "item": "999999", "action": "approve"},
        {"kind": "batch", "item": "1", "action": "approve"},
        {"kind": "honorarium", "item": "1", "action": "pay"},
    ],
)
def test_bad_posts_change_nothing_and_never_fail(client, lead, card, data):
    honorarium_for(expert())

    response = client.post(QUEUE, data)

    assert response.status_code == 302
    assert set(Honorarium.objects.values_list("status", flat=True)) == {"pending"}


def test_finance_cannot_use_the_approval_queue(client, card):
    item = honorarium_for(expert())
    client.force_login(finance())

    response = client.post(QUEUE, {"kind": "honorarium", "item": item.pk, "action": "approve"})

    assert response.status_code == 302
    assert Honorarium.objects.get().status == "pending"


def test_a_receipt_is_served_only_after_the_check(client, db):
    person = expert()
    claim = expense_for(person, content=PNG)
    url = f"/admin/payments/expenses/{claim.pk}/receipt/"

    client.force_login(coordinator())
    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Security-Policy"] == "sandbox"
    assert f'filename="receipt-E-{claim.pk}.png"' in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PNG
    assert AuditEvent.objects.filter(action="expense.receipt_view").count() == 1
    client.force_login(person.user)
    assert client.get(url).status_code == 403
    client.force_login(coordinator())
    assert client.get("/admin/payments/expenses/999999/receipt/").status_code == 404


@pytest.fixture
def approved(db, card):
    lead = coordinator()
    people = [expert(), expert(payment_method="voucher")]
    honoraria = [
        honorarium_approve(honorarium_id=honorarium_for(p, source_id=1).pk, by=lead) for p in people
    ]
    claim = expense_approve(expense_id=expense_for(people[0], amount="9.99").pk, by=lead)
    return honoraria, claim


def test_finance_builds_exports_and_pays_a_batch(
    client, approved, django_capture_on_commit_callbacks
):
    honoraria, claim = approved
    payer = finance()
    client.force_login(payer)

    listing = client.get(BATCHES).content.decode()
    built = client.post(BATCHES, {"honoraria": [h.pk for h in honoraria], "expenses": [claim.pk]})
    batch = PaymentBatch.objects.get()
    detail = client.get(f"{BATCHES}{batch.pk}/").content.decode()
    export = client.get(f"{BATCHES}{batch.pk}/export/")
    with django_capture_on_commit_callbacks(execute=True):
        paid = client.post(f"{BATCHES}{batch.pk}/")
    again = client.post(f"{BATCHES}{batch.pk}/")

    assert f'value="{claim.pk}"' in listing and "£9.99" in listing
    assert (built.status_code, built.url) == (302, f"{BATCHES}{batch.pk}/")
    assert batch.total == Decimal("149.99")
    assert "£149.99" in detail and "Mark the batch paid" in detail
    assert export["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="{batch.reference}.csv"' in export["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    assert sum(Decimal(row[4]) for row in rows[1:]) == Decimal("149.99")
    assert paid.status_code == again.status_code == 302
    assert set(Honorarium.objects.values_list("status", flat=True)) == {"paid"}
    assert Expense.objects.get().status == "paid"
    assert "Mark the batch paid" not in client.get(f"{BATCHES}{batch.pk}/").content.decode()


def test_building_nothing_or_nonsense_changes_nothing(client, approved):
    client.force_login(finance())

    for data in ({}, {"honoraria": ["x"]}, {"expenses": ["999999"]}):
        assert client.post(BATCHES, data).status_code == 302

    assert not PaymentBatch.objects.exists()


def test_coordinators_cannot_see_build_export_or_pay_batches(client, approved):
    honoraria, _claim = approved
    batch = batch_create(by=finance(), honorarium_ids=[honoraria[0].pk])
    client.force_login(coordinator())

    for url in (BATCHES, f"{BATCHES}{batch.pk}/", f"{BATCHES}{batch.pk}/export/"):
        assert client.get(url).status_code == 302
    client.post(f"{BATCHES}{batch.pk}/")
    client.post(BATCHES, {"honoraria": [honoraria[1].pk]})

    assert PaymentBatch.objects.get().status == "open"
    assert PaymentBatch.objects.count() == 1


def test_finance_dashboard_shows_expenses_and_batches_to_pay(client, approved):
    honoraria, _claim = approved
    batch_create(by=finance(), honorarium_ids=[honoraria[0].pk])
    expense_for(expert())
    client.force_login(finance())

    page = client.get("/admin/").content.decode()

    assert "1 expense claim waiting for approval" in page
    assert "1 approved expense claim ready for a payment batch" in page
    assert "1 batch to pay, £70.00 in all" in page


def test_coordinators_see_what_waits_and_how_fast_experts_are_paid(client, lead, card):
    today = timezone.localdate()
    person = expert()
    approver, payer = coordinator(), finance()
    for source_id, days in ((1, 4), (2, 10), (3, 7)):
        item = honorarium_for(person, source_id=source_id, work_date=today - timedelta(days=days))
        honorarium_approve(honorarium_id=item.pk, by=approver)
        batch = batch_create(by=payer, honorarium_ids=[item.pk])
        batch_mark_paid(batch_id=batch.pk, by=payer)
    honorarium_for(person, source_id=9, work_date=today - timedelta(days=3))
    expense_for(person, incurred_on=today - timedelta(days=6))

    page = client.get("/admin/").content.decode()

    assert "1 honorarium to approve, 1 expense claim" in page
    assert "the oldest work was 6 days ago" in page
    assert "this month 7 (3 payments)" in page
    assert "Payments waiting" not in page


def test_the_queue_makes_the_same_queries_at_any_size(client, lead, card):
    people = [expert() for _ in range(3)]
    made = {"n": 0}

    def grow(n):
        for _ in range(n):
            made["n"] += 1
            person = people[made["n"] % 3]
            honorarium_for(person, source_id=made["n"])
            expense_for(person)

    # Two for the queue itself (honoraria, expenses); the rest is the admin's own.
    assert_query_count_constant(client, QUEUE, grow, max_queries=13)


def test_the_batches_page_makes_the_same_queries_at_any_size(client, card):
    lead, payer = coordinator(), finance()
    person = expert()
    made = {"n": 0}

    def grow(n):
        for _ in range(n):
            made["n"] += 1
            item = honorarium_for(person, source_id=made["n"])
            honorarium_approve(honorarium_id=item.pk, by=lead)
            if made["n"] % 2:
                batch_create(by=payer, honorarium_ids=[item.pk])
            claim = expense_for(person)
            expense_approve(expense_id=claim.pk, by=lead)

    client.force_login(payer)
    # Three for the page itself (batches, approved honoraria, approved expenses).
    assert_query_count_constant(client, BATCHES, grow, max_queries=14)


@pytest.mark.parametrize("role", ["finance", "coordinator"])
def test_the_dashboards_make_the_same_queries_at_any_size(client, card, role):
    lead, payer = coordinator(), finance()
    person = expert()
    made = {"n": 0}

    def grow(n):
        today = timezone.localdate()
        for _ in range(n):
            made["n"] += 1
            item = honorarium_for(
                person, source_id=made["n"], work_date=today - timedelta(days=made["n"] % 20)
            )
            honorarium_approve(honorarium_id=item.pk, by=lead)
            batch = batch_create(by=payer, honorarium_ids=[item.pk])
            if made["n"] % 2:
                batch_mark_paid(batch_id=batch.pk, by=payer)
            expense_for(person)

    client.force_login(payer if role == "finance" else coordinator())
    assert_query_count_constant(client, "/admin/", grow, sizes=(3, 12), max_queries=40)


def rate_card_form(**overrides):
    data = {
        "effective_from": "2027-04-01",
        "session_hourly": "27.50",
        "preparation_hourly": "22.00",
        "review_fee": "45.00",
        "writing_hourly": "32.00",
        "day_rate": "190.00",
        "mileage_per_mile": "0.45",
        "expenses_notes": "Receipts for everything.",
    }
    data.update(overrides)
    return data


def test_finance_adds_a_rate_card_and_bad_rates_change_nothing(client, db):
    payer = finance()
    client.force_login(payer)

    negative = client.post("/admin/rate-cards/new/", rate_card_form(session_hourly="-1"))
    added = client.post("/admin/rate-cards/new/", rate_card_form())
    same_day = client.post("/admin/rate-cards/new/", rate_card_form(review_fee="50.00"))

    assert negative.status_code == 200 and same_day.status_code == 200
    assert added.status_code == 302
    card = RateCard.objects.get()
    assert (card.session_hourly, card.review_fee, card.created_by) == (
        Decimal("27.50"),
        Decimal("45.00"),
        payer,
    )
    client.force_login(coordinator())
    refused = client.post("/admin/rate-cards/new/", rate_card_form(effective_from="2028-01-01"))
    assert refused.status_code == 302
    assert RateCard.objects.count() == 1


def test_finance_and_coordinators_look_up_expense_claims(client, db):
    import re

    claim = expense_for(expert(), amount="1234.5", description="Train to Cardiff")
    for user in (finance(), coordinator()):
        client.force_login(user)

        listing = client.get("/admin/expenses/").content.decode()
        record = client.get(f"/admin/expenses/inspect/{claim.pk}/").content.decode()

        assert "Train to Cardiff" in listing and "£1,234.50" in listing
        assert "£1,234.50" in record
        assert f'href="/admin/payments/expenses/{claim.pk}/receipt/"' in record
        assert claim.receipt.name not in record
        assert re.search(r">\s*None\s*<", record) is None


def test_the_expense_claims_list_makes_the_same_queries_at_any_size(client, db):
    person = expert()
    client.force_login(finance())

    def grow(n):
        for _ in range(n):
            expense_for(person)

    assert_query_count_constant(client, "/admin/expenses/", grow, max_queries=13)


def test_an_item_record_shows_its_ledger(client, card):
    lead, payer = coordinator(), finance()
    item = honorarium_for(expert())
    honorarium_approve(honorarium_id=item.pk, by=lead)
    client.force_login(payer)

    page = client.get(f"/admin/honoraria/inspect/{item.pk}/").content.decode()

    ledger = page[page.index('id="ledger-heading"') :]
    assert "Created" in ledger and "\u2013 → pending" in ledger and "Tandem" in ledger
    assert "Approved" in ledger and "pending → approved" in ledger
    assert lead.display_name in ledger and "£70.00" in ledger


def test_the_rate_cards_list_makes_the_same_queries_at_any_size(client, db):
    client.force_login(finance())
    made = {"n": 0}

    def grow(n):
        for _ in range(n):
            made["n"] += 1
            rate_card(timezone.localdate() - timedelta(days=made["n"]))

    assert_query_count_constant(client, "/admin/rate-cards/", grow, max_queries=13)
