"""The data-access base: a failed condition, alone or inside a transaction, is a conflict."""

from __future__ import annotations

import json

import boto3
import pytest

from local.streams import StreamMapping
from patientportal.dal import keys
from patientportal.dal.table import Table
from patientportal.errors import ConflictError


def test_a_failed_condition_is_a_conflict_and_changes_nothing(stack):
    table = Table(stack.ref("PortalTable"))
    item = {**keys.request("r1"), "version": 1, "state": "open"}
    table.put(item, condition="attribute_not_exists(pk)")
    with pytest.raises(ConflictError):
        table.put({**item, "version": 9}, condition="attribute_not_exists(pk)")
    with pytest.raises(ConflictError):
        table.update(
            keys.request("r1"),
            expression="SET #s = :done, version = version + :one",
            names={"#s": "state"},
            values={":done": "completed", ":one": 1, ":seen": 0},
            condition="version = :seen",
        )
    assert table.get(keys.request("r1")) == item


def test_a_failed_condition_inside_a_transaction_is_a_conflict_and_writes_nothing(stack):
    table = Table(stack.ref("PortalTable"))
    table.put({**keys.request("r2"), "version": 2})
    stale = table.update_entry(
        keys.request("r2"),
        expression="SET version = :three",
        values={":three": 3, ":one": 1},
        condition="version = :one",
    )
    other = table.put_entry({**keys.outbox("o1"), "kind": "outbox"})
    with pytest.raises(ConflictError):
        table.transact([stale, other], conflict="stale")
    assert table.get(keys.outbox("o1")) is None
    assert table.get(keys.request("r2"))["version"] == 2


def test_a_cancelled_transaction_puts_back_only_the_items_it_touched(stack):
    """The emulator's fix 7 (local/emulator.py): the table is not copied for a transaction;
    what the cancelled transaction changed before failing is put back, item by item."""
    from moto.backends import get_backend  # noqa: PLC0415 - the in-process emulator's state

    table = Table(stack.ref("PortalTable"))
    backend = get_backend("dynamodb")["123456789012"]["us-east-1"]
    before = backend.tables[table.name]
    table.put({**keys.request("r4"), "version": 1, "state": "open"})
    table.put({**keys.request("r5"), "version": 7})
    changed_first = table.update_entry(
        keys.request("r4"), expression="SET #s = :done", names={"#s": "state"}, values={":done": "completed"}
    )
    new_item = table.put_entry({**keys.outbox("o4"), "kind": "outbox"})
    failing = table.update_entry(
        keys.request("r5"), expression="SET version = :two", values={":two": 2, ":one": 1}, condition="version = :one"
    )
    with pytest.raises(ConflictError):
        table.transact([changed_first, new_item, failing], conflict="stale")
    assert table.get(keys.request("r4"))["state"] == "open"
    assert table.get(keys.outbox("o4")) is None
    assert table.get(keys.request("r5"))["version"] == 7
    assert backend.tables[table.name] is before  # the same table, never a restored copy


class AlwaysFailing:
    """A stand-in function that reports every record as failed."""

    def __init__(self) -> None:
        self.invocations = 0

    def invoke(self, _function: str, event: dict) -> dict:
        self.invocations += 1
        return {
            "batchItemFailures": [
                {"itemIdentifier": record["dynamodb"]["SequenceNumber"]} for record in event["Records"]
            ]
        }


def test_the_local_stream_mapping_retries_then_dead_letters_like_lambda(stack):
    event = stack.template["Resources"]["NotifyFunction"]["Properties"]["Events"]["Outbox"]
    failing = AlwaysFailing()
    mapping = StreamMapping(stack, failing, "NotifyFunction", event, retry_delay=0)  # type: ignore[arg-type]
    record = {"dynamodb": {"SequenceNumber": "100", "NewImage": {"kind": {"S": "outbox"}}}, "eventName": "INSERT"}

    mapping.deliver([record], "shard-1")

    assert failing.invocations == 1 + mapping.max_retries
    queue = boto3.client("sqs")
    url = stack.ref("NotifyDeadLetterQueue")
    messages = queue.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 1
    details = json.loads(messages[0]["Body"])
    assert details["DDBStreamBatchInfo"]["startSequenceNumber"] == "100"
    assert details["requestContext"]["condition"] == "RetryAttemptsExhausted"


