"""How cost grows with the work (issue 16, part 4; docs/performance.md "How cost grows with
the work"): 2,000 and then 20,000 patients imported through the jobs worker against the
emulator, with one harness for both. Per size: the worker's time per row and, in a fresh
child process that is only the worker, its peak memory (before the first chunk, after it and
at the end). Then, with 20,000 patients on file, the onboarding list page's and the
counts' DynamoDB calls. The exact counts are asserted by ``tests/integration/test_scale.py``;
nothing here asserts a time.

The emulator (moto) runs in this process; each child (``benchmarks/scale_worker.py``, which
imports no more than the worker and a stream client) is started fresh, reads the table's
stream as Lambda's mapping does (new chunks, one an invocation) and hands each chunk to
``functions.jobs.app.handler``. Only the handler calls are timed, so reading the stream and
starting the import (done here, as the patients function would) are not in the figure.

Peak memory is the child's peak resident set (``VmHWM``; ``scale_worker.max_rss_mb`` says
why not ``ru_maxrss``): what Lambda reports as "Max Memory Used" and limits with the
function's memory. tracemalloc would see only Python's own allocations and would slow the
worker enough to spoil the timing in the same run. The child holds nothing but the worker
and a stream reader that keeps no record it has passed, so what the figure gains between
the two sizes is the worker's.

``python -m benchmarks.scale`` (part of ``make bench``); ``--sizes 2000 20000`` by default.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import subprocess
import sys
from typing import Any

import requests
from moto.server import ThreadedMotoServer

from local import emulator as emulator_fixes
from local.stack import Stack, provision
from patientportal import aws, clock
from patientportal.auth.principal import ADMIN, STAFF, Principal
from patientportal.logic.onboarding import import_file, imports, overview
from patientportal.models.patients import PortalStatus
from patientportal.settings import get_settings
from tests.conftest import AwsCalls
from tests.integration import scale_support

SIZES = (2000, 20_000)
GOAL_RATIO = 1.2
REGION = "us-east-1"
MB = 1024 * 1024


def _fake_credentials() -> dict[str, str]:
    return {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": REGION}


# -- the parent: the emulator, the import, the figures ----------------------------------------


def _fresh_stack(endpoint: str) -> Stack:
    requests.post(f"{endpoint}/moto-api/reset", timeout=30).raise_for_status()
    stack = provision(region=REGION, public_url="http://portal.test", invitations=False)
    os.environ.update(stack.environment)
    get_settings.cache_clear()
    aws.forget_clients()
    return stack


ADMINISTRATOR = Principal(kind="staff", subject="", username="manager", groups=frozenset({STAFF, ADMIN}), issued_at=0)
FRONT_DESK = Principal(kind="staff", subject="", username="frontdesk", groups=frozenset({STAFF}), issued_at=0)


def start_imports(rows: int) -> int:
    """The import of ``rows`` invented patients, in files of at most the import's limit (a
    practice of 20,000 sends two files of 10,000); returns the jobs started."""
    jobs = 0
    for start in range(0, rows, import_file.MAX_ROWS):
        count = min(import_file.MAX_ROWS, rows - start)
        started = imports.start_import(
            ADMINISTRATOR, scale_support.patient_file(count, "Scale", start=start), enable_access=False
        )
        if started.ok != count:
            raise RuntimeError(f"the file was not all good rows: {started}")
        jobs += 1
    return jobs


def measure(rows: int, endpoint: str) -> dict[str, Any]:
    stack = _fresh_stack(endpoint)
    print(f"  {rows:,} rows: starting the import ...", flush=True)
    jobs = start_imports(rows)
    environment = {**os.environ, **stack.functions.get("JobsFunction", {}), **_fake_credentials()}
    environment |= {"AWS_ENDPOINT_URL": endpoint, "PYTHONUNBUFFERED": "1"}
    print(f"  {rows:,} rows: {jobs} job(s) started; the worker in a fresh process ...", flush=True)
    child = subprocess.run(
        [sys.executable, "-m", "benchmarks.scale_worker", str(rows)],
        env=environment,
        capture_output=False,
        stdout=subprocess.PIPE,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(child.stdout.strip().splitlines()[-1])
    result["ms_per_row"] = result["seconds"] * 1000 / rows
    print(
        f"  {rows:,} rows: {result['chunks']} chunks in {result['seconds']:.1f} s of worker time, "
        f"{result['ms_per_row']:.3f} ms a row; peak resident set {result['rss_peak_mb']:.0f} MB "
        f"({result['rss_before_first_chunk_mb']:.0f} MB before the first chunk, "
        f"{result['rss_after_first_chunk_mb']:.0f} MB after it)",
        flush=True,
    )
    return result


def list_and_counts() -> None:
    """With the 20,000 imported patients on file: the onboarding page and the counts."""
    counter = AwsCalls()  # the tests' own counter (tests/conftest.py)
    counter.attach([aws.dynamodb()])
    print("  onboarding list and counts with 20,000 patients on file:")
    views: tuple[tuple[PortalStatus | None, int], ...] = ((None, 50), ("inactive", 200))
    for status, limit in views:
        counter.reset()
        page = overview.onboarding_page(FRONT_DESK, status, "", limit=limit, cursor=None, api_request_id="bench")
        print(
            f"    a page of {len(page.items)} ({status or 'all'}): {dict(counter.operations())}, "
            f"items read (ScannedCount) {sum(counter.scanned)} = limit + 1"
        )
    now = clock.epoch_seconds()
    for paging, pages in (
        ("moto's own paging", contextlib.nullcontext()),
        ("DynamoDB's 1 MB of index entries", scale_support.dynamodb_pages()),
    ):
        counter.reset()
        with pages:
            counts = overview.onboarding_counts()
        print(
            f"    the counts, {paging}: {dict(counter.operations())}"
            f" ({sum(counts.statuses.model_dump().values()):,} patients)"
        )
    needed, sizes = scale_support.count_queries_dynamodb_needs(now)
    inactive = sizes["inactive"]
    print(
        f"    on paper: {needed} Queries; the largest count, inactive, reads {inactive:,} bytes of entries "
        f"({inactive / 20_000:.0f} bytes each) = {inactive / MB:.2f} MB, so {inactive // MB + 1} pages"
    )


def main(sizes: tuple[int, ...] = SIZES) -> None:
    print("Scale (docs/performance.md 'How cost grows with the work'): the import through the jobs worker")
    os.environ.update(_fake_credentials())
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    logging.disable(logging.INFO)
    emulator_fixes.apply()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    os.environ["AWS_ENDPOINT_URL"] = endpoint
    try:
        results = [measure(rows, endpoint) for rows in sizes]
        if sizes[-1] == 20_000:
            with scale_support.quick_index_sort():
                list_and_counts()
    finally:
        server.stop()
    small, large = results[0], results[-1]
    ratio = large["ms_per_row"] / small["ms_per_row"]
    verdict = "within" if ratio <= GOAL_RATIO else "over"
    print(
        f"  time per row, {large['rows']:,} against {small['rows']:,}: {ratio:.2f} x "
        f"({verdict} the goal of {GOAL_RATIO} x); peak memory {small['rss_peak_mb']:.0f} MB and "
        f"{large['rss_peak_mb']:.0f} MB"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    main(tuple(parser.parse_args().sizes))
