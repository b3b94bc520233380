"""The co-design workspace's reads at their edges: the group weights in words when none
counts, and what the page is given (its panel, and the discussion in the order it was had)."""

import datetime

import pytest

from engagement.models import CriteriaComment
from engagement.selectors.codesign import codesign_page, group_weights_in_words
from tests.factories import funding_call, panel, researcher, scoring_round

pytestmark = pytest.mark.django_db


def test_with_every_group_weight_at_zero_the_words_say_no_group_counts_yet():
    the_round = scoring_round(lived_weight=0, academic_weight=0, staff_weight=0)

    assert group_weights_in_words(the_round) == [
        "No group counts yet: the group weights are all zero."
    ]


def test_the_workspace_has_its_panel_and_the_discussion_in_the_order_it_was_had():
    co_design = panel(name="Co-design")
    the_round = scoring_round(call=funding_call(co_design_panel=co_design))
    later = CriteriaComment.objects.create(round=the_round, author=researcher(), text="Later")
    earlier = CriteriaComment.objects.create(round=the_round, author=researcher(), text="Earlier")
    # Written first, saved second (as after a slow request): the time of writing decides.
    CriteriaComment.objects.filter(pk=earlier.pk).update(
        created_at=later.created_at - datetime.timedelta(minutes=5)
    )
    CriteriaComment.objects.create(
        round=scoring_round(call=funding_call()), author=researcher(), text="Elsewhere"
    )

    page = codesign_page(the_round)

    assert (page["scoring_round"], page["call"], page["panel"]) == (
        the_round,
        the_round.call,
        co_design,
    )
    assert [comment.text for comment in page["comments"]] == ["Earlier", "Later"]
