"""Many items at once: ``BatchWriteItem`` (25 puts a call) and ``BatchGetItem`` (100 keys a
call), each retrying what DynamoDB hands back unprocessed, with a growing pause between tries.

Batches carry no conditions, so callers use them only where an unconditional put is right:
new items whose keys nobody else writes (an import checks existence first).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from patientportal.dal.attributes import Item
from patientportal.dal.table import Table

WRITE_BATCH = 25  # DynamoDB's limit per BatchWriteItem
GET_BATCH = 100  # DynamoDB's limit per BatchGetItem
MAX_TRIES = 8


class UnprocessedItemsError(RuntimeError):
    """DynamoDB kept handing items back (throttled) after every retry."""


def _pause(attempt: int) -> float:
    return float(min(0.05 * 2**attempt, 2.0))


def put_all(
    items: Sequence[Mapping[str, Any]],
    *,
    table: Table | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int:
    """Writes every item in calls of at most 25; returns the number of calls made."""
    table = table or Table()
    calls = 0
    for start in range(0, len(items), WRITE_BATCH):
        pending = table.batch_puts(items[start : start + WRITE_BATCH])
        for attempt in range(MAX_TRIES):
            pending = table.write_batch(pending)
            calls += 1
            if pending.done:
                break
            sleep(_pause(attempt))
        else:
            raise UnprocessedItemsError("DynamoDB did not accept every item; try again later.")
    return calls


def get_all(
    keys: Sequence[Mapping[str, str]],
    *,
    attributes: tuple[str, ...] = (),
    table: Table | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Item]:
    """The items that exist among ``keys`` (in no particular order), 100 keys a call."""
    table = table or Table()
    found: list[Item] = []
    for start in range(0, len(keys), GET_BATCH):
        pending = table.batch_keys(keys[start : start + GET_BATCH], attributes=attributes)
        for attempt in range(MAX_TRIES):
            items, pending = table.read_batch(pending)
            found.extend(items)
            if pending.done:
                break
            sleep(_pause(attempt))
        else:
            raise UnprocessedItemsError("DynamoDB did not answer for every key; try again later.")
    return found
