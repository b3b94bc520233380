"""The scoring round's reads, row by row: each selector returns exactly the rows of its own
round, call and person (never another round's, a withdrawn or abstained review, a withdrawn
proposal or someone else's), in the promised order and with the promised counts; a reviewer
reads only what their round lets them (blind fields, no proposal before scoring, nothing
they have a conflict with); the export is safe in a spreadsheet; and the selectors that
promise a fixed number of queries keep it."""

import datetime

import pytest
from django.utils import timezone

from engagement.models import (
    ConflictDeclaration,
    Criterion,
    Decision,
    Descriptor,
    Proposal,
    ReviewAssignment,
    Score,
    ScoringRound,
    Topic,
)
from engagement.selectors import scoring as sel
from tests.engagement.test_scoring_selectors import review
from tests.factories import (
    funding_call,
    proposal,
    researcher,
    round_reviewer,
    scoring_round,
    team,
)

pytestmark = pytest.mark.django_db

SOON = timezone.now() + datetime.timedelta(days=3)
LATER = timezone.now() + datetime.timedelta(days=9)


def a_round(**fields):
    return scoring_round(call=funding_call(status="closed"), **fields)


def withdraw(the_proposal):
    Proposal.objects.filter(pk=the_proposal.pk).update(status="withdrawn")


def draft_score(assignment, position=1, value=None, rationale=""):
    criterion = Criterion.objects.get(round=assignment.round, position=position)
    return Score.objects.create(
        assignment=assignment,
        criterion=criterion,
        value=value,
        rationale=rationale,
        weight=criterion.weight,
        scale_min=1,
        scale_max=5,
    )


def decide(the_round, the_proposal, outcome="fund", rationale="Strong", voters=()):
    decision = Decision.objects.create(
        round=the_round,
        proposal=the_proposal,
        outcome=outcome,
        rationale=rationale,
        decided_at=timezone.now(),
    )
    decision.voters.set(voters)
    return decision


# reading_minutes and the queue's percentage


def test_reading_time_is_the_words_of_every_text_at_two_hundred_a_minute_at_least_one():
    assert sel.reading_minutes("") == 1
    assert sel.reading_minutes("word " * 200) == 1
    assert sel.reading_minutes("word " * 201) == 2
    assert sel.reading_minutes("word " * 150, "word " * 150) == 2
    assert sel.reading_minutes("word " * 1000) == 5


def test_the_queue_percentage_rounds_and_is_zero_for_an_empty_queue():
    assert sel.ReviewQueue(items=[], scored=0, total=0, deadline=None).percent == 0
    assert sel.ReviewQueue(items=[], scored=1, total=3, deadline=None).percent == 33
    assert sel.ReviewQueue(items=[], scored=2, total=3, deadline=None).percent == 67
    assert sel.ReviewQueue(items=[], scored=3, total=3, deadline=None).percent == 100


# review_queue_for


def test_the_queue_lists_to_do_first_then_by_deadline_then_reference():
    soon = a_round(phase="scoring", deadline=SOON)
    later = a_round(phase="scoring", deadline=LATER)
    reviewer = researcher()
    # References out of creation order, so pk order and reference order differ.
    later_b = review(
        later, proposal(call=later.call, reference="B-2"), reviewer, (3, 3), "assigned"
    )
    later_a = review(
        later, proposal(call=later.call, reference="B-1"), reviewer, (3, 3), "assigned"
    )
    soon_done = review(soon, proposal(call=soon.call, reference="C-9"), reviewer, (4, 4))
    soon_todo = review(
        soon, proposal(call=soon.call, reference="C-8"), reviewer, (4, 4), "assigned"
    )

    queue = sel.review_queue_for(reviewer)

    assert [(i.assignment_id, i.round_id, i.status, i.reference) for i in queue.items] == [
        (soon_todo.pk, soon.pk, "assigned", "C-8"),
        (later_a.pk, later.pk, "assigned", "B-1"),
        (later_b.pk, later.pk, "assigned", "B-2"),
        (soon_done.pk, soon.pk, "submitted", "C-9"),
    ]
    assert [i.deadline for i in queue.items] == [SOON, LATER, LATER, SOON]
    assert (queue.scored, queue.total, queue.percent) == (1, 4, 25)


def test_the_queue_deadline_is_the_soonest_among_reviews_still_to_do():
    soon = a_round(phase="scoring", deadline=SOON)
    later = a_round(phase="scoring", deadline=LATER)
    latest = a_round(phase="scoring", deadline=LATER + datetime.timedelta(days=5))
    undated = a_round(phase="scoring", deadline=None)
    reviewer = researcher()
    # The sooner round's review is submitted: its deadline no longer presses.
    review(soon, proposal(call=soon.call), reviewer, (4, 4))
    review(later, proposal(call=later.call), reviewer, (4, 4), "assigned")
    review(latest, proposal(call=latest.call), reviewer, (4, 4), "assigned")
    review(undated, proposal(call=undated.call), reviewer, (4, 4), "assigned")

    assert sel.review_queue_for(reviewer).deadline == LATER


