"""Who may see what of experts' records, and who may change a panel. Views, templates and
the admin all ask these permissions; none of them re-implements the checks. Who may change a
status is declared once, with the transitions on each model (`Model.workflow.permitted`)."""

import rules

from accounts.rules import is_coordinator, is_finance
from engagement.predicates import (
    attended_session,
    chairs_or_coordinates,
    coordinates_a_panel_of,
    has_started,
    is_panel_member,
    is_self,
    leads_session,
    researches_for_panel,
    runs_panel,
)

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

# Panels and their sessions. Joining details are for the panel's current members and its
# coordinators only; the research team sees sessions and approved notes, never who said what.
rules.add_perm("engagement.view_panel", is_panel_member | runs_panel | researches_for_panel)
rules.add_perm("engagement.view_joining_details", is_panel_member | runs_panel)
rules.add_perm("engagement.schedule_session", runs_panel)
rules.add_perm("engagement.set_session_agenda", chairs_or_coordinates)
rules.add_perm("engagement.write_session_note", runs_panel)
rules.add_perm("engagement.record_attendance", leads_session & has_started)
rules.add_perm("engagement.record_impact", researches_for_panel & has_started)
rules.add_perm("engagement.rate_impact", attended_session)
rules.add_perm("engagement.request_debrief", attended_session)
rules.add_perm("engagement.view_impact_ratings", runs_panel)
