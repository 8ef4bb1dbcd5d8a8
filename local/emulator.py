"""Fixes to the AWS emulator where it differs from AWS in a way the portal can feel.

moto rolls a cancelled DynamoDB transaction back by restoring a deep copy of the whole
table, and its stream with it: the stream's sequence numbers are then handed out again, and
a reader that already moved past them (Lambda's event source mapping, here
``local.streams``) silently misses the next records - the emails for replies made after any
409. DynamoDB never rewinds a stream. Sharing the stream shard between the table and its
copies keeps the stream going forward; the cancelled transaction's own records stay in it,
and notify sends nothing for them because their outbox entries are not in the table
(docs/decisions.md, 21).
"""

from __future__ import annotations

from typing import Any

from moto.dynamodb.models.table import StreamShard


def _shared(shard: StreamShard, memo: dict[int, Any]) -> StreamShard:
    memo[id(shard)] = shard
    return shard


def keep_streams_through_rollbacks() -> None:
    StreamShard.__deepcopy__ = _shared  # type: ignore[attr-defined]