def test_the_queue_has_no_deadline_when_nothing_is_left_to_do():
    the_round = a_round(phase="scoring", deadline=SOON)
    reviewer = researcher()
    review(the_round, proposal(call=the_round.call), reviewer, (4, 4))

    queue = sel.review_queue_for(reviewer)

    assert (queue.deadline, queue.scored, queue.total, queue.percent) == (None, 1, 1, 100)


def test_the_queue_leaves_out_abstained_reviews_and_rounds_past_scoring():
    scoring = a_round(phase="scoring")
    moderation = a_round(phase="moderation")
    reviewer = researcher()
    kept = review(scoring, proposal(call=scoring.call), reviewer, (4, 4), "assigned")
    review(scoring, proposal(call=scoring.call), reviewer, (4, 4), "abstained")
    review(moderation, proposal(call=moderation.call), reviewer, (4, 4), "assigned")

    assert [i.assignment_id for i in sel.review_queue_for(reviewer).items] == [kept.pk]


def test_the_queue_counts_only_scored_criteria_of_the_review_and_its_own_round():
    the_round = a_round(phase="scoring", deadline=SOON)
    # Another round with three criteria: its criteria are not this round's.
    other = scoring_round(
        call=funding_call(status="closed"),
        phase="scoring",
        deadline=LATER,
        criteria=(("A", "1"), ("B", "1"), ("C", "1")),
    )
    bare = scoring_round(call=funding_call(status="closed"), phase="scoring", criteria=())
    reviewer = researcher()
    mine = ReviewAssignment.objects.create(
        round=the_round, proposal=proposal(call=the_round.call), reviewer=reviewer
    )
    draft_score(mine, position=1, value=None, rationale="Thinking")  # no value: not scored
    draft_score(mine, position=2, value=4)
    theirs = ReviewAssignment.objects.create(
        round=other, proposal=proposal(call=other.call), reviewer=reviewer
    )
    draft_score(theirs, position=1, value=2)
    draft_score(theirs, position=2, value=3)
    draft_score(theirs, position=3, value=None)
    empty = ReviewAssignment.objects.create(
        round=bare, proposal=proposal(call=bare.call), reviewer=reviewer
    )

    queue = sel.review_queue_for(reviewer)

    by_id = {i.assignment_id: (i.criteria_scored, i.criteria_total) for i in queue.items}
    assert by_id == {mine.pk: (1, 2), theirs.pk: (2, 3), empty.pk: (0, 0)}


def test_the_queue_item_carries_the_blind_fields_and_reads_the_anonymised_summary():
    the_round = a_round(phase="scoring", deadline=SOON)
    reviewer = researcher()
    the_proposal = proposal(
        call=the_round.call,
        title="Damp in rented homes",
        lay_summary="word " * 100,
        anonymised_summary="word " * 150,
        full_summary="word " * 2000,
    )
    assignment = ReviewAssignment.objects.create(
        round=the_round, proposal=the_proposal, reviewer=reviewer
    )

    (item,) = sel.review_queue_for(reviewer).items

    assert item == sel.QueueItem(
        assignment_id=assignment.pk,
        round_id=the_round.pk,
        status="assigned",
        reference=the_proposal.reference,
        title="Damp in rented homes",
        lay_summary="word " * 100,
        criteria_scored=0,
        criteria_total=2,
        deadline=SOON,
        reading_minutes=2,  # 250 words: the full summary is not what they read
    )


# proposal_for_review


@pytest.mark.parametrize(
    ("phase", "status", "shown"),
    [
        ("conflicts", "assigned", False),
        ("setup", "assigned", False),
        ("scoring", "assigned", True),
        ("moderation", "assigned", True),
        ("closed", "assigned", True),
        ("scoring", "submitted", True),
        ("scoring", "abstained", False),
        ("scoring", "withdrawn", False),
    ],
)
def test_the_blind_proposal_is_read_only_past_conflicts_and_on_a_live_review(phase, status, shown):
    the_round = a_round(phase=phase)
    reviewer = researcher()
    the_proposal = proposal(call=the_round.call)
    assignment = review(the_round, the_proposal, reviewer, (3, 3), status)

    found = sel.proposal_for_review(reviewer, assignment.pk)

    assert (found["proposal__id"] if found else None) == (the_proposal.pk if shown else None)


def test_another_reviewers_conflict_does_not_hide_the_proposal():
    the_round = a_round(phase="scoring")
    reviewer, other = researcher(), researcher()
    the_proposal = proposal(call=the_round.call)
    assignment = review(the_round, the_proposal, reviewer, (3, 3), "assigned")
    ConflictDeclaration.objects.create(proposal=the_proposal, reviewer=other, reason="personal")

    assert sel.proposal_for_review(reviewer, assignment.pk)["proposal__id"] == the_proposal.pk
    ConflictDeclaration.objects.create(proposal=the_proposal, reviewer=reviewer, reason="other")
    assert sel.proposal_for_review(reviewer, assignment.pk) is None


# proposals_for_conflicts


