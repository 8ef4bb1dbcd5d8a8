"""The emulator's direct answers to reads (local/emulator.py, 2) say exactly what moto's own
serializer says, for every kind of attribute value, with and without a projection."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from moto.dynamodb.models.dynamo_type import Item
from moto.dynamodb.responses import DynamoHandler

from local import emulator
from patientportal import aws

ITEM = {
    "pk": {"S": "EMULATOR#1"},
    "sk": {"S": "A"},
    "text": {"S": "Zoë <b>"},
    "number": {"N": "12.50"},
    "flag": {"BOOL": True},
    "nothing": {"NULL": True},
    "list": {"L": [{"S": "a"}, {"N": "2"}, {"M": {"deep": {"S": "x"}}}]},
    "map": {"M": {"inner": {"S": "y"}, "count": {"N": "3"}}},
    "strings": {"SS": ["b", "a"]},
    "numbers": {"NS": ["1", "2"]},
}
BINARY = {"binary": {"B": b"\x00\x01"}}  # only on the third item: JSON cannot hold it as it is


TEXT_AND_NUMBER = {"#t": "text", "#n": "number"}


@contextmanager
def moto_own_answers() -> Iterator[None]:
    """moto as it is, for the duration: the wrapped originals put back."""
    saved: dict[str, Callable[..., Any]] = {name: getattr(DynamoHandler, name) for name in emulator.DIRECT_READS}
    project = Item.project
    for name, action in saved.items():
        setattr(DynamoHandler, name, action.moto_own)  # type: ignore[attr-defined]
    Item.project = project.moto_own  # type: ignore[attr-defined,method-assign]
    try:
        yield
    finally:
        for name, action in saved.items():
            setattr(DynamoHandler, name, action)
        Item.project = project  # type: ignore[method-assign]


def unordered_sets(value: Any) -> Any:
    """DynamoDB keeps no order in a set, and neither path promises one."""
    if isinstance(value, dict):
        return {
            key: sorted(inner) if key in ("SS", "NS", "BS") else unordered_sets(inner) for key, inner in value.items()
        }
    if isinstance(value, list):
        return [unordered_sets(inner) for inner in value]
    return value


class DirectAnswers:
    """Counts the answers written out directly, to show the fast path really served a read."""

    def __init__(self) -> None:
        self.count = 0
        self.dumps = emulator.as_json

    def __call__(self, value: Any) -> str:
        written = self.dumps(value)
        self.count += 1
        return written


def both_ways(read: Callable[[], dict[str, Any]], *, direct: bool = True) -> tuple[dict[str, Any], dict[str, Any]]:
    written = DirectAnswers()
    emulator.as_json = written  # type: ignore[assignment]
    try:
        fast = read()
    finally:
        emulator.as_json = written.dumps
    assert written.count == (1 if direct else 0)
    with moto_own_answers():
        own = read()
    for answer in (fast, own):
        answer.pop("ResponseMetadata")
    return unordered_sets(fast), unordered_sets(own)


def test_reads_answered_directly_match_moto_for_every_value_kind(stack):
    assert all(hasattr(getattr(DynamoHandler, name), "moto_own") for name in emulator.DIRECT_READS)
    table = stack.ref("PortalTable")
    client = aws.dynamodb()
    for number in range(3):
        client.put_item(TableName=table, Item={**ITEM, "sk": {"S": f"A{number}"}, **(BINARY if number == 2 else {})})
    key = {"pk": ITEM["pk"], "sk": {"S": "A1"}}
    query = {
        "TableName": table,
        "KeyConditionExpression": "pk = :p",
        "ExpressionAttributeValues": {":p": ITEM["pk"]},
        "Limit": 2,
    }
    reads: list[Callable[[], dict[str, Any]]] = [
        lambda: client.query(**query),
        lambda: client.query(
            **query, ProjectionExpression="sk, #t, #n", ExpressionAttributeNames={"#t": "text", "#n": "number"}
        ),
        lambda: client.query(**query, ProjectionExpression="sk, #m.inner", ExpressionAttributeNames={"#m": "map"}),
        lambda: client.query(**query, Select="COUNT"),
        lambda: client.get_item(TableName=table, Key=key),
        lambda: client.get_item(TableName=table, Key=key, ProjectionExpression="flag, strings"),
        lambda: client.get_item(TableName=table, Key={"pk": ITEM["pk"], "sk": {"S": "missing"}}),
        lambda: client.batch_get_item(RequestItems={table: {"Keys": [key, {"pk": ITEM["pk"], "sk": {"S": "A0"}}]}}),
    ]
    for read in reads:
        fast, own = both_ways(read)
        assert fast == own
    # A binary value takes moto's own path, with the same answer.
    binary = both_ways(
        lambda: client.get_item(TableName=table, Key={"pk": ITEM["pk"], "sk": {"S": "A2"}}), direct=False
    )
    assert binary[0] == binary[1]
    assert binary[0]["Item"]["binary"] == {"B": b"\x00\x01"}
    projected = both_ways(reads[1])[0]["Items"][0]
    assert projected == {"sk": {"S": "A0"}, "text": {"S": "Zoë <b>"}, "number": {"N": "12.50"}}
    assert "LastEvaluatedKey" in both_ways(reads[0])[0]
