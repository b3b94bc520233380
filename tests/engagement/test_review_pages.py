"""The reviewer's pages at /review/: the queue with its progress, the scoring form (drafts,
submitting, every refusal, stepping back), read-only views after submitting and outside the
scoring phase, conflicts of interest, and blind review: nothing a reviewer can reach names
the team or its organisations."""

import datetime
import re

import pytest
from django.utils import timezone

from core.models import OutboundEmail
from engagement.models import (
    ConflictDeclaration,
    Criterion,
    Descriptor,
    ReviewAssignment,
    Score,
    ScoringRound,
)
from engagement.services import scoring as svc
from tests.factories import (
    coordinator,
    expert,
    funding_call,
    proposal,
    researcher,
    round_reviewer,
    scoring_round,
    team,
)
from tests.helpers import assert_query_count_constant

pytestmark = pytest.mark.django_db

TEAM = "Zephyrine Research Collective"
LEAD = "Quillon Institute of Studies"
PARTNER = "Marrowdale Survivor Alliance"
FULL = "Our full plan, led by Professor Okonkwo-Vasquez."
ANONYMISED = "The plan with names taken out: we will interview thirty advisers."


@pytest.fixture
def world():
    """A closed call; its blind round is scoring (two criteria, reasons required, deadline in
    five days). The expert reviews two proposals, an academic reviews the first."""
    lead = coordinator()
    call = funding_call(status="closed", title="Safe housing after exploitation")
    the_round = scoring_round(
        call=call,
        criteria_status="approved",
        phase="scoring",
        deadline=timezone.now() + datetime.timedelta(days=5, hours=1),
    )
    me = round_reviewer(of_round=the_round, group="lived_experience").user
    academic = round_reviewer(of_round=the_round, group="academic").user
    applicants = team(members=[researcher()], name=TEAM, organisation=LEAD)
    first, second, third = (
        proposal(
            call=call,
            research_team=applicants,
            lead_organisation=LEAD,
            partner_organisations=PARTNER,
            full_summary=FULL,
            anonymised_summary=ANONYMISED,
            team_description=f"{TEAM} at {LEAD}.",
        )
        for _ in range(3)
    )
    mine = [
        ReviewAssignment.objects.create(round=the_round, proposal=p, reviewer=me)
        for p in (first, second)
    ]
    theirs = ReviewAssignment.objects.create(round=the_round, proposal=first, reviewer=academic)
    relevance, method = the_round.criteria.all()
    return {
        "lead": lead,
        "round": the_round,
        "me": me,
        "academic": academic,
        "proposals": (first, second, third),
        "mine": mine,
        "theirs": theirs,
        "relevance": relevance,
        "method": method,
    }


def scores(world, relevance="4", method="3", why="Clear and useful."):
    r, m = world["relevance"].pk, world["method"].pk
    return {
        f"score_{r}": relevance,
        f"rationale_{r}": why,
        f"score_{m}": method,
        f"rationale_{m}": why,
    }


def post_review(client, assignment, data, action="submit"):
    return client.post(f"/review/{assignment.pk}/", {**data, "action": action})


def set_phase(the_round, phase):
    ScoringRound.objects.filter(pk=the_round.pk).update(phase=phase)


# The queue


def test_the_queue_shows_each_review_with_the_progress_and_the_deadline(client, world):
    client.force_login(world["me"])

    page = client.get("/review/").content.decode()

    assert "Safe housing after exploitation" in page
    assert "0 of 2 scored" in page
    assert '<progress class="review-progress" max="2" value="0"' in page
    assert "P-001: Proposal 1" in page and "P-002: Proposal 2" in page
    assert "P-003" not in page  # not assigned to me
    assert page.count(">To do<") == 2
    assert "About 1 minute to read" in page
    assert "In 5\xa0days" in page
    assert "Scoring" in page
    assert f'href="/review/{world["mine"][0].pk}/"' in page
    assert f'href="/review/rounds/{world["round"].pk}/conflicts/"' in page


def test_the_queue_advances_with_a_draft_and_a_submitted_review(client, world):
    client.force_login(world["me"])
    first, second = world["mine"]

    post_review(client, first, scores(world, method=""), action="draft")
    post_review(client, second, scores(world))
    page = client.get("/review/").content.decode()

    assert "1 of 2 scored" in page
    assert '<progress class="review-progress" max="2" value="1"' in page
    assert ">Draft saved<" in page and ">Submitted<" in page and ">To do<" not in page


