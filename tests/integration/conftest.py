"""Integration fixtures: the stack's resources created from the template inside moto
(in-process), and the handlers called in-process with API Gateway 2.0 events."""

from __future__ import annotations

import importlib
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import pytest
import requests
from moto.server import ThreadedMotoServer

from functions.notify import app as notify
from local import cloudfront, demo_data, mailbox, totp
from local import emulator as emulator_fixes
from local.events import http_event, lambda_record
from local.functions import LambdaContext
from local.stack import Stack, provision
from local.streams import StreamMapping
from patientportal import aws
from patientportal.auth.tokens import unverified_claims
from patientportal.dal.table import Table
from patientportal.settings import get_settings
from tests import least_privilege, staff_mfa

PUBLIC_URL = "http://portal.test"

# Ava Thompson's details as the demo data holds them: what "I forgot my password" asks for.
AVA_ON_FILE = {
    "email": "ava.thompson@example.com",
    "last_name": "Thompson",
    "date_of_birth": "1984-03-12",
    "zip": "02139",
}


@pytest.fixture(scope="session")
def emulator() -> Iterator[str]:
    """moto's server in this process; the handlers reach it through AWS_ENDPOINT_URL, as in
    the local runtime. (moto's in-process decorator cannot serve DynamoDB Streams with this
    botocore, and the stream is part of what these tests check.)"""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    emulator_fixes.apply()
    with pytest.MonkeyPatch.context() as environment:
        for name, value in totp.ENV.items():  # moto checks authenticator-app codes only with this
            environment.setenv(name, value)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        _, port = server.get_host_and_port()
        yield f"http://127.0.0.1:{port}"
        server.stop()


@pytest.fixture(scope="session", autouse=True)
def least_privilege_recording() -> Iterator[None]:
    """Every AWS call a function's handler makes is recorded as that function's
    (``tests/least_privilege.py``); setup's calls are no function's."""
    with least_privilege.recording():
        yield


