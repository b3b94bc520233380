"""The criteria co-design workspace: `criteria_save` (every rule, who may, when, the audit row,
a stale form refused) and the pages at /co-design/<round>/ for panel members, the chair,
coordinators and everyone else."""

import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.models import AuditEvent
from core.transitions import TransitionNotAllowed
from engagement.models import CriteriaComment, Criterion, Descriptor, Score, ScoringRound
from engagement.selectors.codesign import (
    criteria_version,
    criteria_with_descriptors,
    group_weights_in_words,
)
from engagement.services import calls as svc
from tests.factories import (
    coordinator,
    expert,
    funding_call,
    panel,
    proposal,
    round_reviewer,
    scoring_round,
)
from tests.helpers import assert_query_count_constant

GROUPS = {"lived_experience": "2", "academic": "1", "staff": "1"}


def item(name="Relevance", weight="1", points=range(1, 6), **fields):
    return {
        "name": name,
        "guidance": fields.pop("guidance", "Does it matter to people?"),
        "weight": weight,
        "descriptors": fields.pop("descriptors", {p: f"{name} at {p}" for p in points}),
        **fields,
    }


def named(profile, display_name):
    profile.user.display_name = display_name
    profile.user.save(update_fields=["display_name"])
    return profile


@pytest.fixture
def world(db):
    lead = coordinator()
    chair, member = named(expert(), "Chair Sam"), named(expert(), "River")
    co_design = panel(coordinators=[lead], chairs=[chair], members=[member], name="Co-design")
    call = funding_call(co_design_panel=co_design, title="Safe housing")
    the_round = scoring_round(call=call)
    return lead, chair, member, call, the_round


def save(the_round, by, criteria=None, groups=GROUPS, **kwargs):
    return svc.criteria_save(
        scoring_round=the_round,
        by=by,
        criteria=[item()] if criteria is None else criteria,
        group_weights=groups,
        **kwargs,
    )


def stored(the_round):
    return [
        (c.name, c.guidance, c.weight, {d.point: d.text for d in c.descriptors.all()})
        for c in criteria_with_descriptors(the_round)
    ]


# The service


def test_a_member_replaces_the_criteria_and_group_weights_in_one_go(world):
    _, _, member, _, the_round = world
    saved = save(
        the_round,
        member.user,
        [item("Relevance", "2.5"), item("Safety first", "1", guidance="  Who is kept safe?  ")],
    )

    assert stored(the_round) == [
        ("Relevance", "Does it matter to people?", Decimal("2.50"), item()["descriptors"]),
        ("Safety first", "Who is kept safe?", Decimal("1.00"), item("Safety first")["descriptors"]),
    ]
    assert [c.position for c in the_round.criteria.all()] == [1, 2]
    the_round.refresh_from_db()
    assert (the_round.lived_weight, the_round.academic_weight, the_round.staff_weight) == (
        Decimal("2.00"),
        Decimal("1.00"),
        Decimal("1.00"),
    )
    assert saved.lived_weight == Decimal("2.00")
    event = AuditEvent.objects.get(action="scoringround.criteria_save")
    assert event.actor == member.user
    assert event.extra == {
        "criteria": ["Relevance", "Safety first"],
        "added": ["Safety first"],
        "removed": ["Method"],
        "changed": ["Relevance"],
        "scale": [1, 5],
        "group_weights": {"lived_experience": "2.00", "academic": "1.00", "staff": "1.00"},
    }


def test_a_coordinator_may_save_and_the_scale_changes_while_the_round_is_set_up(world):
    lead, _, _, _, the_round = world
    save(the_round, lead, [item(points=range(0, 4))], scale=(0, 3))

    the_round.refresh_from_db()
    assert (the_round.scale_min, the_round.scale_max) == (0, 3)
    assert sorted(Descriptor.objects.values_list("point", flat=True)) == [0, 1, 2, 3]


