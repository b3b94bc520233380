"""Who may see what of experts' records, and who may change a panel. Views, templates and
the admin all ask these permissions; none of them re-implements the checks. Who may change a
status is declared once, with the transitions on each model (`Model.workflow.permitted`)."""

import rules

from accounts.rules import is_coordinator, is_finance
from engagement.predicates import coordinates_a_panel_of, is_self, runs_panel

rules.add_perm("engagement.view_expert_legal_name", is_self | is_finance)
rules.add_perm("engagement.view_expert_eligibility", is_self | is_finance)
rules.add_perm("engagement.view_expert_payment_method", is_self | is_finance)
rules.add_perm(
    "engagement.view_expert_access_needs", is_self | (is_coordinator & coordinates_a_panel_of)
)
rules.add_perm("engagement.view_expert_expertise_notes", is_self | is_coordinator)

# Who coordinates a panel and who belongs to it open members' access needs: only the panel's
# own coordinators change them (engagement.services.panels).
rules.add_perm("engagement.manage_panel", runs_panel)
