"""Sessions selectors, what the main tests leave open: the ratings a coordinator reads for a
panel (exact counts, total, notes newest session first) and the queries that page makes."""

import pytest

from engagement.models import ImpactRating, ImpactRecord
from engagement.selectors.sessions import panel_ratings
from tests.factories import (
    advisory_request,
    coordinator,
    expert,
    panel,
    panel_session,
    researcher,
    team,
)
from tests.helpers import assert_query_count_constant

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    lead = coordinator()
    request = advisory_request(research_team=team(members=[researcher()]), status="accepted")
    members = [expert(), expert(), expert()]
    the_panel = panel(coordinators=[lead], members=members, request=request)
    return lead, members, the_panel


def _impact(of_panel, days_ahead, title):
    session = panel_session(of_panel=of_panel, days_ahead=days_ahead, title=title)
    return ImpactRecord.objects.create(session=session, heard="x", changed="y")


def test_panel_ratings_count_every_answer_and_list_notes_newest_session_first(world):
    _lead, (first, second, third), the_panel = world
    # Created oldest session first, so the order of the rows is not the order wanted.
    older = _impact(the_panel, -20, "Older session")
    newer = _impact(the_panel, -3, "Newer session")
    ImpactRating.objects.create(impact=older, expert=first, answer="no", note="Nobody listened")
    ImpactRating.objects.create(impact=older, expert=second, answer="yes", note="")
    ImpactRating.objects.create(impact=newer, expert=first, answer="partly", note="They rushed")
    ImpactRating.objects.create(impact=newer, expert=third, answer="no", note="Too quick")
    other_panel = panel(members=[second], name="Other panel")
    ImpactRating.objects.create(
        impact=_impact(other_panel, -2, "Elsewhere"), expert=second, answer="yes", note="Fine"
    )

    ratings = panel_ratings(the_panel)

    assert [(row["answer"], row["count"]) for row in ratings["counts"]] == [
        ("Yes", 1),
        ("Partly", 1),
        ("No", 2),
    ]
    assert ratings["total"] == 4
    assert [(row["session"], row["answer"], row["note"]) for row in ratings["notes"]] == [
        (newer.session, "Partly", "They rushed"),
        (newer.session, "No", "Too quick"),
        (older.session, "No", "Nobody listened"),
    ]


def test_the_ratings_page_names_each_notes_answer_and_session(client, world):
    lead, (first, _second, _third), the_panel = world
    impact = _impact(the_panel, -3, "Interview guide")
    ImpactRating.objects.create(impact=impact, expert=first, answer="partly", note="Rushed")
    client.force_login(lead)

    page = client.get(f"/admin/panel-ratings/{the_panel.pk}/").content.decode()

    date = impact.session.starts_at.strftime("%-d %b %Y")
    assert f"<footer>Partly, Interview guide ({date})</footer>" in page


def test_the_ratings_page_query_count_does_not_grow_with_notes(client, world):
    lead, _members, the_panel = world
    client.force_login(lead)

    def add_rated_sessions(count):
        for n in range(count):
            impact = _impact(the_panel, -1 - n, f"Rated {n}")
            ImpactRating.objects.bulk_create(
                ImpactRating(impact=impact, expert=member, answer="no", note=f"Note {n}")
                for member in _members
            )

    assert_query_count_constant(
        client, f"/admin/panel-ratings/{the_panel.pk}/", add_rated_sessions, sizes=(2, 10)
    )
    page = client.get(f"/admin/panel-ratings/{the_panel.pk}/").content.decode()
    assert page.count("<blockquote>") == 30