def test_the_scale_cannot_change_once_the_round_is_past_set_up(world):
    lead, _, _, _, the_round = world
    ScoringRound.objects.filter(pk=the_round.pk).update(phase="conflicts")

    with pytest.raises(TransitionNotAllowed, match="only while the round is being set up"):
        save(the_round, lead, [item(points=range(1, 4))], scale=(1, 3))
    # The same scale as now is no change.
    save(the_round, lead, scale=(1, 5))
    assert Criterion.objects.get().name == "Relevance"


@pytest.mark.parametrize(
    ("criteria", "groups", "scale", "errors"),
    [
        ([], GROUPS, None, {"criteria": ["Add at least one criterion."]}),
        (
            [item(f"C{n}") for n in range(21)],
            GROUPS,
            None,
            {"criteria": ["Keep to 20 criteria or fewer."]},
        ),
        ([item(name="  ")], GROUPS, None, {"0.name": ["Give criterion 1 a name."]}),
        (
            [item(name="x" * 201)],
            GROUPS,
            None,
            {"0.name": ["Keep the name to 200 characters or fewer."]},
        ),
        (
            [item("Safety"), item(" safety ")],
            GROUPS,
            None,
            {"1.name": ["Two criteria are called “safety”: give each its own name."]},
        ),
        (
            [item(guidance="g" * 5001)],
            GROUPS,
            None,
            {"0.guidance": ["Keep the guidance to 5000 characters or fewer."]},
        ),
        *(
            (
                [item(weight=weight)],
                GROUPS,
                None,
                {
                    "0.weight": [
                        "Give “Relevance” a weight above 0 and below 1000, with at most 2 "
                        "decimal places, for example 1 or 1.5."
                    ]
                },
            )
            for weight in ("0", "-1", "1.234", "1000", "abc", "", "NaN", "Infinity", None)
        ),
        (
            [item(descriptors={1: "a", 2: " ", 3: "c", 4: "d"})],
            GROUPS,
            None,
            {
                "0.2": ["Say what a score of 2 means for “Relevance”."],
                "0.5": ["Say what a score of 5 means for “Relevance”."],
            },
        ),
        (
            [item(descriptors={p: "d" * 501 if p == 3 else "ok" for p in range(1, 6)})],
            GROUPS,
            None,
            {"0.3": ["Keep each descriptor to 500 characters or fewer."]},
        ),
        (
            [item()],
            {"lived_experience": "-1", "academic": "1.005", "staff": "x"},
            None,
            {
                group: ["Give each group a weight from 0 to 999.99, with at most 2 decimal places."]
                for group in ("lived_experience", "academic", "staff")
            },
        ),
        (
            [item()],
            {"lived_experience": "1"},
            None,
            {
                group: ["Give each group a weight from 0 to 999.99, with at most 2 decimal places."]
                for group in ("academic", "staff")
            },
        ),
        (
            [item()],
            {"lived_experience": "0", "academic": "0.00", "staff": "0"},
            None,
            {
                "group_weights": [
                    "At least one group's scores must count: give it a weight above 0."
                ]
            },
        ),
        (
            [item(points=range(1, 4))],
            GROUPS,
            (3, 1),
            {"scale": ["Choose a scale between 0 and 10, lowest score first."]},
        ),
        (
            [item(points=range(0, 12))],
            GROUPS,
            (0, 11),
            {"scale": ["Choose a scale between 0 and 10, lowest score first."]},
        ),
    ],
)
def test_bad_criteria_are_refused_with_every_problem_and_nothing_changes(
    world, criteria, groups, scale, errors
):
    _, _, member, _, the_round = world
    before = stored(the_round)

    with pytest.raises(ValidationError) as refused:
        save(the_round, member.user, criteria, groups, scale=scale)

    assert refused.value.message_dict == errors
    assert stored(the_round) == before
    assert not AuditEvent.objects.filter(action="scoringround.criteria_save").exists()


