"""Ledger guards: every change of an honorarium or expense appends a row naming the person who
acted (as a user and as a reference that outlives their account), and its audit event carries
no note the service was not given; withdrawing a claim is recorded as a cancel."""

from decimal import Decimal

import pytest

from core.models import AuditEvent
from payments.models import Honorarium
from payments.services.expenses import expense_withdraw
from payments.services.honoraria import honorarium_approve
from payments.services.ledger import item_transition
from tests.factories import coordinator, expert
from tests.payments.core_helpers import expense_for, honorarium_for, rate_card


@pytest.fixture(autouse=True)
def receipts_root(settings, tmp_path):
    settings.PAYMENTS_RECEIPTS_ROOT = tmp_path / "receipts"


def test_an_approval_in_the_ledger_names_the_coordinator_and_its_audit_has_no_note(db):
    rate_card()
    item = honorarium_for(expert())
    lead = coordinator()

    honorarium_approve(honorarium_id=item.pk, by=lead)

    row = item.ledger.get(action="approve")
    assert (row.actor, row.actor_reference, row.expense, row.batch) == (
        lead,
        f"user:{lead.pk}",
        None,
        None,
    )
    event = AuditEvent.objects.get(action="honorarium.approve")
    assert (event.actor, event.from_state, event.to_state, event.note) == (
        lead,
        "pending",
        "approved",
        "",
    )


def test_withdrawing_a_claim_is_a_cancel_in_the_ledger_by_the_expert(db):
    person = expert()
    claim = expense_for(person, amount="7.20")

    expense_withdraw(expense_id=claim.pk, by=person.user)

    assert list(
        claim.ledger.values_list("action", "from_state", "to_state", "amount", "actor")
    ) == [
        ("create", "", "pending", Decimal("7.20"), person.user.pk),
        ("cancel", "pending", "cancelled", Decimal("7.20"), person.user.pk),
    ]
    assert claim.ledger.last().actor_reference == f"user:{person.user.pk}"
    event = AuditEvent.objects.get(action="expense.withdraw")
    assert (event.actor, event.note) == (person.user, "")


def test_a_transition_keeps_its_note_and_runs_its_effects_after_the_ledger_row(db):
    rate_card()
    item = honorarium_for(expert())
    lead = coordinator()
    seen = []

    def effects(changed):
        seen.append((changed.pk, changed.status, list(changed.ledger.values_list("action"))))

    approved = item_transition(
        Honorarium(pk=item.pk),
        "approve",
        by=lead,
        together=lambda _item: {"approved_by": lead},
        effects=effects,
        note="Checked against the register",
    )

    assert seen == [(item.pk, "approved", [("create",), ("approve",)])]
    assert (approved.status, approved.approved_by) == ("approved", lead)
    event = AuditEvent.objects.get(action="honorarium.approve")
    assert event.note == "Checked against the register"
