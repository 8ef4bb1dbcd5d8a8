"""The Patient Portal Archive: dismissed requests on ``ARCHIVE#<yyyy-mm>`` partitions of the
Queue index, read newest month first.

Which month a request lives in is a key; who the patient is, what the text says, the type and
the outcome are not (a free-text search cannot be a key), so those narrow each month's pages
with a filter, and the page cursor remembers the month and the last key read. A request
reads a bounded number of Queries, however wide the range (docs/decisions.md 43).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any

from patientportal.dal import keys
from patientportal.dal.attributes import Item
from patientportal.dal.table import Table
from patientportal.errors import BadRequestError

KEY_ATTRIBUTES = keys.CURSOR_ATTRIBUTES["Queue"]
MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")


@dataclass(frozen=True)
class ArchiveFilter:
    # Any of these in the patient name and summary (normalised, patientportal.normalise.search_text:
    # the text as typed, and the other orders of a name), or the patient's date of birth (ISO)
    texts: tuple[str, ...] = ()
    birth_date: str = ""
    request_type: str | None = None
    outcome: str | None = None
    created_from: str = ""  # ISO dates, inclusive
    created_to: str = ""


def _filter_expression(wanted: ArchiveFilter) -> tuple[str, dict[str, str], dict[str, Any]]:
    parts, names, values = [], {}, {}
    either = []
    for number, text in enumerate(wanted.texts):
        either.append(f"contains(search_text, :text{number})")
        values[f":text{number}"] = text
    if wanted.birth_date:
        either.append("patient_date_of_birth = :born")
        values[":born"] = wanted.birth_date
    if either:
        parts.append(f"({' OR '.join(either)})")
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


def month_before(month: str) -> str:
    """``yyyy-mm`` of the month before; before ``0001-01`` comes ``0000-12``, older than any."""
    year, number = int(month[:4]), int(month[5:7])
    return f"{year - 1:04d}-12" if number == 1 else f"{year:04d}-{number - 1:02d}"


def encode_cursor(month: str, key: dict[str, Any] | None) -> str:
    """Where the next page starts: a month, and the last key read in it (None: its beginning)."""
    text = json.dumps({"m": month, "k": key}, separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, newest: str, oldest: str) -> tuple[str, dict[str, Any] | None]:
    refused = BadRequestError("The cursor is not one this API gave out.", field="cursor")
    try:
        decoded = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
        month, key = decoded["m"], decoded["k"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as error:
        raise refused from error
    valid = (
        isinstance(month, str)
        and MONTH.fullmatch(month) is not None
        and oldest <= month <= newest
        and (
            key is None
            or (
                isinstance(key, dict)
                and set(key) == set(KEY_ATTRIBUTES)
                and all(isinstance(value, str) for value in key.values())
                and key["queue_pk"] == keys.archive_partition(month)
            )
        )
    )
    if not valid:
        raise refused
    return month, key


def archive_page(
    newest: str, oldest: str, wanted: ArchiveFilter, *, limit: int, cursor: str | None, max_queries: int
) -> tuple[list[Item], str | None]:
    """Up to ``limit`` archived items, newest first, from month ``newest`` back to ``oldest``
    (``yyyy-mm``), in at most ``max_queries`` Queries whatever the range: when those run out
    first, the page holds what they found and its cursor goes on from where they stopped."""
    month, start = decode_cursor(cursor, newest, oldest) if cursor else (newest, None)
    filter_expression, names, values = _filter_expression(wanted)
    sort_condition, sort_values = _sort_range(wanted)
    table = Table()
    found: list[Item] = []
    queries = 0
    while month >= oldest and len(found) <= limit and queries < max_queries:
        items, last = table.query(
            index="Queue",
            condition="queue_pk = :month" + sort_condition,
            values={":month": keys.archive_partition(month), **sort_values, **values},
            names=names,
            filter_expression=filter_expression,
            newest_first=True,
            limit=limit + 1 - len(found),
            start=start,
        )
        queries += 1
        found += [{**item, "_month": month} for item in items]
        if last:
            start = last
        else:
            month, start = month_before(month), None
    page = found[:limit]
    next_cursor = None
    if len(found) > limit:
        last_item = page[-1]
        next_cursor = encode_cursor(last_item["_month"], {name: last_item[name] for name in KEY_ATTRIBUTES})
    elif month >= oldest:  # the budget ran out before the range did
        next_cursor = encode_cursor(month, start)
    for item in page:
        item.pop("_month")
    return page, next_cursor
