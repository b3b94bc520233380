"""Chairs lead: who may set a session's agenda, approve its notes and suggest experts for
the panel. Each permission is asked of the panel, of a session and of a session's note."""

from datetime import timedelta

import pytest
from django.utils import timezone

from engagement.models import PanelMembership, SessionNote
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
