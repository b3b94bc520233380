"""Reads for the criteria co-design workspace (/co-design/<round>/): the round with its call
and panel, its criteria with their descriptors, the discussion, the group weights in plain
words, and the rounds a panel or an expert is asked to help shape."""

import hashlib
import json
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from engagement.models import (
    CriteriaComment,
    Criterion,
    Descriptor,
    FundingCall,
    Panel,
    PanelMembership,
    ReviewerGroup,
    ScoringRound,
)

GROUP_WEIGHT_FIELDS = {
    ReviewerGroup.LIVED_EXPERIENCE: "lived_weight",
    ReviewerGroup.ACADEMIC: "academic_weight",
    ReviewerGroup.STAFF: "staff_weight",
}


def codesign_round(round_id: int) -> ScoringRound | None:
    """The round with what its page and permission checks read, in one query."""
    return (
        ScoringRound.objects.select_related("call__co_design_panel", "approved_by")
        .filter(pk=round_id)
        .first()
    )


def criteria_with_descriptors(scoring_round: ScoringRound) -> list[Criterion]:
    """The round's criteria in order, each with its descriptors by point (two queries)."""
    return list(
        Criterion.objects.filter(round=scoring_round)
        .order_by("position", "pk")
        .prefetch_related(Prefetch("descriptors", queryset=Descriptor.objects.order_by("point")))
    )


def criteria_version(scoring_round: ScoringRound, criteria: list[Criterion]) -> str:
    """A fingerprint of everything the co-design form edits: a form carries the one it was
    drawn from, and saving refuses a form drawn from criteria that have changed since."""
    state = {
        "scale": [scoring_round.scale_min, scoring_round.scale_max],
        "groups": {
            group: str(Decimal(getattr(scoring_round, name)).normalize())
            for group, name in GROUP_WEIGHT_FIELDS.items()
        },
        "criteria": [
            [
                criterion.name,
                criterion.guidance,
                str(Decimal(criterion.weight).normalize()),
                [[d.point, d.text] for d in criterion.descriptors.all()],
            ]
            for criterion in criteria
        ],
    }
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()[:32]


def _percent(value: Decimal) -> str:
    rounded = value.quantize(Decimal("0.1"))
    return str(rounded.to_integral_value()) if rounded == rounded.to_integral() else str(rounded)


def group_weights_in_words(scoring_round: ScoringRound) -> list[str]:
    """ "Lived-experience reviewers' scores count for 40%." for each group, as shares of
    the total (the round's group weights are relative: 2, 1, 1 is 50%, 25%, 25%)."""
    weights = {
        group: Decimal(getattr(scoring_round, f)) for group, f in GROUP_WEIGHT_FIELDS.items()
    }
    total = sum(weights.values())
    if not total:
        return [_("No group counts yet: the group weights are all zero.")]
    templates = {
        ReviewerGroup.LIVED_EXPERIENCE: _("Lived-experience reviewers' scores count for %(p)s%%."),
        ReviewerGroup.ACADEMIC: _("Academic reviewers' scores count for %(p)s%%."),
        ReviewerGroup.STAFF: _("Staff reviewers' scores count for %(p)s%%."),
    }
    return [
        templates[group] % {"p": _percent(weight * 100 / total)}
        for group, weight in weights.items()
    ]


def codesign_page(scoring_round: ScoringRound) -> dict:
    """What the workspace shows: the criteria (two queries) and the discussion, oldest first,
    with each author's display name (one query)."""
    return {
        "scoring_round": scoring_round,
        "call": scoring_round.call,
        "panel": scoring_round.call.co_design_panel,
        "criteria": criteria_with_descriptors(scoring_round),
        "group_weights": group_weights_in_words(scoring_round),
        "comments": list(
            CriteriaComment.objects.filter(round=scoring_round)
            .select_related("author")
            .order_by("created_at", "pk")
        ),
    }


def _awaiting(rounds: QuerySet[ScoringRound]) -> QuerySet[ScoringRound]:
    return (
        rounds.filter(
            call__status=FundingCall.Status.DRAFT,
            criteria_status=ScoringRound.CriteriaStatus.DRAFTING,
        )
        .select_related("call")
        .order_by("call__opens_at", "pk")
    )


def codesign_rounds_for_panel(panel: Panel) -> list[ScoringRound]:
    """Draft calls whose criteria this panel is shaping and has not yet approved."""
    return list(_awaiting(ScoringRound.objects.filter(call__co_design_panel=panel)))


def codesign_rounds_for_expert(user: User) -> list[ScoringRound]:
    """Draft calls whose criteria a panel the expert belongs to today is shaping."""
    panels = PanelMembership.objects.current().filter(expert__user=user).values("panel")
    return list(_awaiting(ScoringRound.objects.filter(call__co_design_panel__in=panels)))
