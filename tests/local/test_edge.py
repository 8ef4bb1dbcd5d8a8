"""The local gateway plays CloudFront as the template configures it: it names the viewer by
the connection it accepted and adds the origin secret, whatever a client puts in those
headers itself, so a client cannot pick the address it is throttled as."""

from __future__ import annotations

import boto3
import pytest
import requests

from local.stack import STACK_NAME
from patientportal import limits
from patientportal.dal import keys
from tests.local.conftest import RunningPortal

pytestmark = [pytest.mark.local_runtime, pytest.mark.xdist_group("local_runtime")]

CHOSEN = "203.0.113.9"  # the address a client would like to be counted as
# An address on file for nobody: nothing is sent, only the attempt is counted.
UNKNOWN = {"email": "no.one.here@example.com", "last_name": "Nobody", "date_of_birth": "1970-01-01", "zip": "00000"}


def attempts(portal: RunningPortal, value: str) -> tuple[str, int]:
    """This window's number and the attempts counted in it for one viewer address."""
    counter = limits.window(limits.PER_SOURCE, value)
    key = keys.rate_window(limits.PER_SOURCE.scope, counter.key, counter.window)
    dynamodb = boto3.client("dynamodb", endpoint_url=portal.emulator_url, region_name="us-east-1")
    item = dynamodb.get_item(
        TableName=f"{STACK_NAME}-PortalTable",
        Key={name: {"S": part} for name, part in key.items()},
        ConsistentRead=True,
    )
    return counter.window, int(item.get("Item", {}).get("attempts", {}).get("N", 0))


def test_a_client_cannot_choose_its_viewer_address_or_the_origin_secret(portal):
    before_window, before = attempts(portal, "127.0.0.1")
    # When a client names its own viewer address and guesses the origin secret
    answer = requests.post(
        f"{portal.url}/api/auth/forgot",
        json=UNKNOWN,
        headers={"CloudFront-Viewer-Address": f"{CHOSEN}:4444", "X-Origin-Verify": "a-guess"},
        timeout=10,
    )
    # Then the gateway replaced both, as CloudFront does: the request is answered, and it was
    # counted for the address the connection came from, not the one the client chose
    assert answer.status_code == 202, answer.text
    window, after = attempts(portal, "127.0.0.1")
    assert after == (before + 1 if window == before_window else 1)
    assert attempts(portal, CHOSEN)[1] == 0
