"""Hosts the Lambda functions in this process, as Lambda would: the handler named in
the template, the environment the template gives it, and one invocation at a time."""

from __future__ import annotations

import importlib
import os
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from local import template as cfn
from local.stack import Stack


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

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


class FunctionHost:
    """Imports each function's module once and invokes its handler under one lock: the
    resolvers keep per-request state, as they may in a Lambda container that serves one
    request at a time."""

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self._lock = threading.Lock()
        self._modules: dict[str, ModuleType] = {}
        self._handlers: dict[str, str] = {}
        os.environ.update(stack.environment)
        for name, body in cfn.resources_of_type(stack.template, "AWS::Serverless::Function").items():
            area = cfn.function_area(body)
            module_name, _, handler = body["Properties"]["Handler"].rpartition(".")
            self._modules[name] = importlib.import_module(f"functions.{area}.{module_name}")
            self._handlers[name] = handler

    def invoke(self, function: str, event: Mapping[str, Any]) -> Any:
        context = LambdaContext(
            function_name=function, invoked_function_arn=self.stack.arn("lambda", f"function:{function}")
        )
        handler = getattr(self._modules[function], self._handlers[function])
        with self._lock:
            return handler(dict(event), context)
