"""What a patient on a cold container waits for (docs/performance.md "Cold requests"): per
function, in a fresh interpreter holding only that function's template environment, the
import, the first invocation with a representative real request (an API route as CloudFront
and API Gateway hand it over, or a stream record as Lambda hands it over) against the local
runtime and its demo data, their sum, and a warm call, each as a multiple of B = `import
boto3` measured in alternation. Every answer is checked to be a success, so a failing
request cannot look fast.

``python -m benchmarks.cold_start --profile queue`` prints instead where that function's
cold request spends its time: the imports by their own time, then a profile of the first
invocation."""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import statistics
import subprocess
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from benchmarks.startup import free_port
from local import cloudfront, demo_data
from local import template as cfn
from local.events import http_event, lambda_record
from local.runtime import Runtime
from local.stack import aws_client
from patientportal.auth.tokens import unverified_claims
from patientportal.dal import keys
from patientportal.dal.attributes import from_attributes, to_attributes
from tests import staff_mfa

RUNS = 7
BASELINE = "import time; t = time.perf_counter(); import boto3; print(time.perf_counter() - t)"
FRONTDESK, MANAGER = demo_data.STAFF_LOGINS
AVA = next(login for login in demo_data.PATIENT_LOGINS if login.username == "ava.thompson")
IMPORT_BUDGET = 1.7  # every function's import, x B
COLD_BUDGET = {"queue": 2.0, "patients": 2.0, "portal": 2.0, "auth": 2.3, "notify": 2.3, "jobs": 2.3}

# The child: import the handler, call it with the first event, then with the second (warm).
CHILD = """
import json, sys, time
sys.path[:0] = [{layer!r}, {root!r}]
first_event, second_event = json.loads(sys.stdin.read())
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

if {profile!r}:
    import cProfile, pstats
    profiler = cProfile.Profile()
    first = profiler.runcall(module.{handler}, first_event, Context())
    pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(45)
else:
    first = module.{handler}(first_event, Context())
answered = time.perf_counter()
second = module.{handler}(second_event, Context())
warm = time.perf_counter()
print(json.dumps({{"import": imported - started, "first": answered - imported, "warm": warm - answered,
                   "answers": [first, second]}}))
"""


@dataclass
class Probe:
    function: str  # the template's logical id
    request: str  # what it is asked, for the table
    events: Callable[[], list[dict[str, Any]]]  # a fresh pair for each run: the first call's, the warm one's
    succeeded: Callable[[dict[str, Any]], bool]


def answered_200(answer: dict[str, Any]) -> bool:
    return answer.get("statusCode") == 200


def no_record_failed(answer: dict[str, Any]) -> bool:
    return answer == {"batchItemFailures": []}


