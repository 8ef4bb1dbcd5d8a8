"""EventBridge, behind one function: ``publish`` puts one ``Event`` on the portal's bus
(``EVENT_BUS_NAME``, else the account's default bus).

This module is the only code that calls EventBridge, and its errors stop here: a call that
fails raises ``PublishError``, an entry EventBridge refuses answers False, so no caller sees
botocore.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from botocore.exceptions import BotoCoreError, ClientError

from patientportal import aws
from patientportal.settings import get_settings


@dataclass(frozen=True)
class Event:
    """One event: who sends it (``source``), what kind it is (``detail_type``) and its detail,
    sent as JSON in the order given."""

    source: str
    detail_type: str
    detail: Mapping[str, str]


class PublishError(Exception):
    """EventBridge could not be reached, or answered the call with an error."""


def publish(event: Event) -> bool:
    """One ``PutEvents`` call with this one event: True when EventBridge took it, False when
    it refused the entry (``FailedEntryCount``); ``PublishError`` when the call failed."""
    try:
        answer = aws.eventbridge().put_events(
            Entries=[
                {
                    "Source": event.source,
                    "DetailType": event.detail_type,
                    "Detail": json.dumps(dict(event.detail)),
                    "EventBusName": get_settings().event_bus_name or "default",
                }
            ]
        )
    except (BotoCoreError, ClientError) as error:
        raise PublishError(str(error)) from error
    return not answer.get("FailedEntryCount")