class FailsWithPoison:
    """A stand-in function that fails as a whole (an error, not a report) while its batch
    holds the poison record, and otherwise succeeds; it notes each batch it was given."""

    def __init__(self, poison: str) -> None:
        self.poison = poison
        self.batches: list[list[str]] = []

    def invoke(self, _function: str, event: dict) -> dict:
        numbers = [record["dynamodb"]["SequenceNumber"] for record in event["Records"]]
        self.batches.append(numbers)
        if self.poison in numbers:
            raise RuntimeError("the function failed")
        return {"batchItemFailures": []}


def test_a_function_error_bisects_the_batch_so_one_bad_record_holds_back_only_itself(stack):
    """The template's BisectBatchOnFunctionError, as the local stream mapping plays it."""
    event = stack.template["Resources"]["NotifyFunction"]["Properties"]["Events"]["Outbox"]
    function = FailsWithPoison(poison="103")
    mapping = StreamMapping(stack, function, "NotifyFunction", event, retry_delay=0)  # type: ignore[arg-type]
    assert mapping.bisect
    records = [
        {"dynamodb": {"SequenceNumber": str(number), "NewImage": {"kind": {"S": "outbox"}}}, "eventName": "INSERT"}
        for number in range(100, 104)
    ]

    mapping.deliver(records, "shard-1")

    # The four failed together, then each half alone, then the failing half's records alone;
    # the bad one is retried alone until its attempts run out
    assert function.batches[:5] == [
        ["100", "101", "102", "103"],
        ["100", "101"],
        ["102", "103"],
        ["102"],
        ["103"],
    ]
    assert function.batches[5:] == [["103"]] * (len(function.batches) - 5)
    assert len(function.batches) == 5 + mapping.max_retries - 2
    messages = boto3.client("sqs").receive_message(QueueUrl=stack.ref("NotifyDeadLetterQueue"), MaxNumberOfMessages=10)
    (letter,) = [json.loads(message["Body"]) for message in messages["Messages"]]
    assert letter["DDBStreamBatchInfo"]["startSequenceNumber"] == "103"
    assert letter["DDBStreamBatchInfo"]["batchSize"] == 1


def test_a_cancelled_transaction_does_not_rewind_the_stream(stack):
    """The emulator fix (local/emulator.py): records written after a 409 still reach notify."""
    table = Table(stack.ref("PortalTable"))
    streams = boto3.client("dynamodbstreams")
    arn = stack.resolver.attribute("PortalTable", "StreamArn")
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")[
        "ShardIterator"
    ]
    table.put({**keys.request("r3"), "version": 1})
    with pytest.raises(ConflictError):
        table.transact(
            [
                table.put_entry({**keys.outbox("phantom"), "kind": "outbox"}),
                table.update_entry(
                    keys.request("r3"),
                    expression="SET version = :two",
                    values={":two": 2, ":nine": 9},
                    condition="version = :nine",
                ),
            ],
            conflict="stale",
        )
    answer = streams.get_records(ShardIterator=iterator)
    seen = [record["dynamodb"]["Keys"]["pk"]["S"] for record in answer["Records"]]
    table.put({**keys.outbox("after"), "kind": "outbox"})
    later = streams.get_records(ShardIterator=answer["NextShardIterator"])["Records"]
    assert [record["dynamodb"]["Keys"]["pk"]["S"] for record in later] == ["OUTBOX#after"]
    assert "REQUEST#r3" in seen
