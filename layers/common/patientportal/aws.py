"""AWS clients, created once per process and only when first needed.

Every client is made on first use, DynamoDB included: a function that answers from a cache or
refuses a request early never pays for one (docs/decisions.md, cold starts). Tests
count each client's calls with botocore's event hooks (tests/conftest.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import botocore.loaders
import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_events import EventBridgeClient
    from mypy_boto3_ses import SESClient
    from mypy_boto3_sesv2 import SESV2Client

_clients: dict[str, Any] = {}
# One botocore session for every client: ``botocore.session.get_session()`` makes a new one
# each call, and each new session loads the endpoint data and lists every service's model
# again (a second client took 52 ms with its own session, 10 ms with the first's;
# docs/decisions.md 66).
_session: list[botocore.session.Session] = []

# botocore's "standard" retries: three attempts in all, with jittered pauses of up to 1 s and
# 2 s. Its default for DynamoDB ("legacy") is ten attempts over about 25 s, which outlasts the
# functions' 10-second timeout: a throttled request would end as Lambda's error, not as our 503.
#
# No client-side parameter validation: the layer builds every request itself, and DynamoDB,
# Cognito and SES check each one anyway. botocore's check walks every value of every request
# in Python: 60 ms of a 100-row import chunk's 8 BatchWriteItem calls (docs/decisions.md 66).
CLIENT_CONFIG = Config(retries={"mode": "standard", "total_max_attempts": 3}, parameter_validation=False)

# What AWS answers when it is busy or briefly down: the call did nothing, and the same call a
# moment later can succeed. (A cancelled transaction says so per item, in its reasons.)
BUSY = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "InternalServerError",
        "InternalFailure",
        "InternalErrorException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "TransactionInProgressException",
    }
)
BUSY_ITEM = frozenset({"ThrottlingError", "ProvisionedThroughputExceeded", "TransactionConflict"})


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def cancellation_codes(error: ClientError) -> set[str]:
    """Why each item of a cancelled DynamoDB transaction failed (none for any other error)."""
    if error_code(error) != "TransactionCanceledException":
        return set()
    return {str(reason.get("Code", "")) for reason in error.response.get("CancellationReasons", [])}


def busy(error: ClientError) -> bool:
    """Whether AWS refused ``error``'s call for now rather than for good."""
    if error_code(error) == "TransactionCanceledException":
        return bool(cancellation_codes(error) & BUSY_ITEM)
    return error_code(error) in BUSY


# Every service the layer makes a client for (the functions below).
SERVICES = ("cognito-idp", "dynamodb", "events", "ses", "sesv2")


class _LayerLoader(botocore.loaders.Loader):
    """botocore's loader, told which services the layer uses: to check a service's name, the
    stock one lists every one of the 400-odd service folders botocore ships, for each kind
    of file it loads (about 25 ms of a process's first client)."""

    def list_available_services(self, type_name: str) -> list[str]:  # noqa: ARG002 - every kind: the same five
        return list(SERVICES)


def _new_session() -> botocore.session.Session:
    session = botocore.session.get_session()
    session.register_component("data_loader", _LayerLoader())
    return session


def _client(service: str) -> Any:
    """botocore directly: boto3 would add s3transfer and more to every cold start."""
    if service not in _clients:
        if not _session:
            _session.append(_new_session())
        _clients[service] = _session[0].create_client(service, config=CLIENT_CONFIG)
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
    _session.clear()
