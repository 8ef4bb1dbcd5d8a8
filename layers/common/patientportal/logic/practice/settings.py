"""The practice's settings as its administrators keep them (``PUT`` at the version read,
audited), and what patients are told of them: the hours, and when a message sent now is read."""

from __future__ import annotations

from datetime import UTC, datetime

from patientportal import clock
from patientportal.auth.principal import Principal
from patientportal.dal import practice as stored
from patientportal.logic.patients import audit
from patientportal.logic.practice import hours
from patientportal.models.practice import (
    PracticeHours,
    PracticeSettings,
    PracticeSettingsChange,
    PracticeSettingsUpdate,
)
from patientportal.settings import get_settings


def current() -> PracticeSettings:
    """As saved, or the defaults while no administrator has saved any: one GetItem."""
    return stored.read_settings()


def change(admin: Principal, update: PracticeSettingsUpdate, *, api_request_id: str) -> PracticeSettings:
    """One transaction with its audit entry, on condition nobody saved since ``expected_version``."""
    entry = audit.practice_item(admin, "change_practice_settings", api_request_id)
    changed = PracticeSettings.model_validate(
        {
            **update.model_dump(exclude={"expected_version"}),
            "version": update.expected_version + 1,
            "changed_by": admin.username,
            "changed_at": entry["at"],
        }
    )
    stored.save_settings(changed, update.expected_version, entry)
    return changed


def _moment(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def next_read_at(settings: PracticeSettingsChange, at: datetime) -> str | None:
    """When the practice next reads what a patient sends at ``at``: ``None`` while the office
    is open, else the moment it next opens."""
    if hours.is_open(settings, at):
        return None
    return _moment(hours.next_opening(settings, at))


def for_patients() -> PracticeHours:
    """The practice's name, phone and hours, and whether it is open now."""
    settings, now = current(), clock.now()
    opening = next_read_at(settings, now)
    return PracticeHours(
        name=get_settings().practice_name,
        phone=get_settings().practice_phone,
        time_zone=settings.time_zone,
        office_hours=settings.office_hours,
        open_now=opening is None,
        next_opening_at=opening,
    )
