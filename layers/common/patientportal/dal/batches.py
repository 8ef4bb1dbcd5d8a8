"""Many items at once: ``BatchWriteItem`` (25 puts a call) and ``BatchGetItem`` (100 keys a
call), each retrying what DynamoDB hands back unprocessed, with a growing pause between tries.

Batches carry no conditions, so callers use them only where an unconditional put is right:
new items whose keys nobody else writes (an import checks existence first).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from patientportal import aws
from patientportal.dal.attributes import Item, from_attributes, to_attributes
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
    name = (table or Table()).name
    calls = 0
    for start in range(0, len(items), WRITE_BATCH):
        pending: dict[str, Any] = {
            name: [{"PutRequest": {"Item": to_attributes(item)}} for item in items[start : start + WRITE_BATCH]]
        }
        for attempt in range(MAX_TRIES):
            answer = aws.dynamodb().batch_write_item(RequestItems=pending)
            calls += 1
            pending = dict(answer.get("UnprocessedItems") or {})
            if not pending.get(name):
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
    name = (table or Table()).name
    found: list[Item] = []
    for start in range(0, len(keys), GET_BATCH):
        request: dict[str, Any] = {"Keys": [to_attributes(key) for key in keys[start : start + GET_BATCH]]}
        if attributes:
            names = {f"#a{number}": attribute for number, attribute in enumerate(dict.fromkeys(attributes))}
            request["ProjectionExpression"] = ", ".join(names)
            request["ExpressionAttributeNames"] = names
        pending: dict[str, Any] = {name: request}
        for attempt in range(MAX_TRIES):
            answer = aws.dynamodb().batch_get_item(RequestItems=pending)
            found.extend(from_attributes(item) for item in answer.get("Responses", {}).get(name, []))
            pending = dict(answer.get("UnprocessedKeys") or {})
            if not pending.get(name):
                break
            sleep(_pause(attempt))
        else:
            raise UnprocessedItemsError("DynamoDB did not answer for every key; try again later.")
    return found
