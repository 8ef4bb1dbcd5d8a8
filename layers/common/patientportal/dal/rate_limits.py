"""Rate-limit windows: an atomic counter per scope, key and window, expiring with TTL."""

from __future__ import annotations

from typing import TYPE_CHECKING

from patientportal.dal import keys
from patientportal.dal.table import Table

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef


def attempt_entry(
    scope: str, key: str, window: str, *, limit: int, expires_at: int, table: Table
) -> TransactWriteItemTypeDef:
    """Counts one attempt, refused by its condition once the window holds ``limit`` attempts."""
    return table.update_entry(
        keys.rate_window(scope, key, window),
        expression="ADD attempts :one SET expires_at = :exp",
        values={":one": 1, ":exp": expires_at, ":limit": limit},
        condition="attribute_not_exists(attempts) OR attempts < :limit",
    )