def test_several_problems_are_reported_together(world):
    _, _, member, _, the_round = world
    with pytest.raises(ValidationError) as refused:
        save(
            the_round,
            member.user,
            [item(name="", weight="0", descriptors={})],
            {"lived_experience": "0", "academic": "0", "staff": "0"},
        )
    assert sorted(refused.value.message_dict) == [
        "0.1",
        "0.2",
        "0.3",
        "0.4",
        "0.5",
        "0.name",
        "0.weight",
        "group_weights",
    ]
    assert "criterion 1" in refused.value.message_dict["0.weight"][0]


def test_only_the_co_design_panel_and_coordinators_may_save(world, db):
    _, chair, _, _, the_round = world
    outsider = expert()
    other_panel_member = expert()
    panel(members=[other_panel_member], name="Another panel")

    for person in (outsider.user, other_panel_member.user):
        with pytest.raises(TransitionNotAllowed, match="Only the co-design panel"):
            save(the_round, person)
    assert stored(the_round)[0][0] == "Relevance"
    # Any coordinator may (as they may discuss the criteria), and the chair.
    save(the_round, coordinator(), [item("From a coordinator")])
    save(the_round, chair.user, [item("From the chair")])
    assert [row[0] for row in stored(the_round)] == ["From the chair"]


def test_approved_criteria_and_open_calls_are_not_changed(world):
    lead, chair, member, call, the_round = world
    svc.criteria_approve(scoring_round=the_round, by=chair.user)

    with pytest.raises(TransitionNotAllowed, match=r"approved\. A coordinator can reopen"):
        save(the_round, member.user)
    svc.criteria_reopen(scoring_round=the_round, by=lead)
    save(the_round, member.user)

    call.status = "open"
    call.save(update_fields=["status"])
    with pytest.raises(TransitionNotAllowed, match="The call has opened"):
        save(the_round, lead, [item("Late")])
    assert [row[0] for row in stored(the_round)] == ["Relevance"]


def test_a_stale_form_is_refused_and_a_fresh_one_saves(world):
    _, chair, member, _, the_round = world
    drawn = criteria_version(the_round, criteria_with_descriptors(the_round))
    save(the_round, chair.user, [item("Chair's edit")], version=drawn)

    with pytest.raises(svc.CriteriaChanged, match="Someone changed these criteria"):
        save(the_round, member.user, [item("Member's edit")], version=drawn)
    assert [row[0] for row in stored(the_round)] == ["Chair's edit"]

    the_round.refresh_from_db()
    fresh = criteria_version(the_round, criteria_with_descriptors(the_round))
    assert fresh != drawn
    save(the_round, member.user, [item("Member's edit")], version=fresh)
    assert [row[0] for row in stored(the_round)] == ["Member's edit"]


def test_a_change_to_the_group_weights_alone_makes_a_form_stale(world):
    _, _, _, _, the_round = world
    criteria = criteria_with_descriptors(the_round)
    drawn = criteria_version(the_round, criteria)
    ScoringRound.objects.filter(pk=the_round.pk).update(staff_weight=Decimal("3"))
    the_round.refresh_from_db()
    assert criteria_version(the_round, criteria) != drawn


def test_criteria_already_scored_are_not_replaced(world):
    lead, _, _, call, the_round = world
    reviewer = round_reviewer(of_round=the_round)
    assignment = the_round.assignments.create(proposal=proposal(call=call), reviewer=reviewer.user)
    criterion = the_round.criteria.first()
    Score.objects.create(
        assignment=assignment, criterion=criterion, value=3, weight=1, scale_min=1, scale_max=5
    )
    with pytest.raises(TransitionNotAllowed, match="Reviews have been scored"):
        save(the_round, lead)
    assert Criterion.objects.filter(round=the_round).count() == 2


