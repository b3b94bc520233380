"""Funding calls and proposals: criteria co-designed and approved before a call opens,
submission only while it is open (a PDF by its content, a partner when the call asks), a
double submit making one proposal, and the CSV import: all or nothing, and idempotent."""

import datetime
import uuid
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.models import AuditEvent, OutboundEmail
from core.transitions import TransitionNotAllowed
from engagement.models import (
    CriteriaComment,
    Descriptor,
    FundingCall,
    Proposal,
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
    scoring_round,
    team,
)

PDF = b"%PDF-1.7\n% a proposal\n"


def pdf(content=PDF, name="our-proposal.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PROPOSAL_ATTACHMENTS_ROOT = tmp_path / "proposals"


@pytest.fixture
def world(db):
    lead = coordinator()
    chair = expert()
    member = expert()
    co_design = panel(coordinators=[lead], chairs=[chair], members=[member], name="Co-design")
    call = funding_call(co_design_panel=co_design)
    the_round = scoring_round(call=call)
    return lead, chair, member, call, the_round


# Criteria co-design and opening the call


def test_a_call_cannot_open_before_its_criteria_are_approved(world):
    lead, _chair, _member, call, _round = world

    with pytest.raises(TransitionNotAllowed) as refused:
        svc.call_open(call=call, by=lead)

    assert str(refused.value) == (
        "The co-design panel must approve the criteria before the call opens."
    )
    call.refresh_from_db()
    assert call.status == "draft"


def test_the_panel_chair_approves_and_then_a_coordinator_opens_the_call(world):
    lead, chair, _member, call, the_round = world

    approved = svc.criteria_approve(scoring_round=the_round, by=chair.user)
    opened = svc.call_open(call=call, by=lead)

    assert (approved.criteria_status, approved.approved_by) == ("approved", chair.user)
    assert approved.approved_at is not None
    assert opened.status == "open"
    assert list(
        AuditEvent.objects.filter(action__in=["scoringround.approve_criteria", "fundingcall.open"])
        .order_by("pk")
        .values_list("action", "actor", "from_state", "to_state")
    ) == [
        ("scoringround.approve_criteria", chair.user.pk, "drafting", "approved"),
        ("fundingcall.open", lead.pk, "draft", "open"),
    ]


def test_a_member_who_is_not_the_chair_cannot_approve_the_criteria(world):
    _lead, _chair, member, _call, the_round = world
    outsider = coordinator()  # a coordinator, but not of the co-design panel

    for person in (member.user, outsider):
        with pytest.raises(TransitionNotAllowed):
            svc.criteria_approve(scoring_round=the_round, by=person)

    the_round.refresh_from_db()
    assert the_round.criteria_status == "drafting"


def test_the_co_design_panels_coordinator_may_approve(world):
    lead, _chair, _member, _call, the_round = world

    assert svc.criteria_approve(scoring_round=the_round, by=lead).criteria_status == "approved"


def test_criteria_without_a_descriptor_for_every_point_are_not_approved(world):
    _lead, chair, _member, _call, the_round = world
    Descriptor.objects.filter(criterion__name="Method", point__in=[2, 4]).delete()

    with pytest.raises(TransitionNotAllowed) as refused:
        svc.criteria_approve(scoring_round=the_round, by=chair.user)

    assert str(refused.value) == "“Method” needs a descriptor for the scores 2, 4."


def test_a_round_without_a_co_design_panel_cannot_have_its_criteria_approved(db):
    lead = coordinator()
    the_round = scoring_round(call=funding_call())

    # Nobody may approve them: approving is the co-design panel's (its chair, its coordinators).
    with pytest.raises(TransitionNotAllowed) as refused:
        svc.criteria_approve(scoring_round=the_round, by=lead)

    assert str(refused.value) == "You cannot do that."
    the_round.refresh_from_db()
    assert (the_round.criteria_status, the_round.approved_by) == ("drafting", None)


def test_criteria_reopen_only_while_the_call_is_a_draft(world):
    lead, chair, _member, call, the_round = world
    svc.criteria_approve(scoring_round=the_round, by=chair.user)

    reopened = svc.criteria_reopen(scoring_round=the_round, by=lead)
    assert (reopened.criteria_status, reopened.approved_by, reopened.approved_at) == (
        "drafting",
        None,
        None,
    )

    svc.criteria_approve(scoring_round=the_round, by=chair.user)
    svc.call_open(call=call, by=lead)
    with pytest.raises(TransitionNotAllowed) as refused:
        svc.criteria_reopen(scoring_round=the_round, by=lead)
    assert str(refused.value) == "The call has opened: its criteria cannot change now."


def test_panel_members_and_coordinators_comment_but_others_cannot(world):
    lead, _chair, member, _call, the_round = world

    svc.criteria_comment_add(scoring_round=the_round, by=member.user, text="  Add a criterion. ")
    svc.criteria_comment_add(scoring_round=the_round, by=lead, text="Agreed.")
    with pytest.raises(TransitionNotAllowed):
        svc.criteria_comment_add(scoring_round=the_round, by=expert().user, text="Me too")
    with pytest.raises(ValidationError):
        svc.criteria_comment_add(scoring_round=the_round, by=lead, text="   ")

    assert list(CriteriaComment.objects.values_list("author", "text")) == [
        (member.user.pk, "Add a criterion."),
        (lead.pk, "Agreed."),
    ]


def test_the_periodic_job_closes_calls_whose_closing_time_has_passed(db):
    now = timezone.now()
    due = funding_call(
        status="open",
        closes_at=now - datetime.timedelta(minutes=1),
        opens_at=now - datetime.timedelta(days=9),
    )
    later = funding_call(status="open")

    assert svc.calls_close_due() == 1
    assert svc.calls_close_due() == 0

    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.status, later.status) == ("closed", "open")
    event = AuditEvent.objects.get(action="fundingcall.close")
    assert (event.actor, event.from_state, event.to_state) == (None, "open", "closed")


