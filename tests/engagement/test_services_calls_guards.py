"""The guards of funding calls and proposals (services.calls) that the journey tests leave
open: the exact refusals people read, the boundaries of every limit (a closing time of now, a
title of 300 characters, a document of exactly the largest size), that a refusal stores and
audits nothing, the audit rows and emails of what succeeds, and that one call's or round's
rows never leak into another's."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.models import AuditEvent, OutboundEmail
from core.transitions import TransitionNotAllowed
from engagement.models import (
    CriteriaComment,
    Criterion,
    Descriptor,
    FundingCall,
    Proposal,
    ReviewAssignment,
    Score,
    ScoringRound,
    Topic,
)
from engagement.services import calls as svc
from tests.factories import (
    coordinator,
    expert,
    funding_call,
    panel,
    proposal,
    researcher,
    round_reviewer,
    scoring_round,
    team,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% a proposal\n"


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PROPOSAL_ATTACHMENTS_ROOT = tmp_path / "proposals"


@pytest.fixture
def frozen(monkeypatch):
    """Time stands still, so a boundary of exactly now can be tested."""
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)
    return now


def pdf(content=PDF, name="our-proposal.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def refusal(raised) -> str:
    return str(raised.value)


def audit_rows(action):
    return list(
        AuditEvent.objects.filter(action=action)
        .order_by("pk")
        .values_list("actor", "object_id", "from_state", "to_state", "extra")
    )


@pytest.fixture
def world(db):
    lead = coordinator()
    chair = expert()
    member = expert()
    co_design = panel(coordinators=[lead], chairs=[chair], members=[member], name="Co-design")
    call = funding_call(co_design_panel=co_design)
    the_round = scoring_round(call=call)
    return lead, chair, member, call, the_round


# Opening a call: what its criteria lack, said exactly


def test_a_round_without_criteria_is_neither_approved_nor_opened(world):
    lead, chair, _member, call, the_round = world
    the_round.criteria.all().delete()

    with pytest.raises(TransitionNotAllowed) as refused:
        svc.criteria_approve(scoring_round=the_round, by=chair.user)
    assert refusal(refused) == "Add at least one criterion."

    ScoringRound.objects.filter(pk=the_round.pk).update(criteria_status="approved")
    with pytest.raises(TransitionNotAllowed) as refused:
        svc.call_open(call=call, by=lead)
    assert refusal(refused) == "Add at least one criterion."
    call.refresh_from_db()
    assert call.status == "draft"
    assert not AuditEvent.objects.exists()


def test_a_blank_descriptor_counts_as_missing_and_every_criterion_lacking_one_is_named(world):
    lead, chair, _member, call, the_round = world
    Descriptor.objects.filter(criterion__name="Relevance", point=3).update(text="   ")
    Descriptor.objects.filter(criterion__name="Method", point__in=[5, 1]).delete()
    expected = (
        "“Relevance” needs a descriptor for the scores 3. "
        "“Method” needs a descriptor for the scores 1, 5."
    )

    with pytest.raises(TransitionNotAllowed) as refused:
        svc.criteria_approve(scoring_round=the_round, by=chair.user)
    assert refusal(refused) == expected
    the_round.refresh_from_db()
    assert (the_round.criteria_status, the_round.approved_by) == ("drafting", None)

    # Approved before a descriptor went missing: the call still does not open.
    ScoringRound.objects.filter(pk=the_round.pk).update(criteria_status="approved")
    with pytest.raises(TransitionNotAllowed) as refused:
        svc.call_open(call=call, by=lead)
    assert refusal(refused) == expected
    assert FundingCall.objects.get(pk=call.pk).status == "draft"


def test_a_call_without_a_scoring_round_is_not_opened(db):
    lead = coordinator()
    call = funding_call()
    # Another call's approved round is not this call's.
    other = scoring_round(call=funding_call())
    ScoringRound.objects.filter(pk=other.pk).update(criteria_status="approved")

    with pytest.raises(TransitionNotAllowed) as refused:
        svc.call_open(call=call, by=lead)

    assert refusal(refused) == "Set up the scoring round before opening the call."
    assert FundingCall.objects.get(pk=call.pk).status == "draft"
    assert not AuditEvent.objects.exists()


def test_a_call_closing_exactly_now_is_not_opened_and_one_closing_later_is(world, frozen):
    lead, _chair, _member, call, the_round = world
    ScoringRound.objects.filter(pk=the_round.pk).update(criteria_status="approved")
    FundingCall.objects.filter(pk=call.pk).update(
        opens_at=frozen - datetime.timedelta(days=1), closes_at=frozen
    )

    with pytest.raises(TransitionNotAllowed) as refused:
        svc.call_open(call=call, by=lead)
    assert refusal(refused) == "The closing date has passed: change it first."
    assert FundingCall.objects.get(pk=call.pk).status == "draft"

    FundingCall.objects.filter(pk=call.pk).update(
        closes_at=frozen + datetime.timedelta(microseconds=1)
    )
    opened = svc.call_open(call=call, by=lead)
    assert (opened.status, opened.status_changed_at) == ("open", frozen)
    assert audit_rows("fundingcall.open") == [(lead.pk, call.pk, "draft", "open", {})]


# The periodic close


def test_the_periodic_job_closes_every_due_call_and_counts_them(frozen):
    day = datetime.timedelta(days=1)
    due = [
        funding_call(status="open", opens_at=frozen - 9 * day, closes_at=frozen - day),
        funding_call(status="open", opens_at=frozen - 9 * day, closes_at=frozen),
    ]
    draft_due = funding_call(status="draft", opens_at=frozen - 9 * day, closes_at=frozen - day)
    later = funding_call(
        status="open",
        opens_at=frozen - day,
        closes_at=frozen + datetime.timedelta(microseconds=1),
    )

    assert svc.calls_close_due() == 2

    statuses = dict(FundingCall.objects.values_list("pk", "status"))
    assert statuses == {
        due[0].pk: "closed",
        due[1].pk: "closed",
        draft_due.pk: "draft",
        later.pk: "open",
    }
    assert audit_rows("fundingcall.close") == [
        (None, call.pk, "open", "closed", {}) for call in due
    ]


def test_a_call_closed_by_hand_meanwhile_is_left_and_the_rest_still_close(monkeypatch):
    past = timezone.now() - datetime.timedelta(minutes=1)
    opened = timezone.now() - datetime.timedelta(days=9)
    first, second, third = (
        funding_call(status="open", opens_at=opened, closes_at=past) for _ in range(3)
    )
    lead = coordinator()
    real_close = svc.call_close

    def close_racing_a_coordinator(*, call, by):
        if call.pk == first.pk:
            real_close(call=call, by=lead)  # the coordinator's click lands first
        return real_close(call=call, by=by)

    monkeypatch.setattr(svc, "call_close", close_racing_a_coordinator)

    assert svc.calls_close_due() == 2
    assert list(FundingCall.objects.order_by("pk").values_list("status", flat=True)) == [
        "closed",
        "closed",
        "closed",
    ]
    assert audit_rows("fundingcall.close") == [
        (lead.pk, first.pk, "open", "closed", {}),
        (None, second.pk, "open", "closed", {}),
        (None, third.pk, "open", "closed", {}),
    ]


# Discussing the criteria


def test_someone_outside_the_panel_is_told_who_may_discuss_the_criteria(world):
    *_, the_round = world
    other_member = expert()
    panel(members=[other_member], name="Another panel")

    for person in (expert().user, other_member.user, researcher()):
        with pytest.raises(TransitionNotAllowed) as refused:
            svc.criteria_comment_add(scoring_round=the_round, by=person, text="May I?")
        assert refusal(refused) == (
            "Only the co-design panel and coordinators can discuss the criteria."
        )
    assert not CriteriaComment.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("text", ["", "  \n ", None])
def test_an_empty_comment_is_refused_with_its_message(world, text):
    _lead, _chair, member, _call, the_round = world

    with pytest.raises(ValidationError) as refused:
        svc.criteria_comment_add(scoring_round=the_round, by=member.user, text=text)

    assert refused.value.message_dict == {"text": ["Write your comment."]}
    assert not CriteriaComment.objects.exists()


def test_a_comment_of_2000_characters_is_added_and_one_longer_refused(world):
    _lead, _chair, member, _call, the_round = world

    with pytest.raises(ValidationError) as refused:
        svc.criteria_comment_add(scoring_round=the_round, by=member.user, text="x" * 2001)
    assert refused.value.message_dict == {"text": ["Keep it to 2000 characters or fewer."]}
    assert not CriteriaComment.objects.exists()

    added = svc.criteria_comment_add(
        scoring_round=the_round, by=member.user, text="  " + "y" * 2000 + "\n"
    )
    assert CriteriaComment.objects.get().text == "y" * 2000
    assert audit_rows("scoringround.criteria_comment") == [
        (member.user.pk, the_round.pk, "", "", {"comment": added.pk})
    ]


@pytest.mark.parametrize("status", ["open", "closed"])
def test_once_the_call_has_left_draft_nobody_discusses_its_criteria(world, status):
    lead, _chair, member, call, the_round = world
    FundingCall.objects.filter(pk=call.pk).update(status=status)

    for person in (member.user, lead):
        with pytest.raises(TransitionNotAllowed) as refused:
            svc.criteria_comment_add(scoring_round=the_round, by=person, text="Late thought")
        assert refusal(refused) == "The call is open: its criteria are settled."
    assert not CriteriaComment.objects.exists()
    assert not AuditEvent.objects.exists()


# Reopening approved criteria


def test_reopening_keeps_the_coordinators_reason_in_the_audit(world):
    lead, chair, _member, _call, the_round = world
    svc.criteria_approve(scoring_round=the_round, by=chair.user)

    svc.criteria_reopen(scoring_round=the_round, by=lead, reason="Add a safety criterion")

    event = AuditEvent.objects.get(action="scoringround.reopen_criteria")
    assert (event.actor, event.from_state, event.to_state, event.note) == (
        lead,
        "approved",
        "drafting",
        "Add a safety criterion",
    )


# The round is locked with its call in one query: one more if the call were read apart.
QUERIES_TO_REOPEN = 6
# Approving: the same, and whether the approver chairs the call's panel.
QUERIES_TO_APPROVE = 9


def test_reopening_without_a_reason_records_none_and_reads_the_call_with_the_round(
    world, django_assert_num_queries
):
    lead, chair, _member, _call, the_round = world
    svc.criteria_approve(scoring_round=the_round, by=chair.user)
    ContentType.objects.get_for_models(*apps.get_models())  # the audit's cache, warm

    with django_assert_num_queries(QUERIES_TO_REOPEN):
        svc.criteria_reopen(scoring_round=the_round, by=lead)

    assert AuditEvent.objects.get(action="scoringround.reopen_criteria").note == ""


def test_criteria_of_a_closed_call_are_not_reopened(world):
    lead, chair, _member, call, the_round = world
    svc.criteria_approve(scoring_round=the_round, by=chair.user)
    FundingCall.objects.filter(pk=call.pk).update(status="closed")

    with pytest.raises(TransitionNotAllowed) as refused:
        svc.criteria_reopen(scoring_round=the_round, by=lead)

    assert refusal(refused) == "The call has opened: its criteria cannot change now."
    the_round.refresh_from_db()
    assert (the_round.criteria_status, the_round.approved_by) == ("approved", chair.user)


# Submitting a proposal

DATA = {
    "title": "Safe homes",
    "lay_summary": "Where people find a safe home.",
    "full_summary": "Interviews with people at the University of Tandem's partner services.",
    "budget": "24,500.50",
    "lead_organisation": "University of Tandem",
    "team_description": "Three researchers.",
    "partner_organisations": "Safe Homes Charity",
}


@pytest.fixture
def open_call(db):
    return funding_call(status="open", requires_partner=True, title="Safe housing")


@pytest.fixture
def applicant(db):
    person = researcher()
    return person, team(members=[person])


def submit(call, applicant, **changes):
    person, research_team = applicant
    return svc.proposal_submit(
        call=call,
        team=research_team,
        by=changes.pop("by", person),
        data={**DATA, **changes.pop("data", {})},
        attachment=changes.pop("attachment", pdf()),
        submit_key=changes.pop("submit_key", uuid.uuid4()),
        **changes,
    )


def nothing_stored(settings):
    root = settings.PROPOSAL_ATTACHMENTS_ROOT
    return (
        not Proposal.objects.exists()
        and not AuditEvent.objects.filter(action="proposal.submit").exists()
        and not OutboundEmail.objects.exists()
        and (not root.exists() or not any(root.rglob("*.pdf")))
    )


def test_only_the_teams_own_members_submit_for_it(open_call, applicant, settings):
    someone_elses = researcher()
    team(members=[someone_elses], name="Another team")

    for person in (someone_elses, researcher(), coordinator(), AnonymousUser()):
        with pytest.raises(TransitionNotAllowed) as refused:
            submit(open_call, applicant, by=person)
        assert refusal(refused) == "Only members of the research team can submit for it."
    assert nothing_stored(settings)


def test_a_key_copied_from_another_teams_form_makes_a_proposal_of_its_own(open_call, applicant):
    theirs = researcher()
    their_team = team(members=[theirs], name="Another team")
    key = uuid.uuid4()
    first = submit(open_call, (theirs, their_team), submit_key=key, data={"title": "Theirs"})

    ours = submit(open_call, applicant, submit_key=key, data={"title": "Ours"})

    assert ours.pk != first.pk
    assert (ours.team, ours.title, ours.reference) == (applicant[1], "Ours", "P-002")
    assert ours.submit_key not in (None, key)
    first.refresh_from_db()
    assert (first.team, first.title, first.submit_key) == (their_team, "Theirs", key)


def test_fields_at_their_longest_are_taken_and_text_is_trimmed(open_call, applicant):
    made = submit(
        open_call,
        applicant,
        data={
            "title": "  " + "t" * 300 + "  ",
            "lead_organisation": "o" * 200,
            "lay_summary": " " + "l" * 5000,
            "team_description": "  Three researchers.\n",
            "partner_organisations": " Safe Homes; Housing First \n\n ;Work Rights ",
        },
    )

    made.refresh_from_db()
    assert (made.title, made.lead_organisation, made.lay_summary) == (
        "t" * 300,
        "o" * 200,
        "l" * 5000,
    )
    assert made.team_description == "Three researchers."
    assert made.partner_organisations == "Safe Homes\nHousing First\nWork Rights"


def test_too_long_and_missing_fields_each_have_their_message(open_call, applicant, settings):
    with pytest.raises(ValidationError) as refused:
        submit(
            open_call,
            applicant,
            data={
                "title": "t" * 301,
                "lead_organisation": "o" * 201,
                "full_summary": "  ",
                "lay_summary": None,
            },
        )

    assert refused.value.message_dict == {
        "title": ["Keep it to 300 characters or fewer."],
        "lay_summary": ["Enter a summary in plain language."],
        "full_summary": ["Enter the full summary."],
        "lead_organisation": ["Keep it to 200 characters or fewer."],
    }
    assert nothing_stored(settings)

    with pytest.raises(ValidationError) as refused:
        submit(open_call, applicant, data={"lead_organisation": ""})
    assert refused.value.message_dict == {"lead_organisation": ["Enter the lead organisation."]}


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("£25,000.50", Decimal("25000.50")),
        (" 12 ", Decimal("12.00")),
        ("  £1,200 ", Decimal("1200.00")),
        ("0", Decimal("0.00")),
        ("0.01", Decimal("0.01")),
    ],
)
def test_a_budget_is_read_as_pounds(open_call, applicant, given, stored):
    made = submit(open_call, applicant, data={"budget": given})

    made.refresh_from_db()
    assert made.budget == stored


@pytest.mark.parametrize(
    "given",
    ["-1", "-0.01", "1.001", "NaN", "Infinity", "-Infinity", "", "£", "lots", None, "XX25000"],
)
def test_a_budget_that_is_not_pounds_and_pence_is_refused(open_call, applicant, given, settings):
    with pytest.raises(ValidationError) as refused:
        submit(open_call, applicant, data={"budget": given})

    assert refused.value.message_dict == {
        "budget": ["The budget must be a number of pounds, like 25000 or 25000.50."]
    }
    assert nothing_stored(settings)


def test_the_teams_own_anonymised_summary_is_what_blind_reviewers_read(open_call, applicant):
    own = submit(open_call, applicant, data={"anonymised_summary": "  A university's plan. "})
    blank = submit(open_call, applicant, data={"anonymised_summary": "   "})

    assert own.anonymised_summary == "A university's plan."
    assert blank.anonymised_summary == DATA["full_summary"]


def test_a_document_of_exactly_the_largest_size_is_taken_and_a_byte_more_refused(
    open_call, applicant, settings
):
    settings.PROPOSAL_ATTACHMENT_MAX_BYTES = 2 * 1024 * 1024
    largest = PDF + b"0" * (2 * 1024 * 1024 - len(PDF))

    with pytest.raises(ValidationError) as refused:
        submit(open_call, applicant, attachment=pdf(largest + b"0"))
    assert refused.value.message_dict == {"attachment": ["The document must be smaller than 2 MB."]}
    assert nothing_stored(settings)

    made = submit(open_call, applicant, attachment=pdf(largest))
    assert (settings.PROPOSAL_ATTACHMENTS_ROOT / made.attachment.name).stat().st_size == len(
        largest
    )


def test_field_problems_and_the_documents_are_reported_together(open_call, applicant, settings):
    with pytest.raises(ValidationError) as refused:
        submit(
            open_call,
            applicant,
            data={"title": "", "partner_organisations": " ; \n"},
            attachment=pdf(b"not a pdf at all"),
        )

    assert refused.value.message_dict == {
        "title": ["Enter the title."],
        "partner_organisations": [
            "This call asks for at least one non-academic partner organisation."
        ],
        "attachment": ["The document must be a PDF file."],
    }
    assert nothing_stored(settings)


def test_a_call_opening_later_takes_no_proposal_yet(applicant, settings):
    call = funding_call(
        status="open",
        opens_at=timezone.now() + datetime.timedelta(hours=1),
        closes_at=timezone.now() + datetime.timedelta(days=9),
    )

    with pytest.raises(TransitionNotAllowed) as refused:
        submit(call, applicant)

    assert refusal(refused) == "This call is not open for proposals."
    assert nothing_stored(settings)


def test_a_call_takes_proposals_from_the_moment_it_opens_until_just_before_it_closes(
    applicant, frozen, settings
):
    closing_now = funding_call(
        status="open", opens_at=frozen - datetime.timedelta(days=9), closes_at=frozen
    )
    with pytest.raises(TransitionNotAllowed) as refused:
        submit(closing_now, applicant)
    assert refusal(refused) == "This call is not open for proposals."
    assert nothing_stored(settings)

    opening_now = funding_call(
        status="open", opens_at=frozen, closes_at=frozen + datetime.timedelta(microseconds=1)
    )
    made = submit(opening_now, applicant)
    assert (made.reference, made.submitted_at) == ("P-001", frozen)


def test_a_submission_is_audited_emailed_and_numbered_within_its_own_call(
    open_call, applicant, frozen
):
    person, _team = applicant
    elsewhere = funding_call(status="open")
    proposal(call=elsewhere)
    proposal(call=elsewhere)
    housing = Topic.objects.create(name="Housing")
    Topic.objects.create(name="Work")

    made = submit(open_call, applicant, topics=[housing])

    assert (made.reference, made.status, made.submitted_at) == ("P-001", "submitted", frozen)
    assert list(made.topics.values_list("name", flat=True)) == ["Housing"]
    assert audit_rows("proposal.submit") == [
        (person.pk, made.pk, "", "", {"call": open_call.pk, "reference": "P-001"})
    ]
    email = OutboundEmail.objects.get()
    assert (email.template, email.recipient, email.to_address) == (
        "proposal_received",
        person,
        person.email,
    )
    assert 'we have your proposal "Safe homes" to Safe housing.' in email.body_text
    assert "Its reference is P-001." in email.body_text


# Withdrawing a proposal


@pytest.mark.parametrize("phase", ["moderation", "closed"])
def test_once_decisions_are_being_made_a_proposal_is_not_withdrawn(phase, applicant):
    person, research_team = applicant
    lead = coordinator()
    call = funding_call(status="closed")
    the_round = scoring_round(call=call, phase=phase)
    made = proposal(call=call, research_team=research_team)
    review = ReviewAssignment.objects.create(
        round=the_round, proposal=made, reviewer=round_reviewer(of_round=the_round).user
    )

    for who in (person, lead):
        with pytest.raises(TransitionNotAllowed) as refused:
            svc.proposal_withdraw(proposal=made, by=who)
        assert refusal(refused) == "Decisions are being made: it is too late to withdraw."
    made.refresh_from_db()
    review.refresh_from_db()
    assert (made.status, review.status) == ("submitted", "assigned")
    assert not AuditEvent.objects.filter(action="proposal.withdraw").exists()


@pytest.mark.parametrize("phase", ["setup", "conflicts", "scoring", None])
def test_before_moderation_a_coordinator_withdraws_a_proposal(phase, applicant):
    lead = coordinator()
    call = funding_call(status="closed")
    # Another call's round in moderation does not hold this call's proposals.
    scoring_round(call=funding_call(status="closed"), phase="moderation")
    made = proposal(call=call, research_team=applicant[1])
    reviews = []
    if phase is not None:
        the_round = scoring_round(call=call, phase=phase)
        reviewer = round_reviewer(of_round=the_round).user
        reviews.append(
            ReviewAssignment.objects.create(round=the_round, proposal=made, reviewer=reviewer)
        )

    withdrawn = svc.proposal_withdraw(proposal=made, by=lead)

    assert withdrawn.status == "withdrawn"
    # Its reviews still to do go with it.
    assert [ReviewAssignment.objects.get(pk=r.pk).status for r in reviews] == ["withdrawn"] * len(
        reviews
    )
    assert audit_rows("proposal.withdraw") == [(lead.pk, made.pk, "submitted", "withdrawn", {})]


# Importing proposals from CSV

HEADER = "id,title,lay_summary,full_summary,budget,lead_organisation,partner_organisations,topics"


def row(key, title="Safe homes", *, budget="1000", partner="Partner A", topics="", **fields):
    values = {
        "lay_summary": "Plain words",
        "full_summary": "Full words",
        "lead_organisation": "Uni One",
        **fields,
    }
    return ",".join(
        [
            key,
            title,
            values["lay_summary"],
            values["full_summary"],
            budget,
            values["lead_organisation"],
            partner,
            topics,
        ]
    )


def csv_text(*rows, header=HEADER):
    return "\n".join([header, *rows]) + "\n"


@pytest.fixture
def importing(db):
    Topic.objects.get_or_create(name="Housing")
    Topic.objects.get_or_create(name="Fair work")
    return coordinator(), funding_call(status="open", requires_partner=True)


def import_refusals(call, by, content):
    with pytest.raises(ValidationError) as refused:
        svc.proposals_import_csv(call=call, by=by, content=content)
    assert not Proposal.objects.exists()
    assert not AuditEvent.objects.exists()
    return refused.value.messages


def test_people_other_than_coordinators_are_told_only_coordinators_import(importing):
    _lead, call = importing
    member = expert()

    for person in (researcher(), member.user):
        with pytest.raises(TransitionNotAllowed) as refused:
            svc.proposals_import_csv(call=call, by=person, content=csv_text(row("A1")))
        assert refusal(refused) == "Only coordinators can import proposals."
    assert not Proposal.objects.exists()


def test_a_file_not_in_utf8_is_refused_and_one_with_a_byte_order_mark_is_read(importing):
    lead, call = importing

    assert import_refusals(call, lead, csv_text(row("A1", "Café")).encode("latin-1")) == [
        "Save the file as CSV with UTF-8 encoding."
    ]

    header = " id , title,lay_summary,full_summary,budget,lead_organisation,partner_organisations"
    content = csv_text("A1,Café,Plain,Full,10,Uni,Partner", header=header)
    result = svc.proposals_import_csv(call=call, by=lead, content=content.encode("utf-8-sig"))
    assert result.created == ["P-001"]
    assert Proposal.objects.get().import_key == "A1"


def test_an_empty_file_names_every_column_it_needs(importing):
    lead, call = importing

    assert import_refusals(call, lead, "") == [
        "The file needs the columns: id, title, lay_summary, full_summary, budget, "
        "lead_organisation."
    ]


def test_a_file_of_more_rows_than_the_limit_is_refused_whole(importing, monkeypatch):
    lead, call = importing
    monkeypatch.setattr(svc, "IMPORT_MAX_ROWS", 2)

    assert import_refusals(call, lead, csv_text(row("A1"), row("A2"), row("A3"))) == [
        "Import at most 2 proposals at a time."
    ]
    assert svc.proposals_import_csv(
        call=call, by=lead, content=csv_text(row("A1"), row("A2"))
    ).created == ["P-001", "P-002"]


def test_each_row_needs_its_own_id_of_at_most_100_characters(importing):
    lead, call = importing
    rows = [row("A1"), row(""), row("A1"), row("k" * 101), row("A1"), row(" ")]

    assert import_refusals(call, lead, csv_text(*rows)) == [
        "Row 3: id is missing",
        "Row 4: id A1 is also on row 2",
        "Row 5: id is longer than 100 characters",
        "Row 6: id A1 is also on row 2",
        "Row 7: id is missing",
    ]
    result = svc.proposals_import_csv(call=call, by=lead, content=csv_text(row("k" * 100)))
    assert result.created == ["P-001"]


def test_each_column_problem_is_named_by_its_column(importing):
    lead, call = importing
    rows = [
        row("A1", "t" * 301, lead_organisation="o" * 201),
        row("A2", "", lay_summary="", full_summary="", lead_organisation=""),
        row("A3", budget="-5", partner=""),
    ]

    assert import_refusals(call, lead, csv_text(*rows)) == [
        "Row 2: title is too long",
        "Row 2: lead_organisation is too long",
        "Row 3: title is missing",
        "Row 3: lay_summary is missing",
        "Row 3: full_summary is missing",
        "Row 3: lead_organisation is missing",
        "Row 4: budget must be a number",
        "Row 4: partner_organisations must name a partner (this call requires one)",
    ]


def test_topics_are_matched_by_name_in_any_case_and_every_unknown_one_is_listed(importing):
    lead, call = importing

    assert import_refusals(
        call, lead, csv_text(row("A1", topics="housing; Knitting;Fair work;Chess"))
    ) == ["Row 2: unknown topics: Knitting, Chess"]

    svc.proposals_import_csv(
        call=call, by=lead, content=csv_text(row("A1", topics=" HOUSING ;; fair WORK "))
    )
    assert sorted(Proposal.objects.get().topics.values_list("name", flat=True)) == [
        "Fair work",
        "Housing",
    ]


@pytest.mark.parametrize("phase", ["moderation", "closed"])
def test_no_proposals_are_imported_once_decisions_are_being_made(importing, phase):
    lead, call = importing
    scoring_round(call=call, phase=phase)

    with pytest.raises(TransitionNotAllowed) as refused:
        svc.proposals_import_csv(call=call, by=lead, content=csv_text(row("A1")))

    assert refusal(refused) == "Decisions are being made: no more proposals."
    assert not Proposal.objects.exists()
    assert not AuditEvent.objects.exists()


def test_imported_proposals_are_stored_as_given_and_audited_once(importing, frozen):
    lead, call = importing
    scoring_round(call=call, phase="scoring")
    # Another call's proposal with the same id does not stop this call's row.
    proposal(call=funding_call(), import_key="A1")

    result = svc.proposals_import_csv(
        call=call,
        by=lead,
        content=csv_text(row("A1", " Safe homes ", budget='"£1,000.50"'), row("A2", "Fair work")),
    )

    assert (result.created, result.unchanged) == (["P-001", "P-002"], 0)
    made = Proposal.objects.get(call=call, import_key="A1")
    assert (
        made.title,
        made.lay_summary,
        made.full_summary,
        made.anonymised_summary,
        made.budget,
        made.team,
        made.submitted_by,
        made.submitted_at,
        made.status,
    ) == (
        "Safe homes",
        "Plain words",
        "Full words",
        "Full words",
        Decimal("1000.50"),
        None,
        lead,
        frozen,
        "submitted",
    )
    assert audit_rows("funding_call.proposals_import") == [
        (lead.pk, call.pk, "", "", {"created": ["P-001", "P-002"], "unchanged": 0})
    ]

    again = svc.proposals_import_csv(
        call=call, by=lead, content=csv_text(row("A1"), row("A3"), row("A2"))
    )

    assert (again.created, again.unchanged) == (["P-003"], 2)
    assert audit_rows("funding_call.proposals_import")[1:] == [
        (lead.pk, call.pk, "", "", {"created": ["P-003"], "unchanged": 2})
    ]
    svc.proposals_import_csv(call=call, by=lead, content=csv_text(row("A3")))
    assert AuditEvent.objects.filter(action="funding_call.proposals_import").count() == 2


# Saving the criteria


def item(name="Relevance", weight="1", points=range(1, 6), **fields):
    return {
        "name": name,
        "guidance": fields.pop("guidance", "Does it matter to people?"),
        "weight": weight,
        "descriptors": fields.pop("descriptors", {p: f"{name} at {p}" for p in points}),
    }


GROUPS = {"lived_experience": "2", "academic": "1", "staff": "1"}


def save(the_round, by, criteria=None, groups=GROUPS, **kwargs):
    return svc.criteria_save(
        scoring_round=the_round,
        by=by,
        criteria=[item()] if criteria is None else criteria,
        group_weights=groups,
        **kwargs,
    )


def names(the_round):
    return list(
        Criterion.objects.filter(round=the_round)
        .order_by("position")
        .values_list("name", flat=True)
    )


def test_each_refusal_to_save_the_criteria_says_exactly_why(world):
    lead, chair, member, call, the_round = world
    stranger = expert()

    def refused_with(by, **kwargs):
        with pytest.raises(TransitionNotAllowed) as refused:
            save(the_round, by, [item("Changed")], **kwargs)
        return refusal(refused)

    assert refused_with(stranger.user) == (
        "Only the co-design panel and coordinators can change the criteria."
    )
    ScoringRound.objects.filter(pk=the_round.pk).update(phase="conflicts")
    assert refused_with(member.user, scale=(1, 3)) == (
        "The scale can change only while the round is being set up."
    )
    assert refused_with(member.user, version="drawn from something else") == (
        "Someone changed these criteria while you were editing. Your changes are below, not "
        "saved yet: check them against the latest version, then save again."
    )
    reviewer = round_reviewer(of_round=the_round)
    assignment = the_round.assignments.create(proposal=proposal(call=call), reviewer=reviewer.user)
    Score.objects.create(
        assignment=assignment,
        criterion=the_round.criteria.first(),
        value=3,
        weight=1,
        scale_min=1,
        scale_max=5,
    )
    assert refused_with(lead) == (
        "Reviews have been scored against these criteria: they cannot change now."
    )
    ScoringRound.objects.filter(pk=the_round.pk).update(criteria_status="approved")
    assert refused_with(member.user) == (
        "The criteria are approved. A coordinator can reopen them for changes."
    )
    FundingCall.objects.filter(pk=call.pk).update(status="open")
    assert refused_with(chair.user) == "The call has opened: its criteria cannot change now."
    assert names(the_round) == ["Relevance", "Method"]
    assert not AuditEvent.objects.exists()


def test_criteria_at_every_limit_are_saved(world):
    _lead, _chair, member, _call, the_round = world
    criteria = [item(f"Criterion {n}") for n in range(18)]
    criteria.append(
        item(
            "n" * 200,
            weight="999.99",
            guidance="g" * 5000,
            descriptors=dict.fromkeys(range(0, 11), "d" * 500),
            points=range(0, 11),
        )
    )
    criteria.append(item("Smallest", weight="0.01", points=range(0, 11)))
    for index in range(18):
        criteria[index]["descriptors"] = {str(p): f"Said at {p}" for p in range(0, 11)}

    save(
        the_round,
        member.user,
        criteria,
        {"lived_experience": "0", "academic": "999.99", "staff": "0.01"},
        scale=(0, 10),
    )

    the_round.refresh_from_db()
    assert (the_round.scale_min, the_round.scale_max) == (0, 10)
    assert (the_round.lived_weight, the_round.academic_weight, the_round.staff_weight) == (
        Decimal("0.00"),
        Decimal("999.99"),
        Decimal("0.01"),
    )
    stored = list(Criterion.objects.filter(round=the_round).order_by("position"))
    assert len(stored) == 20
    assert (stored[18].name, stored[18].weight, len(stored[18].guidance)) == (
        "n" * 200,
        Decimal("999.99"),
        5000,
    )
    assert stored[19].weight == Decimal("0.01")
    assert Descriptor.objects.filter(criterion__round=the_round).count() == 20 * 11


@pytest.mark.parametrize("scale", [(3, 3), (-1, 4), ("a", "b"), (None, 5), (1,), (1, 2, 3)])
def test_a_scale_that_is_not_two_points_lowest_first_within_0_to_10_is_refused(world, scale):
    _lead, _chair, member, _call, the_round = world

    with pytest.raises(ValidationError) as refused:
        save(the_round, member.user, [item(points=range(1, 4))], scale=scale)

    assert refused.value.message_dict == {
        "scale": ["Choose a scale between 0 and 10, lowest score first."]
    }
    the_round.refresh_from_db()
    assert (the_round.scale_min, the_round.scale_max) == (1, 5)
    assert names(the_round) == ["Relevance", "Method"]


def test_descriptors_for_points_off_the_scale_are_left_out(world):
    _lead, _chair, member, _call, the_round = world
    descriptors = {p: f"At {p}" for p in range(0, 8)}

    save(the_round, member.user, [item(descriptors=descriptors)])

    assert sorted(
        Descriptor.objects.filter(criterion__round=the_round).values_list("point", "text")
    ) == [(p, f"At {p}") for p in range(1, 6)]


def test_the_audit_names_only_the_criteria_that_really_changed(world):
    _lead, _chair, member, _call, the_round = world
    first = [item("Relevance", "2"), item("Method", "1"), item("Safety", "1")]
    save(the_round, member.user, first)

    reworded = item("Method", "1")
    reworded["descriptors"][3] = "Method, reworded"
    save(
        the_round,
        member.user,
        [item("Relevance", "2.00"), reworded, item("Safety", "1", guidance="Who is kept safe?")],
    )

    # A weight alone is a change too.
    save(
        the_round,
        member.user,
        [item("Relevance", "2.5"), reworded, item("Safety", "1", guidance="Who is kept safe?")],
    )

    events = AuditEvent.objects.filter(action="scoringround.criteria_save").order_by("pk")
    assert [(e.extra["added"], e.extra["removed"], e.extra["changed"]) for e in events] == [
        (["Safety"], [], ["Relevance", "Method"]),
        ([], [], ["Method", "Safety"]),
        ([], [], ["Relevance"]),
    ]
    assert events[1].extra["criteria"] == ["Relevance", "Method", "Safety"]


def test_saving_one_rounds_criteria_leaves_every_other_round_alone(world):
    lead, _chair, _member, _call, the_round = world
    other = scoring_round(call=funding_call(), lived_weight=Decimal("5"))
    reviewer = round_reviewer(of_round=other)
    assignment = other.assignments.create(
        proposal=proposal(call=other.call), reviewer=reviewer.user
    )
    Score.objects.create(
        assignment=assignment,
        criterion=other.criteria.first(),
        value=3,
        weight=1,
        scale_min=1,
        scale_max=5,
    )

    saved = save(
        the_round,
        lead,
        [item("Only one")],
        {"lived_experience": "3", "academic": "1", "staff": "0"},
    )

    assert names(the_round) == ["Only one"]
    assert names(other) == ["Relevance", "Method"]
    assert Descriptor.objects.filter(criterion__round=other).count() == 10
    other.refresh_from_db()
    assert (other.lived_weight, other.academic_weight, other.staff_weight) == (
        Decimal("5.00"),
        Decimal("1.00"),
        Decimal("1.00"),
    )
    assert (saved.lived_weight, saved.academic_weight, saved.staff_weight) == (
        Decimal("3.00"),
        Decimal("1.00"),
        Decimal("0.00"),
    )
    assert AuditEvent.objects.get(action="scoringround.criteria_save").extra["scale"] == [1, 5]


def test_a_criterion_saved_without_guidance_has_none(world):
    _lead, _chair, member, _call, the_round = world
    without = item("Method")
    del without["guidance"]

    save(the_round, member.user, [without])

    assert Criterion.objects.get(round=the_round).guidance == ""


def test_an_unnamed_criterion_is_called_by_its_place_in_the_weight_message(world):
    _lead, _chair, member, _call, the_round = world

    with pytest.raises(ValidationError) as refused:
        save(the_round, member.user, [item("Relevance"), item("", weight="0")])

    assert refused.value.message_dict["1.weight"] == [
        "Give “criterion 2” a weight above 0 and below 1000, with at most 2 decimal places, "
        "for example 1 or 1.5."
    ]
    assert refused.value.message_dict["1.name"] == ["Give criterion 2 a name."]


# Saving two criteria over two: the call is read (and locked) in the same query as the round.
# The count grows with the criteria replaced: cms/signals.py asks, for each deleted criterion
# and descriptor, whether its call is public.
QUERIES_TO_SAVE = 28


def test_saving_criteria_reads_the_call_with_the_locked_round(world, django_assert_num_queries):
    _lead, _chair, member, _call, the_round = world
    criteria = [item("Relevance"), item("Method")]
    save(the_round, member.user, criteria)
    ContentType.objects.get_for_models(*apps.get_models())  # the audit's cache, warm

    with django_assert_num_queries(QUERIES_TO_SAVE):
        save(the_round, member.user, criteria)


def test_approving_criteria_reads_the_call_with_the_locked_round(world, django_assert_num_queries):
    _lead, chair, _member, _call, the_round = world
    ContentType.objects.get_for_models(*apps.get_models())  # the audit's cache, warm
    chair_user = chair.user

    with django_assert_num_queries(QUERIES_TO_APPROVE):
        svc.criteria_approve(scoring_round=the_round, by=chair_user)


def test_the_closing_job_reads_only_open_calls(db, django_assert_num_queries):
    for _ in range(3):
        funding_call(
            status="closed",
            opens_at=timezone.now() - datetime.timedelta(days=30),
            closes_at=timezone.now() - datetime.timedelta(days=1),
        )

    with django_assert_num_queries(1):
        assert svc.calls_close_due() == 0


def test_a_call_that_asks_for_a_partner_refuses_a_form_without_the_field(
    open_call, applicant, settings
):
    person, research_team = applicant
    data = {key: value for key, value in DATA.items() if key != "partner_organisations"}

    with pytest.raises(ValidationError) as refused:
        svc.proposal_submit(
            call=open_call,
            team=research_team,
            by=person,
            data=data,
            attachment=pdf(),
            submit_key=uuid.uuid4(),
        )

    assert refused.value.message_dict == {
        "partner_organisations": [
            "This call asks for at least one non-academic partner organisation."
        ]
    }
    assert nothing_stored(settings)


def test_a_double_submit_that_raced_past_the_first_look_returns_the_first_proposal(
    open_call, applicant, settings, monkeypatch
):
    """The same form sent twice at once: both pass the first look before either has saved.
    The second finds the first's proposal once it holds the call's lock, and returns it
    without a second proposal or a second document."""
    key = uuid.uuid4()
    fields_checked = svc._proposal_field_errors
    made = []

    def first_submit_lands_meanwhile(call, data):
        if not made:  # only for the second form: the first one's own check runs as usual
            made.append(None)
            made[0] = submit(open_call, applicant, submit_key=key)
        return fields_checked(call, data)

    monkeypatch.setattr(svc, "_proposal_field_errors", first_submit_lands_meanwhile)

    second = submit(open_call, applicant, submit_key=key)

    assert second == made[0]
    assert Proposal.objects.count() == 1
    assert len(list(settings.PROPOSAL_ATTACHMENTS_ROOT.rglob("*.pdf"))) == 1
    assert AuditEvent.objects.filter(action="proposal.submit").count() == 1


def test_a_proposal_without_a_team_description_keeps_none(open_call, applicant):
    person, research_team = applicant
    data = {key: value for key, value in DATA.items() if key != "team_description"}

    made = svc.proposal_submit(
        call=open_call,
        team=research_team,
        by=person,
        data=data,
        attachment=pdf(),
        submit_key=uuid.uuid4(),
    )

    made.refresh_from_db()
    assert made.team_description == ""
