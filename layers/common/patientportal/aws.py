"""AWS clients, created once per process and only when first needed.

Every client is made on first use, DynamoDB included: a function that answers from a cache or
refuses a request early never pays for one (docs/decisions.md, cold starts). Tests
count each client's calls with botocore's event hooks (tests/conftest.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import botocore.session

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_ses import SESClient
    from mypy_boto3_sesv2 import SESV2Client

_clients: dict[str, Any] = {}


def _client(service: str) -> Any:
    """botocore directly: boto3 would add s3transfer and more to every cold start."""
    if service not in _clients:
        _clients[service] = botocore.session.get_session().create_client(service)
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


def ses() -> SESClient:
    """SES's classic API: only for the account's sending quota (``GetSendQuota``)."""
    client: SESClient = _client("ses")
    return client


def eventbridge() -> EventBridgeClient:
    client: EventBridgeClient = _client("events")
    return client


def forget_clients() -> None:
    """Drop every client, so the next use builds one against the current endpoint (tests)."""
    _clients.clear()