def test_conflict_list_is_the_calls_live_proposals_with_the_reviewers_own_declarations():
    the_round = a_round(phase="conflicts")
    other_round = a_round(phase="conflicts")
    reviewer, colleague = researcher(), researcher()
    round_reviewer(of_round=the_round, user=reviewer)
    first = proposal(call=the_round.call)
    second = proposal(call=the_round.call)
    third = proposal(call=the_round.call)
    withdraw(proposal(call=the_round.call))
    elsewhere = proposal(call=other_round.call)
    ConflictDeclaration.objects.create(proposal=first, reviewer=reviewer, reason="personal")
    ConflictDeclaration.objects.create(
        proposal=second, reviewer=reviewer, reason="financial", by_coordinator=True
    )
    ConflictDeclaration.objects.create(proposal=third, reviewer=colleague, reason="personal")
    ConflictDeclaration.objects.create(proposal=elsewhere, reviewer=reviewer, reason="personal")

    rows = sel.proposals_for_conflicts(reviewer, the_round)

    def row(p, conflict, locked):
        return {
            "id": p.pk,
            "reference": p.reference,
            "title": p.title,
            "lay_summary": p.lay_summary,
            "anonymised_summary": p.anonymised_summary,
            "conflict": conflict,
            "conflict_locked": locked,
        }

    assert rows == [row(first, True, False), row(second, True, True), row(third, False, False)]


def test_conflict_list_is_empty_for_someone_who_does_not_review_in_the_round():
    the_round = a_round(phase="conflicts")
    elsewhere = a_round(phase="conflicts")
    reviewer = researcher()
    round_reviewer(of_round=elsewhere, user=reviewer)
    proposal(call=the_round.call)

    assert sel.proposals_for_conflicts(reviewer, the_round) == []


# conflict_suggestions_for


def test_suggestions_match_partner_lines_skip_declared_withdrawn_and_other_calls_by_reference():
    the_round = a_round(phase="conflicts")
    other_round = a_round(phase="conflicts")
    reviewer = researcher()
    team(members=[reviewer], name="Reviewer team", organisation="Safe Homes Charity")
    later = proposal(call=the_round.call, reference="P-900", lead_organisation="Elsewhere")
    earlier = proposal(
        call=the_round.call,
        reference="P-100",
        lead_organisation="Elsewhere",
        partner_organisations="Another Trust\n\n  safe   homes charity  \n",
    )
    proposal(
        call=the_round.call,
        reference="P-500",
        lead_organisation="Elsewhere",
        partner_organisations="Nobody Related",
    )
    declared = proposal(call=the_round.call, reference="P-200", lead_organisation="Elsewhere")
    ConflictDeclaration.objects.create(proposal=declared, reviewer=reviewer, reason="personal")
    withdraw(proposal(call=the_round.call, reference="P-300"))
    proposal(call=other_round.call, reference="P-000")

    assert sel.conflict_suggestions_for(reviewer, the_round) == [
        {"id": earlier.pk, "reference": "P-100", "title": earlier.title},
        {"id": later.pk, "reference": "P-900", "title": later.title},
    ]


def test_another_reviewers_declaration_does_not_remove_a_suggestion():
    the_round = a_round(phase="conflicts")
    reviewer, other = researcher(), researcher()
    team(members=[reviewer], organisation="University of Tandem")
    the_proposal = proposal(call=the_round.call, partner_organisations="")
    ConflictDeclaration.objects.create(proposal=the_proposal, reviewer=other, reason="personal")

    assert [s["id"] for s in sel.conflict_suggestions_for(reviewer, the_round)] == [the_proposal.pk]


def test_a_blank_partner_line_never_matches_a_team_without_an_organisation():
    the_round = a_round(phase="conflicts")
    reviewer = researcher()
    team(members=[reviewer], organisation="")
    proposal(call=the_round.call, lead_organisation="Elsewhere", partner_organisations="\n  \n")

    assert sel.conflict_suggestions_for(reviewer, the_round) == []


# round_scores, moderation_rows and the export


def test_round_scores_ignore_other_rounds_and_read_each_reviewers_group_in_this_round():
    # The other round comes first, so its reviewer row is the first one found for the person.
    other = a_round(phase="moderation")
    the_round = a_round(
        phase="moderation", lived_weight="3.00", academic_weight="1.00", staff_weight="0.00"
    )
    person = researcher()
    round_reviewer(of_round=other, user=person, group="staff")
    round_reviewer(of_round=the_round, user=person, group="lived_experience")
    academic = round_reviewer(of_round=the_round, group="academic").user
    here = proposal(call=the_round.call)
    there = proposal(call=other.call)
    review(the_round, here, person, (5, 5))
    review(the_round, here, academic, (1, 1))
    review(other, there, person, (2, 2))

    (scores,) = sel.round_scores(the_round)

    assert scores.proposal_id == here.pk
    assert scores.group_means == {"lived_experience": 5.0, "academic": 1.0}
    assert scores.group_weighted == 4.0  # (3 x 5 + 1 x 1) / 4


