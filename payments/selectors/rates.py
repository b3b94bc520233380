from datetime import date

from django.utils import timezone

from payments.models import RateCard


def rate_card_in_force(*, on: date) -> RateCard | None:
    """The card with the latest `effective_from` on or before `on` (None before the first)."""
    return RateCard.objects.filter(effective_from__lte=on).order_by("-effective_from").first()


def rate_cards_upcoming(*, after: date | None = None) -> list[RateCard]:
    """Cards that come into force after `after` (today by default), soonest first: what
    changes when."""
    after = after or timezone.localdate()
    return list(RateCard.objects.filter(effective_from__gt=after).order_by("effective_from"))
