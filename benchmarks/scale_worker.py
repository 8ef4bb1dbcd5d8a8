"""The child of ``benchmarks/scale.py``: the jobs worker alone, in a fresh process, as Lambda
runs it. It reads the table's stream (the emulator's, at ``AWS_ENDPOINT_URL``) as the
function's mapping does, hands each new job chunk to ``functions.jobs.app.handler``, one an
invocation, and prints one JSON line: the handler's own time, the chunks, and the peak
resident set before the first chunk, after it and at the end. It imports no more than the
worker and a stream client, so the resident set is the worker's.

``python -m benchmarks.scale_worker ROWS`` (started by ``benchmarks.scale``)."""

from __future__ import annotations

import json
import logging
import resource
import sys
import time
from pathlib import Path
from typing import Any

import boto3

from functions.jobs import app as jobs_worker
from local.events import lambda_record
from local.worker import LambdaContext
from patientportal.logic.onboarding import jobs
from patientportal.settings import get_settings


def max_rss_mb() -> float:
    """This process's peak resident set: ``VmHWM``, the high-water mark of its own memory
    since it was started. Not ``ru_maxrss``: Linux carries into it, across ``exec``, the
    resident set of the process it was forked from, here the benchmark holding the emulator
    and all its patients, which would make the child look as large as its parent."""
    try:
        with Path("/proc/self/status").open(encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def run_worker(rows: int) -> dict[str, Any]:
    logging.disable(logging.INFO)  # the worker's log lines, one a chunk, are not the figure
    streams = boto3.client("dynamodbstreams")
    table = boto3.client("dynamodb").describe_table(TableName=get_settings().table_name)["Table"]
    arn = table["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    position = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")[
        "ShardIterator"
    ]
    seconds, chunks, before_rss, first_chunk_rss = 0.0, 0, 0.0, 0.0
    expected = -(-rows // jobs.CHUNK_SIZE)  # every chunk was written when the import started, before any patient
    while chunks < expected:
        # a few records a call, so what the reader holds stays small whatever the chunks hold
        answer = streams.get_records(ShardIterator=position, Limit=10)
        position = answer["NextShardIterator"]
        if not answer["Records"]:
            raise RuntimeError(f"the stream ended after {chunks} of {expected} chunks")
        for raw in answer["Records"]:
            # the template's filter for this mapping: new job chunks (and pages of staff lists,
            # of which an import makes none)
            image = raw["dynamodb"].get("NewImage", {})
            if raw["eventName"] != "INSERT" or image.get("kind", {}).get("S") != "job_chunk":
                continue
            record = lambda_record(raw, arn)
            if chunks == 0:
                before_rss = max_rss_mb()
            began = time.perf_counter()
            result = jobs_worker.handler({"Records": [record]}, LambdaContext(function_name="jobs"))
            seconds += time.perf_counter() - began
            if result != {"batchItemFailures": []}:
                raise RuntimeError(f"a chunk failed: {result}")
            chunks += 1
            if chunks == 1:
                first_chunk_rss = max_rss_mb()
            if chunks % 50 == 0:
                print(f"    {chunks} chunks", file=sys.stderr, flush=True)
    return {
        "rows": rows,
        "chunks": chunks,
        "seconds": seconds,
        "rss_before_first_chunk_mb": before_rss,
        "rss_after_first_chunk_mb": first_chunk_rss,
        "rss_peak_mb": max_rss_mb(),
    }


if __name__ == "__main__":
    print(json.dumps(run_worker(int(sys.argv[1]))))
