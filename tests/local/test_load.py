"""The short run of `make load` (benchmarks/load.py): 200 mixed requests at concurrency 16
against a fresh local runtime of its own, asserting counts only, never times.

It runs in a child process: locust patches the standard library for gevent on import,
which must not happen inside a pytest worker that other tests share.

Its long run met a 500 answered after `POST /api/portal/requests` had stored the request,
about one in 600 to 1,000 requests: one process hosted every function, Powertools had read
the metric namespace before their environment was set, and the 100th value of a metric
raised. Each function now runs in its own process (local.functions; tests/local/test_functions.py)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from local import template as cfn

pytestmark = [
    pytest.mark.local_runtime,
    pytest.mark.xdist_group("load"),
]

REQUESTS = 200


def test_a_short_load_answers_every_request_without_5xx_and_accounts_for_every_write(tmp_path: Path):
    summary = tmp_path / "load.json"
    run = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [
            sys.executable,
            "-m",
            "benchmarks.load",
            "--requests",
            str(REQUESTS),
            "--time-limit",
            "300",
            "--summary",
            str(summary),
        ],
        cwd=cfn.ROOT,
        capture_output=True,
        text=True,
        timeout=540,
        check=False,
    )
    output = run.stdout[-6000:] + run.stderr[-4000:]
    assert summary.exists(), output
    figures = json.loads(summary.read_text())
    assert figures["failures"] == [], output
    assert run.returncode == 0, output
    # Every request of the mix was answered, none with a 5xx or an answer its route may not give
    assert figures["requests"] == REQUESTS
    assert not [status for status in figures["statuses"] if int(status) >= 500]
    assert figures["unexpected"] == []
    # Every 409 is a lost race, matched to the winner's change on that item at that version
    assert figures["matched"] == figures["conflicts"]
    assert sum(figures["statuses"].values()) == REQUESTS
    # Every write accounted for: each reply is one message and one email
    assert figures["emails"] == figures["replies"]