def test_round_scores_leave_out_abstained_and_withdrawn_reviews_and_unscored_criteria():
    the_round = a_round(phase="moderation")
    reviewer = round_reviewer(of_round=the_round).user
    gone = round_reviewer(of_round=the_round).user
    stepped_back = round_reviewer(of_round=the_round).user
    the_proposal = proposal(call=the_round.call)
    kept = review(the_round, the_proposal, reviewer, (4, 4))
    review(the_round, the_proposal, gone, (1, 1), "withdrawn")
    review(the_round, the_proposal, stepped_back, (1, 1), "abstained")
    # A submitted review whose only criterion with a value is Method (weight 1): total 2.
    half = ReviewAssignment.objects.create(
        round=the_round,
        proposal=the_proposal,
        reviewer=round_reviewer(of_round=the_round).user,
        status="submitted",
    )
    draft_score(half, position=1, value=None, rationale="n/a")
    draft_score(half, position=2, value=2)

    (scores,) = sel.round_scores(the_round)

    assert [(r.review_id, r.total) for r in scores.reviews] == [(kept.pk, 4.0), (half.pk, 2.0)]


def test_round_scores_flag_disagreement_at_the_rounds_own_threshold():
    the_round = a_round(phase="moderation", disagreement_threshold="3.00")
    the_proposal = proposal(call=the_round.call)
    for values in ((5, 5), (1, 1)):
        review(the_round, the_proposal, round_reviewer(of_round=the_round).user, values)

    (scores,) = sel.round_scores(the_round)

    # sd of 5 and 1 is 2.83: under the round's 3.00 (over the default 1.00).
    assert (round(scores.sd, 2), scores.high_disagreement) == (2.83, False)


def test_moderation_rows_leave_out_withdrawn_and_other_calls_and_sort_unreviewed_by_reference():
    the_round = a_round(phase="moderation")
    other = a_round(phase="moderation")
    reviewer = round_reviewer(of_round=the_round).user
    unreviewed_b = proposal(call=the_round.call, reference="Z-2")
    unreviewed_a = proposal(call=the_round.call, reference="Z-1")
    low = proposal(call=the_round.call, reference="A-1")
    high = proposal(call=the_round.call, reference="B-1")
    review(the_round, low, reviewer, (2, 2))
    review(the_round, high, reviewer, (5, 5))
    withdraw(proposal(call=the_round.call, reference="A-0"))
    proposal(call=other.call, reference="A-00")
    decide(the_round, unreviewed_a, outcome="reject", rationale="Out of scope")

    rows = sel.moderation_rows(the_round)

    assert [
        (r.proposal_id, r.scores.rank if r.scores else None, r.outcome, r.rationale) for r in rows
    ] == [
        (high.pk, 1, "", ""),
        (low.pk, 2, "", ""),
        (unreviewed_a.pk, None, "reject", "Out of scope"),
        (unreviewed_b.pk, None, "", ""),
    ]


def test_moderation_rows_carry_a_decision_made_in_this_round_only():
    the_round = a_round(phase="moderation")
    other = a_round(phase="moderation")
    the_proposal = proposal(call=the_round.call)
    # A stray decision recorded against another round for this call's proposal.
    decide(other, the_proposal, outcome="fund", rationale="Wrong round")

    (row,) = sel.moderation_rows(the_round)

    assert (row.outcome, row.rationale) == ("", "")


def test_the_export_row_of_an_unreviewed_proposal_is_blank_but_for_its_decision():
    the_round = a_round(phase="moderation")
    the_proposal = proposal(call=the_round.call, reference="P-001", title="Damp")
    decide(the_round, the_proposal, outcome="reject", rationale="Not in scope")

    assert sel.round_export_rows(the_round) == [
        sel.EXPORT_HEADER,
        ("P-001", "Damp", "", 0, "", "", "", "", "", "", "", "", "", "reject", "Not in scope"),
    ]


def test_the_export_makes_every_text_cell_safe_and_shows_staff_means_and_agreement():
    the_round = a_round(
        phase="moderation",
        lived_weight="0.00",
        academic_weight="0.00",
        staff_weight="1.00",
        disagreement_threshold="1.00",
    )
    staff = round_reviewer(of_round=the_round, group="staff").user
    the_proposal = proposal(call=the_round.call, reference="+P1", title="@title")
    review(the_round, the_proposal, staff, (4, 3))
    decide(the_round, the_proposal, outcome="fund", rationale="-1 risk")

    _header, row = sel.round_export_rows(the_round)

    # Total (2 x 4 + 1 x 3) / 3 = 3.67; one review: no spread, so no disagreement.
    assert row == (
        "'+P1",
        "'@title",
        1,
        1,
        "3.67",
        "3.67",
        "",
        "no",
        "",
        "",
        "3.67",
        "3.67",
        "0.00",
        "fund",
        "'-1 risk",
    )


# review_rounds_for


def test_review_rounds_are_the_persons_rounds_in_conflicts_scoring_or_moderation_soonest_first():
    reviewer = researcher()
    rounds = {}
    for phase, deadline in [
        ("moderation", LATER),
        ("setup", SOON),
        ("scoring", LATER),
        ("conflicts", SOON),
        ("closed", SOON),
    ]:
        rounds[phase] = a_round(phase=phase, deadline=deadline)
        round_reviewer(of_round=rounds[phase], user=reviewer)
    # Someone else's round, in scoring.
    round_reviewer(of_round=a_round(phase="scoring", deadline=SOON))

    found = sel.review_rounds_for(reviewer)

    conflicts, moderation, scoring = rounds["conflicts"], rounds["moderation"], rounds["scoring"]
    assert [(r.round_id, r.phase, r.deadline) for r in found] == [
        (conflicts.pk, "conflicts", SOON),
        (moderation.pk, "moderation", LATER),  # same deadline: the older round first
        (scoring.pk, "scoring", LATER),
    ]
    assert [r.call_title for r in found] == [
        conflicts.call.title,
        moderation.call.title,
        scoring.call.title,
    ]
    assert [r.phase_label for r in found] == ["Conflicts of interest", "Moderation", "Scoring"]


