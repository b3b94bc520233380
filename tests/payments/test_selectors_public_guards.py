"""The public "How we pay" page: every rate of the card in force by its name, and one sentence
for each rate a card to come changes, compared with the card before it."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cms.seed import site_seed
from payments.models import RateCard

RATES = {
    "session_hourly": Decimal("25.00"),
    "preparation_hourly": Decimal("20.00"),
    "review_fee": Decimal("40.00"),
    "writing_hourly": Decimal("30.00"),
    "day_rate": Decimal("1150.50"),
    "mileage_per_mile": Decimal("0.45"),
}


def card(days_from_today: int, **changes) -> RateCard:
    return RateCard.objects.create(
        effective_from=timezone.localdate() + timedelta(days=days_from_today),
        **{**RATES, **{name: Decimal(value) for name, value in changes.items()}},
    )


def shown(day) -> str:
    return day.strftime("%-d %B %Y")


def rates_section(client) -> str:
    page = client.get("/how-we-pay/").content.decode()
    return re.search(r'<section class="rates".*?</section>', page, re.S).group(0)


def table(section: str) -> list[tuple[str, str]]:
    return re.findall(r'<th scope="row">(.*?)</th><td>(.*?)</td>', section)


def changes(section: str) -> list[str]:
    return re.findall(r"<li>(.*?)</li>", section)


@pytest.fixture
def home(db):
    return site_seed()


def test_every_rate_in_force_shows_by_its_name_and_how_it_is_counted(client, home):
    card(-400, session_hourly="10.00")
    card(-10)

    assert table(rates_section(client)) == [
        ("Sessions", "£25.00 an hour"),
        ("Preparation", "£20.00 an hour"),
        ("Reviewing a funding proposal", "£40.00 for each proposal"),
        ("Writing", "£30.00 an hour"),
        ("A full day", "£1,150.50 a day"),
        ("Travel by car", "£0.45 a mile"),
    ]


def test_each_card_to_come_announces_only_what_it_changes_from_the_card_before(client, home):
    card(-10)
    # Every rate but the mileage changes, from the card in force.
    every = card(
        30,
        session_hourly="26.00",
        preparation_hourly="21.00",
        review_fee="42.00",
        writing_hourly="31.00",
        day_rate="1200.00",
    )
    # Compared with the card before it (the one in 30 days), not with the one in force.
    one = card(
        60, writing_hourly="33.00", **{n: getattr(every, n) for n in RATES if n != "writing_hourly"}
    )
    same = card(90, **{n: getattr(one, n) for n in RATES})

    section = rates_section(client)

    first, second = shown(every.effective_from), shown(one.effective_from)
    assert changes(section) == [
        f"From {first} the session rate is £26.00 an hour.",
        f"From {first} the preparation rate is £21.00 an hour.",
        f"From {first} the review fee is £42.00 for each proposal.",
        f"From {first} the writing rate is £31.00 an hour.",
        f"From {first} the day rate is £1,200.00 a day.",
        f"From {second} the writing rate is £33.00 an hour.",
        f"From {shown(same.effective_from)} our expenses rules change.",
    ]


def test_before_the_first_card_every_rate_of_the_card_to_come_is_announced(client, home):
    later = card(5)

    section = rates_section(client)

    starts = shown(later.effective_from)
    assert "We are setting our rates." in section
    assert table(section) == []
    assert changes(section) == [
        f"From {starts} the session rate is £25.00 an hour.",
        f"From {starts} the preparation rate is £20.00 an hour.",
        f"From {starts} the review fee is £40.00 for each proposal.",
        f"From {starts} the writing rate is £30.00 an hour.",
        f"From {starts} the day rate is £1,150.50 a day.",
        f"From {starts} the mileage rate is £0.45 a mile.",
    ]
