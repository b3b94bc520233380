"""The guards of setting up a funding call and its scoring round (services.call_setup): who
may do it, the exact refusals coordinators read, the boundaries of every check, that a refusal
changes nothing, and the audit record of every change."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import AuditEvent
from core.transitions import TransitionNotAllowed
from engagement.models import FundingCall, ScoringRound
from engagement.services.call_setup import call_create, call_update, round_create, round_update
from tests.factories import coordinator, finance, funding_call, panel, scoring_round

pytestmark = pytest.mark.django_db


def _new_call(**overrides) -> dict:
    now = timezone.now()
    data = {
        "title": "Safe work after exploitation",
        "slug": "safe-work",
        "summary": "Research into safe work.",
        "eligibility": "UK research teams.",
        "budget": Decimal("100000.00"),
        "opens_at": now + timedelta(days=1),
        "closes_at": now + timedelta(days=40),
        "requires_partner": False,
        "co_design_panel": None,
    }
    return {**data, **overrides}


def _call_as_is(call: FundingCall, **overrides) -> dict:
    """The call's current details, as the admin form sends them back."""
    data = {
        "title": call.title,
        "slug": call.slug,
        "summary": call.summary,
        "eligibility": call.eligibility,
        "budget": Decimal(call.budget),
        "opens_at": call.opens_at,
        "closes_at": call.closes_at,
        "requires_partner": call.requires_partner,
        "co_design_panel": call.co_design_panel,
    }
    return {**data, **overrides}


def _new_round(**overrides) -> dict:
    data = {
        "scale_min": 1,
        "scale_max": 5,
        "rationale_required": True,
        "blind": True,
        "lived_weight": Decimal("2"),
        "academic_weight": Decimal("1"),
        "staff_weight": Decimal("1"),
        "reviewers_per_proposal": 3,
        "lived_minimum": 1,
        "load_cap": 10,
        "deadline": None,
    }
    return {**data, **overrides}


def _round_as_is(scoring_round: ScoringRound, **overrides) -> dict:
    data = {name: getattr(scoring_round, name) for name in _new_round()}
    return {**data, **overrides}


# Who may set up a call


def test_only_a_coordinator_may_draft_a_call():
    with pytest.raises(TransitionNotAllowed) as refused:
        call_create(by=finance(), data=_new_call())

    assert str(refused.value) == "Only coordinators set up funding calls."
    assert not FundingCall.objects.exists()


# What may be set


def test_a_field_the_form_does_not_set_is_refused_by_name():
    with pytest.raises(ValueError) as refused:
        call_create(by=coordinator(), data=_new_call(status="open", created_at=None))

    assert str(refused.value) == "Not settable here: ['created_at', 'status']"
    assert not FundingCall.objects.exists()


# The call's dates and budget


def test_a_call_that_closes_the_moment_it_opens_is_refused():
    opens = timezone.now() + timedelta(days=1)

    with pytest.raises(ValidationError) as refused:
        call_create(by=coordinator(), data=_new_call(opens_at=opens, closes_at=opens))

    assert refused.value.message_dict == {"closes_at": ["The call must close after it opens."]}
    assert not FundingCall.objects.exists()


def test_a_call_that_closes_a_second_after_it_opens_is_drafted():
    opens = timezone.now() + timedelta(days=1)

    call = call_create(
        by=coordinator(), data=_new_call(opens_at=opens, closes_at=opens + timedelta(seconds=1))
    )

    assert call.closes_at - call.opens_at == timedelta(seconds=1)


def test_a_budget_below_zero_is_refused():
    with pytest.raises(ValidationError) as refused:
        call_create(by=coordinator(), data=_new_call(budget=Decimal("-0.01")))

    assert refused.value.message_dict == {"budget": ["The budget cannot be less than zero."]}
    assert not FundingCall.objects.exists()


@pytest.mark.parametrize("budget", [Decimal("0"), Decimal("0.50")])
def test_a_budget_of_zero_or_less_than_a_pound_is_allowed(budget):
    call = call_create(by=coordinator(), data=_new_call(budget=budget))

    call.refresh_from_db()
    assert call.budget == budget


# The call's web address


def test_a_new_call_cannot_take_another_calls_web_address(django_assert_num_queries):
    funding_call(slug="safe-work")
    by = coordinator()

    # One look-up refuses it: the new call is not even tried.
    with django_assert_num_queries(2), pytest.raises(ValidationError) as refused:
        call_create(by=by, data=_new_call(slug="safe-work"))

    assert refused.value.message_dict == {"slug": ["Another call already uses this web address."]}
    assert FundingCall.objects.count() == 1


def test_a_draft_call_cannot_take_another_calls_web_address():
    funding_call(slug="safe-work")
    call = funding_call(slug="safe-homes")

    with pytest.raises(ValidationError) as refused:
        call_update(call=call, by=coordinator(), data=_call_as_is(call, slug="safe-work"))

    assert refused.value.message_dict == {"slug": ["Another call already uses this web address."]}
    call.refresh_from_db()
    assert call.slug == "safe-homes"