def test_group_weights_read_as_shares_in_plain_words(world):
    _, _, _, _, the_round = world
    the_round.lived_weight, the_round.academic_weight, the_round.staff_weight = (
        Decimal("2"),
        Decimal("1"),
        Decimal("0"),
    )
    assert group_weights_in_words(the_round) == [
        "Lived-experience reviewers' scores count for 66.7%.",
        "Academic reviewers' scores count for 33.3%.",
        "Staff reviewers' scores count for 0%.",
    ]
    the_round.lived_weight, the_round.academic_weight, the_round.staff_weight = (
        Decimal("40"),
        Decimal("30"),
        Decimal("30"),
    )
    assert group_weights_in_words(the_round)[0] == (
        "Lived-experience reviewers' scores count for 40%."
    )


# The pages


def url(the_round, suffix=""):
    return f"/co-design/{the_round.pk}/{suffix}"


def test_a_member_sees_the_call_criteria_weights_and_comments_by_display_name(client, world):
    _, chair, member, call, the_round = world
    svc.criteria_comment_add(scoring_round=the_round, by=chair.user, text="First thought")
    svc.criteria_comment_add(scoring_round=the_round, by=member.user, text="Second thought")
    client.force_login(member.user)

    page = client.get(url(the_round)).content.decode()

    assert "Help shape the criteria for Safe housing" in page
    assert call.summary in page
    assert "Relevance: 3" in page and "Method: 5" in page
    assert "Lived-experience reviewers&#x27; scores count for 33.3%." in page
    assert page.index("First thought") < page.index("Second thought")
    assert "Chair Sam" in page and "River" in page
    assert chair.legal_name not in page and member.legal_name not in page
    assert "Being drafted" in page
    assert f'href="{url(the_round, "edit/")}"' in page
    # Only the chair (or the panel's coordinator) approves.
    assert f'href="{url(the_round, "approve/")}"' not in page
    assert client.get(url(the_round, "approve/")).status_code == 403


def test_people_outside_the_panel_get_404_everywhere(client, world):
    _, _, _, _, the_round = world
    client.force_login(expert().user)
    for suffix in ("", "edit/", "approve/"):
        assert client.get(url(the_round, suffix)).status_code == 404
    for suffix in ("comments/", "approve/", "reopen/"):
        assert client.post(url(the_round, suffix), {"text": "Hello"}).status_code == 404
    assert client.get("/co-design/999999/").status_code == 404
    assert not CriteriaComment.objects.exists()


def test_a_member_edits_a_descriptor_and_the_chair_approves(client, world):
    _, chair, member, _, the_round = world
    client.force_login(member.user)
    form = client.get(url(the_round, "edit/")).context["form"]
    data = {**{k: v for k, v in form.initial.items() if v is not None}}
    data |= {"c0_d3": "Clearly matters to the people it is about", "action": "save"}

    response = client.post(url(the_round, "edit/"), data)

    assert response.status_code == 302
    assert stored(the_round)[0][3][3] == "Clearly matters to the people it is about"
    assert [row[0] for row in stored(the_round)] == ["Relevance", "Method"]

    client.force_login(chair.user)
    assert client.get(url(the_round, "approve/")).status_code == 200
    response = client.post(url(the_round, "approve/"), follow=True)
    page = response.content.decode()
    assert "The criteria are approved. The call can now open for proposals." in page
    assert "Approved by Chair Sam" in page
    the_round.refresh_from_db()
    assert the_round.criteria_status == "approved"


def test_approved_criteria_are_read_only(client, world):
    lead, chair, member, _, the_round = world
    svc.criteria_approve(scoring_round=the_round, by=chair.user)
    client.force_login(member.user)

    page = client.get(url(the_round)).content.decode()
    assert "The call can now open." in page
    assert "Change the criteria" not in page
    assert 'name="text"' not in page
    response = client.get(url(the_round, "edit/"))
    assert response.status_code == 302 and response.url == url(the_round)
    assert client.post(url(the_round, "edit/"), {"action": "save"}).status_code == 302
    assert [row[0] for row in stored(the_round)] == ["Relevance", "Method"]

    # The panel's coordinator can reopen them.
    client.force_login(lead)
    assert "Reopen the criteria for changes" in client.get(url(the_round)).content.decode()
    client.post(url(the_round, "reopen/"), {"reason": "One more criterion"})
    the_round.refresh_from_db()
    assert the_round.criteria_status == "drafting"


