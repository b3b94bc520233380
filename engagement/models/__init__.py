"""Engagement's models, one module per part of the domain."""

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
    "Consent",
    "ConsentStatement",
    "ExpenseClaimKey",
    "ExpertProfile",
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
    "Region",
    "RequestFormat",
    "ResearchStage",
    "ResearchTeam",
    "SensitiveAccess",
    "SessionFormat",
    "SessionNote",
    "TeamInvitation",
    "TeamMembership",
    "Topic",
    "new_expert_reference",
]
