"""Fixes to the AWS emulator where it differs from AWS in a way the portal can feel.

``apply()`` makes them all; the local runtime and the integration tests call it once.

1. moto rolls a cancelled DynamoDB transaction back by restoring a deep copy of the whole
table, and its stream with it: the stream's sequence numbers are then handed out again, and
a reader that already moved past them (Lambda's event source mapping, here
``local.streams``) silently misses the next records - the emails for replies made after any
409. DynamoDB never rewinds a stream. Sharing the stream shard between the table and its
copies keeps the stream going forward; the cancelled transaction's own records stay in it,
and notify sends nothing for them because their outbox entries are not in the table
(docs/decisions.md, 21).

2. moto answers a DynamoDB read slowly: its generic, model-driven response serializer and
its projection (every item through a deep copy and a round trip to plain JSON) cost about
1.7 ms per item, so a 200-row queue page took 350 ms in the emulator where DynamoDB answers
in milliseconds, and the staff page's load time measured the emulator rather than the page.
The result of a Query, GetItem or BatchGetItem is already DynamoDB's wire format, so it is
written out as JSON directly, and a projection of top-level attributes picks them without
copying (60 ms per page; docs/decisions.md, 35). Anything else takes moto's own path.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from moto.core.responses import ActionResult
from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.models.table import StreamShard
from moto.dynamodb.responses import DynamoHandler

DIRECT_READS = ("query", "get_item", "batch_get_item")


def _shared(shard: StreamShard, memo: dict[int, Any]) -> StreamShard:
    memo[id(shard)] = shard
    return shard


def keep_streams_through_rollbacks() -> None:
    StreamShard.__deepcopy__ = _shared  # type: ignore[attr-defined]


def as_json(result: object) -> str:
    return json.dumps(result)


def _answered_directly(action: Callable[[DynamoHandler], Any]) -> Callable[[DynamoHandler], Any]:
    def answer(handler: DynamoHandler) -> Any:
        result = action(handler)
        if not isinstance(result, ActionResult):
            return result
        try:
            return as_json(result.result)
        except TypeError:  # a value JSON cannot hold as it is (binary): moto's serializer
            return result

    answer.moto_own = action  # type: ignore[attr-defined]
    return answer


def _project(original: Callable[[Item, list[list[str]]], Item]) -> Callable[[Item, list[list[str]]], Item]:
    def project(item: Item, expressions: list[list[str]]) -> Item:
        if any(len(path) != 1 for path in expressions):  # nested paths: moto's own way
            return original(item, expressions)
        picked: Any = Item.__new__(Item)
        picked.__dict__.update(item.__dict__)
        picked.attrs = {path[0]: item.attrs[path[0]] for path in expressions if path[0] in item.attrs}
        result: Item = picked
        return result

    project.moto_own = original  # type: ignore[attr-defined]
    return project


def answer_reads_directly() -> None:
    """Idempotent: each replacement keeps moto's own function as ``moto_own``. (moto's
    actions are decorated with ``functools.wraps``, so ``__wrapped__`` cannot be the mark.)"""
    for name in DIRECT_READS:
        action = getattr(DynamoHandler, name)
        if not hasattr(action, "moto_own"):
            setattr(DynamoHandler, name, _answered_directly(action))
    if not hasattr(Item.project, "moto_own"):
        Item.project = _project(Item.project)  # type: ignore[method-assign,assignment]


def apply() -> None:
    keep_streams_through_rollbacks()
    answer_reads_directly()