def test_review_rounds_show_no_proposals_while_conflicts_are_declared():
    the_round = a_round(phase="conflicts")
    reviewer = round_reviewer(of_round=the_round).user
    review(the_round, proposal(call=the_round.call), reviewer, (3, 3), "assigned")

    (found,) = sel.review_rounds_for(reviewer)

    assert (found.reviews, found.total, found.scored) == ([], 0, 0)


def test_review_rounds_list_each_review_with_its_status_leaving_out_withdrawn_and_conflicts():
    the_round = a_round(phase="scoring")
    other = a_round(phase="scoring")
    reviewer = round_reviewer(of_round=the_round).user
    round_reviewer(of_round=other, user=reviewer)
    call = the_round.call
    done = review(the_round, proposal(call=call, reference="R-5"), reviewer, (3, 3))
    to_do_b = ReviewAssignment.objects.create(
        round=the_round, proposal=proposal(call=call, reference="R-4"), reviewer=reviewer
    )
    to_do_a = ReviewAssignment.objects.create(
        round=the_round, proposal=proposal(call=call, reference="R-3"), reviewer=reviewer
    )
    # An empty score row (no value, no reason) is not a draft; a reason alone is.
    draft_score(to_do_a, value=None, rationale="")
    reasoned = ReviewAssignment.objects.create(
        round=the_round, proposal=proposal(call=call, reference="R-2"), reviewer=reviewer
    )
    draft_score(reasoned, value=None, rationale="Started")
    valued = ReviewAssignment.objects.create(
        round=the_round, proposal=proposal(call=call, reference="R-6"), reviewer=reviewer
    )
    draft_score(valued, value=3, rationale="")
    stepped_back = review(
        the_round, proposal(call=call, reference="R-9"), reviewer, (3, 3), "abstained"
    )
    review(the_round, proposal(call=call, reference="R-1"), reviewer, (3, 3), "withdrawn")
    conflicted = proposal(call=call, reference="R-0")
    review(the_round, conflicted, reviewer, (3, 3), "assigned")
    ConflictDeclaration.objects.create(proposal=conflicted, reviewer=reviewer, reason="personal")
    # Someone else's review in the round, with a reason saved.
    theirs = ReviewAssignment.objects.create(
        round=the_round, proposal=to_do_b.proposal, reviewer=researcher()
    )
    draft_score(theirs, value=None, rationale="Theirs")
    mine_elsewhere = ReviewAssignment.objects.create(
        round=other, proposal=proposal(call=other.call), reviewer=reviewer
    )

    here, there = sel.review_rounds_for(reviewer)

    assert [(r.assignment_id, r.status, r.reference) for r in here.reviews] == [
        (stepped_back.pk, "abstained", "R-9"),
        (reasoned.pk, "draft", "R-2"),
        (to_do_a.pk, "to_do", "R-3"),
        (to_do_b.pk, "to_do", "R-4"),
        (valued.pk, "draft", "R-6"),
        (done.pk, "submitted", "R-5"),
    ]
    assert (here.total, here.scored) == (5, 1)
    assert [(r.assignment_id, r.status) for r in there.reviews] == [(mine_elsewhere.pk, "to_do")]


def test_review_rounds_time_the_anonymised_summary_when_blind_and_the_full_one_when_not():
    blind = a_round(phase="scoring", deadline=SOON)
    open_round = a_round(phase="scoring", deadline=LATER, blind=False)
    reviewer = round_reviewer(of_round=blind).user
    round_reviewer(of_round=open_round, user=reviewer)
    texts = {
        "title": "Damp",
        "lay_summary": "word " * 100,
        "anonymised_summary": "word " * 150,
        "full_summary": "word " * 700,
    }
    for the_round in (blind, open_round):
        ReviewAssignment.objects.create(
            round=the_round, proposal=proposal(call=the_round.call, **texts), reviewer=reviewer
        )

    (blind_review,), (open_review,) = (r.reviews for r in sel.review_rounds_for(reviewer))

    assert (blind_review.title, blind_review.lay_summary) == ("Damp", "word " * 100)
    assert (blind_review.reading_minutes, open_review.reading_minutes) == (2, 4)


