"""Coordinators' scoring pages in the admin: the assignment plan previewed, applied and changed
by hand; moderation figures against a hand-computed round, with the spread chart and the
panel's decisions; the CSV export; who may see them; and query counts that do not grow."""

import csv
import io
import re

import pytest

from core.models import AuditEvent
from engagement.models import ConflictDeclaration, Decision, ReviewAssignment, Topic
from tests.engagement.test_scoring_selectors import review, scored  # noqa: F401 (a fixture)
from tests.factories import (
    coordinator,
    expert,
    finance,
    funding_call,
    proposal,
    researcher,
    round_reviewer,
    scoring_round,
    team,
)
from tests.helpers import assert_query_count_constant

pytestmark = pytest.mark.django_db


def assignment_url(the_round) -> str:
    return f"/admin/scoring-rounds/{the_round.pk}/assignment/"


def moderation_url(the_round) -> str:
    return f"/admin/scoring-rounds/{the_round.pk}/moderation/"


def export_url(the_round) -> str:
    return f"/admin/scoring-rounds/{the_round.pk}/export.csv"


def text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def staff(client):
    lead = coordinator()
    client.force_login(lead)
    return lead


@pytest.fixture
def assigning():
    """Conflicts phase; two reviewers per proposal, one with lived experience. P-003 has a
    conflict with the lived-experience reviewer and one academic, so only one reviewer can
    take it: the plan covers P-001 and P-002 and falls short on P-003."""
    call = funding_call(status="closed")
    the_round = scoring_round(
        call=call, phase="conflicts", reviewers_per_proposal=2, lived_minimum=1, load_cap=10
    )
    housing = Topic.objects.create(name="Housing")
    lived = round_reviewer(
        of_round=the_round, user=expert(topics=[housing]).user, group="lived_experience"
    ).user
    first_academic = round_reviewer(of_round=the_round, group="academic").user
    second_academic = round_reviewer(of_round=the_round, group="academic").user
    proposals = [proposal(call=call) for _ in range(3)]
    proposals[0].topics.set([housing])
    for reviewer in (lived, first_academic):
        ConflictDeclaration.objects.create(
            proposal=proposals[2], reviewer=reviewer, reason="same_organisation"
        )
    return the_round, proposals, lived, first_academic, second_academic


# Assignment


def test_the_preview_explains_each_choice_and_saves_nothing(client, staff, assigning):
    the_round, _proposals, lived, *_ = assigning

    page = text(client.get(assignment_url(the_round)))

    assert ReviewAssignment.objects.count() == 0
    assert "This is a preview: nothing is saved until you apply it. It adds 5 reviews." in page
    assert (
        f"<strong>{lived.display_name}</strong>: Lived-experience reviewer, counts towards the "
        "minimum for this proposal; Shares topics: Housing; Will have 2 of at most 10 proposals."
    ) in page
    assert "Apply this assignment" in page


def test_the_preview_says_which_proposals_cannot_be_covered_and_why(client, staff, assigning):
    the_round, proposals, *_ = assigning

    page = text(client.get(assignment_url(the_round)))

    assert "1 proposal cannot be fully covered" in page
    assert (
        f"<li><strong>P-003: {proposals[2].title}</strong>: Still needs 1 reviewer. "
        "Still needs 1 lived-experience reviewer (the round asks for 1). "
        "Of the reviewers in the round, 2 have a conflict with it, 0 already review it or were "
        "taken off it, and 1 could take it. Only 0 lived-experience reviewers could take it. </li>"
    ) in page
    assert "<strong>P-001" not in page.split('id="shortfalls"')[1].split("</div>")[0]


def test_applying_twice_adds_nothing_the_second_time(client, staff, assigning):
    the_round, _proposals, *_ = assigning

    first = client.post(assignment_url(the_round), {"action": "apply"}, follow=True)
    second = client.post(assignment_url(the_round), {"action": "apply"}, follow=True)

    assert "5 reviews assigned." in text(first)
    assert "Nothing new to assign" in text(second)
    assert sorted(ReviewAssignment.objects.values_list("proposal__reference", flat=True)) == [
        "P-001",
        "P-001",
        "P-002",
        "P-002",
        "P-003",
    ]
    assert AuditEvent.objects.filter(action="scoringround.assignments_apply").count() == 2