def test_the_close_job_runs_with_the_other_periodic_jobs(db):
    funding_call(
        status="open",
        opens_at=timezone.now() - datetime.timedelta(days=9),
        closes_at=timezone.now() - datetime.timedelta(days=1),
    )
    out = StringIO()

    call_command("run_periodic", "--once", stdout=out)

    assert "calls-close-due: 1" in out.getvalue()
    assert FundingCall.objects.get().status == "closed"


# Submitting a proposal


@pytest.fixture
def open_call(db):
    return funding_call(status="open", requires_partner=True)


@pytest.fixture
def applicant(db):
    person = researcher()
    return person, team(members=[person], organisation="University of Tandem")


DATA = {
    "title": "Safe homes",
    "lay_summary": "Where people find a safe home.",
    "full_summary": "Interviews with people at the University of Tandem's partner services.",
    "budget": "24,500.50",
    "lead_organisation": "University of Tandem",
    "team_description": "Three researchers.",
    "partner_organisations": "Safe Homes Charity\n  \nHousing First",
}


def submit(call, applicant, **changes):
    person, research_team = applicant
    return svc.proposal_submit(
        call=call,
        team=research_team,
        by=person,
        data={**DATA, **changes.pop("data", {})},
        attachment=changes.pop("attachment", pdf()),
        submit_key=changes.pop("submit_key", uuid.uuid4()),
        **changes,
    )


def test_a_team_member_submits_a_proposal_to_an_open_call(open_call, applicant, settings):
    person, research_team = applicant

    made = submit(open_call, applicant)

    assert (made.reference, made.team, made.submitted_by, made.status) == (
        "P-001",
        research_team,
        person,
        "submitted",
    )
    assert made.budget == Decimal("24500.50")
    assert made.partners == ["Safe Homes Charity", "Housing First"]
    assert made.anonymised_summary == DATA["full_summary"]
    assert made.attachment.name.endswith(".pdf")
    assert "our-proposal" not in made.attachment.name
    assert (settings.PROPOSAL_ATTACHMENTS_ROOT / made.attachment.name).read_bytes() == PDF
    assert list(OutboundEmail.objects.values_list("to_address", "subject")) == [
        (person.email, "Tandem: We have your proposal P-001")
    ]
    assert submit(open_call, applicant).reference == "P-002"


