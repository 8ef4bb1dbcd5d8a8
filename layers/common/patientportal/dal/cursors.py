"""Opaque page cursors: the last key of a page, encoded; checked on the way back in."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from patientportal.errors import BadRequestError


def encode(last_key: dict[str, Any]) -> str:
    text = json.dumps(last_key, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(cursor: str, *, attributes: tuple[str, ...], partition: tuple[str, str]) -> dict[str, str]:
    """The key a cursor stands for; a cursor from another list or a tampered one is a 400."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as error:
        raise BadRequestError("The cursor is not one this API gave out.", field="cursor") from error
    valid = (
        isinstance(key, dict)
        and set(key) == set(attributes)
        and all(isinstance(value, str) for value in key.values())
        and key.get(partition[0]) == partition[1]
    )
    if not valid:
        raise BadRequestError("The cursor is not one this API gave out.", field="cursor")
    return {name: str(value) for name, value in key.items()}