def test_someone_who_reviews_nothing_sees_a_warm_empty_queue(client, world):
    client.force_login(researcher())

    response = client.get("/review/")

    assert response.status_code == 200
    assert "You have no proposals to score at the moment." in response.content.decode()


def test_in_the_conflicts_phase_the_queue_asks_for_conflicts_and_shows_no_proposal(client, world):
    set_phase(world["round"], "conflicts")
    client.force_login(world["me"])

    page = client.get("/review/").content.decode()

    assert "Declare conflicts of interest" in page
    assert f'href="/review/rounds/{world["round"].pk}/conflicts/"' in page
    assert "P-001" not in page and "scored" not in page


def test_a_round_still_being_set_up_or_closed_is_not_in_the_queue(client, world):
    client.force_login(world["me"])
    for phase in ("setup", "closed"):
        set_phase(world["round"], phase)

        assert "You have no proposals to score" in client.get("/review/").content.decode()


# The scoring form


def test_the_form_has_a_fieldset_per_criterion_with_every_descriptor(client, world):
    Criterion.objects.filter(pk=world["relevance"].pk).update(guidance="Does it matter to us?")
    Descriptor.objects.filter(criterion=world["relevance"], point=5).update(text="Vital to us")
    client.force_login(world["me"])

    page = client.get(f"/review/{world['mine'][0].pk}/").content.decode()

    assert page.count('<fieldset class="fieldset"') == 2
    assert re.search(r"<legend[^>]*>Relevance\s*</legend>", page)
    assert "Does it matter to us?" in page
    r = world["relevance"].pk
    assert f'id="id_score_{r}_4"' in page and f'id="id_score_{r}_5"' not in page[:0]
    assert "5: Vital to us" in page and "1: Relevance: 1" in page and "5: Method: 5" in page
    assert "Why you gave this score for “Relevance”" in page
    assert ">Submit scores<" in page and ">Save draft<" in page and "I cannot score this" in page
    assert ANONYMISED in page and "What we want to find out" in page


def test_a_draft_is_saved_and_shown_again(client, world):
    client.force_login(world["me"])
    assignment = world["mine"][0]

    response = post_review(client, assignment, scores(world, method=""), action="draft")

    assert response.status_code == 302 and response["Location"] == f"/review/{assignment.pk}/"
    saved = dict(Score.objects.filter(assignment=assignment).values_list("criterion", "value"))
    assert saved == {world["relevance"].pk: 4, world["method"].pk: None}
    assignment.refresh_from_db()
    assert assignment.status == "assigned"
    page = client.get(f"/review/{assignment.pk}/").content.decode()
    assert "Draft saved. It does not count until you submit your scores." in page
    assert re.search(rf'value="4"[^>]*id="id_score_{world["relevance"].pk}_3"[^>]*checked', page)
    assert "Clear and useful." in page


def test_submitting_keeps_a_snapshot_and_then_the_review_is_read_only(client, world):
    client.force_login(world["me"])
    assignment = world["mine"][0]

    response = post_review(client, assignment, scores(world, why="Strong on safety."))

    assert response.status_code == 302 and response["Location"] == "/review/"
    assignment.refresh_from_db()
    assert assignment.status == "submitted"
    assert [c["name"] for c in assignment.snapshot["criteria"]] == ["Relevance", "Method"]
    page = client.get(f"/review/{assignment.pk}/").content.decode()
    assert "What you submitted" in page
    assert "<strong>4</strong>: Relevance: 4" in page and "<strong>3</strong>: Method: 3" in page
    assert "Strong on safety." in page
    assert '<form method="post" novalidate>' not in page and "Submit scores" not in page
    # The criteria change later: the submitted view keeps the names scored against.
    Criterion.objects.filter(pk=world["relevance"].pk).update(name="Renamed")
    assert "Relevance" in client.get(f"/review/{assignment.pk}/").content.decode()


def test_submitting_twice_is_safe(client, world):
    client.force_login(world["me"])
    assignment = world["mine"][0]
    post_review(client, assignment, scores(world))

    again = post_review(client, assignment, scores(world, relevance="1"))

    assert again.status_code == 302 and again["Location"] == f"/review/{assignment.pk}/"
    page = client.get(again["Location"]).content.decode()
    assert "This review cannot be changed now." in page
    values = Score.objects.filter(assignment=assignment).values_list("value", flat=True)
    assert sorted(values) == [3, 4]


