"""One Lambda function in a process of its own, as Lambda runs it: a fresh interpreter whose
environment is exactly what the template gives that function (plus what Lambda itself sets),
importing the handler the template names, serving one invocation at a time.

``local.functions.FunctionHost`` starts one per function and talks to it over two pipes:
an invocation (its event and context, as one JSON line) on this process's standard input,
and the handler's answer, or its error, as one JSON line on the answer pipe. Standard output
and error stay the function's log, which the runtime's console shows, as CloudWatch would.

Run as ``python -m local.worker <answer fd> <functions.area.module> <handler>``.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import sys
import time
import traceback
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class LambdaContext:
    """The parts of Lambda's context object that Powertools reads."""

    function_name: str
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    invoked_function_arn: str = ""
    log_group_name: str = ""
    log_stream_name: str = "local"
    function_version: str = "$LATEST"
    timeout_ms: int = 10_000
    deadline: float = 0.0  # time.time() when the invocation times out; 0: timeout_ms from now

    def get_remaining_time_in_millis(self) -> int:
        if not self.deadline:
            return self.timeout_ms
        return max(0, int((self.deadline - time.time()) * 1000))


def peak_resident_kib() -> int:
    """This process's peak resident memory since it started (Linux's VmHWM; 0 where there
    is none). Not ``getrusage``'s ru_maxrss: Linux keeps that across exec, so a container
    started by a large runtime would begin over its limit."""
    try:
        with Path("/proc/self/status").open(encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return 0
    return 0


def serve(answers: Any, module_name: str, handler_name: str) -> None:
    handler = getattr(importlib.import_module(module_name), handler_name)
    answers.write(json.dumps({"ready": True}) + "\n")
    answers.flush()
    for line in sys.stdin:
        invocation = json.loads(line)
        context = LambdaContext(**invocation["context"])
        try:
            answer = {"ok": True, "value": handler(invocation["event"], context)}
        except Exception as error:  # noqa: BLE001 - Lambda reports any error as the invocation's
            traceback.print_exc()  # Lambda's runtime logs the error and its traceback
            answer = {"ok": False, "error": type(error).__name__}
        # Lambda ends an environment whose process outgrew the function's memory setting
        over = peak_resident_kib() > context.memory_limit_in_mb * 1024
        if over:
            print(f"Runtime.OutOfMemory: more than {context.memory_limit_in_mb} MB", file=sys.stderr)  # noqa: T201
            answer = {"ok": False, "error": "Runtime.OutOfMemory", "ended": True}
        sys.stdout.flush()
        sys.stderr.flush()
        answers.write(json.dumps(answer, default=str) + "\n")
        answers.flush()
        if over:
            return


def main() -> None:
    # The runtime holds back Ctrl-C and SIGTERM in its threads, and a signal mask outlives
    # exec: this process takes SIGTERM again, and leaves Ctrl-C to the runtime, which stops it.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    answer_fd, module_name, handler_name = sys.argv[1], sys.argv[2], sys.argv[3]
    with os.fdopen(int(answer_fd), "w", encoding="utf-8") as answers:
        serve(answers, module_name, handler_name)


if __name__ == "__main__":
    main()
