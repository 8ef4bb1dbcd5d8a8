"""One place maps errors to HTTP, including the validating resolver's known gaps (STYLE.md)."""

from __future__ import annotations

import base64
import json
from typing import Annotated

import pytest
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import BaseModel

from local.events import http_event
from local.functions import LambdaContext
from patientportal import errors
from patientportal.http import build_resolver


class Greeting(BaseModel):
    name: str
    count: int


app = build_resolver()


@app.post("/greet")
def greet(greeting: Annotated[Greeting, Body()]) -> dict[str, str]:
    return {"hello": greeting.name}


@app.get("/fail/<kind>")
def fail(kind: str) -> dict[str, str]:
    error_class = {
        "conflict": errors.ConflictError,
        "missing": errors.NotFoundError,
        "gone": errors.GoneError,
        "throttled": errors.TooManyRequestsError,
        "forbidden": errors.ForbiddenError,
    }[kind]
    if error_class is errors.ConflictError:
        raise errors.ConflictError("Someone else got there first.", current={"version": 3})
    raise error_class(f"{kind} happened")


def call(method: str, path: str, body: bytes | None = None) -> tuple[int, dict[str, object]]:
    event = http_event(
        method=method, path=path, route_path=path, headers={"content-type": "application/json"}, body=body
    )
    answer = app.resolve(event, LambdaContext(function_name="test"))
    return answer["statusCode"], json.loads(answer["body"])


def test_a_missing_field_is_a_422_that_names_it_with_a_message():
    status, body = call("POST", "/greet", json.dumps({"name": "x"}).encode())
    assert status == 422
    assert body["error"]["field"] == "count"
    assert body["error"]["code"] == "validation_error"
    assert "count" in body["error"]["message"]


def test_malformed_json_is_a_400_not_a_500():
    status, body = call("POST", "/greet", b'{"name": ')
    assert status == 400
    assert body["error"]["field"] == "body"


def test_a_body_that_is_not_utf8_is_a_400_not_a_500():
    event = http_event(method="POST", path="/greet", route_path="/greet", body=b"\xff\xfe\xfa")
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\xff\xfe\xfa"
    answer = app.resolve(event, LambdaContext(function_name="test"))
    assert answer["statusCode"] == 400
    assert json.loads(answer["body"])["error"]["field"] == "body"


def test_an_unknown_route_is_a_404_in_the_one_error_shape():
    status, body = call("GET", "/nowhere")
    assert status == 404
    assert body["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("kind", "status"), [("conflict", 409), ("missing", 404), ("gone", 410), ("throttled", 429), ("forbidden", 403)]
)
def test_domain_errors_map_to_their_status(kind, status):
    answered, body = call("GET", f"/fail/{kind}")
    assert answered == status
    assert (
        body["error"]["code"]
        == {409: "conflict", 404: "not_found", 410: "gone", 429: "too_many_requests", 403: "forbidden"}[status]
    )


def test_a_conflict_carries_the_current_state():
    status, body = call("GET", "/fail/conflict")
    assert status == 409
    assert body["current"] == {"version": 3}


def test_a_domain_not_found_inside_a_route_is_not_swallowed_as_an_unknown_route():
    _, body = call("GET", "/fail/missing")
    assert body["error"]["message"] == "missing happened"
