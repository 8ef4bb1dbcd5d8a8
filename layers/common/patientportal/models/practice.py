"""The practice's own settings, kept by its administrators: office hours (which also decide
when an item is overdue) and the saved replies staff answer with."""

import re
import zoneinfo
from typing import Annotated, Literal, Self

from pydantic import BeforeValidator, Field, StringConstraints, field_validator, model_validator

from patientportal.models.common import (
    ApiModel,
    Model,
    NonNegativeWholeNumber,
    PositiveWholeNumber,
    whole_number,
)

Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[Weekday, ...] = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ClockTime = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
OverdueUnit = Literal["business_days", "business_hours"]


class OpeningHours(ApiModel):
    """One day's hours, in the practice's own time zone: ``08:00`` to ``17:00``."""

    open: ClockTime
    close: ClockTime

    @model_validator(mode="after")
    def _closes_after_it_opens(self) -> Self:
        if self.close <= self.open:
            raise ValueError("close must be later than open")
        return self


def _weekday_hours() -> dict[Weekday, OpeningHours | None]:
    weekday = OpeningHours(open="08:00", close="17:00")
    return {day: (weekday if day not in ("saturday", "sunday") else None) for day in WEEKDAYS}


class PracticeSettingsChange(ApiModel):
    """What an administrator sets. ``office_hours`` names every day; ``null`` is closed."""

    time_zone: Annotated[str, Field(min_length=1, max_length=64)] = "America/New_York"
    office_hours: dict[Weekday, OpeningHours | None] = Field(default_factory=_weekday_hours)
    # An item is overdue once it has waited this long, counted in business time only
    overdue_after: Annotated[int, Field(strict=False, ge=1, le=30), BeforeValidator(whole_number)] = 1
    overdue_unit: OverdueUnit = "business_days"

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (ValueError, zoneinfo.ZoneInfoNotFoundError):
            raise ValueError("must be an IANA time zone, such as America/New_York") from None
        return value

    # A field validator (not the model's), so a refusal names ``office_hours`` as its field.
    @field_validator("office_hours")
    @classmethod
    def _every_day_named_and_one_open(
        cls, value: dict[Weekday, OpeningHours | None]
    ) -> dict[Weekday, OpeningHours | None]:
        missing = [day for day in WEEKDAYS if day not in value]
        if missing:
            raise ValueError(f"must name every day (missing: {', '.join(missing)})")
        if not any(value.values()):
            raise ValueError("must open on at least one day")
        return {day: value[day] for day in WEEKDAYS}


class PracticeSettings(PracticeSettingsChange):
    """As stored and answered: the change, with who made it and when (``version`` 0 and
    empty ``changed_*`` until an administrator first saves)."""

    version: int = 0
    changed_by: str = ""
    changed_at: str = ""


class PracticeSettingsUpdate(PracticeSettingsChange):
    """``PUT /api/staff/practice-settings``: the settings and the version they were read at
    (0 while never saved); another administrator's save since is a 409."""

    expected_version: NonNegativeWholeNumber


class PracticeHours(Model):
    """What a patient sees of the practice (``GET /api/portal/practice``): its name and
    phone, its hours in its own time zone, and whether it is open now (``next_opening_at``:
    when it next opens, ``null`` while open)."""

    name: str
    phone: str
    time_zone: str
    office_hours: dict[Weekday, OpeningHours | None]
    open_now: bool
    next_opening_at: str | None


# Saved replies: the only placeholders, filled when staff choose the reply.
PLACEHOLDERS = ("{first_name}", "{practice_name}")
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


class SavedReplyChange(ApiModel):
    title: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]

    @field_validator("text")
    @classmethod
    def _only_known_placeholders(cls, value: str) -> str:
        unknown = sorted({found for found in _PLACEHOLDER.findall(value) if found not in PLACEHOLDERS})
        if unknown:
            raise ValueError(f"only {{first_name}} and {{practice_name}} can be filled in (not {', '.join(unknown)})")
        return value


class SavedReplyUpdate(SavedReplyChange):
    """``PUT /api/staff/saved-replies/{reply_id}``: the reply and the version it was read at."""

    expected_version: PositiveWholeNumber


class SavedReply(Model):
    reply_id: str
    title: str
    text: str
    version: int
    changed_by: str
    changed_at: str


SAVED_REPLIES_LIMIT = 50


class SavedReplies(Model):
    """The practice's saved replies, oldest first: all of them (at most ``limit``), no paging."""

    items: list[SavedReply]
    limit: int = SAVED_REPLIES_LIMIT


class SavedReplyDeleted(Model):
    reply_id: str
    deleted: bool
