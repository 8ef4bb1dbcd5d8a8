"""Plays the jobs worker's stream mapping in-process, as ``deliver_outbox`` does for notify:
new records through the template's filter to ``functions.jobs.app``, one chunk a batch."""

from __future__ import annotations

from typing import Any

import boto3

from functions.jobs import app as jobs_worker
from local.events import lambda_record
from local.functions import LambdaContext
from local.stack import Stack
from local.streams import StreamMapping


class JobsStream:
    def __init__(self, stack: Stack) -> None:
        self.streams = boto3.client("dynamodbstreams")
        self.arn = stack.resolver.attribute("PortalTable", "StreamArn")
        shard = self.streams.describe_stream(StreamArn=self.arn)["StreamDescription"]["Shards"][0]["ShardId"]
        self.iterator = self.streams.get_shard_iterator(
            StreamArn=self.arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        event = stack.template["Resources"]["JobsFunction"]["Properties"]["Events"]["JobChunks"]
        self.mapping = StreamMapping(stack, host=None, function="JobsFunction", event=event, retry_delay=0)  # type: ignore[arg-type]

    def pending(self) -> list[dict[str, Any]]:
        records: list[dict[str, Any]] = []
        while True:
            answer = self.streams.get_records(ShardIterator=self.iterator, Limit=1000)
            self.iterator = answer["NextShardIterator"]
            records.extend(lambda_record(record, self.arn) for record in answer["Records"])
            if not answer["Records"]:
                return [record for record in records if self.mapping.keeps(record)]

    def run(self) -> int:
        """Hands every new chunk (and page of a staff list) to the worker, one per invocation
        (the template's batch size); returns how many chunks it handed over."""
        kept = self.pending()
        for start in range(0, len(kept), self.mapping.batch_size):
            answer = jobs_worker.handler(
                {"Records": kept[start : start + self.mapping.batch_size]}, LambdaContext(function_name="jobs")
            )
            assert answer == {"batchItemFailures": []}, answer
        return sum(record["dynamodb"]["NewImage"]["kind"]["S"] == "job_chunk" for record in kept)
