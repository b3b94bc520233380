"""Who may see what of experts' records, and who may change a panel. Views, templates and
the admin all ask these permissions; none of them re-implements the checks. Who may change a
status is declared once, with the transitions on each model (`Model.workflow.permitted`)."""

import rules

from accounts.rules import is_coordinator, is_finance
from engagement.predicates import (
    approves_criteria,
    attended_session,
    chairs_or_coordinates,
    chairs_panel,
    co_designs,
    coordinates_a_panel_of,
    has_started,
    is_assigned_reviewer,
    is_assignee,
    is_invited_person,
    is_panel_member,
    is_round_reviewer,
    is_self,
    is_team_member,
    leads_session,
    may_moderate,
    request_is_editable,
    researches_for_panel,
    round_is_scoring,
    round_shows_scores,
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
rules.add_perm("engagement.write_session_note", runs_panel)
rules.add_perm("engagement.record_attendance", leads_session & has_started)
rules.add_perm("engagement.record_impact", researches_for_panel & has_started)
rules.add_perm("engagement.rate_impact", attended_session)
rules.add_perm("engagement.request_debrief", attended_session)
rules.add_perm("engagement.view_impact_ratings", runs_panel)
# A research team's members, and only they, see the team, its invitations and its requests.
rules.add_perm("engagement.view_research_team", is_team_member)
rules.add_perm("engagement.accept_team_invitation", is_invited_person)
rules.add_perm("engagement.view_advisory_request", is_team_member)
rules.add_perm("engagement.change_advisory_request", is_team_member & request_is_editable)

# Chairs lead: the chair sets the agenda of the panel's sessions and approves their notes
# (the panel's coordinators do, while it has no chair), and may suggest experts for the panel.
# Each takes the panel or anything of it (a session, a note).
rules.add_perm("engagement.set_session_agenda", chairs_or_coordinates)
rules.add_perm("engagement.approve_session_note", chairs_or_coordinates)
rules.add_perm("engagement.suggest_panel_expert", chairs_panel)

# Funding calls and scoring rounds. A proposal in full (team, organisations, document) is for
# its team and coordinators; a reviewer reads its blind fields, and only while assigned to it
# without a conflict. The co-design panel discusses the criteria; its chair approves them.
rules.add_perm("engagement.view_proposal", is_team_member | is_coordinator)
rules.add_perm("engagement.review_proposal", is_assigned_reviewer)
rules.add_perm("engagement.score_review", is_assignee & round_is_scoring)
rules.add_perm("engagement.view_scoring_round", is_round_reviewer | is_coordinator)
rules.add_perm(
    "engagement.view_round_scores", is_coordinator | (is_round_reviewer & round_shows_scores)
)
rules.add_perm("engagement.moderate_round", may_moderate)
rules.add_perm("engagement.discuss_criteria", co_designs | is_coordinator)
rules.add_perm("engagement.approve_criteria", approves_criteria)
