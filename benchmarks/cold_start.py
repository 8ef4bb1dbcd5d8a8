"""Cold start of every function (PERFORMANCE.md): in a fresh interpreter, the time from the
first import to a handler ready to serve (module imported, settings read, resolver built),
against B = `import boto3` in a fresh interpreter. Budget: at most 1.8 x B."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys

from local import template as cfn

RUNS = 7
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


def median_of(code: str) -> float:
    timed(code)  # warm the file-system cache and bytecode, as a reused Lambda image would be
    return statistics.median(timed(code) for _ in range(RUNS))


def main() -> None:
    baseline = median_of(BASELINE)
    print(f"cold start, median of {RUNS} fresh interpreters; B = import boto3 = {baseline * 1000:.0f} ms")
    print(f"{'function':10} {'ms':>6} {'x B':>6}  budget {BUDGET} x B")
    for body in cfn.resources_of_type(cfn.load(), "AWS::Serverless::Function").values():
        area = cfn.function_area(body)
        seconds = median_of(function_code(area))
        ratio = seconds / baseline
        verdict = "ok" if ratio <= BUDGET else "OVER"
        print(f"{area:10} {seconds * 1000:6.0f} {ratio:6.2f}  {verdict}")


if __name__ == "__main__":
    main()
