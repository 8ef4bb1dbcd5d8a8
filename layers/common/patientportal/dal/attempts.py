"""Rate-limit windows: an atomic counter per scope, key and window, expiring with TTL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from patientportal.dal import keys
from patientportal.dal.table import Table
from patientportal.errors import ConflictError, TooManyRequestsError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

    from patientportal.limits import Window


def attempt_entry(counter: Window, *, table: Table) -> TransactWriteItemTypeDef:
    """Counts one attempt, refused by its condition once the window holds its limit's attempts."""
    return table.update_entry(
        keys.rate_window(counter.limit.scope, counter.key, counter.window),
        expression="ADD attempts :one SET expires_at = :exp",
        values={":one": 1, ":exp": counter.expires_at, ":limit": counter.limit.attempts},
        condition="attribute_not_exists(attempts) OR attempts < :limit",
    )


def write_counted(counter: Window, entries: Sequence[TransactWriteItemTypeDef], *, table: Table) -> bool:
    """Writes ``entries`` with one more attempt in ``counter``'s window, in one transaction;
    a full window writes nothing and answers False (the mail cap: nothing is sent)."""
    try:
        table.transact([attempt_entry(counter, table=table), *entries], conflict="The window is full.")
    except ConflictError:
        return False
    return True


def count_attempts(counters: Sequence[Window], *, table: Table) -> None:
    """Counts one attempt in each window, in one write, before anything is looked up; a
    full window refuses it with ``TooManyRequestsError`` and counts nothing."""
    entries = [attempt_entry(counter, table=table) for counter in counters]
    try:
        table.transact(entries, conflict="Too many attempts.")
    except ConflictError as error:
        raise TooManyRequestsError("Too many attempts; try again later.") from error