def error_summary(page: str) -> list[tuple[str, str]]:
    summary = page.split('class="error-summary"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', summary)


def test_a_missing_score_comes_back_linked_with_the_values_kept_and_nothing_saved(client, world):
    client.force_login(world["me"])
    assignment = world["mine"][0]

    response = post_review(client, assignment, scores(world, method="", why="Kept words"))

    page = response.content.decode()
    assert response.status_code == 200
    assert error_summary(page) == [
        (f"#id_score_{world['method'].pk}_0", "Give a score for “Method”.")
    ]
    assert page.startswith("<!DOCTYPE html>") and "<title>Error: Score P-001" in page
    assert re.search(rf'value="4"[^>]*id="id_score_{world["relevance"].pk}_3"[^>]*checked', page)
    assert page.count("Kept words") == 2
    assert not Score.objects.filter(assignment=assignment).exists()
    assignment.refresh_from_db()
    assert assignment.status == "assigned"


def test_reasons_are_asked_for_when_the_round_requires_them(client, world):
    client.force_login(world["me"])

    page = post_review(client, world["mine"][0], scores(world, why="")).content.decode()

    assert error_summary(page) == [
        (f"#id_rationale_{world['relevance'].pk}", "Say why you gave this score for “Relevance”."),
        (f"#id_rationale_{world['method'].pk}", "Say why you gave this score for “Method”."),
    ]
    assert not Score.objects.exists()


def test_reasons_are_optional_when_the_round_says_so(client, world):
    ScoringRound.objects.filter(pk=world["round"].pk).update(rationale_required=False)
    client.force_login(world["me"])

    response = post_review(client, world["mine"][0], scores(world, why=""))

    assert response.status_code == 302
    assert ReviewAssignment.objects.get(pk=world["mine"][0].pk).status == "submitted"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"relevance": "9"}, "Choose a score from 1 to 5."),
        ({"relevance": "four"}, "Choose a score from 1 to 5."),
        ({"why": "x" * 5001}, "Keep your reasons to 5000 characters or fewer."),
    ],
)
def test_bad_values_are_refused_with_a_message_and_nothing_saved(client, world, data, message):
    client.force_login(world["me"])

    for action in ("draft", "submit"):
        response = post_review(client, world["mine"][0], scores(world, **data), action=action)

        assert response.status_code == 200
        assert message in [text for _link, text in error_summary(response.content.decode())]
    assert not Score.objects.exists()


def test_a_post_without_a_known_button_is_refused(client, world):
    client.force_login(world["me"])

    response = post_review(client, world["mine"][0], scores(world), action="publish")

    assert error_summary(response.content.decode()) == [
        ("#form-non-field-errors", "Choose “Save draft” or “Submit scores”.")
    ]
    assert not Score.objects.exists()


def test_stepping_back_asks_why_then_finds_someone_else(client, world):
    client.force_login(world["me"])
    assignment = world["mine"][1]
    url = f"/review/{assignment.pk}/abstain/"
    assert "Why can you not score this proposal?" in client.get(url).content.decode()

    refused = client.post(url, {"reason": "  "})
    assert error_summary(refused.content.decode()) == [
        ("#id_reason", "Say briefly why you are not scoring this one.")
    ]
    done = client.post(url, {"reason": "Outside what I know."})

    assert done.status_code == 302 and done["Location"] == "/review/"
    assignment.refresh_from_db()
    assert (assignment.status, assignment.abstain_reason) == ("abstained", "Outside what I know.")
    # The academic takes the place (the round wants three reviews per proposal).
    assert ReviewAssignment.objects.filter(
        proposal=assignment.proposal, reviewer=world["academic"], status="assigned"
    ).exists()
    queue = client.get("/review/").content.decode()
    assert "You stepped back" in queue and "0 of 1 scored" in queue
    page = client.get(f"/review/{assignment.pk}/").content.decode()
    assert "You stepped back from this proposal" in page and "Submit scores" not in page
    again = client.post(url, {"reason": "Twice"})
    assert again.status_code == 302 and again["Location"] == f"/review/{assignment.pk}/"


