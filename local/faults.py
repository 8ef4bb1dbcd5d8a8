"""Faults injected into the AWS emulator's answers: how the portal behaves when AWS fails.

The emulator is one server that every part of the local runtime calls over HTTP, so a fault
planned there reaches each function as AWS's own error would, through botocore's retries and
the layer's error handling (docs/security.md 10.5). A test plans faults by POSTing to
``/_local/faults`` on the emulator, reads what was injected with GET, and clears the plan
with DELETE; ``Faults`` below is that client. Nothing is planned unless a test asks.

A planned fault names the service (as a request's signature scope names it: ``dynamodb``,
``sesv2``), the operation (``TransactWriteItems``, ``SendEmail``), and the error AWS would
answer (its code and HTTP status). ``skip`` lets that many matching calls through first, and
``times`` fails that many after them (none: every one until the plan is cleared).
"""

from __future__ import annotations

import io
import json
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any
from urllib.parse import parse_qs

import botocore.session
import requests
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import make_server

from local.emulator import WsgiApp, one_dynamodb_call_at_a_time

PATH = "/_local/faults"
# A signature names the service's signing name; SES v2 signs as "ses", like the classic API.
SIGNED_AS = {"ses": ("sesv2", "ses")}
SCOPE = re.compile(r"Credential=[^/]+/\d{8}/[^/]+/([^/]+)/aws4_request")


@dataclass
class Fault:
    service: str
    operation: str
    code: str
    status: int = 400
    message: str = "Injected by the local runtime's fault plan."
    skip: int = 0
    times: int | None = None
    seen: int = 0
    injected: int = 0

    def fires(self) -> bool:
        """Counts one matching call; whether this one fails."""
        self.seen += 1
        if self.seen <= self.skip:
            return False
        if self.times is not None and self.injected >= self.times:
            return False
        self.injected += 1
        return True


@cache
def _service_model(service: str) -> Any:
    return botocore.session.get_session().get_service_model(service)


def _rest_operation(service: str, method: str, path: str) -> str:
    """The operation a REST request is, from the service's model (its method and URI)."""
    if not _service_model(service).protocol.startswith("rest"):
        return ""
    for name in _service_model(service).operation_names:
        http = _service_model(service).operation_model(name).http
        uri = http["requestUri"].split("?")[0]
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(uri)) + "/?$"
        if http["method"] == method and re.match(pattern, path):
            return str(name)
    return ""


def call_of(environ: dict[str, Any], body: bytes) -> tuple[str, str]:
    """(service, operation) of an AWS request as the emulator receives it."""
    found = SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    if not found:
        return "", ""
    scope = found.group(1)
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return scope, target.rpartition(".")[2]
    if environ.get("REQUEST_METHOD") == "POST" and b"Action=" in body:
        return scope, parse_qs(body.decode("utf-8", "replace")).get("Action", [""])[0]
    for service in SIGNED_AS.get(scope, (scope,)):
        operation = _rest_operation(service, environ.get("REQUEST_METHOD", ""), environ.get("PATH_INFO", ""))
        if operation:
            return service, operation
    return scope, ""


def error_answer(service: str, fault: Fault) -> tuple[str, list[tuple[str, str]], bytes]:
    """The error as the service's protocol words it, so botocore reads its code."""
    status = f"{fault.status} Injected"
    if _service_model(service).protocol == "query":
        body = (
            "<ErrorResponse><Error><Type>Sender</Type>"
            f"<Code>{fault.code}</Code><Message>{fault.message}</Message></Error>"
            "<RequestId>injected</RequestId></ErrorResponse>"
        ).encode()
        return status, [("Content-Type", "text/xml")], body
    body = json.dumps({"__type": fault.code, "message": fault.message}).encode()
    return status, [("Content-Type", "application/x-amz-json-1.0"), ("x-amzn-ErrorType", fault.code)], body


class FaultPlan:
    """The planned faults, shared by the emulator's request threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []

    def add(self, faults: Iterable[dict[str, Any]]) -> None:
        with self._lock:
            self._faults += [Fault(**fault) for fault in faults]

    def clear(self) -> list[Fault]:
        with self._lock:
            faults, self._faults = self._faults, []
            return faults

    @property
    def active(self) -> bool:
        return bool(self._faults)

    def listing(self) -> list[dict[str, Any]]:
        with self._lock:
            return [asdict(fault) for fault in self._faults]

    def firing(self, service: str, operation: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.service == service and fault.operation == operation and fault.fires():
                    return fault
            return None


def faulty(app: WsgiApp, plan: FaultPlan) -> WsgiApp:
    """The emulator's WSGI application with the plan in front of it."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == PATH:
            return _control(environ, start_response, plan)
        if not plan.active:  # the usual case: nothing to read or match
            return app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        environ["wsgi.input"] = io.BytesIO(body)
        service, operation = call_of(environ, body)
        fault = plan.firing(service, operation) if operation else None
        if fault is None:
            return app(environ, start_response)
        status, headers, answer = error_answer(service, fault)
        start_response(status, [*headers, ("Content-Length", str(len(answer)))])
        return [answer]

    return application


def _control(environ: dict[str, Any], start_response: Callable[..., Any], plan: FaultPlan) -> Iterator[bytes]:
    method = environ.get("REQUEST_METHOD")
    if method == "POST":
        length = int(environ.get("CONTENT_LENGTH") or 0)
        plan.add(json.loads(environ["wsgi.input"].read(length) or b"[]"))
        answer = plan.listing()
    elif method == "DELETE":
        answer = [asdict(fault) for fault in plan.clear()]
    else:
        answer = plan.listing()
    data = json.dumps(answer).encode()
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(data)))])
    yield data


class FaultyMotoServer(ThreadedMotoServer):
    """moto's threaded server with a fault plan in front of its application, which serves
    DynamoDB one call at a time (``local.emulator.one_dynamodb_call_at_a_time``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.plan = FaultPlan()

    def _server_entry(self) -> None:
        app = faulty(one_dynamodb_call_at_a_time(DomainDispatcherApplication(create_backend_app)), self.plan)
        self._server = make_server(self._ip_address, self._port, app, threaded=True, request_handler=MotoRequestHandler)
        self._server_ready_event.set()
        self._server.serve_forever()


class Faults:
    """A test's hold on the emulator's fault plan."""

    def __init__(self, emulator_url: str) -> None:
        self.url = emulator_url + PATH

    def plan(self, service: str, operation: str, code: str, **more: Any) -> None:
        fault = {"service": service, "operation": operation, "code": code, **more}
        requests.post(self.url, json=[fault], timeout=10).raise_for_status()

    def clear(self) -> list[dict[str, Any]]:
        """Ends every fault; what each had seen and injected."""
        answer: list[dict[str, Any]] = requests.delete(self.url, timeout=10).json()
        return answer
