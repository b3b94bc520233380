"""iCalendar (RFC 5545) files for meeting invitations, in the iTIP shape (RFC 5546) that mail
clients act on: METHOD:REQUEST adds or updates the event, METHOD:CANCEL removes it. Every
version of one event keeps its UID; a higher SEQUENCE tells clients which version is newer."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from enum import StrEnum

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

PRODUCT_ID = "-//Tandem//Panel sessions//EN"


class Method(StrEnum):
    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    sequence: int
    starts_at: datetime
    duration: timedelta
    summary: str
    description: str = ""
    location: str = ""
    url: str = ""


def _organizer() -> vCalAddress:
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "noreply@tandem.invalid"
    organizer = vCalAddress(f"mailto:{address}")
    organizer.params["cn"] = vText("Tandem")
    return organizer


def calendar_file(event: CalendarEvent, *, method: Method, attendee_email: str) -> str:
    """One event as an iCalendar file for one attendee. The start is written in UTC, so every
    client shows it in its own time zone without needing a time zone definition."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", str(method))
    vevent = Event()
    vevent.add("uid", f"{event.uid}@tandem")
    vevent.add("sequence", event.sequence)
    vevent.add("dtstamp", timezone.now().astimezone(UTC))
    vevent.add("dtstart", event.starts_at.astimezone(UTC))
    vevent.add("duration", event.duration)
    vevent.add("summary", event.summary)
    if event.description:
        vevent.add("description", event.description)
    if event.location:
        vevent.add("location", event.location)
    if event.url:
        vevent.add("url", event.url)
    vevent.add("organizer", _organizer())
    attendee = vCalAddress(f"mailto:{attendee_email}")
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["rsvp"] = vText("FALSE")
    vevent.add("attendee", attendee)
    vevent.add("status", "CANCELLED" if method == Method.CANCEL else "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    calendar.add_component(vevent)
    return calendar.to_ical().decode()


def calendar_content_type(method: Method) -> str:
    return f"text/calendar; method={method}; charset=utf-8"
