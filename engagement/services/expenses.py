"""An expert's expense claim from /me/payments/expenses/new/. The claim itself (the receipt
checked by its content, the ledger row) is payments.services.expenses.expense_submit; this
adds the expert's reference and makes the same form count once."""

import uuid

from django.db import transaction

from engagement.models import ExpenseClaimKey, ExpertProfile
from payments.models import Expense
from payments.services.expenses import expense_submit


def expense_claim(*, profile: ExpertProfile, claim_key: uuid.UUID, data: dict) -> Expense:
    """Claim an expense for `profile`'s expert. The same form sent again (same `claim_key`)
    returns the claim it made the first time: a double click makes one claim. A refused
    receipt or amount (ValidationError) saves nothing, key included, so the corrected form
    can be sent again."""
    with transaction.atomic():
        claim, created = ExpenseClaimKey.objects.get_or_create(
            key=claim_key, defaults={"payee": profile.user}
        )
        if not created and claim.payee_id == profile.user_id and claim.expense_id is not None:
            return claim.expense
        if not created:
            # A key copied from somebody else's form: a claim of its own, under a new key.
            claim = ExpenseClaimKey.objects.create(key=uuid.uuid4(), payee=profile.user)
        expense = expense_submit(
            payee=profile.user,
            payee_reference=profile.reference,
            category=data["category"],
            description=data["description"],
            incurred_on=data["incurred_on"],
            amount=data["amount"],
            receipt=data["receipt"],
        )
        claim.expense = expense
        claim.save(update_fields=["expense"])
    return expense