def test_review_rounds_take_two_queries_at_any_size_and_one_with_no_round(
    django_assert_num_queries,
):
    reviewer = researcher()
    with django_assert_num_queries(1):
        assert sel.review_rounds_for(reviewer) == []

    the_round = a_round(phase="scoring")
    round_reviewer(of_round=the_round, user=reviewer)
    review(the_round, proposal(call=the_round.call), reviewer, (3, 3), "assigned")
    with django_assert_num_queries(2):
        small = sel.review_rounds_for(reviewer)

    for _ in range(3):
        extra = a_round(phase="moderation")
        round_reviewer(of_round=extra, user=reviewer)
        for _ in range(3):
            review(extra, proposal(call=extra.call), reviewer, (3, 3))
    with django_assert_num_queries(2):
        large = sel.review_rounds_for(reviewer)

    assert (len(small), sum(r.total for r in large), len(large)) == (1, 10, 4)


# review_page_for


def test_the_review_page_is_only_the_reviewers_own_unwithdrawn_unconflicted_review():
    the_round = a_round(phase="scoring")
    reviewer = researcher()
    abstained = review(the_round, proposal(call=the_round.call), reviewer, (3, 3), "abstained")
    withdrawn = review(the_round, proposal(call=the_round.call), reviewer, (3, 3), "withdrawn")
    conflicted = review(the_round, proposal(call=the_round.call), reviewer, (3, 3), "assigned")
    ConflictDeclaration.objects.create(
        proposal=conflicted.proposal, reviewer=reviewer, reason="personal"
    )
    theirs = review(the_round, proposal(call=the_round.call), researcher(), (3, 3), "assigned")
    # Another reviewer's conflict on the reviewer's own proposal does not hide it.
    ConflictDeclaration.objects.create(
        proposal=abstained.proposal, reviewer=researcher(), reason="personal"
    )

    assert sel.review_page_for(reviewer, abstained.pk).assignment == abstained
    assert sel.review_page_for(reviewer, withdrawn.pk) is None
    assert sel.review_page_for(reviewer, conflicted.pk) is None
    assert sel.review_page_for(reviewer, theirs.pk) is None


def test_the_review_page_shows_no_proposal_before_scoring_and_blind_fields_when_blind():
    the_round = a_round(phase="conflicts")
    reviewer = researcher()
    the_proposal = proposal(call=the_round.call)
    assignment = ReviewAssignment.objects.create(
        round=the_round, proposal=the_proposal, reviewer=reviewer
    )
    blind_fields = {
        "id": the_proposal.pk,
        "reference": the_proposal.reference,
        "title": the_proposal.title,
        "lay_summary": the_proposal.lay_summary,
        "anonymised_summary": the_proposal.anonymised_summary,
    }

    assert sel.review_page_for(reviewer, assignment.pk).proposal is None
    for phase in ("scoring", "moderation", "closed"):
        ScoringRound.objects.filter(pk=the_round.pk).update(phase=phase)
        assert sel.review_page_for(reviewer, assignment.pk).proposal == blind_fields

    ScoringRound.objects.filter(pk=the_round.pk).update(blind=False)
    assert sel.review_page_for(reviewer, assignment.pk).proposal == {
        **blind_fields,
        "full_summary": the_proposal.full_summary,
        "lead_organisation": the_proposal.lead_organisation,
        "partner_organisations": the_proposal.partner_organisations,
        "team_description": the_proposal.team_description,
    }


def test_the_review_page_has_its_rounds_criteria_descriptors_and_its_own_scores():
    the_round = scoring_round(
        call=funding_call(status="closed"),
        phase="scoring",
        scale_max=3,
        criteria=(("Relevance", "2"), ("Method", "1")),
    )
    other = scoring_round(call=funding_call(status="closed"), phase="scoring", scale_max=3)
    Criterion.objects.filter(round=the_round, position=1).update(guidance="Who gains?")
    reviewer = researcher()
    assignment = ReviewAssignment.objects.create(
        round=the_round, proposal=proposal(call=the_round.call), reviewer=reviewer
    )
    draft_score(assignment, position=1, value=2, rationale="Some")
    draft_score(assignment, position=2, value=None, rationale="")
    theirs = ReviewAssignment.objects.create(
        round=the_round, proposal=assignment.proposal, reviewer=researcher()
    )
    draft_score(theirs, position=2, value=3, rationale="Theirs")
    Descriptor.objects.filter(criterion__round=other).update(text="Other round")
    relevance, method = Criterion.objects.filter(round=the_round).order_by("position")

    page = sel.review_page_for(reviewer, assignment.pk)

    assert page.criteria == [
        sel.CriterionToScore(
            id=relevance.pk,
            name="Relevance",
            guidance="Who gains?",
            weight=relevance.weight,
            descriptors={1: "Relevance: 1", 2: "Relevance: 2", 3: "Relevance: 3"},
        ),
        sel.CriterionToScore(
            id=method.pk,
            name="Method",
            guidance="",
            weight=method.weight,
            descriptors={1: "Method: 1", 2: "Method: 2", 3: "Method: 3"},
        ),
    ]
    assert page.scores == {relevance.pk: (2, "Some"), method.pk: (None, "")}


def test_the_review_page_takes_five_queries_and_four_before_scoring(django_assert_num_queries):
    the_round = a_round(phase="scoring")
    reviewer = researcher()
    assignment = review(the_round, proposal(call=the_round.call), reviewer, (3, 3), "assigned")

    with django_assert_num_queries(5):
        page = sel.review_page_for(reviewer, assignment.pk)
        assert page.assignment.round.call.title == the_round.call.title
    ScoringRound.objects.filter(pk=the_round.pk).update(phase="conflicts")
    with django_assert_num_queries(4):
        sel.review_page_for(reviewer, assignment.pk)


