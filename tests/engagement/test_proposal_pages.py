"""A research team submits a proposal to an open funding call (/calls/<slug>/apply/), sees
its proposals to the call and withdraws one while the call is open. Everything else (a
closed or draft call, someone in no team, another team's proposal, a bad form) is refused
clearly and stores nothing."""

import datetime
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from engagement.models import Proposal, Topic
from engagement.services.calls import call_close
from tests.factories import coordinator, expert, finance, funding_call, proposal, researcher, team
from tests.helpers import assert_query_count_constant

PDF = b"%PDF-1.7\n% a proposal\n"


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PROPOSAL_ATTACHMENTS_ROOT = tmp_path / "proposals"


@pytest.fixture
def call(db):
    return funding_call(status="open", slug="safer-work", requires_partner=True)


@pytest.fixture
def member(db):
    person = researcher(display_name="Rhiannon")
    team(members=[person], name="Safe Homes Study")
    return person


@pytest.fixture
def signed_in(client, member):
    client.force_login(member)
    return client


def pdf(content=PDF, name="our-proposal.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def answers(**changes):
    data = {
        "title": "Finding safe work",
        "lay_summary": "What helps people find safe work.",
        "full_summary": "The University of Tandem will interview 40 people.",
        "anonymised_summary": "A university will interview 40 people.",
        "budget": "£25,000",
        "lead_organisation": "University of Tandem",
        "team_description": "Two researchers and a peer researcher.",
        "partner_organisations": "Safe Homes Charity\n\nWork Rights Centre\n",
        "submit_key": str(uuid.uuid4()),
        "attachment": pdf(),
    }
    data.update({key: value() if callable(value) else value for key, value in changes.items()})
    return {key: value for key, value in data.items() if value is not None}


def test_a_team_member_submits_a_proposal_and_lands_on_its_reference(signed_in, call, member):
    housing = Topic.objects.create(name="Housing")
    form = signed_in.get("/calls/safer-work/apply/").content.decode()

    response = signed_in.post("/calls/safer-work/apply/", answers(topics=[housing.pk]), follow=True)

    made = Proposal.objects.get()
    assert response.redirect_chain == [(f"/calls/safer-work/proposals/{made.pk}/", 302)]
    page = response.content.decode()
    assert "<h1>Proposal P-001</h1>" in page
    assert "Thank you. We have your proposal. Its reference is P-001." in page
    assert 'name="team"' not in form  # one team: nothing to choose
    assert (made.reference, made.title, made.team.name, made.submitted_by) == (
        "P-001",
        "Finding safe work",
        "Safe Homes Study",
        member,
    )
    assert made.anonymised_summary == "A university will interview 40 people."
    assert made.partners == ["Safe Homes Charity", "Work Rights Centre"]
    assert str(made.budget) == "25000.00"
    assert list(made.topics.all()) == [housing]
    assert made.attachment.read() == PDF


def test_sending_the_form_twice_makes_one_proposal(signed_in, call):
    key = str(uuid.uuid4())

    first = signed_in.post("/calls/safer-work/apply/", answers(submit_key=key))
    second = signed_in.post("/calls/safer-work/apply/", answers(submit_key=key))

    assert Proposal.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_a_member_of_several_teams_chooses_the_team(signed_in, call, member):
    other = team(members=[member], name="Work Study")
    strangers = team(name="Somebody else's team")

    assert 'name="team"' in signed_in.get("/calls/safer-work/apply/").content.decode()
    refused = signed_in.post("/calls/safer-work/apply/", answers(team=strangers.pk))
    signed_in.post("/calls/safer-work/apply/", answers(team=other.pk))

    assert "Choose the team this proposal is from" in refused.content.decode()
    assert Proposal.objects.get().team == other


@pytest.mark.parametrize(
    ("changes", "messages"),
    [
        (
            {"title": "", "lay_summary": " ", "lead_organisation": "", "attachment": None},
            [
                "Enter the title of the research",
                "Enter a summary in plain language",
                "Enter the lead organisation",
                "Choose the proposal document, as a PDF",
            ],
        ),
        ({"budget": "lots"}, ["The budget must be a number of pounds, like 25000 or 25000.50."]),
        ({"anonymised_summary": ""}, ["Enter the full summary without names"]),
        (
            {"partner_organisations": "  \n "},
            ["This call asks for at least one non-academic partner organisation"],
        ),
        (
            # Made by the test, not at collection: an upload is read once, and mutation
            # testing runs the same collected tests twice in one process.
            {"attachment": lambda: pdf(b"\x89PNG\r\n\x1a\n" + b"0" * 20, "looks.pdf")},
            ["The document must be a PDF file."],
        ),
    ],
    ids=["missing", "budget", "anonymised", "no partner", "not a pdf"],
)
def test_a_bad_answer_is_explained_and_nothing_is_stored(signed_in, call, changes, messages):
    response = signed_in.post("/calls/safer-work/apply/", answers(**changes))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary"' in page
    assert "<title>Error:" in page
    for message in messages:
        assert message in page
    assert not Proposal.objects.exists()


def test_a_document_over_the_size_limit_is_refused(signed_in, call, settings):
    settings.PROPOSAL_ATTACHMENT_MAX_BYTES = 1024 * 1024

    response = signed_in.post(
        "/calls/safer-work/apply/", answers(attachment=pdf(PDF + b"0" * (1024 * 1024)))
    )

    assert "The document must be smaller than 1 MB." in response.content.decode()
    assert not Proposal.objects.exists()
    assert not any(settings.PROPOSAL_ATTACHMENTS_ROOT.glob("*"))


def test_a_partner_is_optional_when_the_call_does_not_ask(signed_in, db):
    funding_call(status="open", slug="open-to-all")

    signed_in.post("/calls/open-to-all/apply/", answers(partner_organisations=""))

    assert Proposal.objects.get().partner_organisations == ""


@pytest.mark.parametrize(
    "timing",
    [
        {"status": "closed"},
        {
            "status": "open",
            "opens_at": timezone.now() + datetime.timedelta(days=2),
            "closes_at": timezone.now() + datetime.timedelta(days=9),
        },
    ],
    ids=["closed", "not yet open"],
)
def test_a_call_not_open_takes_no_proposal(signed_in, db, timing):
    funding_call(slug="not-now", **timing)

    shown = signed_in.get("/calls/not-now/apply/")
    sent = signed_in.post("/calls/not-now/apply/", answers())

    assert shown.status_code == sent.status_code == 200
    assert "<h1>This call is not open for proposals</h1>" in sent.content.decode()
    assert "Nothing has been sent." in sent.content.decode()
    assert 'type="file"' not in shown.content.decode()
    assert not Proposal.objects.exists()


def test_a_call_that_closes_while_the_form_is_open_takes_nothing(signed_in, call):
    signed_in.get("/calls/safer-work/apply/")
    call_close(call=call, by=None)

    response = signed_in.post("/calls/safer-work/apply/", answers())

    assert "This call is not open for proposals" in response.content.decode()
    assert not Proposal.objects.exists()


def test_a_draft_call_is_not_found(signed_in, db):
    funding_call(status="draft", slug="secret")

    assert signed_in.get("/calls/secret/apply/").status_code == 404
    assert signed_in.get("/calls/secret/proposals/").status_code == 404
    assert signed_in.post("/calls/secret/apply/", answers()).status_code == 404
    assert not Proposal.objects.exists()


@pytest.mark.parametrize("person", [expert, coordinator, finance, researcher])
def test_someone_in_no_research_team_is_told_who_can_submit(client, call, person):
    someone = person()
    client.force_login(getattr(someone, "user", someone))

    shown = client.get("/calls/safer-work/apply/")
    sent = client.post("/calls/safer-work/apply/", answers())

    assert shown.status_code == sent.status_code == 403
    assert "<h1>Only research teams can submit proposals</h1>" in sent.content.decode()
    assert not Proposal.objects.exists()


def test_anonymous_visitors_are_asked_to_sign_in(client, call):
    response = client.get("/calls/safer-work/apply/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/calls/safer-work/apply/")


# The team's proposals, and withdrawing one.


def test_the_team_sees_its_own_proposals_to_the_call_only(signed_in, call, member):
    own = proposal(call=call, research_team=member.team_memberships.get().team, title="Ours")
    theirs = proposal(call=call, research_team=team(name="Other"), title="Theirs")
    elsewhere = proposal(
        call=funding_call(status="open", slug="elsewhere"),
        research_team=member.team_memberships.get().team,
        title="Elsewhere",
    )

    page = signed_in.get("/calls/safer-work/proposals/").content.decode()

    assert "Ours" in page and "Theirs" not in page and "Elsewhere" not in page
    assert signed_in.get(f"/calls/safer-work/proposals/{own.pk}/").status_code == 200
    assert signed_in.get(f"/calls/safer-work/proposals/{theirs.pk}/").status_code == 404
    assert signed_in.get(f"/calls/safer-work/proposals/{elsewhere.pk}/").status_code == 404
    assert signed_in.get("/calls/safer-work/proposals/99999/").status_code == 404
    assert signed_in.get("/calls/safer-work/proposals/x/").status_code == 404


def test_the_team_withdraws_a_proposal_while_the_call_is_open(signed_in, call, member):
    own = proposal(call=call, research_team=member.team_memberships.get().team)
    url = f"/calls/safer-work/proposals/{own.pk}/withdraw/"

    confirm = signed_in.get(url)
    response = signed_in.post(url, follow=True)

    assert "<h1>Withdraw your proposal</h1>" in confirm.content.decode()
    assert response.redirect_chain == [("/calls/safer-work/proposals/", 302)]
    assert "You have withdrawn proposal P-001. It will not be reviewed." in (
        response.content.decode()
    )
    own.refresh_from_db()
    assert own.status == Proposal.Status.WITHDRAWN
    assert signed_in.get(url)["Location"] == f"/calls/safer-work/proposals/{own.pk}/"


def test_once_the_call_closes_a_proposal_stays(signed_in, call, member):
    own = proposal(call=call, research_team=member.team_memberships.get().team)
    call_close(call=call, by=None)

    page = signed_in.get(f"/calls/safer-work/proposals/{own.pk}/").content.decode()
    response = signed_in.post(f"/calls/safer-work/proposals/{own.pk}/withdraw/", follow=True)

    assert "Withdraw this proposal" not in page
    assert "This proposal can no longer be withdrawn." in response.content.decode()
    own.refresh_from_db()
    assert own.status == Proposal.Status.SUBMITTED


def test_another_team_cannot_withdraw_a_proposal(client, call):
    theirs = proposal(call=call, research_team=team(name="Other"))
    stranger = researcher()
    team(members=[stranger], name="Stranger's team")
    client.force_login(stranger)

    response = client.post(f"/calls/safer-work/proposals/{theirs.pk}/withdraw/")

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Proposal.Status.SUBMITTED


# Query counts at two data sizes.


def test_the_proposals_page_costs_the_same_whatever_the_number_of_proposals(
    signed_in, call, member
):
    own_team = member.team_memberships.get().team

    def grow(count):
        for _ in range(count):
            proposal(call=call, research_team=own_team)

    assert_query_count_constant(
        signed_in, "/calls/safer-work/proposals/", grow, sizes=(2, 12), max_queries=10
    )


def test_the_form_costs_the_same_whatever_the_number_of_topics_and_teams(signed_in, call, member):
    def grow(count):
        for _ in range(count):
            Topic.objects.create(name=f"Topic {Topic.objects.count()}")
            team(members=[member], name=f"Team {member.team_memberships.count()}")

    assert_query_count_constant(
        signed_in, "/calls/safer-work/apply/", grow, sizes=(2, 12), max_queries=10
    )