# Changing a call


def test_an_open_call_keeps_its_details():
    call = funding_call(status="open", title="Safe homes")

    with pytest.raises(TransitionNotAllowed) as refused:
        call_update(call=call, by=coordinator(), data=_call_as_is(call, title="Safe work"))

    assert str(refused.value) == "The call has opened: its details cannot change now."
    call.refresh_from_db()
    assert call.title == "Safe homes"
    assert not AuditEvent.objects.filter(action="funding_call.update").exists()


def test_a_call_update_records_who_changed_which_fields():
    call = funding_call(title="Safe homes")
    by = coordinator()

    call_update(
        call=call,
        by=by,
        data=_call_as_is(call, title="Safe work", budget=Decimal("1000.00")),
    )

    event = AuditEvent.objects.get(action="funding_call.update")
    assert (event.actor, event.subject, event.extra) == (by, call, {"fields": ["budget", "title"]})


def test_a_call_update_writes_only_the_fields_it_changed():
    call = funding_call(title="Safe homes")

    with CaptureQueriesContext(connection) as queries:
        call_update(call=call, by=coordinator(), data=_call_as_is(call, title="Safe work"))

    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "engagement_fundingcall"')]
    assert len(updates) == 1
    assert '"title"' in updates[0]
    assert '"slug"' not in updates[0]
    assert '"status"' not in updates[0]


def test_keeping_the_same_panel_changes_nothing_and_records_nothing():
    housing = panel()
    call = funding_call(co_design_panel=housing)

    call_update(call=call, by=coordinator(), data=_call_as_is(call))

    assert not AuditEvent.objects.filter(action="funding_call.update").exists()


# The co-design panel once the criteria are approved


def test_a_call_whose_criteria_are_approved_keeps_its_panel():
    housing = panel()
    call = funding_call(co_design_panel=housing)
    scoring_round(call=call, criteria_status=ScoringRound.CriteriaStatus.APPROVED)

    with pytest.raises(ValidationError) as refused:
        call_update(
            call=call, by=coordinator(), data=_call_as_is(call, co_design_panel=panel(name="Work"))
        )

    assert refused.value.message_dict == {
        "co_design_panel": [
            "The panel has approved the criteria: reopen the criteria before "
            "choosing another panel."
        ]
    }
    call.refresh_from_db()
    assert call.co_design_panel == housing


def test_a_call_whose_criteria_are_approved_may_change_its_other_details():
    housing = panel()
    call = funding_call(co_design_panel=housing, title="Safe homes")
    scoring_round(call=call, criteria_status=ScoringRound.CriteriaStatus.APPROVED)

    call_update(call=call, by=coordinator(), data=_call_as_is(call, title="Safe work"))

    call.refresh_from_db()
    assert (call.title, call.co_design_panel) == ("Safe work", housing)


def test_a_call_whose_criteria_are_still_drafted_may_change_its_panel():
    call = funding_call(co_design_panel=panel())
    scoring_round(call=call, criteria_status=ScoringRound.CriteriaStatus.DRAFTING)
    work = panel(name="Work")

    call_update(call=call, by=coordinator(), data=_call_as_is(call, co_design_panel=work))

    call.refresh_from_db()
    assert call.co_design_panel == work


def test_another_calls_approved_criteria_do_not_hold_this_calls_panel():
    other = funding_call(co_design_panel=panel())
    scoring_round(call=other, criteria_status=ScoringRound.CriteriaStatus.APPROVED)
    call = funding_call(co_design_panel=panel(name="Homes"))
    work = panel(name="Work")

    call_update(call=call, by=coordinator(), data=_call_as_is(call, co_design_panel=work))

    call.refresh_from_db()
    assert call.co_design_panel == work


# The scoring round's settings


def test_a_scale_whose_highest_equals_its_lowest_is_refused():
    call = funding_call()

    with pytest.raises(ValidationError) as refused:
        round_create(call=call, by=coordinator(), data=_new_round(scale_min=3, scale_max=3))

    assert refused.value.message_dict == {
        "scale_max": ["The highest score must be more than the lowest."]
    }
    assert not ScoringRound.objects.exists()


def test_more_lived_experience_reviewers_than_reviewers_is_refused():
    with pytest.raises(ValidationError) as refused:
        round_create(
            call=funding_call(),
            by=coordinator(),
            data=_new_round(reviewers_per_proposal=2, lived_minimum=3),
        )

    assert refused.value.message_dict == {
        "lived_minimum": [
            "There cannot be more lived-experience reviewers than reviewers per proposal."
        ]
    }


def test_every_reviewer_may_be_required_to_have_lived_experience():
    scoring_round = round_create(
        call=funding_call(),
        by=coordinator(),
        data=_new_round(reviewers_per_proposal=3, lived_minimum=3),
    )

    assert (scoring_round.reviewers_per_proposal, scoring_round.lived_minimum) == (3, 3)


