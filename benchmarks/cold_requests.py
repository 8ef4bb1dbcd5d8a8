"""What a patient on a cold container waits for (issue 16, part 1): per function, in a fresh
interpreter holding only that function's template environment, the import, the first
invocation of a representative real route against the local emulator with the demo data,
their sum, and a warm call, each as a multiple of B = `import boto3` measured in alternation.
Each answer is checked to be a success, so a failing route cannot look fast."""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import requests

from local import cloudfront, demo_data
from local import template as cfn
from local.events import http_event
from local.runtime import Runtime
from patientportal.auth.tokens import unverified_claims
from tests import staff_mfa

RUNS = 7
BASELINE = "import time; t = time.perf_counter(); import boto3; print(time.perf_counter() - t)"
FRONTDESK = demo_data.STAFF_LOGINS[0]
AVA = next(login for login in demo_data.PATIENT_LOGINS if login.username == "ava.thompson")

# The child: import the handler, then call it twice with the event on its standard input.
CHILD = """
import json, sys, time
sys.path[:0] = [{layer!r}, {root!r}]
event = json.loads(sys.stdin.read())
started = time.perf_counter()
import {module} as module
imported = time.perf_counter()

class Context:
    function_name = {function!r}
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:" + {function!r}
    aws_request_id = "cold"
    def get_remaining_time_in_millis(self):
        return 10_000

first = module.{handler}(event, Context())
answered = time.perf_counter()
second = module.{handler}(event, Context())
warm = time.perf_counter()
print(json.dumps({{"import": imported - started, "first": answered - imported, "warm": warm - answered,
                   "statuses": [first.get("statusCode"), second.get("statusCode")]}}))
"""


@dataclass
class Probe:
    function: str  # the template's logical id
    route: str
    event: dict[str, Any]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def probes(runtime: Runtime) -> list[Probe]:
    """A real request for each HTTP function, as CloudFront and API Gateway hand it over."""
    edge = cloudfront.api_edge(runtime.stack)
    staff = staff_mfa.staff_token_over_http(runtime.url, FRONTDESK.username, FRONTDESK.password)
    patient = requests.post(
        f"{runtime.url}/api/auth/patient/login", json={"username": AVA.username, "password": AVA.password}, timeout=10
    ).json()["access_token"]

    def event(method: str, path: str, route: str, *, token: str | None = None, body: Any = None, **extra: Any):
        return http_event(
            method=method,
            path=path,
            route_path=route,
            headers=cloudfront.origin_request(edge, {"content-type": "application/json"}, viewer="127.0.0.1:50000"),
            body=json.dumps(body).encode() if body is not None else None,
            claims=unverified_claims(token) if token else None,
            **extra,
        )

    return [
        Probe(
            "QueueFunction", "GET /api/staff/queue", event("GET", "/api/staff/queue", "/api/staff/queue", token=staff)
        ),
        Probe(
            "PatientsFunction",
            "GET /api/staff/patients/{patient_id}",
            event(
                "GET",
                "/api/staff/patients/p-ava",
                "/api/staff/patients/{patient_id}",
                token=staff,
                path_parameters={"patient_id": "p-ava"},
            ),
        ),
        Probe("PortalFunction", "GET /api/portal/me", event("GET", "/api/portal/me", "/api/portal/me", token=patient)),
        Probe(
            "AuthFunction",
            "POST /api/auth/patient/login",
            event(
                "POST",
                "/api/auth/patient/login",
                "/api/auth/patient/login",
                body={"username": AVA.username, "password": AVA.password},
            ),
        ),
    ]


def timed_baseline() -> float:
    output = subprocess.run([sys.executable, "-c", BASELINE], capture_output=True, text=True, check=True)
    return float(output.stdout.strip().splitlines()[-1])


def cold_request(runtime: Runtime, probe: Probe) -> dict[str, Any]:
    body = runtime.stack.template["Resources"][probe.function]
    module, _, handler = body["Properties"]["Handler"].rpartition(".")
    code = CHILD.format(
        layer=str(cfn.ROOT / "layers" / "common"),
        root=str(cfn.ROOT),
        module=f"functions.{cfn.function_area(body)}.{module}",
        handler=handler,
        function=probe.function,
    )
    # Only what Lambda gives this function: its template environment, and the emulator
    environment = {
        **runtime.stack.functions[probe.function],
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_REGION": runtime.stack.region,
        "AWS_LAMBDA_FUNCTION_NAME": probe.function,
        "AWS_ENDPOINT_URL": os.environ["AWS_ENDPOINT_URL"],
        "PATH": os.environ.get("PATH", ""),
    }
    output = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(probe.event),
        capture_output=True,
        text=True,
        check=True,
        env=environment,
    )
    measured: dict[str, Any] = json.loads(output.stdout.strip().splitlines()[-1])
    if any(status != 200 for status in measured["statuses"]):  # a failing route must not look fast
        raise RuntimeError(f"{probe.route}: {measured}\n{output.stderr[-2000:]}")
    return measured


def main() -> None:
    runtime = Runtime(port=free_port())
    runtime.start()
    try:
        print(f"cold requests: {RUNS} fresh interpreters per function, alternating with B = `import boto3`")
        print(f"{'function':10} {'route':38} {'import':>7} {'first':>7} {'cold':>7} {'warm':>7}   (x B)")
        for probe in probes(runtime):
            cold_request(runtime, probe)  # the file-system cache and bytecode, as a reused image has them
            rows = []
            for _ in range(RUNS):
                baseline = timed_baseline()
                measured = cold_request(runtime, probe)
                rows.append({key: measured[key] / baseline for key in ("import", "first", "warm")})
            median = {key: statistics.median(row[key] for row in rows) for key in ("import", "first", "warm")}
            cold = statistics.median(row["import"] + row["first"] for row in rows)
            area = cfn.function_area(runtime.stack.template["Resources"][probe.function])
            print(
                f"{area:10} {probe.route:38} {median['import']:7.2f} {median['first']:7.2f} {cold:7.2f}"
                f" {median['warm']:7.2f}"
            )
    finally:
        runtime.stop()


if __name__ == "__main__":
    main()