def stream_event(runtime: Runtime, function: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    """New items as the table's stream hands them to ``function``: one INSERT record each."""
    arn = aws_client("dynamodb").describe_table(TableName=runtime.stack.ref("PortalTable"))["Table"]["LatestStreamArn"]
    records = [
        lambda_record(
            {
                "eventID": f"{function}-{index}",
                "eventName": "INSERT",
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": runtime.stack.region,
                "dynamodb": {
                    "Keys": to_attributes({"pk": item["pk"], "sk": item["sk"]}),
                    "NewImage": to_attributes(item),
                    "SequenceNumber": str(100 + index),
                    "SizeBytes": 1,
                    "StreamViewType": "NEW_IMAGE",
                },
            },
            arn,
        )
        for index, item in enumerate(items)
    ]
    return {"Records": records}


def probes(runtime: Runtime) -> list[Probe]:
    """A real request for each function: API routes as CloudFront and API Gateway hand them
    over, and the stream records the table hands to notify (an outbox entry) and jobs (a
    chunk of an import)."""
    edge = cloudfront.api_edge(runtime.stack)
    table = runtime.stack.ref("PortalTable")
    staff = staff_mfa.staff_token_over_http(runtime.url, FRONTDESK.username, FRONTDESK.password)
    manager = staff_mfa.staff_token_over_http(runtime.url, MANAGER.username, MANAGER.password)
    patient = requests.post(
        f"{runtime.url}/api/auth/patient/login", json={"username": AVA.username, "password": AVA.password}, timeout=10
    ).json()["access_token"]

    def event(
        method: str, path: str, route: str, *, token: str | None = None, body: Any = None, **extra: Any
    ) -> dict[str, Any]:
        return http_event(
            method=method,
            path=path,
            route_path=route,
            headers=cloudfront.origin_request(edge, {"content-type": "application/json"}, viewer="127.0.0.1:50000"),
            body=json.dumps(body).encode() if body is not None else None,
            claims=unverified_claims(token) if token else None,
            **extra,
        )

    def twice(built: dict[str, Any]) -> Callable[[], list[dict[str, Any]]]:
        return lambda: [built, built]

    counter = iter(range(1_000_000))

    def outbox_entries() -> list[dict[str, Any]]:
        """Two new outbox entries (a secure message waiting for Ava), one for each call."""
        items = []
        for _ in range(2):
            outbox_id = f"cold-{next(counter):06d}"
            item = {
                **keys.outbox(outbox_id),
                "kind": "outbox",
                "outbox_id": outbox_id,
                "template": "secure_message_waiting",
                "patient_id": "p-ava",
                "created_at": "2026-12-01T09:00:00Z",
                "expires_at": 1_900_000_000,
            }
            aws_client("dynamodb").put_item(TableName=table, Item=to_attributes(item))
            items.append(item)
        return [stream_event(runtime, "NotifyFunction", [item]) for item in items]

    def import_chunks() -> list[dict[str, Any]]:
        """A new import of 200 invented patients through the API: its two chunks of 100, one for each call."""
        run = next(counter)
        rows = io.StringIO()
        writer = csv.writer(rows)
        writer.writerow(["first_name", "last_name", "date_of_birth", "email", "zip", "phone"])
        for number in range(200):
            writer.writerow([f"Cold{run}", f"Tester{number:03d}", "1980-01-01", "", "02139", ""])
        answer = requests.post(
            f"{runtime.url}/api/staff/patients/import?dry_run=false",
            data=rows.getvalue().encode(),
            headers={"authorization": f"Bearer {manager}", "content-type": "text/csv"},
            timeout=30,
        )
        if answer.status_code != 202:
            raise RuntimeError(answer.text)
        job_id = answer.json()["job_id"]
        chunks = [
            aws_client("dynamodb").get_item(TableName=table, Key=to_attributes(keys.job_chunk(job_id, number)))["Item"]
            for number in range(2)
        ]
        return [stream_event(runtime, "JobsFunction", [from_attributes(chunk)]) for chunk in chunks]

    return [
        Probe(
            "QueueFunction",
            "GET /api/staff/queue",
            twice(event("GET", "/api/staff/queue", "/api/staff/queue", token=staff)),
            answered_200,
        ),
        Probe(
            "PatientsFunction",
            "GET /api/staff/patients/{patient_id}",
            twice(
                event(
                    "GET",
                    "/api/staff/patients/p-ava",
                    "/api/staff/patients/{patient_id}",
                    token=staff,
                    path_parameters={"patient_id": "p-ava"},
                )
            ),
            answered_200,
        ),
        Probe(
            "PortalFunction",
            "GET /api/portal/me",
            twice(event("GET", "/api/portal/me", "/api/portal/me", token=patient)),
            answered_200,
        ),
        Probe(
            "AuthFunction",
            "POST /api/auth/patient/login",
            twice(
                event(
                    "POST",
                    "/api/auth/patient/login",
                    "/api/auth/patient/login",
                    body={"username": AVA.username, "password": AVA.password},
                )
            ),
            answered_200,
        ),
        Probe("NotifyFunction", "an outbox entry (stream)", outbox_entries, no_record_failed),
        Probe("JobsFunction", "an import chunk of 100 (stream)", import_chunks, no_record_failed),
    ]


# The floor under the functions: what the chosen libraries alone cost, in the same fresh
# interpreters (the setup runs untimed first, then the statement is timed). pydantic loads
# its machinery with the first model, so each floor defines one.
FLOORS = {
    "API libraries": (
        "",
        (
            "import aws_lambda_powertools.event_handler.openapi.params, aws_lambda_powertools.logging,"
            " aws_lambda_powertools.metrics, botocore.session; from pydantic import create_model;"
            " create_model('Floor', x=(int, 0))"
        ),
    ),
    "stream libraries": (
        "",
        (
            "import aws_lambda_powertools.utilities.batch, aws_lambda_powertools.logging,"
            " aws_lambda_powertools.metrics, botocore.session; from pydantic import create_model;"
            " create_model('Floor', x=(int, 0))"
        ),
    ),
    "a first client": ("from patientportal import aws", "aws.dynamodb()"),
}
FLOOR_CHILD = """
import sys, time
sys.path[:0] = [{layer!r}]
{setup}
started = time.perf_counter()
{statement}
print(time.perf_counter() - started)
"""


def timed_baseline() -> float:
    output = subprocess.run([sys.executable, "-c", BASELINE], capture_output=True, text=True, check=True)
    return float(output.stdout.strip().splitlines()[-1])


def floors() -> None:
    """The libraries' own share, as x B: no function can start below it."""
    environment = {"PATH": os.environ.get("PATH", ""), "AWS_DEFAULT_REGION": "us-east-1"}
    for name, (setup, statement) in FLOORS.items():
        code = FLOOR_CHILD.format(layer=str(cfn.ROOT / "layers" / "common"), setup=setup, statement=statement)
        ratios = []
        for _ in range(RUNS):
            baseline = timed_baseline()
            output = subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=environment
            )
            ratios.append(float(output.stdout.strip().splitlines()[-1]) / baseline)
        print(f"floor: {name:18} {statistics.median(ratios):5.2f} x B   ({statement.split(';')[0]}, ...)")


def area_of(runtime: Runtime, probe: Probe) -> str:
    return cfn.function_area(runtime.stack.template["Resources"][probe.function])


