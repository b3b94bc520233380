"""Who may do what with a panel's sessions: the chair leads, the coordinators run the panel,
the research team reports back, and each person's reach ends at their own panel."""

import pytest

from engagement.models import Attendance, PanelMembership
from engagement.predicates import attended_session, leads_session, researches_for_panel
from tests.factories import (
    advisory_request,
    coordinator,
    expert,
    panel,
    panel_session,
    researcher,
    team,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    lead = coordinator()
    chair = expert()
    member = expert()
    scientist = researcher()
    request = advisory_request(research_team=team(members=[scientist]), status="accepted")
    the_panel = panel(coordinators=[lead], members=[member], chairs=[chair], request=request)
    other_researcher = researcher()
    team(members=[other_researcher], name="Other team")
    return {
        "lead": lead,
        "chair": chair.user,
        "member": member.user,
        "scientist": scientist,
        "other_researcher": other_researcher,
        "other_coordinator": coordinator(),
        "other_expert": expert().user,
        "panel": the_panel,
        "held": panel_session(of_panel=the_panel, days_ahead=-1),
        "upcoming": panel_session(of_panel=the_panel, days_ahead=3, title="Next"),
        "member_profile": member,
    }


def _who(people, perm, obj) -> set[str]:
    actors = (
        "lead", "chair", "member", "scientist", "other_researcher", "other_coordinator",
        "other_expert",
    )  # fmt: skip
    return {name for name in actors if people[name].has_perm(perm, obj)}


def test_panel_permissions_by_person(people):
    held, upcoming, the_panel = people["held"], people["upcoming"], people["panel"]
    assert _who(people, "engagement.view_panel", the_panel) == {
        "lead", "chair", "member", "scientist",
    }  # fmt: skip
    assert _who(people, "engagement.view_joining_details", upcoming) == {"lead", "chair", "member"}
    assert _who(people, "engagement.schedule_session", the_panel) == {"lead"}
    assert _who(people, "engagement.set_session_agenda", upcoming) == {"chair"}
    assert _who(people, "engagement.write_session_note", held) == {"lead"}
    assert _who(people, "engagement.record_attendance", held) == {"lead", "chair"}
    assert _who(people, "engagement.record_attendance", upcoming) == set()
    assert _who(people, "engagement.record_impact", held) == {"scientist"}
    assert _who(people, "engagement.record_impact", upcoming) == set()
    assert _who(people, "engagement.view_impact_ratings", the_panel) == {"lead"}


def test_a_chair_whose_term_ended_leads_no_more(people):
    chair_membership = PanelMembership.objects.get(role="chair")
    chair_membership.ended_on = chair_membership.started_on
    chair_membership.save()

    assert not leads_session.test(people["chair"], people["held"])
    # With no chair in office, the coordinators set the agenda.
    assert _who(people, "engagement.set_session_agenda", people["upcoming"]) == {"lead"}


def test_only_those_who_took_part_rate_and_ask_for_a_debrief(people):
    held = people["held"]
    Attendance.objects.create(session=held, expert=people["member_profile"], attended=True)

    assert _who(people, "engagement.rate_impact", held) == {"member"}
    assert _who(people, "engagement.request_debrief", held) == {"member"}
    Attendance.objects.filter(session=held).update(attended=False)
    assert not attended_session.test(people["member"], held)


def test_researches_for_panel_is_false_for_a_standing_panel_and_anonymous(people):
    from django.contrib.auth.models import AnonymousUser

    standing = panel(coordinators=[people["lead"]], name="Standing")
    assert not researches_for_panel.test(people["scientist"], standing)
    assert not researches_for_panel.test(AnonymousUser(), people["panel"])
    assert not attended_session.test(AnonymousUser(), people["held"])