# reviewer_round_for, conflict_of and round_proposal


def test_a_reviewer_reaches_only_rounds_they_review_in_in_one_query(django_assert_num_queries):
    the_round = a_round(phase="scoring")
    other = a_round(phase="scoring")
    reviewer = round_reviewer(of_round=the_round).user
    round_reviewer(of_round=other)

    with django_assert_num_queries(1):
        found = sel.reviewer_round_for(reviewer, the_round.pk)
        assert found.call.title == the_round.call.title
    assert found == the_round
    assert sel.reviewer_round_for(reviewer, other.pk) is None


def test_conflict_of_is_the_persons_own_declaration_on_a_proposal_of_the_round():
    the_round = a_round(phase="conflicts")
    other = a_round(phase="conflicts")
    reviewer = researcher()
    here = proposal(call=the_round.call)
    there = proposal(call=other.call)
    mine = ConflictDeclaration.objects.create(proposal=here, reviewer=reviewer, reason="personal")
    ConflictDeclaration.objects.create(proposal=there, reviewer=reviewer, reason="personal")
    theirs_only = proposal(call=the_round.call)
    ConflictDeclaration.objects.create(proposal=theirs_only, reviewer=researcher(), reason="other")

    assert sel.conflict_of(reviewer, here.pk, the_round) == mine
    assert sel.conflict_of(reviewer, there.pk, the_round) is None
    assert sel.conflict_of(reviewer, theirs_only.pk, the_round) is None


def test_round_proposal_is_a_live_proposal_of_the_rounds_call_only():
    the_round = a_round(phase="scoring")
    other = a_round(phase="scoring")
    live = proposal(call=the_round.call)
    gone = proposal(call=the_round.call)
    withdraw(gone)
    there = proposal(call=other.call)

    assert sel.round_proposal(the_round, live.pk) == live
    assert sel.round_proposal(the_round, gone.pk) is None
    assert sel.round_proposal(the_round, there.pk) is None


# The coordinators' tables


def test_round_reviewer_rows_by_group_and_name_with_cap_and_live_load_in_one_query(
    django_assert_num_queries,
):
    the_round = a_round(phase="scoring", load_cap=6)
    other = a_round(phase="scoring")
    zoe = round_reviewer(
        of_round=the_round, user=researcher(display_name="Zoe"), group="academic", load_cap=2
    ).user
    amy = round_reviewer(of_round=the_round, user=researcher(display_name="Amy")).user
    lived = round_reviewer(of_round=the_round, group="lived_experience").user
    round_reviewer(of_round=other, user=amy)
    call = the_round.call
    for status in ("assigned", "submitted", "withdrawn", "abstained"):
        review(the_round, proposal(call=call), amy, (3, 3), status)
    review(other, proposal(call=other.call), amy, (3, 3), "assigned")
    review(the_round, proposal(call=call), zoe, (3, 3), "submitted")

    with django_assert_num_queries(1):
        rows = sel.round_reviewer_rows(the_round)

    assert rows == [
        sel.RoundReviewerRow(user_id=amy.pk, name="Amy", group="academic", cap=6, load=2),
        sel.RoundReviewerRow(user_id=zoe.pk, name="Zoe", group="academic", cap=2, load=1),
        sel.RoundReviewerRow(
            user_id=lived.pk, name=lived.display_name, group="lived_experience", cap=6, load=0
        ),
    ]


def test_staff_proposals_are_the_live_ones_by_reference_with_team_in_one_query(
    django_assert_num_queries,
):
    the_round = a_round(phase="scoring")
    other = a_round(phase="scoring")
    applicants = team(name="Damp Team")
    second = proposal(call=the_round.call, reference="P-2", lead_organisation="Lead Two")
    first = proposal(call=the_round.call, reference="P-1", research_team=applicants)
    withdraw(proposal(call=the_round.call, reference="P-0"))
    proposal(call=other.call, reference="P-00")

    with django_assert_num_queries(1):
        rows = sel.round_proposals_for_staff(the_round)

    assert rows == [
        sel.StaffProposal(
            proposal_id=first.pk,
            reference="P-1",
            title=first.title,
            lead_organisation="University of Tandem",
            team="Damp Team",
        ),
        sel.StaffProposal(
            proposal_id=second.pk,
            reference="P-2",
            title=second.title,
            lead_organisation="Lead Two",
            team="",
        ),
    ]