def test_approving_incomplete_criteria_shows_the_reasons(client, world):
    _, chair, _, _, the_round = world
    Descriptor.objects.filter(criterion__name="Method", point=4).delete()
    client.force_login(chair.user)

    page = client.post(url(the_round, "approve/"), follow=True).content.decode()

    assert "“Method” needs a descriptor for the scores 4." in page
    the_round.refresh_from_db()
    assert the_round.criteria_status == "drafting"


def test_the_edit_form_shows_the_services_problems_on_their_fields(client, world):
    _, _, member, _, the_round = world
    client.force_login(member.user)
    form = client.get(url(the_round, "edit/")).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data |= {"c1_name": "relevance", "c0_weight": "1.234", "c0_d2": "", "staff_weight": "x"}

    response = client.post(url(the_round, "edit/"), data)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["c1_name"] == ["Two criteria are called “relevance”: give each its own name."]
    assert "at most 2 decimal places" in errors["c0_weight"][0]
    assert errors["c0_d2"] == ["Say what a score of 2 means for “Relevance”."]
    assert "staff_weight" in errors
    page = response.content.decode()
    assert 'class="error-summary"' in page and 'href="#id_c0_d2"' in page
    assert [row[0] for row in stored(the_round)] == ["Relevance", "Method"]


def test_blank_and_removed_criteria_are_left_out_and_another_can_be_added(client, world):
    _, _, member, _, the_round = world
    client.force_login(member.user)
    form = client.get(url(the_round, "edit/")).context["form"]
    assert form.slot_count == 3  # two saved, one blank
    data = {k: v for k, v in form.initial.items() if v is not None}

    more = client.post(url(the_round, "edit/"), {**data, "c0_name": "Kept", "action": "add"})
    assert more.status_code == 200
    assert more.context["form"].slot_count == 4
    assert 'value="Kept"' in more.content.decode()
    assert [row[0] for row in stored(the_round)] == ["Relevance", "Method"]

    new = {"c2_name": "Lived experience", "c2_weight": "3"}
    new |= {f"c2_d{p}": f"Lived {p}" for p in range(1, 6)}
    response = client.post(
        url(the_round, "edit/"), {**data, **new, "c1_remove": "on", "action": "save"}
    )
    assert response.status_code == 302
    assert [row[0] for row in stored(the_round)] == ["Relevance", "Lived experience"]


def test_changing_the_scale_asks_for_the_new_points_before_saving(client, world):
    lead, _, _, _, the_round = world
    client.force_login(lead)
    form = client.get(url(the_round, "edit/")).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}

    response = client.post(url(the_round, "edit/"), {**data, "scale_max": "3", "action": "save"})

    assert response.status_code == 200
    assert list(response.context["form"].points) == [1, 2, 3]
    assert "c0_d4" not in response.context["form"].fields
    the_round.refresh_from_db()
    assert the_round.scale_max == 5
    data = {k: v for k, v in response.context["form"].data.items() if not k.endswith(("d4", "d5"))}
    assert client.post(url(the_round, "edit/"), data).status_code == 302
    the_round.refresh_from_db()
    assert the_round.scale_max == 3
    assert stored(the_round)[0][3] == {1: "Relevance: 1", 2: "Relevance: 2", 3: "Relevance: 3"}