def test_applying_in_the_setup_phase_is_refused_with_the_reason(client, staff, assigning):
    the_round, *_ = assigning
    the_round.phase = "setup"
    the_round.save(update_fields=["phase"])

    response = client.post(assignment_url(the_round), {"action": "apply"}, follow=True)

    assert "Reviewers are assigned once conflicts are declared" in text(response)
    assert ReviewAssignment.objects.count() == 0


def add(client, the_round, the_proposal, reviewer):
    return client.post(
        assignment_url(the_round),
        {"action": "add", "proposal": the_proposal.pk, "reviewer": reviewer.pk},
    )


def test_a_reviewer_is_added_by_hand(client, staff, assigning):
    the_round, proposals, _lived, _first_academic, second_academic = assigning

    response = add(client, the_round, proposals[2], second_academic)

    assert response.status_code == 302
    added = ReviewAssignment.objects.get()
    assert (added.proposal, added.reviewer, added.explanation["by_hand"]) == (
        proposals[2],
        second_academic,
        True,
    )
    page = text(client.get(assignment_url(the_round)))
    assert f'{second_academic.display_name} <span class="help-block">(added by hand)' in page


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("conflict", "This reviewer has a conflict with this proposal."),
        ("cap", "This reviewer already has 0 proposals, the most they can take."),
        ("phase", "Reviewers are assigned once conflicts are declared, and until scoring ends."),
        ("twice", "This reviewer already has this proposal."),
    ],
)
def test_adding_by_hand_is_refused_with_the_services_reason(
    client, staff, assigning, case, message
):
    the_round, proposals, lived, _first_academic, second_academic = assigning
    reviewer, target = second_academic, proposals[0]
    if case == "conflict":
        reviewer, target = lived, proposals[2]
    elif case == "cap":
        reviewer = round_reviewer(of_round=the_round, group="academic", load_cap=0).user
    elif case == "phase":
        the_round.phase = "moderation"
        the_round.save(update_fields=["phase"])
    else:
        ReviewAssignment.objects.create(round=the_round, proposal=target, reviewer=reviewer)
    before = ReviewAssignment.objects.count()

    response = add(client, the_round, target, reviewer)

    if case == "phase":
        # Outside the assigning phases the form is not offered; the service still refuses.
        assert response.status_code == 200
        assert message in text(response)
    else:
        page = text(response)
        assert response.status_code == 200
        assert '<div class="help-block help-critical" role="alert" id="error-summary"' in page
        assert f'<li><a href="#add-reviewer">{message}</a></li>' in page
    assert ReviewAssignment.objects.count() == before


@pytest.mark.parametrize(
    "data",
    [
        {"action": "add"},
        {"action": "add", "proposal": "abc", "reviewer": "1"},
        {"action": "add", "proposal": "999999", "reviewer": "999999"},
        {"action": "unknown"},
    ],
)
def test_bad_input_to_the_assignment_page_changes_nothing(client, staff, assigning, data):
    the_round, *_ = assigning

    response = client.post(assignment_url(the_round), data, follow=True)

    assert response.status_code == 200
    assert ("There is a problem" in text(response)) or ("Choose what to do." in text(response))
    assert ReviewAssignment.objects.count() == 0


def test_a_review_is_taken_back_with_a_reason(client, staff, assigning):
    the_round, proposals, lived, *_ = assigning
    live = ReviewAssignment.objects.create(round=the_round, proposal=proposals[0], reviewer=lived)

    response = client.post(
        assignment_url(the_round),
        {"action": "withdraw", "assignment": live.pk, "reason": "Knows the team"},
        follow=True,
    )

    live.refresh_from_db()
    assert live.status == "withdrawn"
    assert "Review of P-001 taken back. It is not replaced automatically." in text(response)
    event = AuditEvent.objects.get(action="reviewassignment.withdraw")
    assert event.note == "Knows the team"