def _refused(item: pytest.Item) -> None:
    problems = least_privilege.check(item.funcargs.get("stack"))  # type: ignore[attr-defined]
    if problems:
        pytest.fail("calls the template does not allow:\n" + "\n".join(problems), pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """A call its function's policy would not allow fails the test that made it."""
    result = yield
    _refused(item)
    return result


@pytest.fixture(autouse=True)
def least_privilege_teardown(request: pytest.FixtureRequest) -> Iterator[None]:
    """The same check for calls made by fixtures after the test (the test's own, and its
    fixtures' before it, are checked as it ends)."""
    least_privilege.start_test()
    yield
    try:
        _refused(request.node)
    finally:
        least_privilege.end_test()


def _forget_process_state() -> None:
    get_settings.cache_clear()
    aws.forget_clients()


@pytest.fixture
def stack(emulator: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    """A fresh emulator state and every resource created from the template."""
    requests.post(f"{emulator}/moto-api/reset", timeout=10).raise_for_status()
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator)
    # The first administrator's invitation is the runtime's to show (tests/browser/test_first_admin.py)
    created = provision(region="us-east-1", public_url=PUBLIC_URL, invitations=False)
    for name, value in created.environment.items():
        monkeypatch.setenv(name, value)
    _forget_process_state()
    yield created
    _forget_process_state()


@pytest.fixture
def demo(stack: Stack) -> Stack:
    demo_data.seed(
        table_name=stack.ref("PortalTable"),
        staff_pool_id=stack.ref("StaffUserPool"),
        patient_pool_id=stack.ref("PatientUserPool"),
    )
    return stack


Call = Callable[..., tuple[int, Any, dict[str, Any]]]


# The address CloudFront names for the tests' viewer (the gateway names the connection's).
VIEWER = "127.0.0.1:50000"


def _caller(area: str, stack: Stack) -> Call:
    """Calls the area's handler with what CloudFront would send API Gateway for the request
    (``local.cloudfront``, as the local gateway does): the headers and cookies its policies
    forward, the viewer's address (``viewer``, ``ip:port``) and the origin secret."""
    module = importlib.import_module(f"functions.{area}.app")
    edge = cloudfront.api_edge(stack)

    def call(
        method: str,
        path: str,
        *,
        route: str | None = None,
        body: Any = None,
        raw_body: bytes | None = None,
        query: str = "",
        token: str | None = None,
        headers: dict[str, str] | None = None,
        path_parameters: dict[str, str] | None = None,
        viewer: str = VIEWER,
    ) -> tuple[int, Any, dict[str, Any]]:
        data = raw_body if raw_body is not None else (json.dumps(body).encode() if body is not None else None)
        event = http_event(
            method=method,
            path=path,
            route_path=route or path,
            path_parameters=path_parameters,
            query=cloudfront.origin_query(edge, query),
            headers=cloudfront.origin_request(
                edge, {"content-type": "application/json", **(headers or {})}, viewer=viewer
            ),
            body=data,
            claims=unverified_claims(token) if token else None,
        )
        answer = module.handler(event, LambdaContext(function_name=area))
        text = answer.get("body") or ""
        return answer["statusCode"], json.loads(text) if text else None, answer

    return call


@pytest.fixture
def call_auth(stack: Stack) -> Call:
    return _caller("auth", stack)


@pytest.fixture
def call_portal(stack: Stack) -> Call:
    return _caller("portal", stack)


@pytest.fixture
def call_queue(stack: Stack) -> Call:
    return _caller("queue", stack)


@pytest.fixture
def call_patients(stack: Stack) -> Call:
    return _caller("patients", stack)


def post_auth(call_auth: Call) -> staff_mfa.Post:
    """One sign-in step through the auth function, in the shape ``tests.staff_mfa`` takes."""

    def post(path: str, body: dict[str, Any]) -> tuple[int, Any]:
        status, answer, _ = call_auth("POST", path, body=body)
        return status, answer

    return post


@pytest.fixture
def login(call_auth: Call) -> Callable[[str, str, str], str]:
    """An access token; a staff sign-in also answers its second factor (the app's code)."""

    def sign_in(who: str, username: str, password: str) -> str:
        status, body, _ = call_auth("POST", f"/api/auth/{who}/login", body={"username": username, "password": password})
        if who == "staff":
            status, body = staff_mfa.finish(post_auth(call_auth), username, status, body)
        assert status == 200, body
        return str(body["access_token"])

    return sign_in


@pytest.fixture
def deliver_outbox(stack: Stack) -> Callable[[], dict[str, Any]]:
    """Plays Lambda's stream mapping once: new records through the template's filter to notify."""
    streams = boto3.client("dynamodbstreams")
    arn = stack.resolver.attribute("PortalTable", "StreamArn")
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    position = {
        "iterator": streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")[
            "ShardIterator"
        ]
    }
    event = stack.template["Resources"]["NotifyFunction"]["Properties"]["Events"]["Outbox"]
    mapping = StreamMapping(stack, host=None, function="NotifyFunction", event=event, retry_delay=0)  # type: ignore[arg-type]

    def deliver() -> dict[str, Any]:
        answer = streams.get_records(ShardIterator=position["iterator"])
        position["iterator"] = answer["NextShardIterator"]
        records = [lambda_record(record, arn) for record in answer["Records"]]
        kept = [record for record in records if mapping.keeps(record)]
        if not kept:
            return {"batchItemFailures": [], "delivered": 0}
        result = notify.handler({"Records": kept}, LambdaContext(function_name="notify"))
        return {**result, "delivered": len(kept)}

    return deliver


def outbox_stream_records(stack: Stack) -> list[dict[str, Any]]:
    """Every outbox entry on the table's stream so far, shaped as Lambda hands them to notify."""
    streams = boto3.client("dynamodbstreams")
    arn = stack.resolver.attribute("PortalTable", "StreamArn")
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    records = [
        lambda_record(record, arn) for record in streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    ]
    return [record for record in records if record["dynamodb"]["NewImage"].get("kind", {}).get("S") == "outbox"]


def sent_emails() -> list[dict[str, Any]]:
    return mailbox.sent_emails("us-east-1")


@pytest.fixture
def people(stack: Stack) -> Stack:
    """The demo staff and patients only (accounts tests): no queue, which is most of the
    demo's seeding time."""
    demo_data.seed_staff(stack.ref("StaffUserPool"))
    demo_data.seed_patients(Table(stack.ref("PortalTable")), stack.ref("PatientUserPool"))
    return stack


@pytest.fixture
def staff(login) -> str:
    return login("staff", demo_data.STAFF_LOGINS[0].username, demo_data.STAFF_LOGINS[0].password)


@pytest.fixture
def queue_api(call_queue, staff):
    """Staff calls to the queue function, routes named as the template names them."""

    def call(method: str, path: str, body: Any = None, query: str = "", token: str | None = None):
        parts = path.strip("/").split("/")
        route, parameters = path, {}
        if len(parts) >= 4 and parts[2] in {"queue", "archive"}:
            parameters = {"request_id": parts[3]}
            route = "/".join(["", *parts[:3], "{request_id}", *parts[4:]])
        status, answer, _ = call_queue(
            method, path, route=route, path_parameters=parameters or None, body=body, query=query, token=token or staff
        )
        return status, answer

    return call
