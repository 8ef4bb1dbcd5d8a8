"""A Lambda handler for tests/local/test_functions.py: what its process sees, and a metric
added as often as the event asks (Powertools prints a metric set that reaches 100 values,
which needs the namespace the template's environment gives)."""

from __future__ import annotations

import os
import time
from typing import Any

from patientportal.observability import logger, metrics


@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    for _ in range(int(event.get("metrics", 0))):
        metrics.add_metric(name="ProbeCalls", unit="Count", value=1)
    if event.get("fail"):
        raise LookupError("asked to fail")
    if event.get("crash"):
        os._exit(70)  # as a native crash ends a process: no answer at all
    if event.get("sleep"):
        time.sleep(float(event["sleep"]))
    held = bytearray(int(event.get("megabytes", 0)) * 1024 * 1024)  # touched: it counts as resident
    held[::4096] = b"x" * len(held[::4096])
    return {
        "environment": dict(os.environ),
        "namespace": metrics.namespace,
        "service": logger.service,
        "function_name": context.function_name,
        "pid": os.getpid(),
        "remaining_ms": context.get_remaining_time_in_millis(),
    }
