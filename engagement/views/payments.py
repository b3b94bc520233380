"""/me/payments/: the signed-in expert's honoraria and expenses, tax-year statements, expense
claims and their receipts. Only the expert's own items ever show: every query is filtered by
the signed-in person, so anybody else's item is "page not found"."""

import csv
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core.spreadsheets import csv_safe
from core.transitions import TransitionNotAllowed
from engagement.payment_forms import ExpenseClaimForm
from engagement.services.expenses import expense_claim
from engagement.views.me import _submitted_profile
from payments.models import Expense
from payments.selectors.statements import (
    TaxYear,
    payment_statement_for,
    payments_overview_for,
    tax_year_of,
)
from payments.services.expenses import expense_withdraw
from payments.storage import RECEIPT_EXTENSIONS

# The first tax year a statement can be asked for; Tandem paid nobody before it.
FIRST_TAX_YEAR = 2020


@never_cache
@login_required
def me_payments(request):
    profile = _submitted_profile(request)
    context = payments_overview_for(payee=request.user, today=timezone.localdate())
    context["profile"] = profile
    return render(request, "engagement/me/payments.html", context)


def _tax_year(request) -> TaxYear | None:
    """The tax year asked for (?year=2026), this one when none is asked for; None for a year
    that is not a number or not one Tandem has statements for."""
    current = tax_year_of(timezone.localdate())
    value = request.GET.get("year", "").strip()
    if not value:
        return TaxYear(current)
    if not value.isdigit() or not FIRST_TAX_YEAR <= int(value) <= current:
        return None
    return TaxYear(int(value))


def _years(request) -> list[TaxYear]:
    current = tax_year_of(timezone.localdate())
    return [TaxYear(year) for year in range(current, max(FIRST_TAX_YEAR, current - 5) - 1, -1)]


def _no_such_year(request):
    return render(
        request,
        "engagement/me/statement.html",
        {"unknown_year": True, "years": _years(request)},
        status=400,
    )


@never_cache
@login_required
def me_payment_statement(request):
    profile = _submitted_profile(request)
    year = _tax_year(request)
    if year is None:
        return _no_such_year(request)
    context = payment_statement_for(payee=request.user, year=year)
    context.update(years=_years(request), profile=profile)
    return render(request, "engagement/me/statement.html", context)


@never_cache
@login_required
def me_payment_statement_csv(request):
    profile = _submitted_profile(request)
    year = _tax_year(request)
    if year is None:
        return _no_such_year(request)
    statement = payment_statement_for(payee=request.user, year=year)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="tandem-payments-{year.start_year}-{year.start_year + 1}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Date paid"),
            _("Kind"),
            _("What it was for"),
            _("Date of the work or cost"),
            _("Amount (GBP)"),
            _("Method"),
            _("Your reference"),
        ]
    )
    for line in statement["lines"]:
        writer.writerow(
            [
                line.paid_on.isoformat(),
                _("Fee for work") if line.kind == "honorarium" else _("Expenses paid back"),
                csv_safe(line.description),
                line.day.isoformat(),
                f"{line.amount:.2f}",
                line.method_label,
                profile.reference,
            ]
        )
    return response


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def me_expense_new(request):
    profile = _submitted_profile(request)
    form = ExpenseClaimForm(request.POST or None, request.FILES or None)
    claim_key = _claim_key(request.POST.get("claim_key")) or uuid.uuid4()
    if request.method == "POST" and form.is_valid():
        try:
            expense_claim(profile=profile, claim_key=claim_key, data=form.cleaned_data)
        except ValidationError as refusal:
            _add_service_errors(form, refusal)
        else:
            messages.success(
                request,
                _(
                    "Thank you. We have your claim. A coordinator will check it, usually "
                    "within a week."
                ),
            )
            return redirect("me_payments")
    return render(request, "engagement/me/expense_new.html", {"form": form, "claim_key": claim_key})


def _claim_key(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _add_service_errors(form: ExpenseClaimForm, refusal: ValidationError) -> None:
    """The service's reasons, beside the answer each is about (the receipt unless it says)."""
    if hasattr(refusal, "error_dict"):
        for field, errors in refusal.error_dict.items():
            form.add_error(field if field in form.fields else "receipt", errors)
    else:
        form.add_error("receipt", refusal.messages)


@never_cache
@login_required
def me_expense_receipt(request, pk: int):
    """The receipt, to its expert only (staff open it from the admin). Never cached, and
    offered as a download named by the claim, never by the name it was uploaded with."""
    expense = get_object_or_404(Expense, pk=pk, payee=request.user)
    if not expense.receipt:
        raise Http404
    extension = RECEIPT_EXTENSIONS.get(expense.receipt_content_type, "bin")
    response = FileResponse(
        expense.receipt.open("rb"),
        content_type=expense.receipt_content_type or "application/octet-stream",
        as_attachment=False,
        filename=f"receipt-{expense.pk}.{extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def me_expense_withdraw(request, pk: int):
    """The expert takes back a claim still waiting for approval."""
    expense = get_object_or_404(Expense, pk=pk, payee=request.user)
    try:
        expense_withdraw(expense_id=expense.pk, by=request.user)
    except TransitionNotAllowed:
        messages.error(
            request, _("This claim has already been checked, so it can no longer be withdrawn.")
        )
    else:
        messages.success(request, _("You have withdrawn your claim. It will not be paid."))
    return redirect("me_payments")