def test_another_reviewers_review_and_unknown_ones_are_not_found(client, world):
    client.force_login(world["me"])
    theirs = world["theirs"].pk

    for url in (f"/review/{theirs}/", f"/review/{theirs}/abstain/", "/review/999999/"):
        assert client.get(url).status_code == 404
        assert client.post(url, {**scores(world), "action": "submit"}).status_code == 404
    assert client.get("/review/abc/").status_code == 404
    assert not Score.objects.exists()
    assert ReviewAssignment.objects.get(pk=theirs).status == "assigned"


def test_a_coordinator_cannot_score_someone_elses_review(client, world):
    client.force_login(world["lead"])

    assert client.get(f"/review/{world['mine'][0].pk}/").status_code == 404
    assert post_review(client, world["mine"][0], scores(world)).status_code == 404


def test_before_scoring_the_review_page_shows_no_proposal(client, world):
    set_phase(world["round"], "conflicts")
    client.force_login(world["me"])

    page = client.get(f"/review/{world['mine'][0].pk}/").content.decode()

    assert "Scoring has not started yet." in page
    assert "Proposal 1" not in page and "What we want to find out" not in page
    assert post_review(client, world["mine"][0], scores(world)).status_code == 302
    assert not Score.objects.exists()


def test_after_scoring_a_draft_is_read_only_and_scores_can_be_seen(client, world):
    client.force_login(world["me"])
    first, second = world["mine"]
    post_review(client, first, scores(world, relevance="5", method="5"))
    post_review(client, second, scores(world, method=""), action="draft")
    svc.review_submit(
        assignment=world["theirs"],
        by=world["academic"],
        scores={world["relevance"].pk: (1, "Weak"), world["method"].pk: (1, "Weak")},
    )
    scoring_page = client.get(f"/review/{first.pk}/").content.decode()
    assert "How the reviewers scored it" not in scoring_page  # not while scoring
    set_phase(world["round"], "moderation")

    draft_page = client.get(f"/review/{second.pk}/").content.decode()
    refused = post_review(client, second, scores(world))
    submitted_page = client.get(f"/review/{first.pk}/").content.decode()

    assert "Scoring has finished in this round" in draft_page and "Submit scores" not in draft_page
    assert "Not scored" in draft_page
    assert refused.status_code == 302
    assert ReviewAssignment.objects.get(pk=second.pk).status == "assigned"
    assert "How the reviewers scored it" in submitted_page
    assert re.search(r"<dt>Reviews</dt><dd>2</dd>", submitted_page)
    assert re.search(r"<dt>Average</dt><dd>3\.00</dd>", submitted_page)


# Conflicts of interest


def conflicts_url(world):
    return f"/review/rounds/{world['round'].pk}/conflicts/"


def declare(client, world, proposal, reason="works_with_team", note=""):
    prefix = f"conflict-{proposal.pk}"
    return client.post(
        conflicts_url(world),
        {
            "action": "declare",
            "proposal": proposal.pk,
            f"{prefix}-reason": reason,
            f"{prefix}-note": note,
        },
    )


def test_the_conflicts_page_lists_the_rounds_proposals_with_suggestions_first(client, world):
    third = world["proposals"][2]
    third.lead_organisation = "Harbour  University"
    third.save()
    team(members=[world["me"]], name="My own study", organisation="harbour university")
    client.force_login(world["me"])

    page = client.get(conflicts_url(world)).content.decode()

    headings = re.findall(r"<h3>(P-\d+): ", page)
    assert headings == ["P-003", "P-001", "P-002"]
    assert page.count("Check this one") == 1
    assert "an organisation of your research team is named in this proposal" in page
    assert page.count("<details") == 3
    assert f'id="id_conflict-{third.pk}-reason_0"' in page


def test_declaring_a_conflict_withdraws_the_review_and_hides_the_proposal(client, world):
    client.force_login(world["me"])
    first = world["proposals"][0]
    assignment = world["mine"][0]

    response = declare(client, world, first, note="I know the lead.")

    assert response.status_code == 302
    conflict = ConflictDeclaration.objects.get(reviewer=world["me"], proposal=first)
    assert (conflict.reason, conflict.note, conflict.by_coordinator) == (
        "works_with_team",
        "I know the lead.",
        False,
    )
    page = client.get(conflicts_url(world)).content.decode()
    assert "Conflict declared for P-001." in page
    assert "Conflicts you have declared" in page and "Remove this conflict" in page
    assert page.count("<details") == 2
    assignment.refresh_from_db()
    assert assignment.status == "withdrawn"
    assert client.get(f"/review/{assignment.pk}/").status_code == 404
    queue = client.get("/review/").content.decode()
    assert "P-001" not in queue and "0 of 1 scored" in queue


