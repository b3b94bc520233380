"""Advisory requests: the team's form and pages, each transition, and triage in the admin
with its emails to every member of the team."""

import re
from datetime import timedelta
from email import message_from_bytes

import pytest
from django.core import mail
from django.utils import timezone

from core.models import AuditEvent
from core.transitions import TransitionNotAllowed
from engagement.models import AdvisoryRequest, Language, Panel, Topic
from engagement.services.requests import (
    FIELDS,
    advisory_request_accept,
    advisory_request_create,
    advisory_request_decline,
    advisory_request_request_changes,
    advisory_request_submit,
    advisory_request_update,
    advisory_request_withdraw,
)
from tests.factories import advisory_request, coordinator, expert, panel, researcher, team


def refused(message: str):
    """The refusal, with exactly the words people are shown."""
    return pytest.raises(TransitionNotAllowed, match=f"^{re.escape(message)}$")


@pytest.fixture
def lead(db):
    return researcher(display_name="Rhian")


@pytest.fixture
def colleague(db):
    return researcher(display_name="Tomos")


@pytest.fixture
def the_team(lead, colleague):
    return team(members=[lead, colleague])


@pytest.fixture
def staff(db):
    return coordinator(display_name="Alex")


def form_data(**changes):
    start = timezone.localdate() + timedelta(days=30)
    end = start + timedelta(days=60)
    data = {
        "title": "How people find safe housing",
        "about": "What helps people leaving exploitation find a safe home.",
        "stage": "design",
        "input_kind": "panel_meeting",
        "topics": [Topic.objects.get_or_create(name="Housing")[0].pk],
        "languages": [Language.objects.get(code="en").pk],
        "experts_wanted": "4",
        "prep_hours": "1.5",
        "session_hours": "2",
        "earliest_date_0": str(start.day),
        "earliest_date_1": str(start.month),
        "earliest_date_2": str(start.year),
        "latest_date_0": str(end.day),
        "latest_date_1": str(end.month),
        "latest_date_2": str(end.year),
        "format": "online",
        "place": "",
        "content_notes": "Interview extracts describe control by employers.",
        "agrees_to_fund": "on",
    }
    data.update(changes)
    return data


# The form and pages


def test_a_researcher_saves_a_draft_with_every_answer(client, the_team, lead):
    client.force_login(lead)
    key = "2f1b6a51-4a0e-4c56-9b9e-0d4f3b0b9a11"

    response = client.post("/requests/new/", {**form_data(), "draft_key": key})

    saved = AdvisoryRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/requests/{saved.pk}/"
    assert (saved.team, saved.created_by, saved.status) == (the_team, lead, "draft")
    assert (saved.stage, saved.input_kind, saved.format) == ("design", "panel_meeting", "online")
    assert (saved.experts_wanted, str(saved.prep_hours), str(saved.session_hours)) == (
        4,
        "1.5",
        "2.0",
    )
    assert list(saved.topics.values_list("name", flat=True)) == ["Housing"]
    assert list(saved.languages.values_list("code", flat=True)) == ["en"]
    assert saved.latest_date - saved.earliest_date == timedelta(days=60)
    assert saved.agrees_to_fund is True