def test_taking_back_needs_a_reason_and_a_review_of_this_round(client, staff, assigning):
    the_round, proposals, lived, *_ = assigning
    live = ReviewAssignment.objects.create(round=the_round, proposal=proposals[0], reviewer=lived)
    elsewhere_round = scoring_round(call=funding_call(status="closed"), phase="scoring")
    elsewhere = ReviewAssignment.objects.create(
        round=elsewhere_round, proposal=proposal(call=elsewhere_round.call), reviewer=lived
    )

    no_reason = client.post(
        assignment_url(the_round), {"action": "withdraw", "assignment": live.pk, "reason": ""}
    )
    other_round = client.post(
        assignment_url(the_round),
        {"action": "withdraw", "assignment": elsewhere.pk, "reason": "No"},
        follow=True,
    )
    malformed = client.post(
        assignment_url(the_round),
        {"action": "withdraw", "assignment": "1 OR 1", "reason": "No"},
        follow=True,
    )

    assert no_reason.status_code == 200
    assert (
        f'<li><a href="#reason-{live.pk}">Say why you are taking this review back.</a></li>'
        in text(no_reason)
    )
    assert "That review is not in this round." in text(other_round)
    assert "That review is not in this round." in text(malformed)
    assert set(ReviewAssignment.objects.values_list("status", flat=True)) == {"assigned"}


def test_the_assignment_page_lists_loads_and_live_reviews_with_the_team(client, staff, assigning):
    the_round, proposals, lived, *_ = assigning
    proposals[0].team = team(members=[researcher()], name="Rights Lab")
    proposals[0].save(update_fields=["team"])
    ReviewAssignment.objects.create(round=the_round, proposal=proposals[0], reviewer=lived)

    page = text(client.get(assignment_url(the_round)))

    live_table = page.split("Reviews to do or submitted")[1]
    assert f'<td data-label="Proposal">P-001: {proposals[0].title}</td>' in live_table
    assert "Rights Lab" in live_table
    loads = page.split("How many proposals each reviewer has")[1].split("</table>")[0]
    assert (
        f'<td data-label="Reviewer">{lived.display_name}</td> <td data-label="Group">Lived '
        'experience</td> <td data-label="Proposals now">1</td> <td data-label="After the plan">'
        "2</td>"
    ) in loads


# Moderation


@pytest.fixture
def moderated(scored):  # noqa: F811 (the fixture imported above)
    """The selectors' hand-computed round (`scored`), in moderation. Relevance weighs 2 and
    Method 1; lived-experience scores weigh 2, academic 1 (staff 0, with a draft only).

    P-001: lived 5, 2 -> 4.0; academic 3, 3 -> 3.0. Mean 3.5, median 3.5, sd 0.71 (high
    disagreement at 0.5), group-weighted (2 x 4 + 3) / 3 = 3.67. Calibrated: the lived
    reviewer's totals are 4 and 3 (mean 3.5, spread 0.5) so +1 here, the academic's are flat
    so 0: (1 + 0) / 2 = +0.50.
    P-002: lived 2, 5 -> 3.0; academic 4, 1 -> 3.0. Mean, median and group-weighted 3.00,
    sd 0.00, calibrated (-1 + 0) / 2 = -0.50. P-003 is withdrawn; P-004 has no review yet."""
    the_round, first, second = scored
    call = the_round.call
    call.slug = "housing-2026"
    call.save(update_fields=["slug"])
    first.lead_organisation = "Hidden University"
    first.save(update_fields=["lead_organisation"])
    second.title = '=HYPERLINK("http://x")'
    second.save(update_fields=["title"])
    third = proposal(call=call)
    lived = the_round.reviewers.get(group="lived_experience").user
    academic = the_round.reviewers.get(group="academic").user
    return the_round, (first, second, third), lived, academic


def row_of(page: str, reference: str) -> str:
    """The ranking's row of this proposal (its cells hold a table of their own)."""
    return page.split(f'<td data-label="Proposal">{reference}')[1].split('<tr id="row-')[0]


