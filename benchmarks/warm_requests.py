"""Warm requests (docs/performance.md "Warm requests"): handler CPU per request with AWS
answered by a stub, per route, against a raw handler returning fixed JSON in the same run.
Budget: at most 25 x that baseline for a validated route."""

from __future__ import annotations

import contextlib
import io
import json
import os
import statistics
import time
from collections.abc import Callable
from typing import Any, ClassVar

os.environ.setdefault("TABLE_NAME", "bench")
os.environ.setdefault("PRACTICE_NAME", "Bench Practice")
os.environ.setdefault("STAFF_USER_POOL_ID", "us-east-1_staff")
os.environ.setdefault("PATIENT_USER_POOL_ID", "us-east-1_patients")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "Bench")
os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
os.environ.setdefault("ORIGIN_VERIFY_SECRET", "bench-origin-secret")

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver

from functions.portal import app as portal
from functions.queue import app as queue
from local.events import http_event
from local.functions import LambdaContext
from patientportal import aws
from patientportal.dal import keys
from patientportal.dal.attributes import to_attributes

BUDGET = 25
ROUNDS = 5
REQUESTS = 300
ISSUER = "https://cognito-idp.us-east-1.amazonaws.com/"
# What CloudFront adds to every API request; without it every route answers 403 at once.
FROM_CLOUDFRONT = {"x-origin-verify": os.environ["ORIGIN_VERIFY_SECRET"]}

PATIENT = {
    **keys.patient("p1"),
    "patient_id": "p1",
    "first_name": "Bench",
    "last_name": "Patient",
    "date_of_birth": "1990-01-01",
    "email": "bench@example.com",
    "zip": "02139",
    "portal_access_enabled": True,
}


def queue_item(index: int) -> dict[str, Any]:
    created = f"2026-01-01T00:00:{index:02d}.000000Z"
    return {
        **keys.request(f"r{index}"),
        **keys.open_queue_entry(created, f"r{index}", "refill"),
        "request_id": f"r{index}",
        "patient_id": "p1",
        "patient_name": "Bench Patient",
        "patient_date_of_birth": "1990-01-01",
        "type": "refill",
        "state": "open",
        "summary": "Refill: something 10 mg",
        "details": {"medication": "something", "dosage": "10 mg"},
        "created_at": created,
        "version": 1,
    }


class StubDynamoDB:
    """Answers the calls the measured routes make with answers prepared beforehand."""

    patient: ClassVar = {"Item": to_attributes(PATIENT)}
    page: ClassVar = [to_attributes(queue_item(index)) for index in range(201)]

    def get_item(self, **_: Any) -> dict[str, Any]:
        return self.patient

    answers: ClassVar[dict[tuple[str, int], dict[str, Any]]] = {}

    def query(self, **arguments: Any) -> dict[str, Any]:
        """Only what was asked for, as DynamoDB does; prepared once per distinct query."""
        projection = arguments.get("ProjectionExpression", "")
        key = (projection, arguments["Limit"])
        if key not in self.answers:
            items = self.page[: arguments["Limit"]]
            if projection:
                names = arguments["ExpressionAttributeNames"]
                wanted = {names[alias.strip()] for alias in projection.split(",")}
                items = [{name: value for name, value in item.items() if name in wanted} for item in items]
            self.answers[key] = {"Items": items}
        return self.answers[key]

    def put_item(self, **_: Any) -> dict[str, Any]:
        return {}


def raw_handler(_event: dict[str, Any], _context: Any) -> dict[str, Any]:
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": json.dumps({"ok": True})}


def cpu_per_request(handler: Callable[[dict[str, Any], Any], Any], event: dict[str, Any]) -> float:
    context = LambdaContext(function_name="bench")
    rounds = []
    with contextlib.redirect_stdout(io.StringIO()):  # log and metric lines are not the point here
        handler(event, context)
        for _ in range(ROUNDS):
            started = time.process_time()
            for _ in range(REQUESTS):
                handler(event, context)
            rounds.append((time.process_time() - started) / REQUESTS)
    return statistics.median(rounds)


plain = APIGatewayHttpResolver()


@plain.get("/api/portal/me")
def fixed_json() -> dict[str, bool]:
    return {"ok": True}


def plain_resolver_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return plain.resolve(event, context)


def main() -> None:
    aws._clients["dynamodb"] = StubDynamoDB()
    staff = {
        "iss": ISSUER + "us-east-1_staff",
        "token_use": "access",
        "username": "frontdesk",
        "iat": 1,
        "cognito:groups": ["staff"],
    }
    patient = {"iss": ISSUER + "us-east-1_patients", "token_use": "access", "username": "p1", "iat": 1}
    refill = json.dumps({"type": "refill", "medication": "amoxicillin", "dosage": "500 mg"}).encode()
    cases = {
        "GET /api/staff/queue (50 items)": (
            queue.handler,
            http_event(
                method="GET",
                path="/api/staff/queue",
                route_path="/api/staff/queue",
                headers=FROM_CLOUDFRONT,
                claims=staff,
            ),
        ),
        "GET /api/portal/me": (
            portal.handler,
            http_event(
                method="GET",
                path="/api/portal/me",
                route_path="/api/portal/me",
                headers=FROM_CLOUDFRONT,
                claims=patient,
            ),
        ),
        "POST /api/portal/requests": (
            portal.handler,
            http_event(
                method="POST",
                path="/api/portal/requests",
                route_path="/api/portal/requests",
                claims=patient,
                headers={**FROM_CLOUDFRONT, "content-type": "application/json"},
                body=refill,
            ),
        ),
    }
    event = cases["GET /api/portal/me"][1]
    baseline = cpu_per_request(raw_handler, event)
    resolver = cpu_per_request(plain_resolver_handler, event)
    print(f"warm requests, CPU per request, median of {ROUNDS} x {REQUESTS} (AWS answered by a stub)")
    print(f"baseline: raw handler returning fixed JSON = {baseline * 1e6:.1f} us")
    ratio = resolver / baseline
    print(f"          Powertools resolver route returning fixed JSON = {resolver * 1e6:.1f} us ({ratio:.0f} x)")
    print(f"{'route':34} {'us':>8} {'x raw':>8} {'x resolver':>11}  budget {BUDGET} x raw")
    for name, (handler, request) in cases.items():
        seconds = cpu_per_request(handler, request)
        ratio = seconds / baseline
        verdict = "ok" if ratio <= BUDGET else "OVER"
        print(f"{name:34} {seconds * 1e6:8.0f} {ratio:8.1f} {seconds / resolver:11.1f}  {verdict}")


if __name__ == "__main__":
    main()
