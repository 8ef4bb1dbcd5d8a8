"""The Patient Portal Archive: dismissed requests on ``ARCHIVE#<yyyy-mm>`` partitions of the
Queue index, read newest month first.

Which month a request lives in is a key; who the patient is, what the text says, the type and
the outcome are not (a free-text search cannot be a key), so those narrow each month's pages
with a filter, and the page cursor remembers the month and the last key read.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any

from patientportal import aws
from patientportal.dal import keys
from patientportal.dal.attributes import Item, from_attributes, to_attributes
from patientportal.errors import BadRequestError
from patientportal.settings import get_settings

KEY_ATTRIBUTES = keys.CURSOR_ATTRIBUTES["Queue"]


@dataclass(frozen=True)
class ArchiveFilter:
    text: str = ""  # normalised (patientportal.logic.normalise.search_text)
    request_type: str | None = None
    outcome: str | None = None
    created_from: str = ""  # ISO dates, inclusive
    created_to: str = ""


def _filter_expression(wanted: ArchiveFilter) -> tuple[str, dict[str, str], dict[str, Any]]:
    parts, names, values = [], {}, {}
    if wanted.text:
        parts.append("contains(search_text, :text)")
        values[":text"] = wanted.text
    if wanted.request_type:
        names["#type"] = "type"
        parts.append("#type = :type")
        values[":type"] = wanted.request_type
    if wanted.outcome:
        names["#state"] = "state"
        parts.append("#state = :outcome")
        values[":outcome"] = wanted.outcome
    return " AND ".join(parts), names, values


def _sort_range(wanted: ArchiveFilter) -> tuple[str, dict[str, Any]]:
    """Dates of the request narrow the sort key itself (``<created>#<id>``)."""
    low = wanted.created_from or "0"
    high = (wanted.created_to + "T99") if wanted.created_to else "9"
    return " AND queue_sk BETWEEN :low AND :high", {":low": low, ":high": high}


def encode_cursor(month_index: int, key: dict[str, Any]) -> str:
    text = json.dumps({"m": month_index, "k": key}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, months: list[str]) -> tuple[int, dict[str, Any]]:
    refused = BadRequestError("The cursor is not one this API gave out.", field="cursor")
    try:
        decoded = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
        month_index, key = int(decoded["m"]), decoded["k"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as error:
        raise refused from error
    valid = (
        0 <= month_index < len(months)
        and isinstance(key, dict)
        and set(key) == set(KEY_ATTRIBUTES)
        and all(isinstance(value, str) for value in key.values())
        and key["queue_pk"] == keys.archive_partition(months[month_index])
    )
    if not valid:
        raise refused
    return month_index, key


def archive_page(
    months: list[str], wanted: ArchiveFilter, *, limit: int, cursor: str | None
) -> tuple[list[Item], str | None]:
    """Up to ``limit`` archived items, newest first across ``months`` (newest month first)."""
    month_index, start = decode_cursor(cursor, months) if cursor else (0, None)
    filter_expression, names, values = _filter_expression(wanted)
    sort_condition, sort_values = _sort_range(wanted)
    found: list[Item] = []
    while month_index < len(months) and len(found) <= limit:
        arguments: dict[str, Any] = {
            "TableName": get_settings().table_name,
            "IndexName": "Queue",
            "KeyConditionExpression": "queue_pk = :month" + sort_condition,
            "ExpressionAttributeValues": to_attributes(
                {":month": keys.archive_partition(months[month_index]), **sort_values, **values}
            ),
            "ScanIndexForward": False,
            "Limit": limit + 1 - len(found),
        }
        if filter_expression:
            arguments["FilterExpression"] = filter_expression
        if names:
            arguments["ExpressionAttributeNames"] = names
        if start:
            arguments["ExclusiveStartKey"] = to_attributes(start)
        answer = aws.dynamodb().query(**arguments)
        found += [{**from_attributes(item), "_month": month_index} for item in answer.get("Items", [])]
        last = answer.get("LastEvaluatedKey")
        if last:
            start = from_attributes(last)
        else:
            month_index, start = month_index + 1, None
    page = found[:limit]
    next_cursor = None
    if len(found) > limit:
        last_item = page[-1]
        next_cursor = encode_cursor(last_item["_month"], {name: last_item[name] for name in KEY_ATTRIBUTES})
    for item in page:
        item.pop("_month")
    return page, next_cursor
