"""Business time, as the practice sets it (docs/decisions.md 58): when the office is open,
when it next opens, and which items have waited too long.

An item waits in business time only: the clock runs while the office is open and stops
while it is closed. With ``business_hours`` it is overdue once it has waited that many open
hours. With ``business_days`` it is overdue at the same time of day that many open days
later (an item that arrives while the office is closed starts at the next opening; a day
that closes earlier than that time makes it overdue at that day's close). Every function
here is pure and its work bounded, whatever the settings: a week always has an open day
(the settings' own rule), and an item is due within ``overdue_after`` weeks at most.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from patientportal.models.practice import WEEKDAYS, OpeningHours, PracticeSettingsChange

# Enough days to find the next opening (a week has one) or to count out the wait.
_WEEK = 7


def _zone(settings: PracticeSettingsChange) -> ZoneInfo:
    return ZoneInfo(settings.time_zone)


def _hours_on(settings: PracticeSettingsChange, day: date) -> OpeningHours | None:
    return settings.office_hours.get(WEEKDAYS[day.weekday()])


def _at(day: date, clock: str, zone: ZoneInfo) -> datetime:
    hours, minutes = (int(part) for part in clock.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=zone)


def _opening(settings: PracticeSettingsChange, day: date) -> tuple[datetime, datetime] | None:
    """That day's open and close, as moments; ``None`` on a closed day."""
    hours = _hours_on(settings, day)
    if hours is None:
        return None
    zone = _zone(settings)
    return _at(day, hours.open, zone), _at(day, hours.close, zone)


def is_open(settings: PracticeSettingsChange, at: datetime) -> bool:
    local = at.astimezone(_zone(settings))
    opening = _opening(settings, local.date())
    return opening is not None and opening[0] <= local < opening[1]


def next_opening(settings: PracticeSettingsChange, at: datetime) -> datetime:
    """``at`` itself while the office is open; otherwise when it next opens."""
    local = at.astimezone(_zone(settings))
    for offset in range(_WEEK + 1):
        opening = _opening(settings, local.date() + timedelta(days=offset))
        if opening is None:
            continue
        opens, closes = opening
        if local < closes:
            return max(local, opens).astimezone(UTC)
    raise ValueError("the office never opens")  # the settings refuse a week with no open day


def _open_days_after(settings: PracticeSettingsChange, day: date, count: int) -> date:
    """The ``count``-th open day after ``day``."""
    found = 0
    for offset in range(1, _WEEK * (count + 1) + 1):
        candidate = day + timedelta(days=offset)
        if _hours_on(settings, candidate) is not None:
            found += 1
            if found == count:
                return candidate
    raise ValueError("the office never opens")


def overdue_at(settings: PracticeSettingsChange, received_at: datetime) -> datetime:
    """When an item received at ``received_at`` has waited too long."""
    start = next_opening(settings, received_at).astimezone(_zone(settings))
    if settings.overdue_unit == "business_days":
        due_day = _open_days_after(settings, start.date(), settings.overdue_after)
        opens, closes = _opening(settings, due_day) or (start, start)
        due = _at(due_day, start.strftime("%H:%M"), _zone(settings)).replace(second=start.second)
        return min(max(due, opens), closes).astimezone(UTC)
    remaining = timedelta(hours=settings.overdue_after)
    moment = start
    for _ in range(_WEEK * (settings.overdue_after + 1)):
        opening = _opening(settings, moment.date())
        if opening is not None and moment < opening[1]:
            moment = max(moment, opening[0])
            left_today = opening[1] - moment
            if remaining <= left_today:
                return (moment + remaining).astimezone(UTC)
            remaining -= left_today
        moment = datetime.combine(moment.date() + timedelta(days=1), time(0), tzinfo=moment.tzinfo)
    raise ValueError("the office never opens")


def overdue_cutoff(settings: PracticeSettingsChange, now: datetime) -> datetime:
    """The latest moment an item can have been received and be overdue at ``now``: every
    item received at or before it is overdue, every later one is not. ``overdue_at`` never
    runs backwards, so halving a year-long span to the second finds it in 25 steps."""
    earliest, latest = now - timedelta(days=366), now
    if overdue_at(settings, earliest) > now:
        return earliest
    while latest - earliest > timedelta(seconds=1):
        middle = earliest + (latest - earliest) / 2
        if overdue_at(settings, middle) <= now:
            earliest = middle
        else:
            latest = middle
    return earliest.replace(microsecond=0)
