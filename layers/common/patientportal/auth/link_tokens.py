"""One-time links (docs/architecture.md "Identity and sessions"; docs/security.md "Identity",
1.8): 32 random bytes, only the SHA-256 stored, an expiry per purpose, and one live link per
slot so a newer link revokes the older.

Invitations and resets share the ``password`` slot: both end in setting a password, so a
reset requested after an invitation (or the reverse) leaves only the newest one usable.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Literal

Purpose = Literal["invitation", "reset", "verify_email"]

LIFETIME_SECONDS: dict[str, int] = {
    "reset": 3600,
    "invitation": 72 * 3600,
    "verify_email": 24 * 3600,
}

SLOT: dict[str, str] = {"reset": "password", "invitation": "password", "verify_email": "verify_email"}

TOKEN_BYTES = 32


def new_token() -> str:
    """URL-safe text of 32 random bytes; it travels only in a URL fragment."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
