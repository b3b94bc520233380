"""Chairs lead: who may set a session's agenda, approve its notes and suggest experts for
the panel. Each permission is asked of the panel, of a session and of a session's note."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from core.transitions import TransitionNotAllowed
from engagement.models import PanelMembership, PanelSuggestion, SessionNote
from engagement.services.panels import panel_suggestion_create
from tests.factories import coordinator, expert, panel, panel_session, researcher, team

PERMISSIONS = (
    "engagement.set_session_agenda",
    "engagement.approve_session_note",
    "engagement.suggest_panel_expert",
)


@pytest.fixture
def people(db):
    chair, member, ended_chair = expert(), expert(), expert()
    lead, elsewhere = coordinator(), coordinator()
    the_panel = panel(coordinators=[lead], members=[member], chairs=[chair, ended_chair])
    PanelMembership.objects.filter(expert=ended_chair).update(
        ended_on=timezone.localdate() - timedelta(days=1)
    )
    panel(coordinators=[elsewhere], name="Another panel")
    session = panel_session(of_panel=the_panel)
    note = SessionNote.objects.create(session=session, text="What we heard.")
    researcher_user = researcher()
    team(members=[researcher_user])
    return {
        "panel": the_panel,
        "session": session,
        "note": note,
        "chair": chair.user,
        "member": member.user,
        "ended_chair": ended_chair.user,
        "this_panels_coordinator": lead,
        "other_panels_coordinator": elsewhere,
        "researcher": researcher_user,
    }


# With a chair, only the chair leads; a coordinator of this panel steps in only while the
# panel has no chair (below).
EXPECTED = {
    "chair": (True, True, True),
    "member": (False, False, False),
    "ended_chair": (False, False, False),
    "this_panels_coordinator": (False, False, False),
    "other_panels_coordinator": (False, False, False),
    "researcher": (False, False, False),
}


@pytest.mark.parametrize("who", sorted(EXPECTED))
@pytest.mark.parametrize("of", ["panel", "session", "note"])
def test_what_each_person_may_do_as_chair(people, who, of):
    user, obj = people[who], people[of]

    assert tuple(user.has_perm(perm, obj) for perm in PERMISSIONS) == EXPECTED[who]


def test_without_a_chair_the_panels_own_coordinator_sets_the_agenda_and_approves(people):
    PanelMembership.objects.filter(role="chair").update(
        ended_on=timezone.localdate() - timedelta(days=1)
    )
    lead, elsewhere = people["this_panels_coordinator"], people["other_panels_coordinator"]

    assert [lead.has_perm(perm, people["session"]) for perm in PERMISSIONS] == [
        True,
        True,
        False,
    ]
    assert [elsewhere.has_perm(perm, people["session"]) for perm in PERMISSIONS] == [
        False,
        False,
        False,
    ]
    # A chair whose term has ended leads nothing, chair or not.
    assert not people["ended_chair"].has_perm("engagement.set_session_agenda", people["panel"])


def test_a_chair_whose_term_has_not_started_does_not_lead_yet(people):
    future = expert()
    PanelMembership.objects.create(
        panel=people["panel"],
        expert=future,
        role="chair",
        started_on=timezone.localdate() + timedelta(days=3),
    )

    assert [future.user.has_perm(perm, people["panel"]) for perm in PERMISSIONS] == [
        False,
        False,
        False,
    ]


def test_the_note_approval_rule_is_the_declared_transition(people):
    note = people["note"]

    assert SessionNote.workflow.permitted(people["chair"], note) == {"approve"}
    assert SessionNote.workflow.permitted(people["member"], note) == set()
    assert SessionNote.workflow.permitted(people["ended_chair"], note) == set()
    assert SessionNote.workflow.permitted(people["other_panels_coordinator"], note) == set()


# The chair's "suggest someone" form


def test_the_chair_suggests_someone_and_the_coordinators_are_told(
    client, people, django_capture_on_commit_callbacks
):
    client.force_login(people["chair"])
    url = f"/panels/{people['panel'].pk}/suggest/"

    assert "suggest someone for the panel" in client.get("/me/").content.decode()
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"text": "Mona, who ran a peer support group in Leeds."})
        client.post(url, {"text": "Mona, who ran a peer support group in Leeds."})

    assert response.status_code == 302
    suggestion = PanelSuggestion.objects.get()
    assert (suggestion.panel, suggestion.suggested_by, suggestion.text) == (
        people["panel"],
        people["chair"],
        "Mona, who ran a peer support group in Leeds.",
    )
    assert [m.to for m in mail.outbox] == [[people["this_panels_coordinator"].email]]
    # The words stay in the admin: the email carries a link only.
    assert "Mona" not in mail.outbox[0].body
    assert "Mona" not in mail.outbox[0].alternatives[0][0]
    client.force_login(people["this_panels_coordinator"])
    admin_page = client.get(f"/admin/panels/inspect/{people['panel'].pk}/").content.decode()
    assert "Mona, who ran a peer support group in Leeds." in admin_page


def test_an_empty_suggestion_is_explained_and_saves_nothing(client, people):
    client.force_login(people["chair"])

    response = client.post(f"/panels/{people['panel'].pk}/suggest/", {"text": "  "})

    assert response.status_code == 200
    assert "Say who you suggest and why" in response.content.decode()
    assert not PanelSuggestion.objects.exists()


@pytest.mark.parametrize(
    "who", ["member", "ended_chair", "this_panels_coordinator", "other_panels_coordinator"]
)
def test_only_the_chair_may_suggest(client, people, who):
    client.force_login(people[who])
    url = f"/panels/{people['panel'].pk}/suggest/"

    assert client.get(url).status_code == 404
    assert client.post(url, {"text": "Someone"}).status_code == 404
    with pytest.raises(TransitionNotAllowed):
        panel_suggestion_create(panel=people["panel"], text="Someone", by=people[who])
    assert not PanelSuggestion.objects.exists()


def test_a_suggestion_is_recorded_against_the_chair_and_refusals_say_why(people):
    from core.models import AuditEvent

    the_panel = people["panel"]
    with pytest.raises(TransitionNotAllowed) as empty:
        panel_suggestion_create(panel=the_panel, text="  ", by=people["chair"])
    with pytest.raises(TransitionNotAllowed) as not_chair:
        panel_suggestion_create(panel=the_panel, text="Someone", by=people["member"])

    suggestion = panel_suggestion_create(panel=the_panel, text="Someone", by=people["chair"])

    assert str(empty.value) == "Say who you suggest and why."
    assert str(not_chair.value) == "Only the panel's chair can suggest experts for it."
    event = AuditEvent.objects.filter(panel=the_panel).get(action="panel.suggestion")
    assert (event.actor, event.extra) == (people["chair"], {"id": suggestion.pk})
