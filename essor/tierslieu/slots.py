"""The slot grid of a space: pure functions over local (Europe/Paris) times.

A booking covers whole slots of its space, on one day, inside one opening period of that
weekday, outside the place's closures. Times are stored aware (UTC) and reasoned about in the
local time of the place, so that a slot at 00:30 in Paris belongs to its Paris day.
"""

import dataclasses
import datetime
from collections.abc import Iterable

from django.utils import timezone


@dataclasses.dataclass(frozen=True)
class Period:
    opens_at: datetime.time
    closes_at: datetime.time


@dataclasses.dataclass(frozen=True)
class Slot:
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    taken: int = 0
    capacity: int = 1
    closed: bool = False
    label: str = ""  # « 10:00–10:30 », local time (computed once, not per template filter)

    @property
    def free(self) -> bool:
        return not self.closed and self.taken < self.capacity

    @property
    def left(self) -> int:
        return 0 if self.closed else max(self.capacity - self.taken, 0)


def local(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment)


def minutes_of(moment: datetime.time) -> int:
    return moment.hour * 60 + moment.minute


def at(day: datetime.date, minutes: int) -> datetime.datetime:
    """The aware moment `minutes` after local midnight of `day`."""
    naive = datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(minutes=minutes)
    return timezone.make_aware(naive)


def is_closed_on(day: datetime.date, closures: Iterable) -> bool:
    return any(closure.starts_on <= day <= closure.ends_on for closure in closures)


def problems(
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    *,
    slot_minutes: int,
    periods: list[Period],
    closures: Iterable,
) -> list[str]:
    """Why [starts_at, ends_at) cannot be booked on this grid (French), or nothing."""
    start, end = local(starts_at), local(ends_at)
    found = []
    if end <= start:
        return ["La fin de la réservation doit suivre son début."]
    if start.date() != end.date() and not (end.time() == datetime.time() and end.date() == start.date() + datetime.timedelta(days=1)):  # fmt: skip
        found.append("Une réservation tient dans une seule journée.")
    start_minutes = minutes_of(start.time())
    end_minutes = minutes_of(end.time()) or (24 * 60 if end.date() > start.date() else 0)
    if start.second or end.second or start_minutes % slot_minutes or end_minutes % slot_minutes:
        found.append(
            f"Les réservations de cet espace se font par créneaux de {slot_minutes} minutes "
            "(début et fin sur la grille)."
        )
    if is_closed_on(start.date(), closures):
        found.append(f"Le lieu est fermé le {start:%d/%m/%Y}.")
    elif not any(
        minutes_of(period.opens_at) <= start_minutes and end_minutes <= minutes_of(period.closes_at)
        for period in periods
    ):
        found.append("Le créneau n'est pas dans les horaires d'ouverture du lieu ce jour-là.")
    return found


def hour_label(minutes: int) -> str:
    """« 09:30 » for 570 minutes after midnight (as `core.formats.time_of_day` writes times)."""
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


def day_slots(
    day: datetime.date, *, slot_minutes: int, periods: list[Period]
) -> list[tuple[datetime.datetime, datetime.datetime, str]]:
    """The slots of `day` in the opening periods, in order, with their label."""
    slots = []
    for period in periods:
        minute = minutes_of(period.opens_at)
        closes = minutes_of(period.closes_at)
        # The first slot starts on the grid at or after the opening.
        minute += -minute % slot_minutes
        while minute + slot_minutes <= closes:
            label = f"{hour_label(minute)}–{hour_label(minute + slot_minutes)}"
            slots.append((at(day, minute), at(day, minute + slot_minutes), label))
            minute += slot_minutes
    return slots


def peak_overlap(intervals: Iterable[tuple[datetime.datetime, datetime.datetime]]) -> int:
    """The largest number of intervals that overlap at one instant (half-open intervals)."""
    events = []
    for starts_at, ends_at in intervals:
        events.append((starts_at, 1))
        events.append((ends_at, -1))
    # An interval that ends when another starts does not overlap it: ends sort first.
    events.sort(key=lambda event: (event[0], event[1]))
    peak = current = 0
    for _, step in events:
        current += step
        peak = max(peak, current)
    return peak
