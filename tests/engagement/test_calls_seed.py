"""The demo seed's funding calls: one open whose criteria a lived-experience panel
co-designed, one whose round is scoring (the demo expert with two proposals to score, one
with a draft), and one closed with a decision on every proposal."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from core.models import AuditEvent
from engagement.models import (
    ConflictDeclaration,
    CriteriaComment,
    Decision,
    FundingCall,
    PanelMembership,
    Proposal,
    ReviewAssignment,
    RoundReviewer,
    Score,
    ScoringRound,
)
from engagement.seed import CLOSED_CALL, OPEN_CALL, SCORING_CALL
from payments.models import Honorarium

DEMO_EXPERT = "expert@example.org"


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """The whole demo seed takes seconds: it runs once for this module, in a transaction
    rolled back at the end; each test runs in a savepoint inside it."""
    files = tmp_path_factory.getbasetemp()  # where tests/conftest.py points them too
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            PAYMENTS_RECEIPTS_ROOT=files / "receipts",
            PROPOSAL_ATTACHMENTS_ROOT=files / "proposals",
        ),
        transaction.atomic(),
    ):
        call_command("seed_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def seeded(_seeded_once, db):
    """The seeded demo site; what a test changes is undone after it."""


def test_the_open_call_has_criteria_the_panel_discussed_and_its_chair_approved(seeded):
    call = FundingCall.objects.select_related("round", "co_design_panel").get(slug=OPEN_CALL)
    scoring_round = call.round

    assert call.title == "Safer work after exploitation"
    assert call.status == FundingCall.Status.OPEN
    assert scoring_round.criteria_status == ScoringRound.CriteriaStatus.APPROVED
    assert scoring_round.phase == ScoringRound.Phase.SETUP
    members = call.co_design_panel.memberships.current()
    assert members.filter(expert__user__email=DEMO_EXPERT, role="member").exists()
    chair = members.get(role=PanelMembership.Role.CHAIR).expert.user
    assert scoring_round.approved_by == chair
    authors = set(
        CriteriaComment.objects.filter(round=scoring_round).values_list("author", flat=True)
    )
    assert len(authors) == 2
    assert authors <= set(members.values_list("expert__user", flat=True))
    assert chair.pk not in authors
    for criterion in scoring_round.criteria.all():
        assert sorted(criterion.descriptors.values_list("point", flat=True)) == [1, 2, 3, 4, 5]
    assert call.proposals.count() == 0


def test_the_scoring_round_has_reviewers_conflicts_and_partial_scores(seeded):
    call = FundingCall.objects.select_related("round").get(slug=SCORING_CALL)
    scoring_round = call.round
    assert call.status == FundingCall.Status.CLOSED
    assert scoring_round.phase == ScoringRound.Phase.SCORING
    proposals = call.proposals.filter(status=Proposal.Status.SUBMITTED)
    assert 6 <= proposals.count() <= 8
    assert proposals.filter(team__isnull=True).count() == 0
    assert proposals.values("team").distinct().count() >= 4
    for proposal in proposals:
        assert proposal.partners
        assert proposal.lay_summary and proposal.full_summary and proposal.anonymised_summary
        # Blind reviewers read the anonymised summary: no team, no organisation in it.
        for name in (proposal.team.name, proposal.lead_organisation, *proposal.partners):
            assert name in proposal.full_summary
            assert name not in proposal.anonymised_summary
        assert proposal.attachment.read(5) == b"%PDF-"

    groups = set(RoundReviewer.objects.filter(round=scoring_round).values_list("group", flat=True))
    assert groups == {"lived_experience", "academic", "staff"}
    assert RoundReviewer.objects.get(round=scoring_round, user__email=DEMO_EXPERT).group == (
        "lived_experience"
    )

    conflicts = ConflictDeclaration.objects.filter(proposal__call=call)
    own = conflicts.get(by_coordinator=False)
    assert own.declared_by == own.reviewer
    assert own.note
    added = conflicts.get(by_coordinator=True)
    assert added.declared_by.email == "coordinator@example.org"
    for conflict in conflicts:
        assert not ReviewAssignment.objects.filter(
            proposal=conflict.proposal, reviewer=conflict.reviewer
        ).exists()

    live = ReviewAssignment.objects.filter(round=scoring_round, status__in=ReviewAssignment.LIVE)
    for proposal in proposals:
        reviews = live.filter(proposal=proposal)
        assert reviews.count() == scoring_round.reviewers_per_proposal
        assert reviews.filter(
            reviewer__round_reviews__round=scoring_round,
            reviewer__round_reviews__group="lived_experience",
        ).exists()
    submitted = live.filter(status=ReviewAssignment.Status.SUBMITTED)
    assert 0 < submitted.count() < live.count()
    assert all(review.snapshot for review in submitted)
    drafts = live.filter(status=ReviewAssignment.Status.ASSIGNED, scores__isnull=False).distinct()
    assert drafts.exclude(reviewer__email=DEMO_EXPERT).exists()


def test_the_demo_expert_has_two_proposals_to_score_one_with_a_draft(seeded):
    scoring_round = ScoringRound.objects.get(call__slug=SCORING_CALL)

    mine = ReviewAssignment.objects.filter(
        round=scoring_round, reviewer__email=DEMO_EXPERT, status__in=ReviewAssignment.LIVE
    ).order_by("proposal__reference")

    assert [review.status for review in mine] == ["assigned", "assigned"]
    drafted, untouched = mine
    assert Score.objects.filter(assignment=drafted, value__isnull=False).count() == 2
    assert Score.objects.filter(assignment=untouched).count() == 0
    assert not ReviewAssignment.objects.filter(
        reviewer__email=DEMO_EXPERT, round__call__slug=CLOSED_CALL
    ).exists()


def test_the_closed_round_has_every_review_submitted_and_a_decision_per_proposal(seeded):
    call = FundingCall.objects.select_related("round").get(slug=CLOSED_CALL)
    scoring_round = call.round
    assert call.status == FundingCall.Status.CLOSED
    assert scoring_round.phase == ScoringRound.Phase.CLOSED

    reviews = ReviewAssignment.objects.filter(round=scoring_round)
    assert reviews.count() == call.proposals.count() * scoring_round.reviewers_per_proposal
    assert set(reviews.values_list("status", flat=True)) == {"submitted"}
    decisions = Decision.objects.filter(round=scoring_round)
    assert sorted(decisions.values_list("proposal", flat=True)) == sorted(
        call.proposals.values_list("pk", flat=True)
    )
    assert sorted(decisions.values_list("outcome", flat=True)) == [
        "fund",
        "fund",
        "reject",
        "reject",
        "reserve",
    ]
    lived = set(
        RoundReviewer.objects.filter(round=scoring_round, group="lived_experience").values_list(
            "user", flat=True
        )
    )
    for decision in decisions:
        assert decision.rationale
        assert set(decision.voters.values_list("pk", flat=True)) & lived
    # Each change went through a service: the round's phases and the decisions are audited.
    assert AuditEvent.objects.filter(action="decision.record").count() == 5
    assert scoring_round.audit_events.filter(action="scoringround.close_round").count() == 1


def test_running_the_seed_again_adds_nothing(seeded):
    models = (
        FundingCall,
        ScoringRound,
        Proposal,
        CriteriaComment,
        RoundReviewer,
        ConflictDeclaration,
        ReviewAssignment,
        Score,
        Decision,
        AuditEvent,
        Honorarium,
    )
    first = {model.__name__: model.objects.count() for model in models}

    call_command("seed_demo", stdout=StringIO())

    assert {model.__name__: model.objects.count() for model in models} == first
    assert first["FundingCall"] == 3