def test_moderation_ranks_proposals_with_the_hand_computed_figures(client, staff, moderated):
    the_round, (_first, _second, _third), *_ = moderated

    page = text(client.get(moderation_url(the_round)))

    assert page.index(">P-001:") < page.index(">P-002:") < page.index(">P-004:")
    first_row = row_of(page, "P-001")
    for cell in (
        '<td data-label="Group-weighted score"><strong>3.67</strong></td>',
        '<td data-label="Raw mean">3.50</td>',
        '<td data-label="Median">3.50</td>',
        '<td data-label="Standard deviation">0.71 <strong class="status-tag primary">High '
        "disagreement</strong></td>",
        '<td data-label="Calibrated">+0.50</td>',
        "<li>Lived experience: 4.00</li><li>Academic: 3.00</li><li>Staff: \N{EN DASH}</li>",
        '<td data-label="Reviews">2 of 3 submitted</td>',
    ):
        assert cell in first_row
    second_row = row_of(page, "P-002")
    assert '<td data-label="Standard deviation">0.00</td>' in second_row
    assert '<td data-label="Calibrated">-0.50</td>' in second_row
    assert "No reviews submitted yet" in row_of(page, "P-004")
    assert ">P-003:" not in page


def test_each_spread_is_a_chart_with_a_text_alternative_and_a_table(client, staff, moderated):
    the_round, *_ = moderated

    first_row = row_of(text(client.get(moderation_url(the_round))), "P-001")

    assert 'role="img" aria-label="Scores 3.0 to 4.0, mean 3.5"' in first_row
    assert "<title>Scores 3.0 to 4.0, mean 3.5</title>" in first_row
    assert first_row.count("<circle ") == 2
    assert (
        "<tbody><tr><td>Lived experience</td><td>4.00</td><td>+1.00</td></tr>"
        "<tr><td>Academic</td><td>3.00</td><td>0.00</td></tr></tbody>"
    ) in first_row


def test_staff_see_the_team_after_the_blind_fields(client, staff, moderated):
    the_round, *_ = moderated

    first_row = row_of(text(client.get(moderation_url(the_round))), "P-001")

    assert "Hidden University" in first_row
    assert first_row.index("Hidden University") > first_row.index("Calibrated")


def decide(client, the_round, the_proposal, **fields):
    prefix = f"p{the_proposal.pk}"
    data = {"proposal": the_proposal.pk}
    for name, value in fields.items():
        data[f"{prefix}-{name}"] = value
    return client.post(moderation_url(the_round), data)


def test_a_decision_is_recorded_and_shown_in_the_ranking(client, staff, moderated):
    the_round, (first, *_), lived, academic = moderated

    response = decide(
        client,
        the_round,
        first,
        outcome="fund",
        rationale="Clear plan",
        voters=[lived.pk, academic.pk],
    )

    assert response.status_code == 302
    decision = Decision.objects.get()
    assert (decision.proposal, decision.outcome, decision.rationale) == (
        first,
        "fund",
        "Clear plan",
    )
    assert set(decision.voters.all()) == {lived, academic}
    page = text(client.get(moderation_url(the_round)))
    assert "Decision recorded for P-001: Fund." in page
    names = ", ".join(sorted([lived.display_name, academic.display_name]))
    assert (
        f'<strong>Fund</strong> <br>Clear plan <br><span class="help-block">Voters: {names}</span>'
        in row_of(page, "P-001")
    )


def test_a_decision_needs_its_reasons(client, staff, moderated):
    the_round, (first, *_), lived, _academic = moderated

    response = decide(
        client, the_round, first, outcome="reserve", rationale="  ", voters=[lived.pk]
    )

    page = text(response)
    assert response.status_code == 200
    assert (
        f'<li><a href="#id_p{first.pk}-rationale">Reasons for the decision: Give the reasons '
        "for the decision.</a></li>"
    ) in page
    assert f'<details id="decide-{first.pk}" open>' in page
    assert not Decision.objects.exists()


def test_a_decision_needs_a_lived_experience_voter(client, staff, moderated):
    the_round, (first, *_), _lived, academic = moderated

    response = decide(
        client, the_round, first, outcome="fund", rationale="Good", voters=[academic.pk]
    )

    assert response.status_code == 200
    assert (
        f'<li><a href="#id_p{first.pk}-voters_0">Who took the decision: At least one '
        "lived-experience reviewer must be among the voters.</a></li>"
    ) in text(response)
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    ("phase", "data", "message"),
    [
        ("scoring", None, "Decisions are recorded in the moderation phase."),
        ("moderation", {"proposal": "abc"}, "Choose a proposal in this round."),
        ("moderation", {"proposal": "999999"}, "Choose a proposal in this round."),
    ],
)
def test_decisions_outside_moderation_or_for_no_proposal_change_nothing(
    client, staff, moderated, phase, data, message
):
    the_round, (first, *_), lived, _academic = moderated
    the_round.phase = phase
    the_round.save(update_fields=["phase"])
    if data is None:
        data = {
            "proposal": first.pk,
            f"p{first.pk}-outcome": "fund",
            f"p{first.pk}-rationale": "Good",
            f"p{first.pk}-voters": [lived.pk],
        }

    response = client.post(moderation_url(the_round), data, follow=True)

    assert message in text(response)
    assert not Decision.objects.exists()


