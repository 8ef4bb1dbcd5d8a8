"""Hosts the Lambda functions as Lambda would: each container a process of its own
(``local.worker``), with the handler named in the template and exactly the environment the
template gives the function, serving one invocation at a time. Requests at the same time
run at the same time, in another container of the function when one is busy (a cold
start there), as on AWS.

A function reading a variable that only another function's template entry sets gets
nothing here, as in Lambda: one process hosting every function could not show that."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict
from typing import IO, Any

from local import template as cfn
from local.stack import Stack
from local.worker import LambdaContext

__all__ = ["FunctionError", "FunctionHost", "LambdaContext"]

# What Lambda's own environment gives every function (and the emulator's address and
# credentials, in place of a role's), beside the variables of its template entry; and, when
# set, PYTHONFAULTHANDLER (a crashed container then prints where it crashed) and
# PYTHONWARNINGS (which warnings the containers print).
PASSED_THROUGH = ("PATH", "LANG", "LC_ALL", "TZ", "HOME", "PYTHONPATH", "PYTHONUNBUFFERED", "PYTHONDONTWRITEBYTECODE")
DEBUGGING = ("PYTHONFAULTHANDLER", "PYTHONWARNINGS")
AWS_PASSED = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL", "AWS_DEFAULT_REGION")


# Containers one function may run at once here: enough for requests to meet as they do on
# AWS, few enough for this machine (Lambda's own limit is the account's concurrency).
MAX_CONTAINERS = 3


class FunctionError(Exception):
    """The handler raised: Lambda reports the error type, and the function's log has the rest."""


class FunctionWorker:
    def __init__(self, name: str, module: str, handler: str, environment: Mapping[str, str]) -> None:
        self.name = name
        read_end, write_end = os.pipe()
        self._process = subprocess.Popen(  # noqa: S603 - this interpreter, our own module
            [sys.executable, "-m", "local.worker", str(write_end), module, handler],
            cwd=cfn.ROOT,
            env=dict(environment),
            stdin=subprocess.PIPE,
            pass_fds=(write_end,),
            text=True,
        )
        os.close(write_end)
        self._answers: IO[str] = os.fdopen(read_end, "r", encoding="utf-8")
        self._lock = threading.Lock()
        self._ready = False

    def wait_ready(self) -> None:
        with self._lock:
            if not self._ready:
                self._read()
                self._ready = True

    def _read(self) -> dict[str, Any]:
        line = self._answers.readline()
        if not line:  # the process is gone or going (a crash): that environment is over
            self._process.kill()
            code = self._process.wait(timeout=5)
            raise FunctionError(f"{self.name} stopped (exit {code})")
        answer: dict[str, Any] = json.loads(line)
        return answer

    @property
    def alive(self) -> bool:
        return self._process.poll() is None

    def invoke(self, event: Mapping[str, Any], context: LambdaContext) -> Any:
        """The handler's answer; past the function's timeout, Lambda's "Task timed out": the
        environment is stopped (the next invocation gets another, a cold start)."""
        self.wait_ready()
        with self._lock:
            invocations = self._process.stdin
            if invocations is None or invocations.closed or not self.alive:
                raise FunctionError(f"{self.name} is stopped")
            context.deadline = time.time() + context.timeout_ms / 1000
            invocations.write(json.dumps({"event": event, "context": asdict(context)}) + "\n")
            invocations.flush()
            ready, _, _ = select.select([self._answers], [], [], context.timeout_ms / 1000)
            if not ready:
                self._process.kill()
                self._process.wait(timeout=5)
                print(f"{self.name}: Task timed out after {context.timeout_ms / 1000:.2f} seconds", flush=True)  # noqa: T201
                raise FunctionError(f"{self.name} timed out")
            answer = self._read()
            if answer.get("ended"):  # the environment ends after this answer
                self._process.wait(timeout=5)
        if not answer["ok"]:
            raise FunctionError(f"{self.name} failed: {answer['error']}")
        return answer["value"]

    def stop(self) -> None:
        if self._process.stdin:
            self._process.stdin.close()  # the worker's loop ends with its input
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=5)
        self._answers.close()


class FunctionPool:
    """One function's containers: an idle one takes the invocation, and when every one is
    busy a new one starts (a cold start, as Lambda scales out), up to ``MAX_CONTAINERS``;
    beyond that an invocation waits for one to be free, as under a concurrency limit."""

    def __init__(
        self, name: str, module: str, handler: str, environment: Mapping[str, str], *, timeout: float, memory: int
    ) -> None:
        self.name = name
        self.timeout = timeout
        self.memory = memory
        self._start: Callable[[], FunctionWorker] = lambda: FunctionWorker(name, module, handler, environment)
        self._idle: list[FunctionWorker] = [self._start()]
        self._all: list[FunctionWorker] = list(self._idle)
        self._changed = threading.Condition()

    def wait_ready(self) -> None:
        for worker in list(self._all):
            worker.wait_ready()

    def _take(self) -> FunctionWorker:
        with self._changed:
            while not self._idle and len(self._all) >= MAX_CONTAINERS:
                self._changed.wait()
            if self._idle:
                return self._idle.pop()
            worker = self._start()
            self._all.append(worker)
            # As Lambda's log line for a new execution environment (the first ones start
            # with the runtime, before its banner)
            print(f"INIT_START {self.name} container {len(self._all)}", flush=True)  # noqa: T201 - the console is its log
            return worker

    def invoke(self, event: Mapping[str, Any], context: LambdaContext) -> Any:
        worker = self._take()
        try:
            return worker.invoke(event, context)
        finally:
            with self._changed:
                if worker.alive:
                    self._idle.append(worker)
                else:  # timed out or out of memory: that environment is gone
                    self._all.remove(worker)
                    worker.stop()
                self._changed.notify()

    @property
    def containers(self) -> int:
        return len(self._all)

    def stop(self) -> None:
        for worker in self._all:
            worker.stop()


class FunctionHost:
    """Starts every function's first container at once (their imports run side by side,
    while the runtime seeds the demo data), and hands each invocation to its function."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self._pools: dict[str, FunctionPool] = {}
        outside = {key: os.environ[key] for key in (*PASSED_THROUGH, *DEBUGGING, *AWS_PASSED) if key in os.environ}
        for name, body in cfn.resources_of_type(stack.template, "AWS::Serverless::Function").items():
            area = cfn.function_area(body)
            module_name, _, handler = body["Properties"]["Handler"].rpartition(".")
            environment = {
                **outside,
                **stack.functions[name],
                "AWS_REGION": stack.region,
                "AWS_LAMBDA_FUNCTION_NAME": name,
            }
            self._pools[name] = FunctionPool(
                name,
                f"functions.{area}.{module_name}",
                handler,
                environment,
                timeout=float(cfn.function_setting(stack.template, body, "Timeout") or 3),
                memory=int(cfn.function_setting(stack.template, body, "MemorySize") or 128),
            )

    def wait_ready(self) -> None:
        """Until every function has imported its handler (its init phase)."""
        for pool in self._pools.values():
            pool.wait_ready()

    def invoke(self, function: str, event: Mapping[str, Any]) -> Any:
        pool = self._pools[function]
        context = LambdaContext(
            function_name=function,
            invoked_function_arn=self.stack.arn("lambda", f"function:{function}"),
            timeout_ms=int(pool.timeout * 1000),
            memory_limit_in_mb=pool.memory,
        )
        return pool.invoke(dict(event), context)

    def stop(self) -> None:
        for pool in self._pools.values():
            pool.stop()
