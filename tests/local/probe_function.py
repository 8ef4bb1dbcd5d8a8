"""A Lambda handler for tests/local/test_functions.py: what its process sees, and a metric
added as often as the event asks (Powertools prints a metric set that reaches 100 values,
which needs the namespace the template's environment gives)."""

from __future__ import annotations

import os
from typing import Any

from patientportal.observability import logger, metrics


@metrics.log_metrics
def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    for _ in range(int(event.get("metrics", 0))):
        metrics.add_metric(name="ProbeCalls", unit="Count", value=1)
    if event.get("fail"):
        raise LookupError("asked to fail")
    return {
        "environment": dict(os.environ),
        "namespace": metrics.namespace,
        "service": logger.service,
        "function_name": context.function_name,
        "pid": os.getpid(),
    }
