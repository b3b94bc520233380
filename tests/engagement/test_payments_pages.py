"""/me/payments/: an expert's own honoraria and expenses, tax-year totals, statements, the
threshold notice, expense claims and private receipts."""

import csv
import io
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from payments.models import Expense, LedgerEntry
from payments.selectors.statements import next_batch_day, tax_year_of
from tests.engagement.payment_helpers import PDF_BYTES, at, expense, honorarium, upload
from tests.factories import expert


@pytest.fixture(autouse=True)
def receipts(settings, tmp_path):
    settings.PAYMENTS_RECEIPTS_ROOT = tmp_path / "receipts"
    return settings.PAYMENTS_RECEIPTS_ROOT


@pytest.fixture
def person(db):
    return expert()


@pytest.fixture
def signed_in(client, person):
    client.force_login(person.user)
    return client


def test_every_item_shows_its_status_in_words_its_amount_and_when_it_comes(signed_in, person):
    today = timezone.localdate()
    honorarium(person, "1234.5", status="approved", description="Writing the briefing")
    honorarium(person, "75.00", status="paid", description="First meeting", paid_at=at(today))
    honorarium(person, "60.00", status="rejected", rejection_reason="This session was cancelled.")
    expense(person, "12.50", description="Bus fare to the panel")

    page = signed_in.get("/me/payments/").content.decode()

    assert "Writing the briefing" in page
    assert "£1,234.50" in page
    expected = next_batch_day(today).strftime("%-d %B %Y")
    assert f"expected by {expected}" in page
    assert f"on {today.strftime('%-d %B %Y')}" in page
    assert "Not approved" in page
    assert "This session was cancelled." in page
    assert "Waiting for approval" in page
    assert "£12.50" in page
    assert "1234.50" not in page


def test_unpaid_work_is_explained_kindly(signed_in, person):
    honorarium(person, status="pending", payable=False, not_payable_reason="declined")
    honorarium(
        person, status="approved", payable=False, not_payable_reason="expenses_only",
        description="Second meeting",
    )  # fmt: skip

    page = signed_in.get("/me/payments/").content.decode()

    assert "You chose not to be paid for this: it still counts as work you did." in page
    assert "We pay your expenses only, to keep you safe" in page
    assert page.count("Recorded, not paid") == 2
    assert "2 pieces of work" in page
    # Nothing unpaid is "expected by" any date.
    assert "expected by" not in page


def test_nobody_sees_anybody_elses_items(client, person):
    honorarium(person, description="Sam's session")
    expense(person, description="Sam's bus fare")
    client.force_login(expert().user)

    page = client.get("/me/payments/").content.decode()

    assert "Sam&#x27;s" not in page
    assert "Nothing yet." in page


def test_the_dashboard_links_to_the_payments_page(signed_in):
    assert 'href="/me/payments/"' in signed_in.get("/me/").content.decode()


# The tax year and the threshold notice.


def test_this_years_totals_count_what_was_paid_in_it(settings, person):
    from payments.selectors.statements import payments_overview_for

    today = timezone.localdate()
    year_start = (
        today.replace(month=4, day=6)
        if today >= today.replace(month=4, day=6)
        else (today.replace(year=today.year - 1, month=4, day=6))
    )
    honorarium(person, "100.00", status="paid", paid_at=at(year_start))
    honorarium(person, "200.00", status="paid", paid_at=at(year_start - timedelta(days=1)))
    expense(person, "10.00", status="paid", paid_at=at(today))
    honorarium(person, "30.00", status="approved")
    expense(person, "5.00", status="batched")
    honorarium(person, "40.00", status="pending")
    honorarium(person, "50.00", status="cancelled")

    overview = payments_overview_for(payee=person.user, today=today)

    assert overview["tax_year"].start_year == tax_year_of(today)
    assert overview["totals"] == {
        "work_paid": Decimal("100.00"),
        "expenses_paid": Decimal("10.00"),
        "on_its_way": Decimal("35.00"),
        "waiting": Decimal("40.00"),
    }


