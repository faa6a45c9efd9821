"""The public programme as files: CSV and JSON (open data) and an iCalendar feed (the
`icalendar` package, RFC 5545), every time in Europe/Paris."""

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from essor.core.formats import local_datetime

COLUMNS = [
    "edition",
    "titre",
    "description",
    "public",
    "debut",
    "fin",
    "stand",
    "zone",
    "lieu",
]


def _where(animation, edition) -> str:
    if animation.stand is None:
        return f"Espace commun — {edition.place}"
    return f"Stand {animation.stand.number} ({animation.stand.zone.name}) — {edition.place}"


def rows(edition, animations):
    for animation in animations:
        yield [
            edition.name,
            animation.title,
            animation.description,
            animation.audience,
            local_datetime(animation.starts_at),
            local_datetime(animation.ends_at),
            animation.stand.number if animation.stand else "",
            animation.stand.zone.name if animation.stand else "",
            _where(animation, edition),
        ]


def records(edition, animations) -> list[dict]:
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows(edition, animations)]


def ics(edition, animations) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Essor//Village des solidarités//FR")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", edition.name)
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    host = settings.SITE_URL.split("://")[-1].strip("/") if settings.SITE_URL else "essor"
    stamp = timezone.now()
    for animation in animations:
        event = Event()
        event.add("uid", f"village-animation-{animation.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", local_datetime(animation.starts_at))
        event.add("dtend", local_datetime(animation.ends_at))
        event.add("summary", animation.title)
        if animation.description:
            event.add("description", animation.description)
        event.add("location", _where(animation, edition))
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
