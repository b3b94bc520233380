"""Times shown in the reader's own time zone, always with the zone named beside them: a
session time without its zone is a missed meeting for someone abroad."""

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django import template
from django.conf import settings
from django.utils import formats

register = template.Library()


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def zone_label(local: datetime) -> str:
    """ "Europe/London, GMT": the place people chose, and the abbreviation clocks show."""
    name = str(local.tzinfo).replace("_", " ")
    abbreviation = local.tzname() or ""
    if not abbreviation or abbreviation.startswith(("+", "-")) or abbreviation == name:
        return name
    return f"{name}, {abbreviation}"


@register.filter
def in_zone(value: datetime | None, zone: str | None = None) -> str:
    """Tuesday 8 December 2026, 14:00 (Europe/London, GMT)."""
    if value is None:
        return ""
    local = value.astimezone(_zone(zone))
    return f"{formats.date_format(local, 'l j F Y, H:i')} ({zone_label(local)})"


@register.filter
def time_in_zone(value: datetime | None, zone: str | None = None) -> str:
    """14:00, in the zone given: for an end time shown beside its start."""
    if value is None:
        return ""
    return formats.time_format(value.astimezone(_zone(zone)), "H:i")
