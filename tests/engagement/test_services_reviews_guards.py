"""Reviews, decisions, exports and reminders at their edges: the exact refusals a reviewer or
coordinator reads, nothing written after a refusal, who is reminded (and who is not), and the
queries a review action takes."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection
from django.template.defaultfilters import date as date_filter
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import AuditEvent, OutboundEmail
from core.transitions import TransitionNotAllowed
from engagement.models import (
    ConflictDeclaration,
    Criterion,
    Decision,
    ExpertProfile,
    ReviewAssignment,
    Score,
    ScoringRound,
)
from engagement.services import scoring as svc
from tests.engagement.test_scoring import (  # noqa: F401 (fixtures)
    moderation,
    review,
    world,
)
from tests.factories import funding_call, proposal, researcher, round_reviewer, scoring_round


def warm_content_types():
    """Content types are cached per process (the audit trail and the outbox read them): fill
    the cache for every model so that a query count does not depend on which tests ran first
    in the same process."""
    ContentType.objects.get_for_models(*apps.get_models())


# Abstaining


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_abstaining_without_a_reason_is_refused_and_the_review_stays_to_do(review, reason):  # noqa: F811 (a fixture imported above)
    assignment, _relevance, _method = review

    with pytest.raises(ValidationError) as refused:
        svc.review_abstain(assignment=assignment, by=assignment.reviewer, reason=reason)

    assert refused.value.message_dict == {
        "reason": ["Say briefly why you are not scoring this one."]
    }
    assignment.refresh_from_db()
    assert (assignment.status, assignment.abstain_reason) == ("assigned", "")


def test_abstaining_is_refused_before_scoring_starts(world):  # noqa: F811 (a fixture imported above)
    _lead, the_round, lived, _academics, proposals = world
    mine = ReviewAssignment.objects.create(
        round=the_round, proposal=proposals[0], reviewer=lived[0].user
    )

    with pytest.raises(TransitionNotAllowed) as refused:
        svc.review_abstain(assignment=mine, by=lived[0].user, reason="Too close to home")

    assert str(refused.value) == "Scores can be given only while the round is scoring."
    mine.refresh_from_db()
    assert (mine.status, mine.abstain_reason) == ("assigned", "")


def test_abstaining_takes_a_fixed_number_of_queries(django_assert_num_queries, review):  # noqa: F811 (a fixture imported above)
    assignment, _relevance, _method = review

    reviewer = assignment.reviewer
    warm_content_types()
    with django_assert_num_queries(29):
        svc.review_abstain(assignment=assignment, by=reviewer, reason="Too close")


# Decisions


def test_only_a_coordinator_records_a_decision_and_is_told_so(moderation):  # noqa: F811 (a fixture imported above)
    _lead, the_round, lived, _academics, proposals = moderation

    with pytest.raises(TransitionNotAllowed) as refused:
        svc.decision_record(
            scoring_round=the_round,
            proposal=proposals[0],
            outcome="fund",
            rationale="Strong",
            voters=[lived[0].user],
            by=lived[0].user,
        )

    assert str(refused.value) == "Only coordinators record decisions."
    assert not Decision.objects.exists()


# Reminders


@pytest.fixture
def due_soon(world, settings):  # noqa: F811 (a fixture imported above)
    """The world's round in scoring, its deadline a day away, reminders 48 hours ahead; the
    first lived-experience reviewer has one review to do."""
    settings.REVIEW_REMINDER_HOURS = 48
    _lead, the_round, lived, _academics, proposals = world
    ScoringRound.objects.filter(pk=the_round.pk).update(
        phase="scoring", deadline=timezone.now() + datetime.timedelta(hours=24)
    )
    the_round.refresh_from_db()
    mine = ReviewAssignment.objects.create(
        round=the_round, proposal=proposals[0], reviewer=lived[0].user
    )
    return the_round, lived[0].user, mine


def test_the_reminder_names_the_call_and_when_scoring_closes(due_soon):
    the_round, reviewer, _mine = due_soon

    assert svc.reviews_remind_due() == 1

    email = OutboundEmail.objects.get(template="review_reminder")
    closes = date_filter(the_round.deadline, "j F Y, H:i")
    assert email.to_address == reviewer.email
    assert (
        f"You have 1 proposal still to score for {the_round.call.title}. "
        f"Scoring closes on {closes}." in email.body_text
    )


def test_a_submitted_review_is_not_reminded(due_soon):
    _the_round, _reviewer, mine = due_soon
    ReviewAssignment.objects.filter(pk=mine.pk).update(
        status="submitted", submitted_at=timezone.now()
    )

    assert svc.reviews_remind_due() == 0
    assert not OutboundEmail.objects.exists()


@pytest.mark.parametrize("phase", ["conflicts", "moderation"])
def test_no_reminder_outside_the_scoring_phase(due_soon, phase):
    the_round, _reviewer, mine = due_soon
    ScoringRound.objects.filter(pk=the_round.pk).update(phase=phase)

    assert svc.reviews_remind_due() == 0
    assert not OutboundEmail.objects.exists()
    mine.refresh_from_db()
    assert mine.reminded_at is None


def test_no_reminder_once_the_deadline_has_passed(due_soon):
    the_round, _reviewer, mine = due_soon
    ScoringRound.objects.filter(pk=the_round.pk).update(
        deadline=timezone.now() - datetime.timedelta(minutes=1)
    )

    assert svc.reviews_remind_due() == 0
    assert not OutboundEmail.objects.exists()
    mine.refresh_from_db()
    assert mine.reminded_at is None


def test_an_inactive_reviewer_is_skipped_and_the_reviewers_after_them_are_still_reminded(
    due_soon,
):
    the_round, inactive, _mine = due_soon
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    later = round_reviewer(of_round=the_round, group="academic").user
    assert later.pk > inactive.pk
    ReviewAssignment.objects.create(
        round=the_round, proposal=the_round.call.proposals.order_by("pk")[1], reviewer=later
    )

    assert svc.reviews_remind_due() == 1
    assert list(
        OutboundEmail.objects.filter(template="review_reminder").values_list(
            "to_address", flat=True
        )
    ) == [later.email]


def test_reminders_read_each_rounds_call_with_the_round(due_soon, django_assert_num_queries):
    # The first run reminds the world's reviewer (and fills the caches the outbox uses); then
    # two more rounds in scoring, due the same day, each with a reviewer: reading their calls
    # takes no query per round.
    assert svc.reviews_remind_due() == 1
    for title in ("Warm Homes Fund", "Safe Streets Fund"):
        other_call = funding_call(status="closed", title=title)
        other_round = scoring_round(
            call=other_call,
            criteria_status="approved",
            phase="scoring",
            deadline=timezone.now() + datetime.timedelta(hours=12),
        )
        other = round_reviewer(of_round=other_round, user=researcher()).user
        ReviewAssignment.objects.create(
            round=other_round, proposal=proposal(call=other_call), reviewer=other
        )

    with django_assert_num_queries(18):
        assert svc.reviews_remind_due() == 2


def test_reminders_read_only_the_reviewers_and_rounds_they_remind(due_soon):
    # Every account and every round would give the same emails, but the job runs every few
    # minutes: it must read what it sends about, never the whole table.
    with CaptureQueriesContext(connection) as queries:
        assert svc.reviews_remind_due() == 1

    def reads(table):
        return [
            q["sql"]
            for q in queries.captured_queries
            if q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"]
        ]

    assert [sql for sql in reads("accounts_user") if " IN (" not in sql] == []
    assert reads("engagement_scoringround")
    assert [sql for sql in reads("engagement_scoringround") if " IN (" not in sql] == []


def decide(the_round, a_proposal, by, **fields):
    args = {"outcome": "fund", "rationale": "Strong", "voters": [], **fields}
    return svc.decision_record(scoring_round=the_round, proposal=a_proposal, by=by, **args)


def test_a_decision_without_outcome_reasons_or_voters_says_what_is_missing(moderation):  # noqa: F811 (a fixture imported above)
    lead, the_round, _lived, _academics, proposals = moderation

    with pytest.raises(ValidationError) as refused:
        decide(the_round, proposals[0], lead, outcome="maybe", rationale=None, voters=[])

    assert refused.value.message_dict == {
        "outcome": ["Choose fund, reserve or do not fund."],
        "rationale": ["Give the reasons for the decision."],
        "voters": ["Choose who took the decision."],
    }
    assert not Decision.objects.exists()


def test_a_decision_outside_moderation_or_the_round_is_refused_with_its_reason(moderation):  # noqa: F811 (a fixture imported above)
    lead, the_round, lived, _academics, proposals = moderation
    voters = [lived[0].user]
    elsewhere = proposal(call=funding_call(status="closed"))
    proposals[1].__class__.objects.filter(pk=proposals[1].pk).update(status="withdrawn")
    proposals[1].refresh_from_db()

    for not_in_round in (elsewhere, proposals[1]):
        with pytest.raises(TransitionNotAllowed) as refused:
            decide(the_round, not_in_round, lead, voters=voters)
        assert str(refused.value) == "This proposal is not in the round."
    ScoringRound.objects.filter(pk=the_round.pk).update(phase="scoring")
    with pytest.raises(TransitionNotAllowed) as refused:
        decide(the_round, proposals[0], lead, voters=voters)
    assert str(refused.value) == "Decisions are recorded in the moderation phase."
    assert not Decision.objects.exists()


def test_a_decision_keeps_its_trimmed_reasons_its_author_and_its_voters_on_record(moderation):  # noqa: F811 (a fixture imported above)
    lead, the_round, lived, academics, proposals = moderation
    voters = [academics[1].user, lived[0].user]

    decision = decide(the_round, proposals[0], lead, rationale="  Strong  ", voters=voters)

    decision.refresh_from_db()
    assert (decision.round, decision.proposal, decision.outcome) == (
        the_round,
        proposals[0],
        "fund",
    )
    assert (decision.rationale, decision.decided_by) == ("Strong", lead)
    assert decision.decided_at is not None
    assert set(decision.voters.all()) == set(voters)
    event = AuditEvent.objects.get(action="decision.record")
    assert (event.actor, event.from_state, event.to_state, event.extra) == (
        lead,
        "",
        "fund",
        {"round": the_round.pk, "voters": sorted(v.pk for v in voters)},
    )


# Exports


def test_only_a_coordinator_exports_and_is_told_so(world):  # noqa: F811 (a fixture imported above)
    _lead, the_round, lived, _academics, _proposals = world

    with pytest.raises(TransitionNotAllowed) as refused:
        svc.round_export_csv(scoring_round=the_round, by=lived[0].user)

    assert str(refused.value) == "Only coordinators export a round's scores."
    assert not AuditEvent.objects.exists()


def test_an_export_is_audited_against_its_round(world):  # noqa: F811 (a fixture imported above)
    lead, the_round, _lived, _academics, proposals = world

    content = svc.round_export_csv(scoring_round=the_round, by=lead)

    event = AuditEvent.objects.get()
    assert (event.action, event.actor, event.subject, event.extra) == (
        "scoringround.export",
        lead,
        the_round,
        {"rows": len(proposals)},
    )
    assert len(content.splitlines()) == len(proposals) + 1


# Drafts and submissions


def test_scoring_someone_elses_or_a_finished_review_or_outside_scoring_is_refused(review):  # noqa: F811 (a fixture imported above)
    assignment, relevance, _method = review
    scores = {relevance.pk: (3, "Fine")}

    for by in (researcher(), None):
        with pytest.raises(TransitionNotAllowed) as refused:
            svc.review_save_draft(assignment=assignment, by=by, scores=scores)
        assert str(refused.value) == "This review is not yours."
    ScoringRound.objects.filter(pk=assignment.round_id).update(phase="moderation")
    with pytest.raises(TransitionNotAllowed) as refused:
        svc.review_save_draft(assignment=assignment, by=assignment.reviewer, scores=scores)
    assert str(refused.value) == "Scores can be given only while the round is scoring."
    ScoringRound.objects.filter(pk=assignment.round_id).update(phase="scoring")
    ReviewAssignment.objects.filter(pk=assignment.pk).update(status="withdrawn")
    with pytest.raises(TransitionNotAllowed) as refused:
        svc.review_save_draft(assignment=assignment, by=assignment.reviewer, scores=scores)
    assert str(refused.value) == "This review is finished."
    assert not Score.objects.exists()


def test_a_criterion_of_another_round_is_refused(review):  # noqa: F811 (a fixture imported above)
    assignment, relevance, _method = review
    foreign = Criterion.objects.filter(round=scoring_round()).first()

    with pytest.raises(TransitionNotAllowed) as refused:
        svc.review_save_draft(
            assignment=assignment,
            by=assignment.reviewer,
            scores={relevance.pk: (3, "Fine"), foreign.pk: (3, "Fine")},
        )

    assert str(refused.value) == "That criterion is not in this round."
    assert not Score.objects.exists()


def test_a_draft_takes_form_values_as_text_and_reasons_up_to_the_limit(review):  # noqa: F811 (a fixture imported above)
    assignment, relevance, method = review

    svc.review_save_draft(
        assignment=assignment,
        by=assignment.reviewer,
        scores={str(relevance.pk): ("5", "  " + "x" * 5000 + "  "), str(method.pk): ("", None)},
    )

    assert list(
        Score.objects.order_by("criterion__position").values_list("value", "rationale")
    ) == [(5, "x" * 5000), (None, "")]


def test_a_draft_with_a_score_that_is_not_a_number_or_reasons_too_long_says_so(review):  # noqa: F811 (a fixture imported above)
    assignment, relevance, method = review

    with pytest.raises(ValidationError) as refused:
        svc.review_save_draft(
            assignment=assignment,
            by=assignment.reviewer,
            scores={relevance.pk: ("four", "Fine"), method.pk: (1, "x" * 5001)},
        )

    assert refused.value.message_dict == {
        f"score_{relevance.pk}": ["Choose a score from 1 to 5."],
        f"rationale_{method.pk}": ["Keep your reasons to 5000 characters or fewer."],
    }
    assert not Score.objects.exists()


def test_saving_a_draft_again_changes_the_scores_in_place(review):  # noqa: F811 (a fixture imported above)
    assignment, relevance, method = review
    reviewer = assignment.reviewer
    svc.review_save_draft(
        assignment=assignment, by=reviewer, scores={relevance.pk: (1, "First"), method.pk: (2, "")}
    )

    svc.review_save_draft(assignment=assignment, by=reviewer, scores={relevance.pk: (5, "Then")})

    assert list(
        Score.objects.order_by("criterion__position").values_list("criterion", "value", "rationale")
    ) == [(relevance.pk, 5, "Then"), (method.pk, 2, "")]


def test_submitting_with_a_conflict_declared_is_refused(review):  # noqa: F811 (a fixture imported above)
    assignment, relevance, method = review
    ConflictDeclaration.objects.create(
        proposal=assignment.proposal, reviewer=assignment.reviewer, reason="My old team"
    )

    with pytest.raises(TransitionNotAllowed) as refused:
        svc.review_submit(
            assignment=assignment,
            by=assignment.reviewer,
            scores={relevance.pk: (4, "Good"), method.pk: (3, "Good")},
        )

    assert str(refused.value) == "You have declared a conflict with this proposal."
    assignment.refresh_from_db()
    assert (assignment.status, assignment.submitted_at) == ("assigned", None)


def test_a_conflict_on_another_proposal_or_by_another_reviewer_does_not_block_submitting(review):  # noqa: F811 (a fixture imported above)
    assignment, relevance, method = review
    other = round_reviewer(of_round=assignment.round, group="academic").user
    elsewhere = assignment.round.call.proposals.exclude(pk=assignment.proposal_id).first()
    ConflictDeclaration.objects.create(
        proposal=elsewhere, reviewer=assignment.reviewer, reason="My old team"
    )
    ConflictDeclaration.objects.create(
        proposal=assignment.proposal, reviewer=other, reason="My old team"
    )

    done = svc.review_submit(
        assignment=assignment,
        by=assignment.reviewer,
        scores={relevance.pk: (4, "Good"), method.pk: (3, "Good")},
    )

    assert done.status == "submitted"


def test_submitting_a_saved_draft_takes_the_weights_and_scale_at_submission(review):  # noqa: F811 (a fixture imported above)
    assignment, relevance, method = review
    reviewer = assignment.reviewer
    svc.review_save_draft(
        assignment=assignment, by=reviewer, scores={relevance.pk: (4, "A"), method.pk: (2, "B")}
    )
    Criterion.objects.filter(pk=method.pk).update(weight="3.00")
    ScoringRound.objects.filter(pk=assignment.round_id).update(scale_min=0, scale_max=7)

    done = svc.review_submit(assignment=assignment, by=reviewer)

    assert done.status == "submitted"
    assert list(
        Score.objects.order_by("criterion__position").values_list(
            "value", "weight", "scale_min", "scale_max"
        )
    ) == [(4, Decimal("2.00"), 0, 7), (2, Decimal("3.00"), 0, 7)]
    assert done.snapshot["criteria"][1]["weight"] == "3.00"


def test_submitting_a_draft_scored_outside_a_narrowed_scale_is_refused(review):  # noqa: F811 (a fixture imported above)
    assignment, relevance, method = review
    reviewer = assignment.reviewer
    svc.review_save_draft(
        assignment=assignment, by=reviewer, scores={relevance.pk: (4, "A"), method.pk: (1, "B")}
    )
    ScoringRound.objects.filter(pk=assignment.round_id).update(scale_min=2)

    with pytest.raises(ValidationError) as refused:
        svc.review_submit(assignment=assignment, by=reviewer)

    assert refused.value.message_dict == {f"score_{method.pk}": ["Choose a score from 2 to 5."]}


@pytest.mark.parametrize(("status", "fee_asked"), [("paused", True), ("left", False)])
def test_a_review_fee_is_asked_for_only_while_the_reviewer_is_an_expert(
    review,  # noqa: F811 (a fixture imported above)
    django_capture_on_commit_callbacks,
    status,
    fee_asked,
):
    assignment, relevance, method = review
    ExpertProfile.objects.filter(user=assignment.reviewer).update(status=status)

    with django_capture_on_commit_callbacks() as callbacks:
        svc.review_submit(
            assignment=assignment,
            by=assignment.reviewer,
            scores={relevance.pk: (4, "Good"), method.pk: (3, "Good")},
        )

    assert len(callbacks) == (1 if fee_asked else 0)


def test_two_reviewers_drafts_on_the_same_proposal_stay_their_own(review):  # noqa: F811 (a fixture imported above)
    assignment, relevance, _method = review
    other = round_reviewer(of_round=assignment.round, group="academic").user
    theirs = ReviewAssignment.objects.create(
        round=assignment.round, proposal=assignment.proposal, reviewer=other
    )
    svc.review_save_draft(
        assignment=assignment, by=assignment.reviewer, scores={relevance.pk: (2, "Mine")}
    )

    svc.review_save_draft(assignment=theirs, by=other, scores={relevance.pk: (5, "Theirs")})

    assert sorted(Score.objects.values_list("assignment", "criterion", "value", "rationale")) == [
        (assignment.pk, relevance.pk, 2, "Mine"),
        (theirs.pk, relevance.pk, 5, "Theirs"),
    ]


def test_saving_and_submitting_take_a_fixed_number_of_queries(django_assert_num_queries, review):  # noqa: F811 (a fixture imported above)
    assignment, relevance, method = review
    scores = {relevance.pk: (4, "Good"), method.pk: (3, "Good")}
    reviewer = assignment.reviewer
    warm_content_types()

    with django_assert_num_queries(17):
        svc.review_save_draft(assignment=assignment, by=reviewer, scores=scores)
    with django_assert_num_queries(15):
        svc.review_submit(assignment=assignment, by=reviewer)


def test_a_reviewer_of_another_round_only_cannot_be_a_voter(moderation):  # noqa: F811 (a fixture imported above)
    lead, the_round, lived, _academics, proposals = moderation
    elsewhere = scoring_round(call=funding_call(status="closed"), phase="moderation")
    # A lived-experience reviewer, but of another round: not one of this round's voters.
    outsider = round_reviewer(of_round=elsewhere, group="lived_experience").user

    with pytest.raises(ValidationError) as refused:
        decide(the_round, proposals[0], lead, voters=[lived[0].user, outsider])

    assert refused.value.message_dict == {"voters": ["Only the round's reviewers can be voters."]}
    assert not Decision.objects.exists()


def test_the_first_decision_on_each_proposal_is_audited_as_new_and_a_change_as_a_change(moderation):  # noqa: F811 (a fixture imported above)
    lead, the_round, lived, _academics, proposals = moderation
    voters = [lived[0].user]

    decide(the_round, proposals[0], lead, outcome="fund", voters=voters)
    decide(the_round, proposals[1], lead, outcome="reject", voters=voters)
    decide(the_round, proposals[0], lead, outcome="reserve", voters=voters)

    assert list(
        AuditEvent.objects.filter(action="decision.record")
        .order_by("pk")
        .values_list("object_id", "from_state", "to_state")
    ) == [
        (proposals[0].pk, "", "fund"),
        (proposals[1].pk, "", "reject"),
        (proposals[0].pk, "fund", "reserve"),
    ]
