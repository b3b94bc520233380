"""Who may see and do what with experts' records and panels. Views, templates and the admin
all ask these permissions; none of them re-implements the checks. Status changes are granted
by the transitions declared on the models, read here, never restated."""

import rules

from accounts.rules import is_coordinator, is_finance
from engagement.models import ExpertProfile
from engagement.predicates import coordinates_a_panel_of, coordinates_panel, is_self

rules.add_perm("engagement.view_expert_legal_name", is_self | is_finance)
rules.add_perm("engagement.view_expert_eligibility", is_self | is_finance)
rules.add_perm("engagement.view_expert_payment_method", is_self | is_finance)
rules.add_perm(
    "engagement.view_expert_access_needs", is_self | (is_coordinator & coordinates_a_panel_of)
)
rules.add_perm("engagement.view_expert_expertise_notes", is_self | is_coordinator)

_vetting = [ExpertProfile.workflow.predicate(name) for name in ExpertProfile.VETTING]
rules.add_perm("engagement.vet_expert", _vetting[0] | _vetting[1] | _vetting[2])

# Who coordinates a panel and who belongs to it open members' access needs: only the panel's
# own coordinators change them (engagement.services.panels).
rules.add_perm("engagement.manage_panel", is_coordinator & coordinates_panel)