def test_during_scoring_the_figures_show_without_decision_forms(client, staff, moderated):
    the_round, *_ = moderated
    the_round.phase = "scoring"
    the_round.save(update_fields=["phase"])

    page = text(client.get(moderation_url(the_round)))

    assert "Scoring is still going on" in page
    assert '<td data-label="Group-weighted score"><strong>3.67</strong></td>' in page
    assert "Record the panel's decisions" not in page


# Export


def test_the_export_is_the_whole_round_safe_for_spreadsheets_and_audited(client, staff, moderated):
    the_round, (first, _second, third), *_ = moderated

    response = client.get(export_url(the_round))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="housing-2026-scores.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["reference", "title", "rank", "reviews"]
    assert [row[:3] for row in rows[1:]] == [
        ["P-001", first.title, "1"],
        ["P-002", '\'=HYPERLINK("http://x")', "2"],
        ["P-004", third.title, ""],
    ]
    assert rows[1][4:13] == ["3.50", "3.50", "0.71", "yes", "4.00", "3.00", "", "3.67", "0.50"]
    assert "Hidden University" not in response.content.decode()
    event = AuditEvent.objects.get(action="scoringround.export")
    assert (event.actor, event.extra) == (staff, {"rows": 3})


# Who may see them


@pytest.mark.parametrize("who", ["anonymous", "expert", "researcher", "finance"])
def test_only_coordinators_reach_the_scoring_pages(client, moderated, who):
    the_round, *_ = moderated
    users = {"expert": expert().user, "researcher": researcher(), "finance": finance()}
    if who != "anonymous":
        client.force_login(users[who])
    expected = {"anonymous": 302, "expert": 403, "researcher": 403, "finance": 302}[who]

    for url in (assignment_url(the_round), moderation_url(the_round), export_url(the_round)):
        assert client.get(url).status_code == expected, url
    assert client.post(assignment_url(the_round), {"action": "apply"}).status_code == expected
    assert not AuditEvent.objects.filter(action="scoringround.export").exists()


def test_an_unknown_round_is_not_found(client, staff):
    for url in ("assignment/", "moderation/", "export.csv"):
        assert client.get(f"/admin/scoring-rounds/999999/{url}").status_code == 404


# Query counts


def test_the_assignment_page_query_count_does_not_grow(client, staff, assigning):
    the_round, _proposals, lived, _first_academic, _second_academic = assigning
    housing = Topic.objects.get()
    for n in range(20):
        round_reviewer(
            of_round=the_round,
            user=expert(topics=[housing]).user,
            group="lived_experience" if n % 2 else "academic",
        )

    def add_proposals(count):
        for _ in range(count):
            extra = proposal(call=the_round.call)
            extra.topics.set([housing])
            ReviewAssignment.objects.create(round=the_round, proposal=extra, reviewer=lived)

    assert_query_count_constant(
        client, assignment_url(the_round), add_proposals, sizes=(3, 12), max_queries=22
    )
    assert text(client.get(assignment_url(the_round))).count("Shares topics: Housing") >= 12


def test_the_moderation_page_query_count_does_not_grow(client, staff, moderated):
    the_round, _proposals, lived, academic = moderated

    def add_scored(count):
        for n in range(count):
            extra = proposal(call=the_round.call)
            review(the_round, extra, lived, (1 + n % 5, 3))
            review(the_round, extra, academic, (2, 1 + n % 5))

    assert_query_count_constant(
        client, moderation_url(the_round), add_scored, sizes=(3, 12), max_queries=19
    )
    assert text(client.get(moderation_url(the_round))).count('role="img"') == 14
