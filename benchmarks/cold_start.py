"""Cold start of every function (docs/performance.md "Cold start"): in a fresh interpreter,
the time from the first import to a handler ready to serve (module imported, settings read,
resolver built), against B = `import boto3` in a fresh interpreter. Budget: at most 1.8 x B."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys

from local import template as cfn

RUNS = 9
BUDGET = 1.8
ENVIRONMENT = {
    "TABLE_NAME": "bench",
    "PRACTICE_NAME": "Bench Practice",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",
    "POWERTOOLS_METRICS_NAMESPACE": "Bench",
}

BASELINE = "import time; t = time.perf_counter(); import boto3; print(time.perf_counter() - t)"


def function_code(area: str) -> str:
    return (
        "import sys, time; "
        f"sys.path[:0] = [{str(cfn.ROOT / 'layers' / 'common')!r}, {str(cfn.ROOT)!r}]; "
        "t = time.perf_counter(); "
        f"import functions.{area}.app as module; "
        "from patientportal.settings import get_settings; get_settings(); "
        "print(time.perf_counter() - t)"
    )


def timed(code: str) -> float:
    environment = {**os.environ, **ENVIRONMENT}
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=environment)
    return float(output.stdout.strip().splitlines()[-1])


def paired(code: str) -> tuple[float, float, float]:
    """Baseline and function measured in alternation, so a busy moment hits both: the
    median of the per-pair ratios, and the medians of each."""
    timed(code)  # warm the file-system cache and bytecode, as a reused Lambda image would be
    pairs = [(timed(BASELINE), timed(code)) for _ in range(RUNS)]
    ratio = statistics.median(seconds / baseline for baseline, seconds in pairs)
    return ratio, statistics.median(b for b, _ in pairs), statistics.median(s for _, s in pairs)


def main() -> None:
    print(f"cold start: {RUNS} fresh interpreters each, alternating with B = `import boto3`")
    print(f"{'function':10} {'ms':>6} {'B ms':>6} {'x B':>6}  budget {BUDGET} x B")
    for body in cfn.resources_of_type(cfn.load(), "AWS::Serverless::Function").values():
        area = cfn.function_area(body)
        ratio, baseline, seconds = paired(function_code(area))
        verdict = "ok" if ratio <= BUDGET else "OVER"
        print(f"{area:10} {seconds * 1000:6.0f} {baseline * 1000:6.0f} {ratio:6.2f}  {verdict}")


if __name__ == "__main__":
    main()
