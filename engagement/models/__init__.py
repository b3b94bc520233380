"""Engagement's models, one module per part of the domain."""

from engagement.models.calls import FundingCall, Proposal
from engagement.models.expenses import ExpenseClaimKey
from engagement.models.experts import (
    AccessNeed,
    Availability,
    Consent,
    ConsentStatement,
    ExpertProfile,
    Language,
    MeetingFormat,
    Region,
    SensitiveAccess,
    Topic,
    new_expert_reference,
)
from engagement.models.invitations import Invitation
from engagement.models.panels import Panel, PanelMembership, PanelSuggestion
from engagement.models.requests import AdvisoryRequest, InputKind, RequestFormat, ResearchStage
from engagement.models.scoring import (
    ConflictDeclaration,
    CriteriaComment,
    Criterion,
    Decision,
    Descriptor,
    ReviewAssignment,
    ReviewerGroup,
    RoundReviewer,
    Score,
    ScoringRound,
)
from engagement.models.sessions import (
    AccessSupport,
    Attendance,
    ImpactRating,
    ImpactRecord,
    PanelSession,
    SessionFormat,
    SessionNote,
)
from engagement.models.teams import ResearchTeam, TeamInvitation, TeamMembership

__all__ = [
    "AccessNeed",
    "AccessSupport",
    "AdvisoryRequest",
    "Attendance",
    "Availability",
    "ConflictDeclaration",
    "Consent",
    "ConsentStatement",
    "CriteriaComment",
    "Criterion",
    "Decision",
    "Descriptor",
    "ExpenseClaimKey",
    "ExpertProfile",
    "FundingCall",
    "ImpactRating",
    "ImpactRecord",
    "InputKind",
    "Invitation",
    "Language",
    "MeetingFormat",
    "Panel",
    "PanelMembership",
    "PanelSession",
    "PanelSuggestion",
    "Proposal",
    "Region",
    "RequestFormat",
    "ResearchStage",
    "ResearchTeam",
    "ReviewAssignment",
    "ReviewerGroup",
    "RoundReviewer",
    "Score",
    "ScoringRound",
    "SensitiveAccess",
    "SessionFormat",
    "SessionNote",
    "TeamInvitation",
    "TeamMembership",
    "Topic",
    "new_expert_reference",
]
