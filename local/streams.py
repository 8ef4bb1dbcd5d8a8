"""Lambda's DynamoDB event source mapping, played locally: reads the table's stream, keeps
the records the template's filter lets through, invokes the function in batches, retries
from the first reported failure, and after the last retry sends the batch's details to the
on-failure queue, as Lambda does."""

from __future__ import annotations

import json
import threading
import traceback
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import boto3

from local import template as cfn
from local.events import lambda_record
from local.functions import FunctionHost
from local.stack import Stack


def matches(pattern: Any, value: Any) -> bool:
    """EventBridge-style filter patterns: nested objects, and lists of allowed values."""
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(
            key in value and matches(inner, value[key]) for key, inner in pattern.items()
        )
    if isinstance(pattern, list):
        return value in pattern
    return bool(pattern == value)


class StreamMapping:
    def __init__(
        self, stack: Stack, host: FunctionHost, function: str, event: Mapping[str, Any], *, retry_delay: float
    ) -> None:
        self.host = host
        self.function = function
        properties = stack.resolver.resolve(event["Properties"])
        self.stream_arn: str = properties["Stream"]
        self.batch_size = int(properties.get("BatchSize", 100))
        self.max_retries = int(properties.get("MaximumRetryAttempts", -1))
        self.bisect = bool(properties.get("BisectBatchOnFunctionError", False))
        self.filters = [json.loads(item["Pattern"]) for item in properties.get("FilterCriteria", {}).get("Filters", [])]
        destination = properties.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination")
        self.failure_queue = stack.queue_urls.get(destination) if destination else None
        self.retry_delay = retry_delay
        self.region = stack.region
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"stream-{function}", daemon=True)

    def keeps(self, record: Mapping[str, Any]) -> bool:
        return not self.filters or any(matches(pattern, record) for pattern in self.filters)

    def start(self) -> None:
        self._thread.start()

    def stop_soon(self) -> None:
        """Asks the poller to stop after the invocation under way (as ``stop`` does, without
        waiting), so that several mappings wind down together."""
        self._stop.set()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        streams = boto3.client("dynamodbstreams", region_name=self.region)
        shard = streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]["Shards"][0]["ShardId"]
        iterator = streams.get_shard_iterator(
            StreamArn=self.stream_arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while not self._stop.is_set():
            answer = streams.get_records(ShardIterator=iterator, Limit=1000)
            iterator = answer["NextShardIterator"]
            records = [lambda_record(record, self.stream_arn) for record in answer["Records"]]
            records = [record for record in records if self.keeps(record)]
            for start in range(0, len(records), self.batch_size):
                self.deliver(records[start : start + self.batch_size], shard)
            if not answer["Records"]:
                self._stop.wait(0.1)

    def deliver(self, batch: list[dict[str, Any]], shard: str, *, attempt: int = 0) -> None:
        """One batch through the function, as the event source mapping does: records the
        function reports failed are retried from the first of them; a function error with
        ``BisectBatchOnFunctionError`` splits the batch in two and each half goes on alone
        (one bad record then holds back only itself); after ``MaximumRetryAttempts`` what
        is left goes to the on-failure queue."""
        while batch and not self._stop.is_set():
            failed_from, errored = self._invoke(batch)
            if failed_from is None:
                return
            attempt += 1
            if errored and self.bisect and len(batch) > 1:
                middle = len(batch) // 2
                self.deliver(batch[:middle], shard, attempt=attempt)
                self.deliver(batch[middle:], shard, attempt=attempt)
                return
            batch = batch[failed_from:]
            if 0 <= self.max_retries < attempt:
                self._dead_letter(batch, shard, attempt)
                return
            self._stop.wait(self.retry_delay * attempt)

    def _invoke(self, batch: list[dict[str, Any]]) -> tuple[int | None, bool]:
        """The index to retry from (None when the whole batch succeeded), and whether the
        function failed as a whole (an error rather than records it reported)."""
        try:
            answer = self.host.invoke(self.function, {"Records": batch})
        except Exception:  # noqa: BLE001 - a function error retries the whole batch
            # Lambda's runtime writes the error and its traceback to the function's log
            # (CloudWatch), as the gateway does for an API function's error.
            traceback.print_exc()
            return 0, True
        failures = [item["itemIdentifier"] for item in (answer or {}).get("batchItemFailures", [])]
        if not failures:
            return None, False
        sequence_numbers = [record["dynamodb"]["SequenceNumber"] for record in batch]
        return min(sequence_numbers.index(failure) for failure in failures if failure in sequence_numbers), False

    def _dead_letter(self, batch: list[dict[str, Any]], shard: str, attempts: int) -> None:
        if not self.failure_queue:
            return
        details = {
            "requestContext": {"condition": "RetryAttemptsExhausted", "approximateInvokeCount": attempts},
            "responseContext": {"functionError": "BatchItemFailures"},
            "version": "1.0",
            "timestamp": datetime.now().astimezone().isoformat(),
            "DDBStreamBatchInfo": {
                "shardId": shard,
                "startSequenceNumber": batch[0]["dynamodb"]["SequenceNumber"],
                "endSequenceNumber": batch[-1]["dynamodb"]["SequenceNumber"],
                "batchSize": len(batch),
                "streamArn": self.stream_arn,
            },
        }
        boto3.client("sqs", region_name=self.region).send_message(
            QueueUrl=self.failure_queue, MessageBody=json.dumps(details)
        )


def stream_mappings(stack: Stack, host: FunctionHost, *, retry_delay: float = 0.5) -> list[StreamMapping]:
    mappings = []
    for name, body in cfn.resources_of_type(stack.template, "AWS::Serverless::Function").items():
        for event in body["Properties"].get("Events", {}).values():
            if event["Type"] == "DynamoDB":
                mappings.append(StreamMapping(stack, host, name, event, retry_delay=retry_delay))
    return mappings
