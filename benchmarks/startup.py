"""`make run` start-up (issue: under 15 s here): time from launching `python -m local` to
READY, against the time to launch an interpreter that imports boto3, same run."""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time

from local import template as cfn

RUNS = 3


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def time_to_ready() -> float:
    environment = {**os.environ, "PORT": str(free_port()), "PYTHONUNBUFFERED": "1"}
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "local"], cwd=cfn.ROOT, env=environment, stdout=subprocess.PIPE, text=True
    )
    if process.stdout is None:
        raise RuntimeError("no output from the local runtime")
    for line in process.stdout:
        if line.startswith("READY "):
            break
    ready = time.perf_counter() - started
    process.send_signal(2)
    process.wait(timeout=30)
    return ready


def interpreter_with_boto3() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import boto3"], check=True)
    return time.perf_counter() - started


def main() -> None:
    baseline = statistics.median(interpreter_with_boto3() for _ in range(RUNS))
    ready = statistics.median(time_to_ready() for _ in range(RUNS))
    print(f"local runtime start-up, median of {RUNS}: {ready:.1f} s to READY with demo data")
    print(f"  = {ready / baseline:.0f} x an interpreter importing boto3 ({baseline * 1000:.0f} ms); target under 15 s")


if __name__ == "__main__":
    main()
