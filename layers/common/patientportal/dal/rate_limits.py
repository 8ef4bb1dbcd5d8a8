"""Rate-limit windows: an atomic counter per scope, key and window, expiring with TTL."""

from __future__ import annotations

from typing import TYPE_CHECKING

from patientportal.dal import keys
from patientportal.dal.table import Table

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

    from patientportal.auth.rate_limits import Window


def attempt_entry(counter: Window, *, table: Table) -> TransactWriteItemTypeDef:
    """Counts one attempt, refused by its condition once the window holds its limit's attempts."""
    return table.update_entry(
        keys.rate_window(counter.limit.scope, counter.key, counter.window),
        expression="ADD attempts :one SET expires_at = :exp",
        values={":one": 1, ":exp": counter.expires_at, ":limit": counter.limit.attempts},
        condition="attribute_not_exists(attempts) OR attempts < :limit",
    )