def test_the_same_form_sent_twice_makes_one_draft(client, the_team, lead):
    client.force_login(lead)
    data = {**form_data(), "draft_key": "2f1b6a51-4a0e-4c56-9b9e-0d4f3b0b9a11"}

    first = client.post("/requests/new/", data)
    second = client.post("/requests/new/", data)

    assert AdvisoryRequest.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_the_form_explains_every_problem_and_saves_nothing(client, the_team, lead):
    client.force_login(lead)
    past = timezone.localdate() - timedelta(days=3)

    response = client.post(
        "/requests/new/",
        form_data(
            title="",
            stage="",
            languages=[],
            experts_wanted="30",
            prep_hours="one",
            earliest_date_0=str(past.day),
            earliest_date_1=str(past.month),
            earliest_date_2=str(past.year),
            latest_date_0="31",
            latest_date_1="2",
            latest_date_2="2027",
            format="in_person",
            agrees_to_fund="",
        ),
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    for message in (
        "Enter a short name for the research",
        "Choose the stage the research is at",
        "Choose at least one language",
        "Enter no more than 20 advisers",
        "Enter a number of hours, like 2 or 1.5",
        "The earliest date must be today or later",
        "Enter a real date, for example 27 3 2027",
        "Enter the town or city where you would meet",
        "Confirm that your team will pay the advisers",
    ):
        assert message in page, message
    assert 'href="#id_latest_date_0"' in page
    assert not AdvisoryRequest.objects.exists()


def test_the_finish_date_must_follow_the_start(client, the_team, lead):
    client.force_login(lead)
    start = timezone.localdate() + timedelta(days=30)
    before = start - timedelta(days=1)

    response = client.post(
        "/requests/new/",
        form_data(
            latest_date_0=str(before.day),
            latest_date_1=str(before.month),
            latest_date_2=str(before.year),
        ),
    )

    assert "The finish date must be on or after the start date" in response.content.decode()
    assert not AdvisoryRequest.objects.exists()


def test_a_researcher_without_a_team_is_led_to_create_one(client, db):
    client.force_login(researcher())

    response = client.get("/requests/new/")

    assert response.status_code == 302
    assert response["Location"] == "/teams/new/"


def test_a_researcher_in_two_teams_chooses_one(client, the_team, lead):
    second = team(members=[lead], name="Second study")
    client.force_login(lead)

    assert 'name="team"' in client.get("/requests/new/").content.decode()
    client.post("/requests/new/", form_data(team=second.pk))
    missing = client.post("/requests/new/", form_data())

    assert AdvisoryRequest.objects.get().team == second
    assert "Choose the team this request is for" in missing.content.decode()


def test_only_researchers_open_the_request_form(client, db):
    client.force_login(expert(status="active").user)

    assert client.get("/requests/new/").status_code == 403


def test_a_draft_is_edited_then_submitted(client, the_team, lead):
    draft = advisory_request(research_team=the_team)
    client.force_login(lead)

    page = client.get(f"/requests/{draft.pk}/edit/").content.decode()
    assert 'value="How people find safe housing"' in page
    response = client.post(f"/requests/{draft.pk}/edit/", form_data(title="Safe homes"))
    assert response.status_code == 302
    client.post(f"/requests/{draft.pk}/submit/")

    draft.refresh_from_db()
    assert (draft.title, draft.status) == ("Safe homes", "submitted")
    assert draft.submitted_at is not None
    detail = client.get(f"/requests/{draft.pk}/").content.decode()
    assert "Waiting for a coordinator" in detail
    # Sent: no more changes.
    assert client.get(f"/requests/{draft.pk}/edit/").status_code == 302
    client.post(f"/requests/{draft.pk}/edit/", form_data(title="Changed later"))
    draft.refresh_from_db()
    assert draft.title == "Safe homes"


def test_submitting_twice_submits_once(client, the_team, lead):
    draft = advisory_request(research_team=the_team)
    client.force_login(lead)

    client.post(f"/requests/{draft.pk}/submit/")
    client.post(f"/requests/{draft.pk}/submit/")

    assert AuditEvent.objects.filter(advisory_request=draft, to_state="submitted").count() == 1
    with refused("That cannot be done while the status is 'Waiting for a coordinator'."):
        advisory_request_submit(advisory_request=draft, by=lead)


def test_a_request_without_the_funding_agreement_cannot_be_sent(the_team, lead):
    draft = advisory_request(research_team=the_team, agrees_to_fund=False)

    with refused("Before you send it, confirm that your team will pay the advisers' honoraria."):
        advisory_request_submit(advisory_request=draft, by=lead)

    draft.refresh_from_db()
    assert draft.status == "draft"


def test_a_team_member_withdraws_a_request(client, the_team, colleague):
    sent = advisory_request(research_team=the_team, status="submitted")
    client.force_login(colleague)

    assert client.get(f"/requests/{sent.pk}/withdraw/").status_code == 200
    client.post(f"/requests/{sent.pk}/withdraw/")

    sent.refresh_from_db()
    assert sent.status == "withdrawn"
    with refused("That cannot be done while the status is 'Withdrawn'."):
        advisory_request_withdraw(advisory_request=sent, by=colleague)


@pytest.mark.parametrize(
    "url",
    [
        "/requests/{pk}/",
        "/requests/{pk}/edit/",
        "/requests/{pk}/withdraw/",
    ],
)
def test_another_teams_researcher_gets_not_found(client, the_team, url):
    draft = advisory_request(research_team=the_team)
    outsider = researcher()
    team(members=[outsider], name="Other study")
    client.force_login(outsider)

    assert client.get(url.format(pk=draft.pk)).status_code == 404
    assert client.post(url.format(pk=draft.pk), form_data(title="Taken")).status_code == 404
    assert client.post(f"/requests/{draft.pk}/submit/").status_code == 404
    draft.refresh_from_db()
    assert (draft.title, draft.status) == ("How people find safe housing", "draft")
    with refused("Only members of this team can change its requests."):
        advisory_request_update(advisory_request=draft, data={}, by=outsider)


# Triage


def triage(client, pk, action, message):
    return client.post(
        f"/admin/advisory-requests/inspect/{pk}/",
        {"action": action, f"{action}-message": message},
    )


def test_a_coordinator_accepts_and_a_panel_is_formed(
    client, the_team, lead, colleague, staff, django_capture_on_commit_callbacks
):
    sent = advisory_request(research_team=the_team, status="submitted", experts_wanted=5)
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = triage(client, sent.pk, "accept", "We would love to help.")

    assert response.status_code == 302
    sent.refresh_from_db()
    assert sent.status == "accepted"
    panel = Panel.objects.get(request=sent)
    assert (panel.kind, panel.seats, panel.name) == ("request", 5, sent.title)
    assert list(panel.coordinators.all()) == [staff]
    event = AuditEvent.objects.get(advisory_request=sent)
    assert (event.action, event.actor, event.note) == (
        "advisoryrequest.accept",
        staff,
        "We would love to help.",
    )
    assert sorted(m.to[0] for m in mail.outbox) == sorted([lead.email, colleague.email])
    assert {m.subject for m in mail.outbox} == {"Tandem: Your request for advice has been accepted"}
    for message in mail.outbox:
        parsed = message_from_bytes(message.message().as_bytes())
        plain, html = parsed.get_payload()
        assert (plain.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
        assert "We would love to help." in plain.get_payload(decode=True).decode()
        assert f"/requests/{sent.pk}/" in html.get_payload(decode=True).decode()


@pytest.mark.parametrize(
    ("action", "status", "subject"),
    [
        ("request_changes", "changes_requested", "Tandem: Please change your request for advice"),
        ("decline", "declined", "Tandem: Your request for advice"),
    ],
)
def test_asking_for_changes_and_declining_email_the_team(
    client, the_team, lead, staff, django_capture_on_commit_callbacks, action, status, subject
):
    sent = advisory_request(research_team=the_team, status="submitted")
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        triage(client, sent.pk, action, "Please say more about the sessions.")

    sent.refresh_from_db()
    assert sent.status == status
    assert not Panel.objects.exists()
    assert len(mail.outbox) == 2
    assert {m.subject for m in mail.outbox} == {subject}
    client.force_login(lead)
    page = client.get(f"/requests/{sent.pk}/").content.decode()
    assert "Please say more about the sessions." in page


def test_changes_asked_for_are_made_and_the_request_sent_again(client, the_team, lead, staff):
    sent = advisory_request(research_team=the_team, status="submitted")
    advisory_request_request_changes(advisory_request=sent, by=staff, message="More detail.")
    client.force_login(lead)

    client.post(f"/requests/{sent.pk}/edit/", form_data(about="More detail about the study."))
    client.post(f"/requests/{sent.pk}/submit/")

    sent.refresh_from_db()
    assert (sent.about, sent.status) == ("More detail about the study.", "submitted")


def test_a_triage_action_needs_a_message(client, the_team, staff):
    sent = advisory_request(research_team=the_team, status="submitted")
    client.force_login(staff)

    response = triage(client, sent.pk, "decline", "   ")

    assert response.status_code == 200
    assert "Write a message to the research team" in response.content.decode()
    sent.refresh_from_db()
    assert sent.status == "submitted"
    with refused("Write a message to the research team."):
        advisory_request_decline(advisory_request=sent, by=staff, message="")


def test_accepting_twice_forms_one_panel(client, the_team, staff):
    sent = advisory_request(research_team=the_team, status="submitted")
    client.force_login(staff)

    triage(client, sent.pk, "accept", "Yes.")
    triage(client, sent.pk, "accept", "Yes.")

    assert Panel.objects.count() == 1
    with refused("That cannot be done while the status is 'Accepted'."):
        advisory_request_accept(advisory_request=sent, by=staff, message="Again")


def test_only_coordinators_triage(client, the_team, lead):
    sent = advisory_request(research_team=the_team, status="submitted")

    with refused("You cannot do that."):
        advisory_request_accept(advisory_request=sent, by=lead, message="Accepting my own")
    sent.refresh_from_db()
    assert sent.status == "submitted"


def test_drafts_never_reach_the_triage_list(client, the_team, staff):
    draft = advisory_request(research_team=the_team, title="Private draft")
    waiting = advisory_request(research_team=the_team, status="submitted", title="Sent one")
    AdvisoryRequest.objects.filter(pk=waiting.pk).update(
        submitted_at=timezone.now() - timedelta(days=3)
    )
    client.force_login(staff)

    listing = client.get("/admin/advisory-requests/").content.decode()

    assert "Sent one" in listing
    assert "Private draft" not in listing
    assert client.get(f"/admin/advisory-requests/inspect/{draft.pk}/").status_code == 404
    dashboard = client.get("/admin/").content.decode()
    assert "1 request waiting for triage" in dashboard
    assert "the oldest for 3 days" in dashboard


def test_the_admin_cannot_write_a_request_status(client, the_team, staff):
    sent = advisory_request(research_team=the_team, status="submitted")
    client.force_login(staff)

    for url in (
        "/admin/advisory-requests/edit/{pk}/",
        "/admin/advisory-requests/new/",
        "/admin/advisory-requests/delete/{pk}/",
    ):
        assert client.post(url.format(pk=sent.pk), {"status": "accepted"}).status_code == 404
    sent.refresh_from_db()
    assert sent.status == "submitted"


def test_the_welsh_addresses_of_the_team_and_request_pages_open(client, the_team, lead):
    draft = advisory_request(research_team=the_team)
    client.force_login(lead)

    for path in (
        "/cy/teams/new/",
        f"/cy/teams/{the_team.pk}/",
        f"/cy/teams/{the_team.pk}/invite/",
        "/cy/requests/new/",
        f"/cy/requests/{draft.pk}/",
        f"/cy/requests/{draft.pk}/edit/",
        f"/cy/requests/{draft.pk}/withdraw/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert 'lang="cy"' in response.content.decode(), path


def audit_rows(advisory_request):
    return list(
        AuditEvent.objects.filter(advisory_request=advisory_request)
        .order_by("pk")
        .values_list("action", "actor", "from_state", "to_state", "note")
    )


def test_creating_updating_and_submitting_are_recorded(the_team, lead, colleague, staff):
    outsider = researcher()
    with refused("Only members of this team can ask for advice for it."):
        advisory_request_create(team=the_team, data={}, by=outsider)
    data = {
        "title": "Safe homes",
        "about": "About it",
        "stage": "analysis",
        "input_kind": "co_design",
        "topics": [],
        "languages": [],
        "experts_wanted": 2,
        "prep_hours": "0",
        "session_hours": "1",
        "earliest_date": timezone.localdate(),
        "latest_date": timezone.localdate(),
        "format": "either",
        "place": "Cardiff",
        "content_notes": "",
        "agrees_to_fund": True,
    }
    draft = advisory_request_create(team=the_team, data=data, by=lead)
    advisory_request_update(advisory_request=draft, data={**data, "title": "Safer"}, by=colleague)
    advisory_request_submit(advisory_request=draft, by=colleague)
    with refused("This request can no longer be changed: it is 'Waiting for a coordinator'."):
        advisory_request_update(advisory_request=draft, data=data, by=lead)

    draft.refresh_from_db()
    assert (draft.title, draft.place, draft.created_by, draft.draft_key) == (
        "Safer",
        "Cardiff",
        lead,
        None,
    )
    assert audit_rows(draft) == [
        ("advisoryrequest.create", lead.pk, "", "", ""),
        ("advisoryrequest.update", colleague.pk, "", "", ""),
        ("advisoryrequest.submit", colleague.pk, "draft", "submitted", ""),
    ]


def test_a_draft_key_from_another_teams_form_makes_a_new_draft(the_team, lead):
    import uuid

    key = uuid.uuid4()
    other_lead = researcher()
    theirs = advisory_request(research_team=team(members=[other_lead], name="Other"))
    theirs.draft_key = key
    theirs.save()
    data = {name: getattr(theirs, name) for name in FIELDS} | {"topics": [], "languages": []}

    mine = advisory_request_create(team=the_team, data=data, by=lead, draft_key=key)

    assert mine != theirs
    assert (mine.team, mine.draft_key) == (the_team, None)


def test_the_history_shows_each_change_with_the_coordinators_words(client, the_team, staff):
    sent = advisory_request(research_team=the_team, status="submitted")
    advisory_request_request_changes(advisory_request=sent, by=staff, message="Say more.")
    client.force_login(staff)

    page = client.get(f"/admin/advisory-requests/inspect/{sent.pk}/").content.decode()

    assert "Waiting for a coordinator → Changes asked for" in page
    assert "Say more." in page


def test_a_triage_email_carries_the_coordinators_message(
    the_team, lead, staff, django_capture_on_commit_callbacks
):
    for action in (advisory_request_request_changes, advisory_request_decline):
        sent = advisory_request(research_team=the_team, status="submitted")
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            action(advisory_request=sent, by=staff, message=f"Words for {sent.pk}")
        assert len(mail.outbox) == 2
        for message in mail.outbox:
            assert f"Words for {sent.pk}" in message.body
            assert f"/requests/{sent.pk}/" in message.body


def test_the_dashboard_counts_only_current_members_and_says_nothing_of_age_when_none_wait(
    client, the_team, lead, staff
):
    accepted = advisory_request(research_team=the_team, status="accepted")
    current, ended = expert(), expert()
    formed = panel(request=accepted, members=[current, ended], seats=4)
    formed.memberships.filter(expert=ended).update(
        ended_on=timezone.localdate() - timedelta(days=1)
    )
    client.force_login(lead)

    page = client.get("/me/").content.decode()
    assert "1 of 4 places filled" in page
    # The researcher reaches the panel's page from here (engagement.view_panel lets them).
    assert f'<a href="/panels/{formed.pk}/">{formed.name}</a>' in page
    assert client.get(f"/panels/{formed.pk}/").status_code == 200

    client.force_login(staff)
    dashboard = client.get("/admin/").content.decode()
    assert "0 requests waiting for triage" in dashboard
    assert "the oldest for" not in dashboard.split("requests-waiting-heading")[1]


def test_the_request_page_shows_its_topics_languages_and_panel(client, the_team, lead, staff):
    housing = Topic.objects.create(name="Housing")
    english = Language.objects.get(code="en")
    sent = advisory_request(
        research_team=the_team, status="submitted", topics=[housing], languages=[english]
    )
    advisory_request_accept(advisory_request=sent, by=staff, message="Yes.")
    client.force_login(lead)

    page = client.get(f"/requests/{sent.pk}/").content.decode()

    assert "<dd>Housing</dd>" in page
    assert "<dd>English</dd>" in page
    assert "We are forming a panel for it: How people find safe housing, with 4 advisers." in page


def _queries_to_ask_for_changes(members: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sent = advisory_request(
        research_team=team(members=[researcher() for _ in range(members)]), status="submitted"
    )
    with CaptureQueriesContext(connection) as ctx:
        advisory_request_request_changes(
            advisory_request=sent, by=coordinator(), message="Please say more."
        )
    return len(ctx.captured_queries)


def test_emailing_the_team_reads_its_members_in_one_query(db):
    _queries_to_ask_for_changes(1)  # warms the caches (groups, content types, settings)

    two, five = _queries_to_ask_for_changes(2), _queries_to_ask_for_changes(5)

    # Each extra member costs only the 6 queries of their own email: the members are
    # read in one query with their accounts, not one query per member.
    assert five - two == 3 * 6
