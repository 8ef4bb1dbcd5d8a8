"""Every resolver answers only requests that came through the template's CloudFront
distribution (its secret origin header), and tells the viewer's address from the header
CloudFront adds, not from the edge's connection."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from local.events import http_event
from local.functions import LambdaContext
from patientportal import http
from patientportal.settings import get_settings

SECRET = "unit-test-origin-secret"  # a test's own value, never a deployed one
EDGE = "192.0.2.10"  # the CloudFront edge's address, as API Gateway sees it

app = http.build_resolver()


@app.get("/where")
def where() -> dict[str, str]:
    return {"viewer": http.viewer_address(app)}


@pytest.fixture(autouse=True)
def settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TABLE_NAME", "unit")
    monkeypatch.setenv("PRACTICE_NAME", "Unit Practice")
    monkeypatch.setenv("ORIGIN_VERIFY_SECRET", SECRET)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def call(headers: dict[str, str]) -> tuple[int, Any, dict[str, Any]]:
    event = http_event(method="GET", path="/where", route_path="/where", headers=headers, source_ip=EDGE)
    answer = app.resolve(event, LambdaContext(function_name="test"))  # type: ignore[arg-type]
    return answer["statusCode"], json.loads(answer["body"]), answer


@pytest.mark.parametrize(
    ("header", "viewer"),
    [
        ("198.51.100.10:46532", "198.51.100.10"),
        ("2001:db8::1:443", "2001:db8::1"),
        ("2001:DB8:0:0:0:0:0:1:443", "2001:db8::1"),
    ],
)
def test_the_viewer_is_the_address_cloudfront_saw(header, viewer):
    status, body, _ = call({http.ORIGIN_HEADER: SECRET, http.VIEWER_ADDRESS_HEADER: header})
    assert status == 200
    assert body == {"viewer": viewer}


@pytest.mark.parametrize("header", [None, "", "198.51.100.10", "not-an-address:443", "198.51.100.10:port"])
def test_without_a_readable_viewer_address_the_connection_counts(header):
    headers = {http.ORIGIN_HEADER: SECRET}
    if header is not None:
        headers[http.VIEWER_ADDRESS_HEADER] = header
    status, body, _ = call(headers)
    assert status == 200
    assert body == {"viewer": EDGE}


@pytest.mark.parametrize("secret", [None, "", "wrong", SECRET.upper(), SECRET + " "])
def test_a_request_without_the_distributions_secret_is_refused_in_the_one_error_shape(secret):
    headers = {http.VIEWER_ADDRESS_HEADER: "198.51.100.10:46532"}
    if secret is not None:
        headers[http.ORIGIN_HEADER] = secret
    status, body, _ = call(headers)
    assert status == 403
    assert body["error"]["code"] == "forbidden"
    assert set(body) == {"error"}


def test_a_function_without_a_configured_secret_refuses_everything(monkeypatch):
    monkeypatch.setenv("ORIGIN_VERIFY_SECRET", "")
    get_settings.cache_clear()
    assert call({http.ORIGIN_HEADER: ""})[0] == 403
    assert call({})[0] == 403


def test_answers_tell_cloudfront_to_keep_nothing():
    _, _, answer = call({http.ORIGIN_HEADER: SECRET})
    assert answer["headers"]["Cache-Control"] == "no-store"
    _, _, refused = call({})
    assert refused["headers"]["Cache-Control"] == "no-store"
