"""The public funding call pages at /calls/ (cms.FundingCallIndexPage): which calls show,
what a call page says, that the full-page cache forgets a call page exactly when what it shows
changes, and what the pages cost in queries."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from cms.models import FundingCallIndexPage
from cms.seed import site_seed
from core.public_cache import public_cache_invalidate, public_cache_version
from engagement.models import Criterion, Descriptor, ScoringRound
from engagement.services.calls import call_close, call_open
from tests.factories import coordinator, expert, funding_call, panel, scoring_round
from tests.helpers import assert_query_count_constant, count_queries


@pytest.fixture
def home(db):
    return site_seed()


@pytest.fixture
def open_call(home):
    co_design = panel(chairs=[expert()], name="Safer Work Panel")
    call = funding_call(
        status="open",
        slug="safer-work",
        title="Safer work after exploitation",
        summary="Research into what makes work safe after exploitation.",
        eligibility="UK universities and charities.",
        budget="150000.00",
        requires_partner=True,
        co_design_panel=co_design,
        opens_at=datetime.datetime(2026, 11, 1, 9, 0, tzinfo=datetime.UTC),
        closes_at=timezone.now() + datetime.timedelta(days=30),
    )
    the_round = scoring_round(
        call=call,
        criteria=(("Relevance to survivors", "2"),),
        criteria_status="approved",
        lived_weight=Decimal("2"),
        academic_weight=Decimal("1"),
        staff_weight=Decimal("1"),
    )
    criterion = the_round.criteria.get()
    criterion.guidance = "Does it answer a question survivors ask?"
    criterion.save()
    Descriptor.objects.filter(criterion=criterion, point=5).update(text="Answers it fully")
    public_cache_invalidate()
    return call


def anonymous_page(client, path):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.content.decode()


def test_the_seed_makes_the_calls_page_in_the_menu_in_both_languages(client, home):
    english = FundingCallIndexPage.objects.get(locale__language_code="en")
    welsh = FundingCallIndexPage.objects.get(locale__language_code="cy")

    assert english.url == "/calls/"
    assert welsh.url == "/cy/galwadau-cyllid/"
    assert '<a href="/calls/">Funding calls</a>' in anonymous_page(client, "/about/")
    site_seed()
    assert FundingCallIndexPage.objects.count() == 2


def test_the_list_shows_open_upcoming_and_closed_calls_never_drafts(client, open_call):
    now = timezone.now()
    funding_call(
        status="open",
        slug="later",
        title="Opening later call",
        opens_at=now + datetime.timedelta(days=5),
        closes_at=now + datetime.timedelta(days=40),
    )
    funding_call(status="closed", slug="done", title="Finished call")
    funding_call(status="draft", slug="secret", title="Draft call")

    page = anonymous_page(client, "/calls/")

    assert "Open for proposals" in page
    assert '<a href="/calls/safer-work/">Safer work after exploitation</a>' in page
    assert '<a href="/calls/later/">Opening later call</a>' in page
    assert '<a href="/calls/done/">Finished call</a>' in page
    assert "Draft call" not in page
    assert page.index("Safer work") < page.index("Opening later") < page.index("Finished call")


def test_a_draft_call_has_no_public_page(client, home):
    funding_call(status="draft", slug="secret", title="Draft call")

    assert client.get("/calls/secret/").status_code == 404
    assert client.get("/calls/no-such-call/").status_code == 404


def test_a_call_page_shows_what_the_call_asks_and_how_it_is_scored(client, open_call):
    page = anonymous_page(client, "/calls/safer-work/")

    assert "<h1>Safer work after exploitation</h1>" in page
    assert "Research into what makes work safe after exploitation." in page
    assert "UK universities and charities." in page
    assert "£150,000.00" in page
    assert "Sunday 1 November 2026, 09:00 (Europe/London, GMT)" in page
    assert "Required: every proposal must name at least one non-academic partner" in page
    assert "Safer Work Panel, a panel of experts with lived experience" in page
    assert "Relevance to survivors" in page
    assert "Does it answer a question survivors ask?" in page
    assert '<th scope="row">5</th><td>Answers it fully</td>' in page
    assert '<th scope="row">1</th><td>Relevance to survivors: 1</td>' in page
    assert "the lived-experience experts' scores make up 50% of its final score" in page
    assert '<th scope="row">Experts with lived experience</th><td>2</td><td>50%</td>' in page
    assert '<th scope="row">Academic reviewers</th><td>1</td><td>25%</td>' in page
    assert 'href="/calls/safer-work/apply/"' in page


def test_the_panel_members_are_never_named(client, open_call):
    chair = open_call.co_design_panel.memberships.get().expert

    assert chair.user.display_name not in anonymous_page(client, "/calls/safer-work/")


def test_the_welsh_call_page_lives_under_the_welsh_calls_page(client, open_call):
    page = anonymous_page(client, "/cy/galwadau-cyllid/safer-work/")

    assert "Safer work after exploitation" in page
    assert 'href="/cy/calls/safer-work/apply/"' in page


def test_a_closed_call_page_offers_no_form(client, open_call):
    call_close(call=open_call, by=None)

    page = anonymous_page(client, "/calls/safer-work/")

    assert "Closed" in page
    assert "/apply/" not in page


# The full-page cache: a change to what a call page shows shows on the next anonymous request.


def cached(client, path):
    anonymous_page(client, path)
    response = client.get(path)
    assert response["X-Tandem-Cache"] == "hit"
    return response


def change_round(call, **fields):
    the_round = ScoringRound.objects.get(call=call)
    for name, value in fields.items():
        setattr(the_round, name, value)
    the_round.save()


def change_criterion(call, **fields):
    criterion = Criterion.objects.get(round__call=call)
    for name, value in fields.items():
        setattr(criterion, name, value)
    criterion.save()


def change_descriptor(call, text):
    descriptor = Descriptor.objects.get(criterion__round__call=call, point=3)
    descriptor.text = text
    descriptor.save()


def change_call(call, **fields):
    for name, value in fields.items():
        setattr(call, name, value)
    call.save()


def rename_panel(call, name):
    co_design = type(call.co_design_panel).objects.get(pk=call.co_design_panel_id)
    co_design.name = name
    co_design.save()


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        (lambda call: change_call(call, summary="A new summary."), "A new summary."),
        (lambda call: change_call(call, budget="99.00"), "£99.00"),
        (lambda call: change_round(call, lived_weight=Decimal("6")), "make up 75% of"),
        (lambda call: change_criterion(call, guidance="New guidance."), "New guidance."),
        (lambda call: change_descriptor(call, "Halfway there"), "<td>Halfway there</td>"),
        (lambda call: rename_panel(call, "Renamed Panel"), "Renamed Panel, a panel of"),
        (
            lambda call: Criterion.objects.create(
                round=call.round, position=9, name="Added criterion", weight=1
            ),
            "Added criterion",
        ),
    ],
    ids=["call", "budget", "group weights", "criterion", "descriptor", "panel", "new criterion"],
)
def test_a_change_shows_on_the_next_anonymous_request(client, open_call, change, shown):
    for path in ("/calls/", "/calls/safer-work/"):
        cached(client, path)

    change(open_call)

    assert shown in anonymous_page(client, "/calls/safer-work/")
    assert client.get("/calls/safer-work/")["X-Tandem-Cache"] == "hit"


def test_a_call_leaves_the_pages_when_it_closes_and_appears_when_it_opens(client, open_call):
    cached(client, "/calls/")
    call_close(call=open_call, by=None)

    assert (
        '<a href="/calls/safer-work/">Safer work after exploitation</a> <span class="hint">closed'
        in (anonymous_page(client, "/calls/"))
    )

    draft = funding_call(status="draft", slug="next", title="The next call")
    scoring_round(call=draft, criteria_status="approved")
    cached(client, "/calls/")
    call_open(call=draft, by=coordinator())

    assert '<a href="/calls/next/">The next call</a>' in anonymous_page(client, "/calls/")


def test_changes_to_a_draft_call_leave_the_cache_alone(client, open_call):
    draft = funding_call(status="draft", slug="next", title="The next call")
    the_round = scoring_round(call=draft, criteria=(("Relevance", "1"),))
    version = public_cache_version()

    change_call(draft, summary="Still a draft.")
    change_round(draft, lived_weight=Decimal("3"))
    change_criterion(draft, guidance="Draft guidance.")
    change_descriptor(draft, "Draft descriptor")
    the_round.criteria.get().delete()
    unrelated = panel(name="Another panel")
    unrelated.name = "Renamed elsewhere"
    unrelated.save()

    assert public_cache_version() == version


# Query counts, measured cold (with the page cache warm a page costs no query at all).


def cold_count(client, path):
    public_cache_invalidate()
    return count_queries(client, path)


def test_the_call_list_costs_the_same_whatever_the_number_of_calls(client, open_call):
    def grow(count):
        for _ in range(count):
            call = funding_call(status="open")
            scoring_round(call=call)

    assert_query_count_constant(client, "/calls/", grow, sizes=(2, 12))
    grow(0)
    cold_count(client, "/calls/")
    small = cold_count(client, "/calls/")
    grow(10)
    cold_count(client, "/calls/")
    assert cold_count(client, "/calls/") == small


def test_a_call_page_costs_the_same_whatever_the_number_of_criteria(client, open_call):
    the_round = open_call.round

    def add_criteria(count):
        start = the_round.criteria.count()
        for position in range(start + 1, start + count + 1):
            criterion = Criterion.objects.create(
                round=the_round, position=position, name=f"Criterion {position}", weight=1
            )
            for point in the_round.scale:
                Descriptor.objects.create(criterion=criterion, point=point, text=f"{point}")

    cold_count(client, "/calls/safer-work/")
    small = cold_count(client, "/calls/safer-work/")
    add_criteria(8)
    cold_count(client, "/calls/safer-work/")
    large = cold_count(client, "/calls/safer-work/")

    assert small == large
    assert large <= 20
