"""Who may see what of payments. Who may change a status is declared with the transitions on
each model; these are the reads (and the receipt, which is private)."""

import rules

from accounts.rules import is_coordinator, is_finance
from payments.predicates import is_payee

# A receipt is seen by the expert who sent it and by the staff who approve and pay it.
rules.add_perm("payments.view_receipt", is_payee | is_coordinator | is_finance)
rules.add_perm("payments.view_item", is_payee | is_coordinator | is_finance)
# The approval queue is the coordinators'; batches and the finance export are Finance's.
rules.add_perm("payments.approve_items", is_coordinator)
rules.add_perm("payments.manage_batches", is_finance)
