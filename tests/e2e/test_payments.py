"""Issue 10's journey in Chromium at 1280 pixels, axe-clean on every page (on the admin,
Tandem's own part of the page): an expert claims an expense with a receipt and sees it wait;
a coordinator approves it in the approval queue; Finance builds a batch, downloads its CSV
and marks it paid; the expert sees it paid, with the year's totals and statement."""

import csv
import io
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cms.seed import site_seed
from engagement.seed import RATES_IN_FORCE, demo_receipt_png
from payments.models import Expense, PaymentBatch, RateCard
from tests.e2e.conftest import (
    arrive,
    assert_page_is_accessible,
    assert_region_is_accessible,
    fill_date,
    question,
    sign_in,
    sign_in_with_code,
    sign_out,
    visit,
    visit_each,
)
from tests.e2e.test_onboarding import DEMO_EXPERT
from tests.e2e.test_welsh import assert_welsh_page_is_accessible
from tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET, UserFactory, coordinator, expert
from tests.factories import finance as finance_user

pytestmark = pytest.mark.browser

ADMIN = ".nice-padding"  # the admin's content, which the payments screens render


def test_an_expense_is_claimed_approved_batched_paid_and_seen_paid(
    django_db_serialized_rollback, live_server, page
):
    site_seed()
    RateCard.objects.create(effective_from=timezone.localdate(), **RATES_IN_FORCE)
    sam = expert(user=UserFactory(email="sam@tandem.test", display_name="Sam"))
    alex = coordinator(email="alex@tandem.test")
    jo = finance_user(email="jo@tandem.test")
    today = timezone.localdate()

    # The public page shows the rates in force.
    visit(page, "/how-we-pay/")
    expect(page.get_by_role("row", name="Sessions £25.00 an hour")).to_be_visible()

    # Sam claims a bus fare from their payments page, fixing a mistake on the way.
    sign_in(page, sam.user.email, TEST_PASSWORD)
    page.get_by_role("link", name=re.compile("See all your payments")).click()
    arrive(page, "/me/payments/")
    expect(page.get_by_text("Nothing yet.")).to_be_visible()
    page.get_by_role("link", name="Claim an expense").click()
    arrive(page, "/me/payments/expenses/new/")
    question(page, "What kind of cost was it?").get_by_label("Travel").check()
    page.get_by_label("What was it for?").fill("Bus fare to the panel meeting")
    fill_date(page, "When did you pay it?", today)
    page.get_by_label("How much did it cost, in pounds?").fill("12.505")
    page.get_by_label("A photo or scan of the receipt").set_input_files(
        files=[{"name": "ticket.png", "mimeType": "image/png", "buffer": demo_receipt_png()}]
    )
    page.get_by_role("button", name="Send my claim").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Enter an amount in pounds and pence, like 12.50"
    )
    assert_page_is_accessible(page)
    page.get_by_label("How much did it cost, in pounds?").fill("£12.50")
    page.get_by_label("A photo or scan of the receipt").set_input_files(
        files=[{"name": "ticket.png", "mimeType": "image/png", "buffer": demo_receipt_png()}]
    )
    page.get_by_role("button", name="Send my claim").click()
    arrive(page, "/me/payments/")
    claim = Expense.objects.get()
    assert (claim.amount, claim.status) == (Decimal("12.50"), "pending")
    row = page.get_by_role("row", name=re.compile("Bus fare to the panel meeting"))
    expect(row).to_contain_text("Waiting for approval")
    expect(row).to_contain_text("£12.50")
    receipt = page.request.get(f"/me/payments/expenses/{claim.pk}/receipt/")
    assert (receipt.status, receipt.headers["content-type"]) == (200, "image/png")
    sign_out(page)

    # Alex approves it in the approval queue.
    sign_in_with_code(page, alex.email, TEST_PASSWORD, TEST_TOTP_SECRET, lands_on="/admin/")
    page.goto("/admin/payments/approvals/")
    assert_region_is_accessible(page, ADMIN)
    page.get_by_role("button", name=f"Approve E-{claim.pk}").click()
    expect(page.get_by_text(f"E-{claim.pk} approved.")).to_be_visible()
    assert_region_is_accessible(page, ADMIN)
    claim.refresh_from_db()
    assert claim.status == "approved"
    page.context.clear_cookies()

    # Sam sees it approved, with the date it will be paid by.
    sign_in(page, sam.user.email, TEST_PASSWORD)
    visit(page, "/me/payments/")
    expect(page.get_by_role("row", name=re.compile("Bus fare"))).to_contain_text("expected by")
    sign_out(page)

    # Jo builds a batch, downloads it for the finance system and marks it paid.
    sign_in_with_code(page, jo.email, TEST_PASSWORD, TEST_TOTP_SECRET, lands_on="/admin/")
    page.goto("/admin/payments/batches/")
    assert_region_is_accessible(page, ADMIN)
    page.get_by_role("button", name="Build the batch").click()
    page.wait_for_url(re.compile(r"/admin/payments/batches/\d+/$"))
    assert_region_is_accessible(page, ADMIN)
    batch = PaymentBatch.objects.get()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the batch (CSV)").click()
    exported = download.value.path().read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert [(row["payee_reference"], row["items"]) for row in rows] == [
        (sam.reference, f"E-{claim.pk}")
    ]
    assert sum(Decimal(row["amount"]) for row in rows) == batch.total == Decimal("12.50")
    page.get_by_role("button", name="Mark the batch paid").click()
    page.wait_for_url(re.compile(r"/admin/payments/batches/\d+/$"))
    assert_region_is_accessible(page, ADMIN)
    claim.refresh_from_db()
    assert claim.status == "paid"
    page.context.clear_cookies()

    # Sam sees it paid, in this tax year's totals and statement.
    sign_in(page, sam.user.email, TEST_PASSWORD)
    visit(page, "/me/payments/")
    row = page.get_by_role("row", name=re.compile("Bus fare"))
    expect(row).to_contain_text("Paid")
    expect(row).to_contain_text(f"on {today.strftime('%-d %B %Y')}")
    expect(page.get_by_role("definition").filter(has_text="£12.50")).to_have_count(1)
    page.get_by_role("link", name=re.compile("Your statement for this tax year")).click()
    page.wait_for_url(re.compile(r"/me/payments/statement/\?year=\d{4}$"))
    assert_page_is_accessible(page)
    expect(page.get_by_role("row", name=re.compile("Bus fare"))).to_contain_text("£12.50")


def test_the_demo_experts_payment_pages_are_accessible(page, demo_site):
    # The demo has items in every state, a paid batch and a rate card to come.
    sign_in(page, *DEMO_EXPERT)

    visit_each(
        page,
        [
            "/me/payments/",
            "/me/payments/statement/",
            "/me/payments/expenses/new/",
            "/me/data/",
            "/how-we-pay/",
        ],
    )


def test_the_welsh_how_we_pay_page_shows_the_rates_and_is_accessible(page, demo_site):
    page.goto("/cy/sut-rydyn-ni-yn-talu/")

    assert_welsh_page_is_accessible(page, heading="Sut rydyn ni'n talu")
    expect(page.locator("#rates-heading")).to_have_text("Ein cyfraddau")
