"""API shapes of secure messages."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from patientportal.models.common import ApiModel, LongText


class StaffMessage(ApiModel):
    """A secure message from the practice to a patient, not tied to a request."""

    body: LongText
    notify_patient: bool = True


class SecureMessage(BaseModel):
    message_id: str
    author: Literal["patient", "practice"]
    body: str
    created_at: str
    request_id: str | None = None
    read: bool = False
