"""The coordinators' admin pages of funding calls and scoring rounds: every action's happy
path, its refusal and bad input, the CSV import that changes nothing on a bad row, who may
see the pages, and their query counts at two data sizes."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.models import AuditEvent
from engagement.models import (
    ConflictDeclaration,
    FundingCall,
    Proposal,
    ReviewAssignment,
    RoundReviewer,
    ScoringRound,
)
from tests.factories import (
    coordinator,
    expert,
    finance,
    funding_call,
    panel,
    proposal,
    researcher,
    round_reviewer,
    scoring_round,
    team,
)
from tests.helpers import assert_query_count_constant

PDF = b"%PDF-1.7\n% a proposal\n"
HEADER = "id,title,lay_summary,full_summary,budget,lead_organisation\n"


@pytest.fixture
def lead(client, db, settings, tmp_path):
    settings.PROPOSAL_ATTACHMENTS_ROOT = tmp_path / "proposals"
    user = coordinator()
    client.force_login(user)
    return user


def _messages(response) -> list[str]:
    """The message the request added (earlier ones stay queued while no page shows them)."""
    return [str(m) for m in get_messages(response.wsgi_request)][-1:]


def _call_form(**overrides) -> dict:
    now = timezone.now()
    data = {
        "title": "Safe work after exploitation",
        "slug": "safe-work",
        "summary": "Research into safe work.",
        "eligibility": "UK research teams.",
        "budget": "100000",
        "opens_at": (now + timedelta(days=1)).strftime("%Y-%m-%d %H:%M"),
        "closes_at": (now + timedelta(days=40)).strftime("%Y-%m-%d %H:%M"),
        "requires_partner": "",
        "co_design_panel": "",
    }
    return {**data, **overrides}


def _round_form(**overrides) -> dict:
    data = {
        "scale_min": "1",
        "scale_max": "5",
        "rationale_required": "on",
        "blind": "on",
        "lived_weight": "2",
        "academic_weight": "1",
        "staff_weight": "1",
        "reviewers_per_proposal": "3",
        "lived_minimum": "1",
        "load_cap": "8",
        "deadline": "",
    }
    return {**data, **overrides}


# Calls


def test_a_coordinator_drafts_a_call_and_it_is_audited(client, lead):
    response = client.post("/admin/calls/new/", _call_form())

    call = FundingCall.objects.get(slug="safe-work")
    assert response.status_code == 302
    assert response["Location"] == f"/admin/calls/inspect/{call.pk}/"
    assert (call.status, call.budget) == ("draft", Decimal("100000.00"))
    assert list(AuditEvent.objects.filter(funding_call=call).values_list("action", "actor")) == [
        ("funding_call.create", lead.pk)
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [("budget", "-5"), ("budget", "lots"), ("closes_at", "2020-01-01 10:00"), ("title", "")],
)
def test_a_bad_call_form_says_what_to_fix_and_saves_nothing(client, lead, field, value):
    response = client.post("/admin/calls/new/", _call_form(**{field: value}))

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not FundingCall.objects.exists()


def test_a_draft_call_is_edited_and_the_change_audited(client, lead):
    call = funding_call(slug="safe-work")

    response = client.post(f"/admin/calls/edit/{call.pk}/", _call_form(title="Safe work, again"))

    call.refresh_from_db()
    assert response.status_code == 302
    assert call.title == "Safe work, again"
    event = AuditEvent.objects.get(funding_call=call, action="funding_call.update")
    assert "title" in event.extra["fields"]


def test_an_open_call_cannot_be_edited(client, lead):
    call = funding_call(status="open", slug="safe-work")

    shown = client.get(f"/admin/calls/edit/{call.pk}/")
    posted = client.post(f"/admin/calls/edit/{call.pk}/", _call_form(title="Changed"))

    assert shown.status_code == posted.status_code == 302
    assert posted["Location"] == f"/admin/calls/inspect/{call.pk}/"
    call.refresh_from_db()
    assert call.title == "Safe housing after exploitation"
    assert "The call has opened: its details cannot change now." in _messages(posted)


def test_the_co_design_panel_cannot_change_once_it_approved_the_criteria(client, lead):
    first, second = panel(name="First panel"), panel(name="Second panel")
    call = funding_call(slug="safe-work", co_design_panel=first)
    scoring_round(call=call, criteria_status="approved")

    response = client.post(
        f"/admin/calls/edit/{call.pk}/", _call_form(co_design_panel=str(second.pk))
    )

    assert response.status_code == 200
    assert "reopen the criteria" in str(response.context["form"].errors["co_design_panel"])
    call.refresh_from_db()
    assert call.co_design_panel == first


def test_the_call_list_shows_each_calls_proposal_count(client, lead):
    call = funding_call()
    proposal(call=call)
    proposal(call=call)

    page = client.get("/admin/calls/").content.decode()

    assert "Safe housing after exploitation" in page
    assert "Draft" in page


def test_opening_a_call_asks_first_then_opens_it(client, lead):
    call = funding_call(closes_at=timezone.now() + timedelta(days=9))
    scoring_round(call=call, criteria_status="approved")

    confirm = client.get(f"/admin/calls/open/{call.pk}/")
    done = client.post(f"/admin/calls/open/{call.pk}/")

    assert confirm.status_code == 200
    assert "Yes, open the call" in confirm.content.decode()
    call.refresh_from_db()
    assert call.status == "open"
    assert _messages(done) == ["The call is open."]


def test_opening_is_refused_until_the_criteria_are_approved_and_complete(client, lead):
    call = funding_call()
    scoring_round(call=call, criteria=())

    confirm = client.get(f"/admin/calls/open/{call.pk}/").content.decode()
    response = client.post(f"/admin/calls/open/{call.pk}/")

    assert "Add at least one criterion." in confirm
    call.refresh_from_db()
    assert call.status == "draft"
    assert _messages(response) == [
        "The co-design panel must approve the criteria before the call opens."
    ]


def test_closing_an_open_call_and_refusing_to_close_a_draft(client, lead):
    open_call = funding_call(status="open")
    draft = funding_call()

    client.post(f"/admin/calls/close/{open_call.pk}/")
    refused = client.post(f"/admin/calls/close/{draft.pk}/")

    open_call.refresh_from_db()
    draft.refresh_from_db()
    assert (open_call.status, draft.status) == ("closed", "draft")
    assert _messages(refused) == ["That cannot be done while the status is 'Draft'."]


def test_an_unknown_call_is_not_found(client, lead):
    assert client.get("/admin/calls/open/999999/").status_code == 404
    assert client.post("/admin/calls/close/999999/").status_code == 404
    assert client.get("/admin/calls/999999/proposals/").status_code == 404


# Proposals


def test_the_proposal_list_shows_team_and_organisation_to_staff(client, lead):
    call = funding_call()
    own = proposal(call=call, research_team=team(name="Safe Homes Study"))

    page = client.get(f"/admin/calls/{call.pk}/proposals/").content.decode()

    assert own.reference in page
    assert "Safe Homes Study, University of Tandem" in page


def test_a_good_csv_imports_every_row(client, lead):
    call = funding_call()
    content = HEADER + 'a1,Housing,Plain,Full,1000,Org A\na2,Work,Plain,Full,"2,000.50",Org B\n'

    response = client.post(
        f"/admin/calls/{call.pk}/proposals/import/",
        {"file": SimpleUploadedFile("p.csv", content.encode(), content_type="text/csv")},
    )

    assert response.status_code == 302
    assert list(call.proposals.values_list("import_key", "budget")) == [
        ("a1", Decimal("1000.00")),
        ("a2", Decimal("2000.50")),
    ]
    assert _messages(response) == ["2 proposals added; 0 already imported, left as they were."]


def test_a_csv_with_bad_rows_imports_nothing_and_names_each_row(client, lead):
    call = funding_call()
    content = HEADER + "a1,Housing,Plain,Full,1000,Org A\na2,,Plain,Full,lots,Org B\n"

    response = client.post(
        f"/admin/calls/{call.pk}/proposals/import/",
        {"file": SimpleUploadedFile("p.csv", content.encode(), content_type="text/csv")},
    )

    assert response.status_code == 400
    assert response.context["problems"] == [
        "Row 3: title is missing",
        "Row 3: budget must be a number",
    ]
    assert "Nothing was imported" in response.content.decode()
    assert not Proposal.objects.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (None, "Choose the CSV file to import."),
        (b"name,budget\nx,1\n", "The file needs the columns: id, title, lay_summary"),
        (b"\xff\xfe\x00bad", "Save the file as CSV with UTF-8 encoding."),
    ],
)
def test_a_wrong_file_is_refused_with_a_message(client, lead, upload, message):
    call = funding_call()
    data = {} if upload is None else {"file": SimpleUploadedFile("p.csv", upload)}

    response = client.post(f"/admin/calls/{call.pk}/proposals/import/", data)

    assert response.status_code in {200, 400}
    assert message in response.content.decode()
    assert not Proposal.objects.exists()


def test_the_sample_csv_has_the_import_header(client, lead):
    response = client.get("/admin/calls/proposals/sample.csv")

    assert response["Content-Disposition"] == 'attachment; filename="proposals-sample.csv"'
    assert response.content.decode().splitlines()[0] == (
        "id,title,lay_summary,full_summary,budget,lead_organisation,"
        "team_description,partner_organisations,topics"
    )


def test_a_coordinator_downloads_a_proposals_pdf_as_an_attachment(client, lead):
    item = proposal(call=funding_call())
    item.attachment.save("x.pdf", ContentFile(PDF))

    response = client.get(f"/admin/calls/proposals/{item.pk}/document/")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="proposal-P-001.pdf"'
    assert b"".join(response.streaming_content) == PDF
    assert AuditEvent.objects.filter(proposal=item, action="proposal.document_download").exists()


def test_a_proposal_without_a_document_is_not_found(client, lead):
    item = proposal(call=funding_call())

    assert client.get(f"/admin/calls/proposals/{item.pk}/document/").status_code == 404


def test_finance_cannot_download_a_proposal(client, db, settings, tmp_path):
    settings.PROPOSAL_ATTACHMENTS_ROOT = tmp_path / "proposals"
    item = proposal(call=funding_call())
    item.attachment.save("x.pdf", ContentFile(PDF))
    client.force_login(finance())

    assert client.get(f"/admin/calls/proposals/{item.pk}/document/").status_code == 302


# Rounds


def test_a_round_is_set_up_for_a_draft_call(client, lead):
    call = funding_call()

    response = client.post(f"/admin/scoring-rounds/new/{call.pk}/", _round_form())

    created = ScoringRound.objects.get(call=call)
    assert response["Location"] == f"/admin/scoring-rounds/{created.pk}/"
    assert (created.lived_weight, created.load_cap, created.phase) == (Decimal("2"), 8, "setup")
    assert AuditEvent.objects.filter(scoring_round=created, action="scoringround.create").exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"scale_max": "1"}, "scale_max"),
        ({"lived_minimum": "4"}, "lived_minimum"),
        ({"lived_weight": "0", "academic_weight": "0", "staff_weight": "0"}, "lived_weight"),
        ({"lived_weight": "-1"}, "lived_weight"),
        ({"load_cap": "0"}, "load_cap"),
        ({"scale_max": "abc"}, "scale_max"),
    ],
)
def test_bad_round_settings_say_what_to_fix_and_save_nothing(client, lead, overrides, field):
    call = funding_call()

    response = client.post(f"/admin/scoring-rounds/new/{call.pk}/", _round_form(**overrides))

    assert response.status_code == 400
    assert response.context["form"].errors[field]
    assert not ScoringRound.objects.exists()


def test_a_second_round_for_a_call_goes_to_the_first(client, lead):
    existing = scoring_round()

    response = client.get(f"/admin/scoring-rounds/new/{existing.call_id}/")

    assert response["Location"] == f"/admin/scoring-rounds/{existing.pk}/"


def test_a_round_is_not_set_up_for_an_open_call(client, lead):
    call = funding_call(status="open")

    response = client.post(f"/admin/scoring-rounds/new/{call.pk}/", _round_form())

    assert not ScoringRound.objects.exists()
    assert _messages(response) == [
        "The call has opened: its scoring round is set up before it opens."
    ]


@pytest.mark.parametrize("criteria_status", ["draft", "approved"])
def test_settings_change_in_set_up_but_the_scale_and_weights_stay(client, lead, criteria_status):
    """The scale and group weights have one editor once the round exists: the co-design
    workspace, with the criteria."""
    the_round = scoring_round(criteria_status=criteria_status)

    response = client.post(
        f"/admin/scoring-rounds/{the_round.pk}/settings/",
        _round_form(scale_max="7", lived_weight="9", load_cap="4"),
    )

    the_round.refresh_from_db()
    assert response.status_code == 302
    # Disabled fields keep the approved values; the rest changes.
    assert (the_round.scale_max, the_round.lived_weight, the_round.load_cap) == (5, 1, 4)


def test_settings_cannot_change_after_set_up(client, lead):
    the_round = scoring_round(phase="conflicts", criteria_status="approved")

    response = client.post(
        f"/admin/scoring-rounds/{the_round.pk}/settings/", _round_form(load_cap="2")
    )

    the_round.refresh_from_db()
    assert the_round.load_cap == 10
    assert response["Location"] == f"/admin/scoring-rounds/{the_round.pk}/"


def test_the_round_page_shows_the_co_design_status_and_phases(client, lead):
    the_round = scoring_round(
        criteria_status="approved", approved_by=lead, approved_at=timezone.now()
    )

    page = client.get(f"/admin/scoring-rounds/{the_round.pk}/").content.decode()

    assert f"Approved by {lead.display_name}" in page
    assert "Move to Conflicts of interest" in page
    assert "Reopen the criteria" in page


def test_reopening_the_criteria_needs_a_reason(client, lead):
    the_round = scoring_round(criteria_status="approved", approved_by=lead)
    url = f"/admin/scoring-rounds/{the_round.pk}/"

    missing = client.post(url, {"action": "reopen", "reason": " "})
    the_round.refresh_from_db()
    assert missing.status_code == 400
    assert "Say why the criteria need to change." in missing.content.decode()
    assert the_round.criteria_status == "approved"

    client.post(url, {"action": "reopen", "reason": "The panel asked for a new criterion."})
    the_round.refresh_from_db()
    assert (the_round.criteria_status, the_round.approved_by) == ("drafting", None)


def test_reopening_is_refused_once_the_call_is_open(client, lead):
    the_round = scoring_round(call=funding_call(status="open"), criteria_status="approved")

    response = client.post(
        f"/admin/scoring-rounds/{the_round.pk}/", {"action": "reopen", "reason": "Late change"}
    )

    the_round.refresh_from_db()
    assert the_round.criteria_status == "approved"
    assert _messages(response) == ["The call has opened: its criteria cannot change now."]


def test_the_phase_moves_on_and_refusals_say_why(client, lead):
    the_round = scoring_round(criteria_status="approved")
    url = f"/admin/scoring-rounds/{the_round.pk}/"

    no_reviewers = client.post(url, {"action": "advance", "to": "conflicts"})
    assert _messages(no_reviewers) == ["Add the reviewers first."]
    round_reviewer(of_round=the_round)
    client.post(url, {"action": "advance", "to": "conflicts"})
    the_round.refresh_from_db()
    assert the_round.phase == "conflicts"

    still_open = client.post(url, {"action": "advance", "to": "scoring"})
    assert _messages(still_open) == ["Close the call to proposals before scoring starts."]
    skipping = client.post(url, {"action": "advance", "to": "closed"})
    forged = client.post(url, {"action": "advance", "to": "nonsense"})
    unknown = client.post(url, {"action": "explode"})
    the_round.refresh_from_db()
    assert the_round.phase == "conflicts"
    assert _messages(skipping) == [
        "That cannot be done while the status is 'Conflicts of interest'."
    ]
    assert _messages(forged) == ["Choose the next phase."]
    assert _messages(unknown) == ["Choose what to change in this round."]


# Reviewers and conflicts


def test_reviewers_are_added_in_the_group_their_role_gives(client, lead):
    the_round = scoring_round()
    person, academic = expert(status="active"), researcher()
    team(members=[academic], organisation="University of Elsewhere")
    url = f"/admin/scoring-rounds/{the_round.pk}/reviewers/"

    page = client.get(url).content.decode()
    assert "University of Elsewhere" in page
    client.post(url, {"action": "add", "person": f"lived_experience:{person.user_id}"})
    client.post(url, {"action": "add", "person": f"academic:{academic.pk}", "load_cap": "2"})

    assert set(RoundReviewer.objects.values_list("user", "group", "load_cap")) == {
        (person.user_id, "lived_experience", None),
        (academic.pk, "academic", 2),
    }


@pytest.mark.parametrize(
    ("person", "load_cap", "message"),
    [
        ("", "", "Choose who to add."),
        ("lived_experience:999999", "", "Choose someone from the list."),
        ("staff:abc", "", "Choose someone from the list."),
        ("lived", "0", "A reviewer takes at least one proposal."),
    ],
)
def test_a_bad_reviewer_form_adds_nobody(client, lead, person, load_cap, message):
    the_round = scoring_round()

    response = client.post(
        f"/admin/scoring-rounds/{the_round.pk}/reviewers/",
        {"action": "add", "person": person, "load_cap": load_cap},
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not RoundReviewer.objects.exists()


def test_a_researcher_cannot_be_forced_into_the_lived_experience_group(client, lead):
    the_round = scoring_round()
    academic = researcher()

    response = client.post(
        f"/admin/scoring-rounds/{the_round.pk}/reviewers/",
        {"action": "add", "person": f"lived_experience:{academic.pk}"},
    )

    assert response.status_code == 400
    assert not RoundReviewer.objects.exists()


def test_a_reviewer_is_removed_before_scoring_but_not_after(client, lead):
    the_round = scoring_round()
    member = round_reviewer(of_round=the_round)
    url = f"/admin/scoring-rounds/{the_round.pk}/reviewers/"

    client.post(url, {"action": "remove", "reviewer": member.pk})
    assert not RoundReviewer.objects.exists()

    late = round_reviewer(of_round=the_round)
    ScoringRound.objects.filter(pk=the_round.pk).update(phase="scoring")
    refused = client.post(url, {"action": "remove", "reviewer": late.pk})
    other = client.post(url, {"action": "remove", "reviewer": "x"})
    assert RoundReviewer.objects.filter(pk=late.pk).exists()
    assert _messages(refused) == ["Reviewers are chosen before scoring starts."]
    assert _messages(other) == ["Choose a reviewer of this round."]


def test_a_coordinator_adds_a_conflict_that_withdraws_the_review(client, lead):
    the_round = scoring_round(phase="conflicts", criteria_status="approved")
    item = proposal(call=the_round.call)
    member = round_reviewer(of_round=the_round)
    ReviewAssignment.objects.create(round=the_round, proposal=item, reviewer=member.user)

    client.post(
        f"/admin/scoring-rounds/{the_round.pk}/conflicts/",
        {"action": "add", "reviewer": member.user_id, "proposal": item.pk, "reason": "personal"},
    )

    conflict = ConflictDeclaration.objects.get()
    assert (conflict.by_coordinator, conflict.declared_by) == (True, lead)
    assert ReviewAssignment.objects.get().status == "withdrawn"
    page = client.get(f"/admin/scoring-rounds/{the_round.pk}/conflicts/").content.decode()
    assert "Personal relationship" in page


def test_a_conflict_for_another_calls_proposal_or_a_non_reviewer_is_refused(client, lead):
    the_round = scoring_round(phase="conflicts", criteria_status="approved")
    elsewhere = proposal(call=funding_call())
    member = round_reviewer(of_round=the_round)
    outsider = expert(status="active")

    first = client.post(
        f"/admin/scoring-rounds/{the_round.pk}/conflicts/",
        {"action": "add", "reviewer": member.user_id, "proposal": elsewhere.pk, "reason": "other"},
    )
    second = client.post(
        f"/admin/scoring-rounds/{the_round.pk}/conflicts/",
        {
            "action": "add",
            "reviewer": outsider.user_id,
            "proposal": proposal(call=the_round.call).pk,
            "reason": "bogus",
        },
    )

    assert first.status_code == second.status_code == 400
    assert "Choose a proposal of this call." in first.content.decode()
    assert "Choose a reviewer of this round." in second.content.decode()
    assert not ConflictDeclaration.objects.exists()


def test_a_coordinator_removes_a_conflict_until_scoring_ends(client, lead):
    the_round = scoring_round(phase="conflicts", criteria_status="approved")
    item = proposal(call=the_round.call)
    member = round_reviewer(of_round=the_round)
    url = f"/admin/scoring-rounds/{the_round.pk}/conflicts/"
    first = ConflictDeclaration.objects.create(
        proposal=item, reviewer=member.user, reason="other", declared_by=member.user
    )

    client.post(url, {"action": "remove", "conflict": first.pk})
    assert not ConflictDeclaration.objects.exists()

    late = ConflictDeclaration.objects.create(
        proposal=item, reviewer=member.user, reason="other", declared_by=member.user
    )
    ScoringRound.objects.filter(pk=the_round.pk).update(phase="moderation")
    refused = client.post(url, {"action": "remove", "conflict": late.pk})
    assert ConflictDeclaration.objects.filter(pk=late.pk).exists()
    assert _messages(refused) == ["Scoring has finished in this round."]


# Who may see these pages


@pytest.mark.parametrize("who", ["finance", "expert", "researcher"])
def test_only_coordinators_reach_the_round_pages(client, db, who):
    the_round = scoring_round()
    user = {"finance": finance, "researcher": researcher}.get(who, lambda: expert().user)()
    client.force_login(user)

    for suffix in ("", "settings/", "reviewers/", "conflicts/"):
        response = client.get(f"/admin/scoring-rounds/{the_round.pk}/{suffix}")
        assert response.status_code == (302 if who == "finance" else 403)
    posted = client.post(
        f"/admin/scoring-rounds/{the_round.pk}/", {"action": "advance", "to": "conflicts"}
    )
    assert posted.status_code in {302, 403}
    the_round.refresh_from_db()
    assert the_round.phase == "setup"


# Query counts


def test_the_call_list_query_count_does_not_grow(client, lead):
    def add_calls(count):
        for _ in range(count):
            call = funding_call()
            proposal(call=call)

    assert_query_count_constant(client, "/admin/calls/", add_calls, max_queries=15)


def test_the_proposal_list_query_count_does_not_grow(client, lead):
    call = funding_call()
    research_team = team()

    def add(count):
        for _ in range(count):
            proposal(call=call, research_team=research_team)

    assert_query_count_constant(client, f"/admin/calls/{call.pk}/proposals/", add, max_queries=13)


@pytest.mark.parametrize(("suffix", "most"), [("", 17), ("reviewers/", 19), ("conflicts/", 15)])
def test_the_round_pages_query_counts_do_not_grow(client, lead, suffix, most):
    the_round = scoring_round(phase="conflicts", criteria_status="approved")

    def add(count):
        for _ in range(count):
            item = proposal(call=the_round.call)
            member = round_reviewer(of_round=the_round, user=expert(status="active").user)
            ReviewAssignment.objects.create(round=the_round, proposal=item, reviewer=member.user)
            ConflictDeclaration.objects.create(
                proposal=item, reviewer=member.user, reason="other", declared_by=lead
            )
            expert(status="active")
            team(members=[researcher()])

    assert_query_count_constant(
        client,
        f"/admin/scoring-rounds/{the_round.pk}/{suffix}",
        add,
        sizes=(3, 12),
        max_queries=most,
    )