def test_the_same_form_sent_twice_makes_one_proposal(open_call, applicant):
    key = uuid.uuid4()

    first = submit(open_call, applicant, submit_key=key)
    second = submit(open_call, applicant, submit_key=key)

    assert first.pk == second.pk
    assert Proposal.objects.count() == 1


def test_a_call_that_requires_a_partner_refuses_a_proposal_without_one(open_call, applicant):
    with pytest.raises(ValidationError) as refused:
        submit(open_call, applicant, data={"partner_organisations": " \n "})

    assert refused.value.message_dict == {
        "partner_organisations": [
            "This call asks for at least one non-academic partner organisation."
        ]
    }
    assert not Proposal.objects.exists()


def test_a_call_without_the_requirement_accepts_no_partner(applicant, db):
    call = funding_call(status="open", requires_partner=False)

    assert submit(call, applicant, data={"partner_organisations": ""}).partners == []


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        ((b"\x89PNG\r\n\x1a\n" + b"0" * 20, "looks.pdf"), "The document must be a PDF file."),
        ((b"MZ\x90\x00 not a pdf", "proposal.pdf"), "The document must be a PDF file."),
        (None, "Add the proposal document as a PDF."),
    ],
)
def test_the_document_is_checked_by_its_content(open_call, applicant, upload, message, settings):
    # The upload is made here, not at collection: a file is read once, and mutation testing
    # runs the same collected tests twice in one process.
    with pytest.raises(ValidationError) as refused:
        submit(open_call, applicant, attachment=pdf(*upload) if upload else None)

    assert refused.value.message_dict == {"attachment": [message]}
    assert not Proposal.objects.exists()
    assert not (settings.PROPOSAL_ATTACHMENTS_ROOT).exists() or not any(
        settings.PROPOSAL_ATTACHMENTS_ROOT.iterdir()
    )


def test_a_document_over_the_size_limit_is_refused(open_call, applicant, settings):
    settings.PROPOSAL_ATTACHMENT_MAX_BYTES = 1024 * 1024
    big = pdf(PDF + b"0" * (1024 * 1024))

    with pytest.raises(ValidationError) as refused:
        submit(open_call, applicant, attachment=big)

    assert refused.value.message_dict == {"attachment": ["The document must be smaller than 1 MB."]}


def test_missing_and_wrong_fields_each_have_a_message(open_call, applicant):
    with pytest.raises(ValidationError) as refused:
        submit(open_call, applicant, data={"title": " ", "budget": "lots", "lay_summary": ""})

    assert refused.value.message_dict == {
        "title": ["Enter the title."],
        "lay_summary": ["Enter a summary in plain language."],
        "budget": ["The budget must be a number of pounds, like 25000 or 25000.50."],
    }


@pytest.mark.parametrize("state", ["draft", "closed"])
def test_a_call_not_open_takes_no_proposals(applicant, state, settings, db):
    call = funding_call(status=state)

    with pytest.raises(TransitionNotAllowed) as refused:
        submit(call, applicant)

    assert str(refused.value) == "This call is not open for proposals."
    assert not Proposal.objects.exists()
    assert not any(settings.PROPOSAL_ATTACHMENTS_ROOT.iterdir())


def test_an_open_call_past_its_closing_time_takes_no_proposals(applicant, db):
    call = funding_call(
        status="open",
        opens_at=timezone.now() - datetime.timedelta(days=30),
        closes_at=timezone.now() - datetime.timedelta(seconds=1),
    )

    with pytest.raises(TransitionNotAllowed):
        submit(call, applicant)


def test_only_the_teams_members_submit_for_it(open_call, applicant):
    _person, research_team = applicant

    with pytest.raises(TransitionNotAllowed):
        svc.proposal_submit(
            call=open_call,
            team=research_team,
            by=researcher(),
            data=DATA,
            attachment=pdf(),
            submit_key=uuid.uuid4(),
        )


