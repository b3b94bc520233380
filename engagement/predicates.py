"""Object predicates about experts, teams and panels. The models' transition declarations
and engagement/rules.py both use them, so they import no engagement models: they read
attributes, and `panel_of` finds the panel of anything that belongs to one."""

import rules
from django.utils import timezone

from accounts.rules import is_coordinator


def panel_of(obj):
    """The panel of a panel, an invitation, a session, or a session's note."""
    if obj is None:
        return None
    if hasattr(obj, "coordinators"):
        return obj
    if hasattr(obj, "panel"):
        return obj.panel
    return obj.session.panel


@rules.predicate
def is_self(user, profile) -> bool:
    """The expert's own record."""
    return profile is not None and user is not None and profile.user_id == user.pk


@rules.predicate
def coordinates_a_panel_of(user, profile) -> bool:
    """The user coordinates a panel the expert belongs to today (an ended or future
    membership opens nothing)."""
    if profile is None or not user.is_authenticated:
        return False
    return profile.memberships.current().filter(panel__coordinators=user).exists()


@rules.predicate
def coordinates_panel(user, obj) -> bool:
    """The user is one of the coordinators of the object's panel."""
    panel = panel_of(obj)
    if panel is None or not user.is_authenticated:
        return False
    return panel.coordinators.filter(pk=user.pk).exists()


@rules.predicate
def is_panel_member(user, obj) -> bool:
    """The user is an expert on the object's panel today."""
    panel = panel_of(obj)
    if panel is None or not user.is_authenticated:
        return False
    return panel.memberships.current().filter(expert__user=user).exists()


@rules.predicate
def chairs_panel(user, obj) -> bool:
    """The user chairs the object's panel today."""
    panel = panel_of(obj)
    if panel is None or not user.is_authenticated:
        return False
    return panel.memberships.current().filter(expert__user=user, role="chair").exists()


@rules.predicate
def panel_has_chair(user, obj) -> bool:
    panel = panel_of(obj)
    return panel is not None and panel.memberships.current().filter(role="chair").exists()


@rules.predicate
def is_team_member(user, obj) -> bool:
    """The user belongs to the research team of the object (a team, a request, a panel
    formed for a request, or anything with a `team_id`)."""
    team_id = obj.pk if hasattr(obj, "organisation") else getattr(obj, "team_id", None)
    if team_id is None or not user.is_authenticated:
        return False
    return user.team_memberships.filter(team_id=team_id).exists()


@rules.predicate
def request_is_editable(user, advisory_request) -> bool:
    """A draft, or a request the coordinator sent back for changes."""
    return advisory_request is not None and advisory_request.status in {
        "draft",
        "changes_requested",
    }


@rules.predicate
def is_invitee(user, invitation) -> bool:
    return invitation is not None and invitation.expert.user_id == user.pk


@rules.predicate
def is_invited_person(user, invitation) -> bool:
    """The signed-in person has confirmed the address a team invitation was sent to."""
    if invitation is None or not user.is_authenticated:
        return False
    return user.emailaddress_set.filter(email__iexact=invitation.email, verified=True).exists()


@rules.predicate
def has_started(user, session) -> bool:
    return session is not None and session.starts_at <= timezone.now()


# Nobody vets their own application, whatever their role.
vets_others = is_coordinator & ~is_self
# The panel's coordinators run it; a chair leads its sessions.
runs_panel = is_coordinator & coordinates_panel
chairs_or_coordinates = chairs_panel | (runs_panel & ~panel_has_chair)


@rules.predicate
def researches_for_panel(user, obj) -> bool:
    """The user belongs to the research team the object's (request) panel works for."""
    return is_team_member.test(user, panel_of(obj))


@rules.predicate
def attended_session(user, session) -> bool:
    """Attendance records that the user took part in the session."""
    if session is None or not user.is_authenticated:
        return False
    return session.attendance.filter(expert__user=user, attended=True).exists()


# Chairs lead their panel's sessions; the panel's coordinators run them too.
leads_session = chairs_panel | runs_panel


# Funding calls and scoring rounds. A round is found from itself, its call, or anything that
# belongs to it (a criterion, an assignment, a proposal of its call).
ROUND_PHASES_WITH_REVIEWS = frozenset({"scoring", "moderation", "closed"})
LIVE_ASSIGNMENT_STATES = ("assigned", "submitted")


def round_of(obj):
    """The scoring round of a round, a call, a proposal, or anything with a `round`."""
    if obj is None:
        return None
    if hasattr(obj, "phase"):
        return obj
    if hasattr(obj, "requires_partner"):
        return getattr(obj, "round", None)
    if hasattr(obj, "round_id"):
        return obj.round
    return getattr(obj.call, "round", None)


@rules.predicate
def is_round_reviewer(user, obj) -> bool:
    """The user reviews in the object's scoring round."""
    scoring_round = round_of(obj)
    if scoring_round is None or not user.is_authenticated:
        return False
    return scoring_round.reviewers.filter(user=user).exists()


@rules.predicate
def is_assigned_reviewer(user, proposal) -> bool:
    """The user has a live review of this proposal, no conflict with it, and the round is
    past its conflicts phase: they may read it (its blind fields only) to review it."""
    if proposal is None or not user.is_authenticated:
        return False
    scoring_round = round_of(proposal)
    if scoring_round is None or scoring_round.phase not in ROUND_PHASES_WITH_REVIEWS:
        return False
    return (
        proposal.assignments.filter(reviewer=user, status__in=LIVE_ASSIGNMENT_STATES).exists()
        and not proposal.conflicts.filter(reviewer=user).exists()
    )


@rules.predicate
def is_assignee(user, assignment) -> bool:
    """The review is the user's own."""
    return assignment is not None and user is not None and assignment.reviewer_id == user.pk


@rules.predicate
def round_is_scoring(user, obj) -> bool:
    scoring_round = round_of(obj)
    return scoring_round is not None and scoring_round.phase == "scoring"


@rules.predicate
def round_shows_scores(user, obj) -> bool:
    """From moderation on, a round's reviewers may see each other's scores."""
    scoring_round = round_of(obj)
    return scoring_round is not None and scoring_round.phase in {"moderation", "closed"}


# The co-design panel's members discuss the criteria; its chair or its coordinators approve
# them (a round's `panel` is its call's co-design panel).
co_designs = is_panel_member | runs_panel
approves_criteria = chairs_panel | runs_panel
may_moderate = is_coordinator
