"""Business time (logic.practice.hours): when the office is open, when it next opens, and
when a waiting item becomes overdue, in the practice's own time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from patientportal.logic.practice.hours import is_open, next_opening, overdue_at, overdue_cutoff
from patientportal.models.practice import PracticeSettings

NEW_YORK = ZoneInfo("America/New_York")
DEFAULTS = PracticeSettings()  # Monday to Friday, 8:00 to 17:00, New York; 1 business day


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=NEW_YORK)


@pytest.mark.parametrize(
    ("moment", "open_now"),
    [
        ("2026-12-07 08:00", True),  # a Monday, as it opens
        ("2026-12-07 16:59", True),
        ("2026-12-07 17:00", False),  # closing time is closed
        ("2026-12-07 07:59", False),
        ("2026-12-05 10:00", False),  # a Saturday
    ],
)
def test_open_means_inside_that_days_hours(moment, open_now):
    assert is_open(DEFAULTS, local(moment)) is open_now


def test_the_next_opening_is_now_while_open_and_skips_the_weekend_when_not():
    assert next_opening(DEFAULTS, local("2026-12-07 10:30")) == local("2026-12-07 10:30")
    assert next_opening(DEFAULTS, local("2026-12-04 17:30")) == local("2026-12-07 08:00")  # Friday evening
    assert next_opening(DEFAULTS, local("2026-12-07 06:00")) == local("2026-12-07 08:00")


@pytest.mark.parametrize(
    ("received", "due"),
    [
        ("2026-12-07 10:00", "2026-12-08 10:00"),  # Monday morning: Tuesday morning
        ("2026-12-04 16:00", "2026-12-07 16:00"),  # Friday afternoon: Monday afternoon
        ("2026-12-05 11:00", "2026-12-08 08:00"),  # Saturday: counted from Monday's opening
        ("2026-12-07 18:00", "2026-12-09 08:00"),  # after closing: counted from Tuesday's opening
    ],
)
def test_one_business_day(received, due):
    assert overdue_at(DEFAULTS, local(received)) == local(due)


def test_business_hours_run_only_while_open():
    four_hours = PracticeSettings(overdue_after=4, overdue_unit="business_hours")
    assert overdue_at(four_hours, local("2026-12-07 09:00")) == local("2026-12-07 13:00")
    assert overdue_at(four_hours, local("2026-12-04 15:00")) == local("2026-12-07 10:00")  # 2 h Friday, 2 Monday


def test_a_day_that_closes_early_makes_it_due_at_its_close():
    short_friday = PracticeSettings.model_validate(
        {
            **DEFAULTS.model_dump(),
            "office_hours": {**DEFAULTS.model_dump()["office_hours"], "friday": {"open": "08:00", "close": "12:00"}},
        }
    )
    assert overdue_at(short_friday, local("2026-12-03 15:00")) == local("2026-12-04 12:00")


def test_the_time_zone_is_the_practices():
    tokyo = PracticeSettings(time_zone="Asia/Tokyo")
    monday_morning_in_tokyo = datetime(2026, 12, 7, 0, 30, tzinfo=UTC)  # 09:30 in Tokyo
    assert is_open(tokyo, monday_morning_in_tokyo)
    assert not is_open(DEFAULTS, monday_morning_in_tokyo)  # 19:30 on Sunday in New York


# hypothesis takes naive bounds and adds the zone itself
MOMENTS = st.datetimes(
    min_value=datetime(2026, 1, 1),  # noqa: DTZ001
    max_value=datetime(2027, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
RULES = st.builds(
    PracticeSettings,
    overdue_after=st.integers(min_value=1, max_value=30),
    overdue_unit=st.sampled_from(["business_days", "business_hours"]),
)


@settings(max_examples=60, deadline=None)
@given(rules=RULES, first=MOMENTS, gap=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)))
def test_a_later_item_is_never_due_earlier(rules, first, gap):
    assert overdue_at(rules, first) <= overdue_at(rules, first + gap)


@settings(max_examples=40, deadline=None)
@given(rules=RULES, now=MOMENTS)
def test_the_cutoff_splits_overdue_from_not_yet(rules, now):
    cutoff = overdue_cutoff(rules, now)
    assert overdue_at(rules, cutoff) <= now
    assert overdue_at(rules, cutoff + timedelta(seconds=2)) > now