def test_approved_work_counts_towards_the_year_it_will_be_paid_in(person):
    from datetime import date

    from payments.selectors.statements import payments_overview_for

    honorarium(person, "400.00", status="approved", work_date=date(2027, 3, 20))
    honorarium(person, "700.00", status="paid", paid_at=at(date(2027, 1, 10)))

    # On 1 April the next batch (15 April) falls in the next tax year; on 1 March it does not.
    in_april = payments_overview_for(payee=person.user, today=date(2027, 4, 1))
    in_march = payments_overview_for(payee=person.user, today=date(2027, 3, 1))

    assert (in_april["work_total"], in_april["threshold_crossed"]) == (Decimal("700.00"), False)
    assert (in_march["work_total"], in_march["threshold_crossed"]) == (Decimal("1100.00"), True)


NOTICE = "You may need to tell HMRC or the benefits office"


def test_the_threshold_notice_shows_to_people_who_asked_for_benefits_advice(client, db):
    person = expert(means_tested_benefits="yes")
    honorarium(person, "1000.01", status="paid")
    client.force_login(person.user)

    page = client.get("/me/payments/").content.decode()

    assert NOTICE in page
    assert "your payments for work come to £1,000.01, more than £1,000.00" in page


def test_no_notice_at_the_threshold_or_for_people_who_did_not_ask(client, db):
    asked = expert(means_tested_benefits="yes")
    honorarium(asked, "1000.00", status="paid")
    not_asked = expert(means_tested_benefits="no")
    honorarium(not_asked, "5000.00", status="paid")

    client.force_login(asked.user)
    assert NOTICE not in client.get("/me/payments/").content.decode()
    client.force_login(not_asked.user)
    assert NOTICE not in client.get("/me/payments/").content.decode()


def test_the_threshold_is_configurable(client, settings, db):
    settings.PAYMENTS_TRADING_ALLOWANCE = Decimal("500.00")
    person = expert(means_tested_benefits="yes")
    honorarium(person, "500.01", status="approved")
    client.force_login(person.user)

    page = client.get("/me/payments/").content.decode()

    assert "come to £500.01, more than £500.00" in page


# Statements.


def test_the_csv_statement_lists_what_was_paid_in_the_year_and_sums_right(signed_in, person):
    from datetime import date

    honorarium(person, "1234.50", status="paid", paid_at=at(date(2026, 4, 6)),
               description="=HYPERLINK(evil)")  # fmt: skip
    honorarium(person, "75.00", status="paid", paid_at=at(date(2027, 4, 5)))
    expense(person, "12.35", status="paid", paid_at=at(date(2026, 12, 1)))
    honorarium(person, "999.00", status="paid", paid_at=at(date(2027, 4, 6)))
    honorarium(person, "500.00", status="approved")

    response = signed_in.get("/me/payments/statement.csv?year=2026")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="tandem-payments-2026-2027.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["Date paid"] for row in rows] == ["2026-04-06", "2026-12-01", "2027-04-05"]
    assert sum(Decimal(row["Amount (GBP)"]) for row in rows) == Decimal("1321.85")
    assert rows[0]["What it was for"] == "'=HYPERLINK(evil)"
    assert rows[1]["Kind"] == "Expenses paid back"
    assert {row["Your reference"] for row in rows} == {person.reference}


def test_the_printable_statement_shows_the_years_totals(signed_in, person):
    from datetime import date

    honorarium(person, "100.00", status="paid", paid_at=at(date(2026, 5, 1)))
    expense(person, "20.00", status="paid", paid_at=at(date(2026, 6, 1)))

    page = signed_in.get("/me/payments/statement/?year=2026").content.decode()

    assert "Payments statement, tax year 2026 to 2027" in page
    assert "6 April 2026 to 5 April 2027" in page
    assert "£120.00" in page
    assert person.reference in page
    assert 'class="printable"' in page


@pytest.mark.parametrize("year", ["1999", "abc", "2026.5", "-1", "99999999999999999999"])
def test_a_year_without_a_statement_gets_a_clear_message(signed_in, year):
    for path in ("/me/payments/statement/", "/me/payments/statement.csv"):
        response = signed_in.get(path, {"year": year})

        assert response.status_code == 400
        assert "We do not have a statement for that year" in response.content.decode()


def test_next_years_statement_does_not_exist_yet(signed_in):
    next_year = tax_year_of(timezone.localdate()) + 1

    response = signed_in.get(f"/me/payments/statement/?year={next_year}")

    assert response.status_code == 400


# Expense claims.