def test_a_conflict_without_a_reason_comes_back_with_the_error_and_the_note_kept(client, world):
    client.force_login(world["me"])
    second = world["proposals"][1]

    response = declare(client, world, second, reason="", note="My note")

    page = response.content.decode()
    assert response.status_code == 200
    assert error_summary(page) == [
        (f"#id_conflict-{second.pk}-reason_0", "Choose what the conflict is")
    ]
    assert "My note" in page and '<details class="conflict-form" open>' in page
    assert not ConflictDeclaration.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"action": "declare", "proposal": "abc"},
        {"action": "declare", "proposal": "999999"},
        {"action": "declare"},
        {"action": "shout", "proposal": "1"},
        {"action": "remove", "proposal": "abc"},
        {"action": "remove", "proposal": "999999"},
    ],
)
def test_bad_conflict_posts_are_refused_with_a_message(client, world, data):
    client.force_login(world["me"])

    response = client.post(conflicts_url(world), data, follow=True)

    assert response.status_code == 200
    assert "notification--error" in response.content.decode()
    assert not ConflictDeclaration.objects.exists()


def test_a_proposal_of_another_call_cannot_be_declared(client, world):
    elsewhere = proposal(call=funding_call(status="closed"))
    client.force_login(world["me"])

    declare(client, world, elsewhere)

    assert not ConflictDeclaration.objects.exists()


def test_i_remove_my_own_conflict_but_not_one_a_coordinator_added(client, world):
    first, second, _third = world["proposals"]
    svc.conflict_declare(proposal=first, reviewer=world["me"], reason="personal", by=world["me"])
    svc.conflict_declare(
        proposal=second, reviewer=world["me"], reason="financial", by=world["lead"]
    )
    client.force_login(world["me"])
    page = client.get(conflicts_url(world)).content.decode()
    assert page.count("Remove this conflict") == 1
    assert "A coordinator added this conflict" in page

    mine = client.post(conflicts_url(world), {"action": "remove", "proposal": first.pk})
    locked = client.post(
        conflicts_url(world), {"action": "remove", "proposal": second.pk}, follow=True
    )

    assert mine.status_code == 302
    assert "A coordinator added this conflict: ask them about it." in locked.content.decode()
    assert list(ConflictDeclaration.objects.values_list("proposal", flat=True)) == [second.pk]


def test_conflicts_are_read_only_once_scoring_has_finished(client, world):
    set_phase(world["round"], "moderation")
    client.force_login(world["me"])

    page = client.get(conflicts_url(world)).content.decode()
    declare(client, world, world["proposals"][2])

    assert "conflicts can no longer be changed" in page and "<details" not in page
    assert not ConflictDeclaration.objects.exists()


def test_only_the_rounds_reviewers_reach_its_conflicts_page(client, world):
    for person in (researcher(), world["lead"], expert().user):
        client.force_login(person)

        assert client.get(conflicts_url(world)).status_code == 404
        assert declare(client, world, world["proposals"][0]).status_code == 404
    client.force_login(world["me"])
    assert client.get("/review/rounds/999999/conflicts/").status_code == 404
    assert not ConflictDeclaration.objects.exists()


# Blind review