WEIGHTS_REFUSED = {
    "lived_weight": [
        "Group weights cannot be less than zero, and at least one must be more than zero."
    ]
}


@pytest.mark.parametrize(
    "weights",
    [
        (Decimal("0"), Decimal("0"), Decimal("0")),
        (Decimal("2"), Decimal("-1"), Decimal("1")),
    ],
    ids=["all zero", "one below zero"],
)
def test_group_weights_all_zero_or_below_zero_are_refused(weights):
    lived, academic, staff = weights

    with pytest.raises(ValidationError) as refused:
        round_create(
            call=funding_call(),
            by=coordinator(),
            data=_new_round(lived_weight=lived, academic_weight=academic, staff_weight=staff),
        )

    assert refused.value.message_dict == WEIGHTS_REFUSED
    assert not ScoringRound.objects.exists()


def test_one_groups_weight_may_be_zero_or_a_fraction():
    scoring_round = round_create(
        call=funding_call(),
        by=coordinator(),
        data=_new_round(
            lived_weight=Decimal("2"), academic_weight=Decimal("0.5"), staff_weight=Decimal("0")
        ),
    )

    scoring_round.refresh_from_db()
    assert (
        scoring_round.lived_weight,
        scoring_round.academic_weight,
        scoring_round.staff_weight,
    ) == (Decimal("2"), Decimal("0.5"), Decimal("0"))


def test_every_broken_round_setting_is_named_at_once():
    with pytest.raises(ValidationError) as refused:
        round_create(
            call=funding_call(),
            by=coordinator(),
            data=_new_round(
                scale_min=5,
                scale_max=1,
                reviewers_per_proposal=1,
                lived_minimum=2,
                lived_weight=Decimal("0"),
                academic_weight=Decimal("0"),
                staff_weight=Decimal("0"),
            ),
        )

    assert sorted(refused.value.message_dict) == ["lived_minimum", "lived_weight", "scale_max"]


# Making the round


def test_a_call_has_one_scoring_round():
    call = funding_call()
    first = scoring_round(call=call)

    with pytest.raises(TransitionNotAllowed) as refused:
        round_create(call=call, by=coordinator(), data=_new_round())

    assert str(refused.value) == "This call already has its scoring round."
    assert list(ScoringRound.objects.all()) == [first]


def test_making_the_round_records_who_made_it_for_which_call():
    call = funding_call()
    by = coordinator()

    made = round_create(call=call, by=by, data=_new_round())

    event = AuditEvent.objects.get(action="scoringround.create")
    assert (event.actor, event.subject, event.extra) == (by, made, {"call": call.pk})


# Changing the round


def test_a_round_past_its_set_up_keeps_its_settings():
    scoring_round_ = scoring_round(phase=ScoringRound.Phase.CONFLICTS, load_cap=10)

    with pytest.raises(TransitionNotAllowed) as refused:
        round_update(
            scoring_round=scoring_round_,
            by=coordinator(),
            data=_round_as_is(scoring_round_, load_cap=4),
        )

    assert str(refused.value) == "The round is past its set-up: its settings cannot change now."
    scoring_round_.refresh_from_db()
    assert scoring_round_.load_cap == 10


def test_the_scale_and_weights_are_left_to_the_co_design_panel():
    scoring_round_ = scoring_round()
    message = "The co-design panel sets this with the criteria, in the co-design workspace."

    with pytest.raises(ValidationError) as refused:
        round_update(
            scoring_round=scoring_round_,
            by=coordinator(),
            data=_round_as_is(scoring_round_, scale_max=7, staff_weight=Decimal("3"), load_cap=4),
        )

    assert refused.value.message_dict == {"scale_max": [message], "staff_weight": [message]}
    scoring_round_.refresh_from_db()
    assert (scoring_round_.scale_max, scoring_round_.load_cap) == (5, 10)
    assert not AuditEvent.objects.filter(action="scoringround.update").exists()


def test_a_round_update_records_who_changed_which_fields():
    scoring_round_ = scoring_round()
    by = coordinator()

    round_update(
        scoring_round=scoring_round_,
        by=by,
        data=_round_as_is(scoring_round_, load_cap=4, blind=False),
    )

    event = AuditEvent.objects.get(action="scoringround.update")
    assert (event.actor, event.subject, event.extra) == (
        by,
        scoring_round_,
        {"fields": ["blind", "load_cap"]},
    )
    scoring_round_.refresh_from_db()
    assert (scoring_round_.load_cap, scoring_round_.blind) == (4, False)


def test_a_round_update_writes_only_the_fields_it_changed():
    scoring_round_ = scoring_round()

    with CaptureQueriesContext(connection) as queries:
        round_update(
            scoring_round=scoring_round_,
            by=coordinator(),
            data=_round_as_is(scoring_round_, load_cap=4),
        )

    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "engagement_scoringround"')]
    assert len(updates) == 1
    assert '"load_cap"' in updates[0]
    assert '"phase"' not in updates[0]
    assert '"criteria_status"' not in updates[0]