def claim(**changes) -> dict:
    today = timezone.localdate()
    return {
        "claim_key": str(uuid.uuid4()),
        "category": "travel",
        "description": "Bus fare to the panel meeting",
        "incurred_on_0": str(today.day),
        "incurred_on_1": str(today.month),
        "incurred_on_2": str(today.year),
        "amount": "£12.50",
        "receipt": upload(),
        **changes,
    }


def test_an_expert_claims_an_expense_with_a_receipt(signed_in, person, receipts):
    response = signed_in.post("/me/payments/expenses/new/", claim())

    assert response.status_code == 302
    assert response["Location"] == "/me/payments/"
    item = Expense.objects.get()
    assert (item.payee, item.payee_reference, item.status, item.amount, item.category) == (
        person.user, person.reference, "pending", Decimal("12.50"), "travel",
    )  # fmt: skip
    assert item.receipt_content_type == "image/png"
    assert "bus-ticket" not in item.receipt.name
    assert (receipts / item.receipt.name).exists()
    assert LedgerEntry.objects.filter(expense=item, action="create").count() == 1
    page = signed_in.get("/me/payments/").content.decode()
    assert "Bus fare to the panel meeting" in page
    assert "Waiting for approval" in page


def test_sending_the_same_claim_twice_makes_one_claim(signed_in):
    key = str(uuid.uuid4())

    first = signed_in.post("/me/payments/expenses/new/", claim(claim_key=key))
    second = signed_in.post("/me/payments/expenses/new/", claim(claim_key=key))

    assert (first.status_code, second.status_code) == (302, 302)
    assert Expense.objects.count() == 1


def test_two_claims_from_two_forms_are_two_claims(signed_in):
    signed_in.post("/me/payments/expenses/new/", claim())
    signed_in.post("/me/payments/expenses/new/", claim())

    assert Expense.objects.count() == 2


def test_a_key_from_somebody_elses_form_still_makes_a_claim_of_ones_own(client, signed_in, person):
    key = str(uuid.uuid4())
    signed_in.post("/me/payments/expenses/new/", claim(claim_key=key))
    other = expert()
    client.force_login(other.user)

    client.post("/me/payments/expenses/new/", claim(claim_key=key))

    assert sorted(Expense.objects.values_list("payee_reference", flat=True)) == sorted(
        [person.reference, other.reference]
    )


def test_a_pdf_receipt_is_accepted(signed_in):
    signed_in.post(
        "/me/payments/expenses/new/",
        claim(receipt=upload("receipt.pdf", PDF_BYTES, "application/pdf")),
    )

    assert Expense.objects.get().receipt_content_type == "application/pdf"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"amount": "12.345"}, "amount", "Enter an amount in pounds and pence, like 12.50"),
        ({"amount": "-5"}, "amount", "Enter an amount more than £0.00"),
        ({"amount": "0"}, "amount", "Enter an amount more than £0.00"),
        ({"amount": "lots"}, "amount", "Enter an amount in pounds and pence, like 12.50"),
        ({"amount": "2000.01"}, "amount", "Enter no more than £2,000.00."),
        ({"category": "holiday"}, "category_0", "Choose what kind of cost it was"),
        ({"description": ""}, "description", "Say what the cost was for"),
        ({"incurred_on_0": "31", "incurred_on_1": "2"}, "incurred_on_0", "Enter a real date"),
        (
            {"receipt": ("receipt.png", b"<script>alert(1)</script>", "image/png")},
            "receipt",
            "The receipt must be a PDF, JPEG or PNG file.",
        ),
        ({"receipt": ""}, "receipt", "Choose a file with your receipt"),
    ],
)
def test_a_claim_with_a_problem_says_so_and_saves_nothing(signed_in, changes, field, message):
    # A fresh upload per run: a file object made at collection would be read to its end by the
    # first run, and a second run in the same process (mutmut's) would post an empty file.
    changes = {k: upload(*v) if isinstance(v, tuple) else v for k, v in changes.items()}
    response = signed_in.post("/me/payments/expenses/new/", claim(**changes))

    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert f'href="#id_{field}"' in page
    assert message in page
    assert Expense.objects.count() == 0