def test_the_assignment_overview_lists_live_reviews_by_reference_then_reviewer_in_three_queries(
    django_assert_num_queries,
):
    the_round = a_round(phase="scoring")
    other = a_round(phase="scoring")
    bea = round_reviewer(of_round=the_round, user=researcher(display_name="Bea")).user
    al = round_reviewer(of_round=the_round, user=researcher(display_name="Al")).user
    second = proposal(call=the_round.call, reference="P-2")
    first = proposal(call=the_round.call, reference="P-1")
    gone = proposal(call=the_round.call, reference="P-0")
    b_second = review(the_round, second, bea, (3, 3), "assigned")
    a_second = review(the_round, second, al, (3, 3), "submitted")
    b_first = review(the_round, first, bea, (3, 3), "assigned")
    ReviewAssignment.objects.filter(pk=b_first.pk).update(
        explanation={"by_hand": True, "reviewer_id": bea.pk}
    )
    ReviewAssignment.objects.filter(pk=a_second.pk).update(explanation={"by_hand": False})
    review(the_round, first, al, (3, 3), "withdrawn")
    review(the_round, first, al, (3, 3), "abstained")
    review(the_round, gone, al, (3, 3), "assigned")
    withdraw(gone)
    review(other, proposal(call=other.call), al, (3, 3), "assigned")

    with django_assert_num_queries(3):
        overview = sel.assignment_overview(the_round)

    assert [r.user_id for r in overview.reviewers] == [al.pk, bea.pk]
    assert [p.proposal_id for p in overview.proposals] == [first.pk, second.pk]
    assert overview.live == [
        sel.LiveAssignment(b_first.pk, first.pk, bea.pk, "assigned", True),
        sel.LiveAssignment(a_second.pk, second.pk, al.pk, "submitted", False),
        sel.LiveAssignment(b_second.pk, second.pk, bea.pk, "assigned", False),
    ]


def test_decision_voters_are_this_rounds_by_name_in_one_query(django_assert_num_queries):
    the_round = a_round(phase="moderation")
    other = a_round(phase="moderation")
    zed, ann, bob = (researcher(display_name=name) for name in ("Zed", "Ann", "Bob"))
    first = proposal(call=the_round.call)
    second = proposal(call=the_round.call)
    undecided = proposal(call=the_round.call)
    decide(the_round, first, voters=[zed, ann, bob])
    decide(the_round, second, voters=[bob])
    decide(other, proposal(call=other.call), voters=[ann])

    with django_assert_num_queries(1):
        voters = sel.decision_voters(the_round)

    assert voters == {first.pk: ["Ann", "Bob", "Zed"], second.pk: ["Bob"]}
    assert undecided.pk not in voters


def test_live_review_counts_count_reviews_to_do_or_submitted_in_this_round_only():
    the_round = a_round(phase="scoring")
    other = a_round(phase="scoring")
    busy = proposal(call=the_round.call)
    quiet = proposal(call=the_round.call)
    for status in ("assigned", "submitted", "withdrawn", "abstained"):
        review(the_round, busy, researcher(), (3, 3), status)
    review(the_round, quiet, researcher(), (3, 3), "withdrawn")
    there = proposal(call=other.call)
    review(other, there, researcher(), (3, 3), "assigned")

    assert sel.live_review_counts(the_round) == {busy.pk: 2}


def test_topic_names_reads_only_the_topics_asked_for_and_nothing_for_none(
    django_assert_num_queries,
):
    damp = Topic.objects.create(name="Damp")
    work = Topic.objects.create(name="Work")
    Topic.objects.create(name="Benefits")

    with django_assert_num_queries(0):
        assert sel.topic_names([]) == {}
    with django_assert_num_queries(1):
        assert sel.topic_names([damp.pk, work.pk, damp.pk]) == {damp.pk: "Damp", work.pk: "Work"}


def test_the_blind_proposal_is_the_one_of_the_review_asked_for():
    the_round = a_round(phase="scoring")
    reviewer = researcher()
    first, second = proposal(call=the_round.call), proposal(call=the_round.call)
    review(the_round, first, reviewer, (3, 3), "assigned")
    asked = review(the_round, second, reviewer, (3, 3), "assigned")

    assert sel.proposal_for_review(reviewer, asked.pk)["proposal__id"] == second.pk


def test_a_reviewers_own_conflict_comes_with_its_proposal_in_one_query(
    django_assert_num_queries,
):
    the_round = a_round(phase="conflicts")
    reviewer = researcher()
    the_proposal = proposal(call=the_round.call)
    ConflictDeclaration.objects.create(proposal=the_proposal, reviewer=reviewer, reason="other")

    with django_assert_num_queries(1):
        conflict = sel.conflict_of(reviewer, the_proposal.pk, the_round)
        assert conflict.proposal.reference == the_proposal.reference


def test_a_round_without_a_deadline_comes_after_those_with_one_in_every_database():
    """SQLite sorts a missing deadline first and PostgreSQL last: Tandem says last, on both."""
    reviewer = researcher()
    undated = a_round(phase="scoring", deadline=None)
    dated = a_round(phase="scoring", deadline=LATER)
    round_reviewer(of_round=undated, user=reviewer)
    round_reviewer(of_round=dated, user=reviewer)
    open_end = review(
        undated, proposal(call=undated.call, reference="A-1"), reviewer, (3, 3), "assigned"
    )
    due = review(dated, proposal(call=dated.call, reference="Z-1"), reviewer, (3, 3), "assigned")

    assert [r.round_id for r in sel.review_rounds_for(reviewer)] == [dated.pk, undated.pk]
    assert [i.assignment_id for i in sel.review_queue_for(reviewer).items] == [due.pk, open_end.pk]
