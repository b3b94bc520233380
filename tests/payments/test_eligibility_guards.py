"""Who may be paid how: money or vouchers for work become expenses only without a confirmed
right to work; declined and expenses-only work is recorded but not paid; someone who has not
chosen is paid by bank transfer."""

import pytest

from payments.eligibility import (
    benefits_signposting,
    expenses_only,
    honorarium_terms,
    payment_method_allowed,
)


@pytest.mark.parametrize(
    ("right_to_work", "expected"), [("yes", False), ("no", True), ("not_sure", True)]
)
def test_only_a_confirmed_right_to_work_is_paid_in_money(right_to_work, expected):
    assert expenses_only(right_to_work=right_to_work) is expected


@pytest.mark.parametrize(
    ("benefits", "expected"), [("yes", True), ("no", False), ("not_saying", False)]
)
def test_benefits_advice_is_signposted_to_people_on_benefits(benefits, expected):
    assert benefits_signposting(means_tested_benefits=benefits) is expected


@pytest.mark.parametrize(
    ("requested", "right_to_work", "allowed"),
    [
        ("bank_transfer", "yes", "bank_transfer"),
        ("voucher", "yes", "voucher"),
        ("declined", "yes", "declined"),
        ("bank_transfer", "no", "expenses_only"),
        ("voucher", "not_sure", "expenses_only"),
        ("donated", "no", "donated"),
        ("declined", "not_sure", "declined"),
    ],
)
def test_money_and_vouchers_for_work_need_the_right_to_work(requested, right_to_work, allowed):
    assert payment_method_allowed(requested=requested, right_to_work=right_to_work) == allowed


@pytest.mark.parametrize(
    ("method", "right_to_work", "terms"),
    [
        ("", "yes", ("bank_transfer", True, "")),
        ("", "no", ("expenses_only", False, "expenses_only")),
        ("voucher", "yes", ("voucher", True, "")),
        ("voucher", "not_sure", ("expenses_only", False, "expenses_only")),
        ("donated", "yes", ("donated", True, "")),
        ("declined", "yes", ("declined", False, "declined")),
        ("expenses_only", "yes", ("expenses_only", False, "expenses_only")),
    ],
)
def test_how_an_honorarium_is_paid_and_why_not(method, right_to_work, terms):
    assert honorarium_terms(method=method, right_to_work=right_to_work) == terms
