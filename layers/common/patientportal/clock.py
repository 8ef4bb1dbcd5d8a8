"""Time in one place: ISO 8601 UTC strings that sort as text, and epoch seconds for TTLs."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)


def timestamp(moment: datetime | None = None) -> str:
    """``2026-11-28T05:11:39.123456Z``: microseconds keep keys built from it unique and ordered."""
    return (moment or now()).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def epoch_seconds() -> int:
    return int(time.time())
