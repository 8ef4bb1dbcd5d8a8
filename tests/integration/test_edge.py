"""Behind CloudFront, API Gateway's source address is the edge's, shared by everyone behind
it: the per-address throttles count the viewer CloudFront names instead. And a request that
did not come through the distribution (no origin secret) is refused before any work."""

from __future__ import annotations

import importlib
import json
from typing import Any

import boto3
import pytest

from local.events import http_event
from local.functions import LambdaContext
from local.stack import Stack
from patientportal import limits
from patientportal.dal import keys
from tests.integration.conftest import AVA_ON_FILE

# Two viewers behind one edge (documentation addresses); the edge itself is the event's sourceIp.
VIEWER_A = "198.51.100.7"
VIEWER_B = "198.51.100.8"
EDGE = "127.0.0.1"

STAFF_CLAIMS = {"iss": "https://cognito-idp.us-east-1.amazonaws.com/unknown", "username": "frontdesk", "iat": 1}


def attempts(stack: Stack, limit: limits.Limit, value: str) -> int:
    """The attempts counted this window for one throttled value (0 when none)."""
    counter = limits.window(limit, value)
    key = keys.rate_window(limit.scope, counter.key, counter.window)
    item = boto3.client("dynamodb").get_item(
        TableName=stack.ref("PortalTable"), Key={name: {"S": part} for name, part in key.items()}, ConsistentRead=True
    )
    return int(item.get("Item", {}).get("attempts", {}).get("N", 0))


@pytest.mark.usefixtures("people")
def test_two_viewers_behind_one_edge_get_separate_counters(stack, call_auth):
    # Given two viewers reaching the portal through the same CloudFront edge
    for viewer in (VIEWER_A, VIEWER_B):
        # When each asks for a password link once
        status, _, _ = call_auth("POST", "/api/auth/forgot", body=AVA_ON_FILE, viewer=f"{viewer}:50000")
        assert status == 202
    # Then each has used one of their own 20, and nothing was counted for the edge
    assert attempts(stack, limits.PER_SOURCE, VIEWER_A) == 1
    assert attempts(stack, limits.PER_SOURCE, VIEWER_B) == 1
    assert attempts(stack, limits.PER_SOURCE, EDGE) == 0


@pytest.mark.usefixtures("people")
def test_one_viewer_used_up_does_not_throttle_the_next_behind_the_same_edge(stack, call_auth):
    # Given a viewer who has used up the 20 attempts an hour (different emails, so only the
    # per-address limit applies)
    for number in range(limits.PER_SOURCE.attempts):
        details = {**AVA_ON_FILE, "email": f"nobody.{number}@example.com"}
        assert call_auth("POST", "/api/auth/forgot", body=details, viewer=f"{VIEWER_A}:50000")[0] == 202
    assert call_auth("POST", "/api/auth/forgot", body=AVA_ON_FILE, viewer=f"{VIEWER_A}:50001")[0] == 429
    # When another viewer behind the same edge asks, Then they are answered as usual
    assert call_auth("POST", "/api/auth/forgot", body=AVA_ON_FILE, viewer=f"{VIEWER_B}:50000")[0] == 202
    assert attempts(stack, limits.PER_SOURCE, VIEWER_A) == limits.PER_SOURCE.attempts
    assert attempts(stack, limits.PER_SOURCE, VIEWER_B) == 1


ROUTES = [
    ("auth", "POST", "/api/auth/forgot", AVA_ON_FILE, None),
    ("auth", "POST", "/api/auth/patient/login", {"username": "ava.thompson", "password": "Ava-portal-demo-2026"}, None),
    ("portal", "GET", "/api/portal/me", None, {**STAFF_CLAIMS, "username": "p-ava"}),
    ("queue", "GET", "/api/staff/queue", None, STAFF_CLAIMS),
    ("patients", "GET", "/api/staff/patients", None, STAFF_CLAIMS),
]


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize("secret", [None, "a-guess"])
@pytest.mark.parametrize("route", ROUTES, ids=[f"{area}-{method}-{path}" for area, method, path, _, _ in ROUTES])
def test_a_request_that_skipped_the_distribution_is_refused_and_touches_nothing(aws_calls, secret, route):
    area, method, path, body, claims = route
    # Given a request sent to the API's own address, past CloudFront (no or a guessed secret)
    headers: dict[str, str] = {"content-type": "application/json", "cloudfront-viewer-address": f"{VIEWER_A}:1"}
    if secret is not None:
        headers["x-origin-verify"] = secret
    event = http_event(
        method=method,
        path=path,
        route_path=path,
        headers=headers,
        body=json.dumps(body).encode() if body is not None else None,
        claims=claims,
    )
    aws_calls.reset()
    # When the function answers it
    handler: Any = importlib.import_module(f"functions.{area}.app").handler
    answer = handler(event, LambdaContext(function_name=area))
    # Then it is refused in the one error shape, and no AWS call was made
    assert answer["statusCode"] == 403
    assert json.loads(answer["body"])["error"]["code"] == "forbidden"
    assert aws_calls.calls == []
