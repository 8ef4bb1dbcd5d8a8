"""Identifiers: random, unguessable, URL-safe."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime


def new_id() -> str:
    return uuid.uuid4().hex


def time_ordered_id(moment: datetime) -> str:
    """Sorts by creation time as text, so keys built from it list messages in order."""
    return f"{moment.astimezone(UTC):%Y%m%d%H%M%S%f}{uuid.uuid4().hex[:12]}"
