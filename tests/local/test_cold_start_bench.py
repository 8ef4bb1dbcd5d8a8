"""`make bench`'s cold-request benchmark keeps working (docs/performance.md "Cold requests"):
one run per function, in fresh interpreters against a local runtime of its own, where a
request that fails stops the benchmark rather than looking fast."""

from __future__ import annotations

import re
import subprocess
import sys

from local import template as cfn

FUNCTIONS = ("queue", "patients", "portal", "auth", "notify", "jobs")
ROW = re.compile(r"^(\w+) .*? (\d+\.\d\d) +(\d+\.\d\d) +(\d+\.\d\d) +(\d+\.\d\d) +import ", re.MULTILINE)


def test_every_function_answers_its_cold_request_successfully():
    run = subprocess.run(
        [sys.executable, "-m", "benchmarks.cold_start", "--runs", "1", "--no-floors"],
        cwd=cfn.ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    # each function's row: its request, then import, first invocation, cold and warm as x B
    rows = ROW.findall(run.stdout)
    assert [row[0] for row in rows] == list(FUNCTIONS), run.stdout
    for area, *figures in rows:
        imported, first, cold, warm = map(float, figures)
        assert min(imported, first, warm) > 0, area
        assert abs(imported + first - cold) < 0.02, area  # one run: cold is the sum