def test_no_page_or_email_a_reviewer_reaches_names_the_team_or_its_organisations(
    client, world, settings
):
    """Every page a reviewer can reach, in every state, and every email they are sent."""
    settings.REVIEW_REMINDER_HOURS = 24 * 10
    me, lead, the_round = world["me"], world["lead"], world["round"]
    first, second = world["mine"]
    third = world["proposals"][2]
    # The reviewer is in a team whose organisation is a partner: a suggested conflict.
    team(members=[me], name="My study", organisation=PARTNER)
    # Scoring starts (emails "review_assigned"), and the deadline reminder goes out.
    set_phase(the_round, "conflicts")
    svc.round_phase_advance(scoring_round=the_round, to="scoring", by=lead)
    svc.reviews_remind_due()
    client.force_login(me)
    pages = []

    def get(url):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        pages.append(response.content.decode())

    def post(url, data):
        response = client.post(url, data, follow=True)
        assert response.status_code == 200, url
        pages.append(response.content.decode())

    for url in ("/review/", f"/review/{first.pk}/", f"/review/{second.pk}/abstain/"):
        get(url)
    get(conflicts_url(world))
    post(f"/review/{first.pk}/", {**scores(world, method=""), "action": "submit"})
    post(f"/review/{first.pk}/", {**scores(world, method=""), "action": "draft"})
    post(f"/review/{first.pk}/", {**scores(world), "action": "submit"})
    get(f"/review/{first.pk}/")
    post(f"/review/{second.pk}/abstain/", {"reason": ""})
    post(conflicts_url(world), {"action": "declare", "proposal": third.pk})
    post(
        conflicts_url(world),
        {"action": "declare", "proposal": third.pk, f"conflict-{third.pk}-reason": "other"},
    )
    get(conflicts_url(world))
    set_phase(the_round, "moderation")
    for url in ("/review/", f"/review/{first.pk}/", f"/review/{second.pk}/", conflicts_url(world)):
        get(url)
    emails = OutboundEmail.objects.filter(recipient=me)
    assert sorted(emails.values_list("template", flat=True)) == [
        "review_assigned",
        "review_reminder",
    ]
    pages += [f"{e.subject}\n{e.body_text}\n{e.body_html}" for e in emails]

    assert any("What we want to find out" in page for page in pages)
    assert any(ANONYMISED in page for page in pages)
    for text in pages:
        for secret in (TEAM, LEAD, PARTNER, FULL, "Okonkwo", "Quillon", "Zephyrine", "Marrowdale"):
            assert secret not in text


def test_a_round_that_is_not_blind_shows_the_team_and_the_full_summary(client, world):
    ScoringRound.objects.filter(pk=world["round"].pk).update(blind=False)
    client.force_login(world["me"])

    page = client.get(f"/review/{world['mine'][0].pk}/").content.decode()

    assert FULL in page and LEAD in page and PARTNER in page and ANONYMISED not in page


# Query counts


def test_the_queue_query_count_does_not_grow(client, world):
    client.force_login(world["me"])

    def add_rounds(count):
        # Each round: a call, a proposal or two reviewed by me, one with a draft.
        for _ in range(count):
            call = funding_call(status="closed")
            extra_round = scoring_round(call=call, criteria_status="approved", phase="scoring")
            round_reviewer(of_round=extra_round, user=world["me"], group="lived_experience")
            for n in range(2):
                assignment = ReviewAssignment.objects.create(
                    round=extra_round, proposal=proposal(call=call), reviewer=world["me"]
                )
                if n:
                    svc.review_save_draft(
                        assignment=assignment,
                        by=world["me"],
                        scores={extra_round.criteria.first().pk: (3, "")},
                    )

    count = assert_query_count_constant(
        client, "/review/", add_rounds, sizes=(2, 8), max_queries=10
    )
    assert count == 4
    page = client.get("/review/").content.decode()
    assert page.count("<progress") == 9 and page.count(">Draft saved<") == 8


def test_the_scoring_form_query_count_does_not_grow(client, world):
    client.force_login(world["me"])
    assignment = world["mine"][0]
    the_round = world["round"]
    url = f"/review/{assignment.pk}/"

    def add_criteria(count):
        start = the_round.criteria.count() + 1
        for position in range(start, start + count):
            criterion = Criterion.objects.create(
                round=the_round, position=position, name=f"Criterion {position}", weight=1
            )
            Descriptor.objects.bulk_create(
                Descriptor(criterion=criterion, point=p, text=f"Means {p}") for p in the_round.scale
            )
            Score.objects.create(
                assignment=assignment,
                criterion=criterion,
                value=2,
                rationale="Draft",
                weight=1,
                scale_min=1,
                scale_max=5,
            )

    count = assert_query_count_constant(client, url, add_criteria, sizes=(2, 10), max_queries=10)
    assert count == 7
    assert client.get(url).content.decode().count('<fieldset class="fieldset"') == 12


def test_the_conflicts_page_query_count_does_not_grow(client, world):
    client.force_login(world["me"])
    call = world["round"].call

    def add_proposals(count):
        for _ in range(count):
            proposal(call=call)

    count = assert_query_count_constant(
        client, conflicts_url(world), add_proposals, sizes=(2, 10), max_queries=12
    )
    assert count == 7
