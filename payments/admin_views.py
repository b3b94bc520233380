"""Staff screens for payments in the Wagtail admin: the coordinators' approval queue, a
receipt (permission-checked), and Finance's batches with their CSV export. Every change is a
POST through a service; nothing here writes a status itself."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.services.audit import audit_record
from core.transitions import TransitionNotAllowed
from payments.admin_forms import ApprovalQueueFilterForm
from payments.models import Expense, Honorarium, PaymentBatch
from payments.selectors.queue import (
    approval_queue,
    batch_candidates,
    batch_items,
    batch_list,
)
from payments.services.batches import batch_create, batch_export_csv, batch_mark_paid
from payments.services.expenses import expense_approve, expense_reject
from payments.services.honoraria import honorarium_approve, honorarium_reject
from payments.storage import RECEIPT_EXTENSIONS

BATCHES_SHOWN = 50
ACTIONS = {
    ("honorarium", "approve"): lambda pk, by, reason: honorarium_approve(honorarium_id=pk, by=by),
    ("honorarium", "reject"): lambda pk, by, reason: honorarium_reject(
        honorarium_id=pk, by=by, reason=reason
    ),
    ("expense", "approve"): lambda pk, by, reason: expense_approve(expense_id=pk, by=by),
    ("expense", "reject"): lambda pk, by, reason: expense_reject(
        expense_id=pk, by=by, reason=reason
    ),
}
MODELS = {"honorarium": Honorarium, "expense": Expense}


def _require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@require_http_methods(["GET", "POST"])
def approval_queue_view(request):
    """Coordinators approve or reject pending honoraria and expenses, oldest work first."""
    _require(request, "payments.approve_items")
    if request.method == "POST":
        return _approval_action(request)
    form = ApprovalQueueFilterForm(request.GET or None)
    rows = approval_queue(**form.filters())
    for row in rows:
        row.item.may = type(row.item).workflow.permitted(request.user, row.item) & {
            "approve",
            "reject",
        }
    return TemplateResponse(
        request,
        "payments/admin/approval_queue.html",
        {"form": form, "rows": rows, "page_title": _("Approve payments")},
    )


def _approval_action(request):
    back = request.get_full_path()
    kind, action = request.POST.get("kind"), request.POST.get("action")
    pk = _int(request.POST.get("item"))
    if (kind, action) not in ACTIONS or pk is None:
        messages.error(request, _("Choose an item and what to do with it."))
        return redirect(back)
    if not MODELS[kind].objects.filter(pk=pk).exists():
        messages.error(request, _("That item no longer exists."))
        return redirect(back)
    try:
        ACTIONS[kind, action](pk, request.user, request.POST.get("reason", ""))
    except TransitionNotAllowed as refusal:
        messages.error(request, str(refusal))
    else:
        reference = f"{'H' if kind == 'honorarium' else 'E'}-{pk}"
        if action == "approve":
            messages.success(request, _("%(item)s approved.") % {"item": reference})
        else:
            messages.success(request, _("%(item)s rejected.") % {"item": reference})
    return redirect(back)


@require_http_methods(["GET"])
def expense_receipt_view(request, expense_id: int):
    """The receipt of one claim, for the staff who approve and pay it. Served by Tandem after
    the check (never from a public folder), and logged."""
    expense = get_object_or_404(Expense, pk=expense_id)
    if not request.user.has_perm("payments.view_receipt", expense):
        raise PermissionDenied
    try:
        handle = expense.receipt.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    audit_record(actor=request.user, action="expense.receipt_view", subject=expense)
    extension = RECEIPT_EXTENSIONS.get(expense.receipt_content_type, "bin")
    response = FileResponse(
        handle,
        content_type=expense.receipt_content_type,
        filename=f"receipt-E-{expense.pk}.{extension}",
    )
    # Shown in the browser, never run: no scripts, no forms, no same-origin access.
    response["Content-Security-Policy"] = "sandbox"
    return response


@require_http_methods(["GET", "POST"])
def batch_list_view(request):
    """Finance's batches, and building a new one from the approved items."""
    _require(request, "payments.manage_batches")
    if request.method == "POST":
        honorarium_ids = [_int(pk) for pk in request.POST.getlist("honoraria")]
        expense_ids = [_int(pk) for pk in request.POST.getlist("expenses")]
        if None in honorarium_ids or None in expense_ids:
            messages.error(request, _("Choose items from the list."))
            return redirect("payments_batches")
        try:
            batch = batch_create(
                by=request.user, honorarium_ids=honorarium_ids, expense_ids=expense_ids
            )
        except TransitionNotAllowed as refusal:
            messages.error(request, str(refusal))
            return redirect("payments_batches")
        messages.success(request, _("Batch %(reference)s built.") % {"reference": batch.reference})
        return redirect("payments_batch", batch.pk)
    return TemplateResponse(
        request,
        "payments/admin/batches.html",
        {
            "batches": list(batch_list()[:BATCHES_SHOWN]),
            **batch_candidates(),
            "page_title": _("Payment batches"),
        },
    )


@require_http_methods(["GET", "POST"])
def batch_detail_view(request, batch_id: int):
    _require(request, "payments.manage_batches")
    batch = get_object_or_404(PaymentBatch, pk=batch_id)
    if request.method == "POST":
        try:
            _batch, changed = batch_mark_paid(batch_id=batch.pk, by=request.user)
        except TransitionNotAllowed as refusal:
            messages.error(request, str(refusal))
        else:
            if changed:
                messages.success(
                    request, _("Marked paid. Each expert is being emailed a remittance.")
                )
            else:
                messages.info(request, _("This batch was already paid. Nothing changed."))
        return redirect("payments_batch", batch.pk)
    return TemplateResponse(
        request,
        "payments/admin/batch_detail.html",
        {
            "batch": batch,
            "items": batch_items(batch),
            "may_pay": PaymentBatch.workflow.permits(request.user, batch, "pay"),
            "export_url": reverse("payments_batch_export", args=[batch.pk]),
            "page_title": batch.reference,
        },
    )


@require_http_methods(["GET"])
def batch_export_view(request, batch_id: int):
    """The batch as CSV for the finance system (legal names for bank transfers only)."""
    _require(request, "payments.manage_batches")
    batch = get_object_or_404(PaymentBatch, pk=batch_id)
    response = HttpResponse(
        batch_export_csv(batch_id=batch.pk, by=request.user), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{batch.reference}.csv"'
    return response