def test_a_date_in_the_future_is_refused(signed_in):
    tomorrow = timezone.localdate() + timedelta(days=1)

    response = signed_in.post(
        "/me/payments/expenses/new/",
        claim(
            incurred_on_0=tomorrow.day, incurred_on_1=tomorrow.month, incurred_on_2=tomorrow.year
        ),
    )

    assert "The date must be today or in the past" in response.content.decode()
    assert Expense.objects.count() == 0


def test_a_receipt_over_the_size_limit_is_refused(signed_in, settings):
    settings.PAYMENTS_RECEIPT_MAX_BYTES = 50

    response = signed_in.post("/me/payments/expenses/new/", claim())

    assert "The receipt must be smaller than" in response.content.decode()
    assert Expense.objects.count() == 0


def test_experts_who_receive_expenses_only_can_claim(client, db):
    person = expert(right_to_work="no", payment_method="expenses_only")
    client.force_login(person.user)

    response = client.post("/me/payments/expenses/new/", claim())

    assert response.status_code == 302
    assert Expense.objects.get().payee == person.user


# Receipts.


def test_the_receipt_opens_for_its_expert_only_and_is_never_cached(client, signed_in, person):
    item = expense(person)

    response = signed_in.get(f"/me/payments/expenses/{item.pk}/receipt/")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert {"no-store", "private"} <= set(response["Cache-Control"].split(", "))
    assert response["Content-Disposition"] == f'inline; filename="receipt-{item.pk}.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    client.force_login(expert().user)
    assert client.get(f"/me/payments/expenses/{item.pk}/receipt/").status_code == 404


def test_receipts_have_no_public_address(person, settings):
    item = expense(person)

    with pytest.raises(ValueError):
        item.receipt.url  # noqa: B018
    assert not str(settings.PAYMENTS_RECEIPTS_ROOT).startswith(str(settings.MEDIA_ROOT))


def test_the_payments_page_query_count_does_not_grow(signed_in, person):
    from tests.helpers import assert_query_count_constant

    def add_items(count):
        for index in range(count):
            honorarium(person, status=("pending", "approved", "paid", "rejected")[index % 4])
            expense(person, status=("pending", "approved", "paid", "rejected")[index % 4])

    assert_query_count_constant(signed_in, "/me/payments/", add_items, max_queries=8)

    page = signed_in.get("/me/payments/").content.decode()
    assert page.count("See your receipt") == 50


def test_the_statement_query_count_does_not_grow(signed_in, person):
    from tests.helpers import assert_query_count_constant

    def add_items(count):
        for _ in range(count):
            honorarium(person, status="paid")
            expense(person, status="paid")

    assert_query_count_constant(signed_in, "/me/payments/statement/", add_items, max_queries=10)


def test_the_data_page_and_download_include_the_experts_expenses(signed_in, person):
    import json

    expense(person, "12.50", status="rejected", rejection_reason="No receipt date.")

    page = signed_in.get("/me/data/").content.decode()
    data = json.loads(signed_in.get("/me/data.json").content)

    assert "Travel: Bus fare to the panel" in page
    assert "No receipt date." in page
    assert [(e["description"], e["amount"], e["status"]) for e in data["expenses"]] == [
        ("Bus fare to the panel", "12.50", "rejected")
    ]


def test_an_expert_withdraws_a_claim_still_waiting(signed_in, person):
    waiting = expense(person, description="Bus fare")
    approved = expense(person, status="approved", description="Train fare")
    page = signed_in.get("/me/payments/").content.decode()
    assert page.count("Withdraw this claim") == 1

    response = signed_in.post(f"/me/payments/expenses/{waiting.pk}/withdraw/", follow=True)
    refused = signed_in.post(f"/me/payments/expenses/{approved.pk}/withdraw/", follow=True)

    waiting.refresh_from_db()
    approved.refresh_from_db()
    assert (waiting.status, approved.status) == ("cancelled", "approved")
    assert "You have withdrawn your claim. It will not be paid." in response.content.decode()
    assert "can no longer be withdrawn" in refused.content.decode()
    assert LedgerEntry.objects.filter(expense=waiting, action="cancel").count() == 1


def test_nobody_withdraws_anybody_elses_claim(client, person):
    claim_of_sam = expense(person)
    client.force_login(expert().user)

    response = client.post(f"/me/payments/expenses/{claim_of_sam.pk}/withdraw/")

    claim_of_sam.refresh_from_db()
    assert (response.status_code, claim_of_sam.status) == (404, "pending")
