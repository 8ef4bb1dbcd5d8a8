"""The username rule: which names are valid (the live check and every write use this)."""

from __future__ import annotations

import re

MINIMUM_LENGTH = 3
MAXIMUM_LENGTH = 40
PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")

RULES_TEXT = (
    f"{MINIMUM_LENGTH} to {MAXIMUM_LENGTH} characters: letters, digits, dots, hyphens and underscores, "
    "starting with a letter or digit."
)


def problem(username: str) -> str | None:
    """Why a username is not valid, or None when it is."""
    if not MINIMUM_LENGTH <= len(username) <= MAXIMUM_LENGTH:
        return f"Use {MINIMUM_LENGTH} to {MAXIMUM_LENGTH} characters."
    if not PATTERN.fullmatch(username):
        return "Use only letters, digits, dots, hyphens and underscores, starting with a letter or digit."
    return None
