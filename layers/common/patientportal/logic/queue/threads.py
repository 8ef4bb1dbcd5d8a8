"""New secure messages: one builder for the practice's and the patient's alike."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from patientportal import clock, ids
from patientportal.models.records import MessageRecord


def new_message(
    *,
    patient_id: str,
    author: Literal["patient", "practice"],
    author_id: str,
    body: str,
    moment: datetime,
    request_id: str | None = None,
    in_reply_to: str | None = None,
) -> MessageRecord:
    """Its id is time-ordered from ``moment``, so threads and inboxes sort by time."""
    return MessageRecord(
        message_id=ids.time_ordered_id(moment),
        patient_id=patient_id,
        author=author,
        author_id=author_id,
        body=body,
        created_at=clock.timestamp(moment),
        request_id=request_id,
        in_reply_to=in_reply_to,
    )