def test_the_team_withdraws_its_proposal_and_another_team_cannot(open_call, applicant):
    made = submit(open_call, applicant)
    stranger = researcher()
    team(members=[stranger], name="Other team")

    with pytest.raises(TransitionNotAllowed):
        svc.proposal_withdraw(proposal=made, by=stranger)
    withdrawn = svc.proposal_withdraw(proposal=made, by=applicant[0])

    assert withdrawn.status == "withdrawn"


def test_the_database_refuses_a_negative_budget_and_a_call_closing_before_it_opens(db):
    call = funding_call()
    with pytest.raises(IntegrityError), transaction.atomic():
        proposal(call=call, budget="-1.00")
    with pytest.raises(IntegrityError), transaction.atomic():
        funding_call(closes_at=call.opens_at - datetime.timedelta(days=1))


# Importing proposals from CSV

HEADER = "id,title,lay_summary,full_summary,budget,lead_organisation,partner_organisations,topics"
GOOD = [
    "A1,Safe homes,Plain words,Full words,1000,Uni One,Partner A,Housing",
    'A2,Fair work,Plain words,Full words,"2,500.00",Uni Two,"Partner B\nPartner C",',
]


def csv_text(*rows):
    return "\n".join([HEADER, *rows]) + "\n"


@pytest.fixture
def importing(db):
    Topic.objects.get_or_create(name="Housing")
    return coordinator(), funding_call(status="open", requires_partner=True)


def test_a_coordinator_imports_proposals_and_importing_again_changes_nothing(importing):
    lead, call = importing

    first = svc.proposals_import_csv(call=call, by=lead, content=csv_text(*GOOD))
    again = svc.proposals_import_csv(call=call, by=lead, content=csv_text(*GOOD).encode())

    assert (first.created, first.unchanged) == (["P-001", "P-002"], 0)
    assert (again.created, again.unchanged) == ([], 2)
    rows = list(
        Proposal.objects.order_by("reference").values_list(
            "reference", "import_key", "team", "budget", "partner_organisations"
        )
    )
    assert rows == [
        ("P-001", "A1", None, Decimal("1000.00"), "Partner A"),
        ("P-002", "A2", None, Decimal("2500.00"), "Partner B\nPartner C"),
    ]
    assert list(Proposal.objects.get(import_key="A1").topics.values_list("name", flat=True)) == [
        "Housing"
    ]


def test_one_bad_row_imports_nothing_and_every_problem_is_named_by_row(importing):
    lead, call = importing
    rows = [
        *GOOD,
        "A3,,Plain,Full,lots,Uni,Partner,",
        "A1,Again,Plain,Full,10,Uni,Partner,Unknown topic",
        "A5,Fine,Plain,Full,10,Uni,,",
    ]

    with pytest.raises(ValidationError) as refused:
        svc.proposals_import_csv(call=call, by=lead, content=csv_text(*rows))

    assert refused.value.messages == [
        "Row 4: title is missing",
        "Row 4: budget must be a number",
        "Row 5: id A1 is also on row 2",
        "Row 5: unknown topics: Unknown topic",
        "Row 6: partner_organisations must name a partner (this call requires one)",
    ]
    assert not Proposal.objects.exists()


def test_a_file_without_the_columns_says_which_are_missing(importing):
    lead, call = importing

    with pytest.raises(ValidationError) as refused:
        svc.proposals_import_csv(call=call, by=lead, content="id,title\nA1,Safe\n")

    assert refused.value.messages == [
        "The file needs the columns: lay_summary, full_summary, budget, lead_organisation."
    ]


def test_only_coordinators_import(importing):
    _lead, call = importing

    with pytest.raises(TransitionNotAllowed):
        svc.proposals_import_csv(call=call, by=researcher(), content=csv_text(*GOOD))
    assert not Proposal.objects.exists()


def test_the_import_keeps_references_after_submitted_proposals(importing, applicant):
    lead, call = importing
    submit(call, applicant)

    result = svc.proposals_import_csv(call=call, by=lead, content=csv_text(GOOD[0]))

    assert result.created == ["P-002"]
    assert ScoringRound.objects.count() == 0