def cold_request(runtime: Runtime, probe: Probe, *, profile: bool = False) -> dict[str, Any]:
    body = runtime.stack.template["Resources"][probe.function]
    module, _, handler = body["Properties"]["Handler"].rpartition(".")
    code = CHILD.format(
        layer=str(cfn.ROOT / "layers" / "common"),
        root=str(cfn.ROOT),
        module=f"functions.{cfn.function_area(body)}.{module}",
        handler=handler,
        function=probe.function,
        profile=profile,
    )
    # Only what Lambda gives this function: its template environment, and the emulator
    environment = {
        **runtime.stack.functions[probe.function],
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        "AWS_REGION": runtime.stack.region,
        "AWS_DEFAULT_REGION": runtime.stack.region,
        "AWS_LAMBDA_FUNCTION_NAME": probe.function,
        "AWS_ENDPOINT_URL": os.environ["AWS_ENDPOINT_URL"],
        "PATH": os.environ.get("PATH", ""),
    }
    output = subprocess.run(
        [sys.executable, *(["-X", "importtime"] if profile else []), "-c", code],
        input=json.dumps(probe.events()),
        capture_output=True,
        text=True,
        check=True,
        env=environment,
    )
    if profile:
        print_profile(output.stderr)
    measured: dict[str, Any] = json.loads(output.stdout.strip().splitlines()[-1])
    if not all(probe.succeeded(answer) for answer in measured["answers"]):  # a failure must not look fast
        raise RuntimeError(f"{probe.request}: {measured['answers']}\n{output.stderr[-2000:]}")
    return measured


def print_profile(stderr: str) -> None:
    """The 25 imports with the most time of their own, then the first call's profile."""
    imports: list[tuple[int, int, str]] = []
    rest: list[str] = []
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            own_text, cumulative_text, name = (part.strip() for part in line.removeprefix("import time:").split("|"))
            if own_text.isdigit():
                imports.append((int(own_text), int(cumulative_text), name))
        else:
            rest.append(line)
    print(f"imports: {len(imports)} modules, {sum(own for own, _, _ in imports) / 1000:.0f} ms of their own")
    for own, cumulative, name in sorted(imports, reverse=True)[:25]:
        print(f"  {own / 1000:7.1f} ms own {cumulative / 1000:7.1f} ms with its imports  {name}")
    print("first invocation:")
    print("\n".join(rest))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profile", metavar="FUNCTION", help="a function's area (queue, notify, ...) to profile")
    parser.add_argument("--runs", type=int, default=RUNS, help="fresh interpreters per function")
    parser.add_argument("--no-floors", action="store_true", help="skip the libraries' floors")
    arguments = parser.parse_args()
    # The local runtime's own functions (sign-ins, the import; in worker processes, which
    # inherit the environment) publish no metrics, and say so
    quiet = "ignore:No application metrics to publish:UserWarning"
    os.environ["PYTHONWARNINGS"] = ",".join(filter(None, (os.environ.get("PYTHONWARNINGS"), quiet)))
    warnings.filterwarnings("ignore", message="No application metrics to publish")
    runtime = Runtime(port=free_port(), streams=False)  # the stream functions get their records here
    runtime.start()
    try:
        chosen = probes(runtime)
        if arguments.profile:
            probe = next(probe for probe in chosen if area_of(runtime, probe) == arguments.profile)
            cold_request(runtime, probe)
            cold_request(runtime, probe, profile=True)
            return
        print(f"cold requests: {arguments.runs} fresh interpreters per function, alternating with B = `import boto3`")
        print(f"{'function':9} {'request':38} {'import':>6} {'first':>6} {'cold':>6} {'warm':>6}   (x B) budgets")
        for probe in chosen:
            cold_request(runtime, probe)  # the file-system cache and bytecode, as a reused image has them
            rows, baselines = [], []
            for _ in range(arguments.runs):
                baseline = timed_baseline()
                baselines.append(baseline)
                measured = cold_request(runtime, probe)
                rows.append({key: measured[key] / baseline for key in ("import", "first", "warm")})
            median = {key: statistics.median(row[key] for row in rows) for key in ("import", "first", "warm")}
            cold = statistics.median(row["import"] + row["first"] for row in rows)
            area = area_of(runtime, probe)
            verdicts = (
                f"import {'ok' if median['import'] <= IMPORT_BUDGET else 'OVER'} (<= {IMPORT_BUDGET:.1f}),"
                f" cold {'ok' if cold <= COLD_BUDGET[area] else 'OVER'} (<= {COLD_BUDGET[area]:.1f})"
            )
            print(
                f"{area:9} {probe.request:38} {median['import']:6.2f} {median['first']:6.2f} {cold:6.2f}"
                f" {median['warm']:6.2f}   {verdicts}; B {statistics.median(baselines) * 1000:.0f} ms"
            )
        if not arguments.no_floors:
            floors()
    finally:
        runtime.stop()


if __name__ == "__main__":
    main()