def test_a_stale_edit_keeps_what_was_typed_and_says_so(client, world):
    _, chair, member, _, the_round = world
    client.force_login(member.user)
    form = client.get(url(the_round, "edit/")).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    save(the_round, chair.user, [item("The chair's")])

    response = client.post(url(the_round, "edit/"), {**data, "c0_name": "Mine"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Someone changed these criteria while you were editing" in page
    assert 'value="Mine"' in page
    assert [row[0] for row in stored(the_round)] == ["The chair's"]
    # Saving again, knowingly, goes through.
    again = dict(response.context["form"].data.items())
    assert client.post(url(the_round, "edit/"), again).status_code == 302
    assert [row[0] for row in stored(the_round)] == ["Mine", "Method"]


def test_comments_are_added_and_bad_ones_explained(client, world):
    _, _, member, _, the_round = world
    client.force_login(member.user)

    response = client.post(url(the_round, "comments/"), {"text": "   "})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Write your comment." in page and 'class="error-summary"' in page
    response = client.post(url(the_round, "comments/"), {"text": "x" * 2001})
    assert "Keep it to 2000 characters or fewer." in response.content.decode()
    assert not CriteriaComment.objects.exists()

    response = client.post(url(the_round, "comments/"), {"text": "Add safety"}, follow=True)
    assert "Your comment has been added." in response.content.decode()
    assert CriteriaComment.objects.get().author == member.user
    assert client.get(url(the_round, "comments/")).status_code == 405


def test_a_coordinator_who_does_not_run_the_panel_may_discuss_but_not_approve(client, world):
    _, _, _, _, the_round = world
    client.force_login(coordinator())
    assert client.get(url(the_round)).status_code == 200
    assert client.get(url(the_round, "edit/")).status_code == 200
    assert client.get(url(the_round, "approve/")).status_code == 403
    assert client.post(url(the_round, "approve/")).status_code == 403


def test_the_panel_page_and_dashboard_link_to_the_workspace_while_it_waits(client, world):
    _, chair, member, call, the_round = world
    client.force_login(member.user)
    link = f'href="{url(the_round)}"'
    for page_url in (f"/panels/{call.co_design_panel_id}/", "/me/"):
        page = client.get(page_url).content.decode()
        assert link in page and "Help shape the criteria for Safe housing" in page, page_url

    svc.criteria_approve(scoring_round=the_round, by=chair.user)
    for page_url in (f"/panels/{call.co_design_panel_id}/", "/me/"):
        assert link not in client.get(page_url).content.decode()


def add_criteria(the_round, count, comment_by=None):
    """`count` more criteria described at every point (and as many comments, if asked)."""
    start = the_round.criteria.count()
    for n in range(start, start + count):
        criterion = Criterion.objects.create(
            round=the_round, position=n + 1, name=f"Criterion {n}", weight=1
        )
        Descriptor.objects.bulk_create(
            Descriptor(criterion=criterion, point=p, text=f"C{n} at {p}") for p in range(1, 6)
        )
        if comment_by is not None:
            CriteriaComment.objects.create(round=the_round, author=comment_by, text=f"Note {n}")


def test_the_workspace_query_count_does_not_grow(client, world):
    *_, member, _, the_round = world
    the_round.criteria.all().delete()
    client.force_login(member.user)

    assert_query_count_constant(
        client,
        url(the_round),
        lambda n: add_criteria(the_round, n, comment_by=member.user),
        sizes=(2, 8),
        max_queries=10,
    )
    page = client.get(url(the_round)).content.decode()
    assert len(re.findall(r"<h3 id=\"criterion-\d+-heading\">", page)) == 8
    assert page.count("Note ") == 8


def test_the_edit_page_query_count_does_not_grow(client, world):
    *_, member, _, the_round = world
    the_round.criteria.all().delete()
    client.force_login(member.user)

    assert_query_count_constant(
        client,
        url(the_round, "edit/"),
        lambda n: add_criteria(the_round, n),
        sizes=(2, 8),
        max_queries=10,
    )
