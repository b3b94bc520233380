"""The public "How we pay" page shows the rates of the rate card in force and what changes
when, read from the rate cards, and shows a new card at once even from the page cache."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cms.seed import site_seed
from core.public_cache import public_cache_invalidate
from payments.models import RateCard
from tests.helpers import count_queries

RATES = {
    "session_hourly": Decimal("25.00"),
    "preparation_hourly": Decimal("20.00"),
    "review_fee": Decimal("40.00"),
    "writing_hourly": Decimal("25.00"),
    "day_rate": Decimal("1150.50"),
    "mileage_per_mile": Decimal("0.45"),
}


def card(days_from_today: int, **changes) -> RateCard:
    return RateCard.objects.create(
        effective_from=timezone.localdate() + timedelta(days=days_from_today),
        **{**RATES, **changes},
    )


@pytest.fixture
def home(db):
    return site_seed()


def test_the_page_shows_the_rates_in_force_and_the_changes_to_come(client, home):
    card(-400, session_hourly=Decimal("20.00"))
    in_force = card(-10, expenses_notes="We pay bus and train fares.")
    later = card(30, session_hourly=Decimal("30.00"), mileage_per_mile=Decimal("0.50"))

    page = client.get("/how-we-pay/").content.decode()

    since = in_force.effective_from.strftime("%-d %B %Y")
    assert f"These rates have been in force since {since}." in page
    assert '<th scope="row">Sessions</th><td>£25.00 an hour</td>' in page
    assert '<th scope="row">Preparation</th><td>£20.00 an hour</td>' in page
    assert "£40.00 for each proposal" in page
    assert "£1,150.50 a day" in page
    assert "£0.45 a mile" in page
    assert "We pay bus and train fares." in page
    starts = later.effective_from.strftime("%-d %B %Y")
    assert f"From {starts} the session rate is £30.00 an hour." in page
    assert f"From {starts} the mileage rate is £0.50 a mile." in page
    # Only what changes is announced.
    assert "the review fee is" not in page
    assert "£20.00 an hour</td>" in page and "£20.00 an hour." not in page


def test_without_a_rate_card_the_page_says_rates_are_being_set(client, home):
    page = client.get("/how-we-pay/").content.decode()

    assert "We are setting our rates." in page


def test_a_saved_rate_card_shows_at_once_on_the_cached_page(client, home):
    in_force = card(-10)
    client.get("/how-we-pay/")
    assert client.get("/how-we-pay/")["X-Tandem-Cache"] == "hit"

    in_force.session_hourly = Decimal("27.50")
    in_force.save()
    first = client.get("/how-we-pay/")
    upcoming = card(5, session_hourly=Decimal("31.00"))
    second = client.get("/how-we-pay/").content.decode()
    upcoming.delete()
    third = client.get("/how-we-pay/").content.decode()

    assert first["X-Tandem-Cache"] == "miss"
    assert "£27.50 an hour" in first.content.decode()
    assert "the session rate is £31.00 an hour." in second
    assert "£31.00" not in third


def test_the_welsh_page_shows_the_rates_too(client, home):
    card(-10)

    page = client.get("/cy/sut-rydyn-ni-yn-talu/").content.decode()

    assert "£25.00" in page


def test_rendering_the_rates_costs_the_same_whatever_the_number_of_cards(client, home):
    # Measured with the page cache cleared each time (a cached page costs nothing), after a
    # first request that creates the site settings.
    card(-10)
    client.get("/how-we-pay/")
    public_cache_invalidate()
    few = count_queries(client, "/how-we-pay/")
    for months in range(1, 20):
        card(months * 30)
    public_cache_invalidate()

    assert count_queries(client, "/how-we-pay/") == few
