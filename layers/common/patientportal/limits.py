"""Throttling of the public account routes (docs/security.md): claim and forgot share 5
attempts per email per 15 minutes and 20 per viewer address per hour; registration has 20
per viewer address per hour; and no public route sends more than 3 emails to one address
an hour, so the portal cannot be used to flood a stranger's mailbox."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from patientportal import clock


@dataclass(frozen=True)
class Limit:
    scope: str
    attempts: int
    window_seconds: int


PER_EMAIL = Limit("recovery-email", 5, 15 * 60)
PER_SOURCE = Limit("recovery-source", 20, 3600)
REGISTER_PER_SOURCE = Limit("register-source", 20, 3600)
PER_DESTINATION = Limit("mail-destination", 3, 3600)
# Username checks one link may ask for (the link page's live check while typing).
USERNAME_CHECKS_PER_LINK = 30


@dataclass(frozen=True)
class Window:
    limit: Limit
    key: str
    window: str
    expires_at: int


def window(limit: Limit, value: str) -> Window:
    """The current window for a value, which is hashed: no email address in a key."""
    now = clock.epoch_seconds()
    number = now // limit.window_seconds
    return Window(
        limit=limit,
        key=hashlib.sha256(value.encode()).hexdigest()[:32],
        window=str(number),
        expires_at=(number + 1) * limit.window_seconds + 60,
    )
