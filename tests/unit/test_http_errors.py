"""One place maps errors to HTTP, including the validating resolver's known gaps
(docs/architecture.md "Conventions")."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from aws_lambda_powertools.event_handler.openapi.params import Body
from pydantic import BaseModel

from local.events import http_event
from local.functions import LambdaContext
from patientportal import errors
from patientportal.http import ORIGIN_HEADER, build_resolver
from patientportal.settings import get_settings


class Greeting(BaseModel):
    name: str
    count: int


app = build_resolver()

# Every request here came through the distribution (tests/unit/test_origin_check.py has the rest).
THROUGH_CLOUDFRONT = {"TABLE_NAME": "unit", "PRACTICE_NAME": "Unit Practice", "ORIGIN_VERIFY_SECRET": "unit-secret"}


@pytest.fixture(autouse=True)
def through_cloudfront(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in THROUGH_CLOUDFRONT.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def resolve(event: dict[str, Any]) -> dict[str, Any]:
    event["headers"][ORIGIN_HEADER] = THROUGH_CLOUDFRONT["ORIGIN_VERIFY_SECRET"]
    return app.resolve(event, LambdaContext(function_name="test"))  # type: ignore[arg-type]


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
    answer = resolve(event)
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
    answer = resolve(event)
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


def send(body: bytes, content_type: str | None) -> tuple[int, dict[str, object]]:
    headers = {"content-type": content_type} if content_type is not None else {}
    event = http_event(method="POST", path="/greet", route_path="/greet", headers=headers, body=body)
    answer = resolve(event)
    return answer["statusCode"], json.loads(answer["body"])


def test_a_body_nested_100000_deep_is_a_400_naming_the_body_not_a_500():
    for deep in (b"[" * 100_000 + b"]" * 100_000, b'{"a":' * 100_000 + b"1" + b"}" * 100_000):
        status, body = send(deep, "application/json")
        assert status == 400
        assert body["error"]["code"] == "bad_request"
        assert body["error"]["field"] == "body"


# What every route answers to a body that is not JSON.
NOT_JSON = {
    "error": {
        "code": "unsupported_media_type",
        "message": "Send the body as JSON, with Content-Type: application/json.",
        "field": "content-type",
    }
}


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "text/plain; charset=utf-8",
        "application/xml",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/jsonx",
    ],
)
def test_a_body_that_is_not_json_is_a_415_in_the_one_error_shape(content_type):
    form = b"name=x&count=1"
    multipart = b'--x\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--x--\r\n'
    sent = {"application/x-www-form-urlencoded": form, "multipart/form-data; boundary=x": multipart}
    status, body = send(sent.get(content_type, json.dumps({"name": "x", "count": 1}).encode()), content_type)
    assert (status, body) == (415, NOT_JSON)


def test_json_is_read_whatever_the_case_of_its_type_and_without_one():
    for content_type in ("application/json", "Application/JSON; charset=utf-8", None):
        status, body = send(json.dumps({"name": "x", "count": 1}).encode(), content_type)
        assert (status, body) == (200, {"hello": "x"}), content_type
