"""Time in one place: ISO 8601 UTC strings that sort as text, and epoch seconds for TTLs."""

from __future__ import annotations

import time
from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)


def timestamp(moment: datetime | None = None) -> str:
    """``2026-11-28T05:11:39.123456Z``: microseconds keep keys built from it unique and ordered."""
    return (moment or now()).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def iso(epoch: int) -> str:
    """An epoch moment as ISO 8601 UTC to the second, as the API shows expiry times."""
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def epoch_seconds() -> int:
    return int(time.time())


def revocation_point() -> int:
    """For ``sessions_valid_after``: tokens carry whole seconds (``iat``), so a token issued in
    this very second, before the revocation, must be refused too; only tokens issued from the
    next second on are good. (A sign-in in the same second waits for it: ``logic.sessions``.)"""
    return epoch_seconds() + 1


def wait_until(epoch: int, *, at_most: float = 2.0) -> None:
    """Waits for a moment at most a second or two away (a revocation point); a moment
    further off is not waited for."""
    delay = epoch - time.time()
    if 0 < delay <= at_most:
        time.sleep(delay)
