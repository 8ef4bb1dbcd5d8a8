"""AWS clients, created once per process and only when first needed.

DynamoDB is used on nearly every request, so functions touch it at import; SES, Cognito and
EventBridge are created on first use, which keeps cold starts short (PERFORMANCE.md). Tests
reach every client through ``created_clients()`` to count calls with botocore's event hooks.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

import boto3

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_sesv2 import SESV2Client

_clients: dict[str, Any] = {}


def _client(service: str) -> Any:
    if service not in _clients:
        _clients[service] = boto3.session.Session().client(service)  # type: ignore[call-overload]
    return _clients[service]


def dynamodb() -> DynamoDBClient:
    client: DynamoDBClient = _client("dynamodb")
    return client


def cognito() -> CognitoIdentityProviderClient:
    client: CognitoIdentityProviderClient = _client("cognito-idp")
    return client


def sesv2() -> SESV2Client:
    client: SESV2Client = _client("sesv2")
    return client


def eventbridge() -> EventBridgeClient:
    client: EventBridgeClient = _client("events")
    return client


def created_clients() -> dict[str, Any]:
    """The clients made so far, by service name (for tests that count calls)."""
    return dict(_clients)


def forget_clients() -> None:
    """Drop every client, so the next use builds one against the current endpoint (tests)."""
    _clients.clear()


@cache
def region() -> str:
    return boto3.session.Session().region_name or "us-east-1"
