"""Stored-record shapes: what the table holds, kept apart from the API models so the
table can change without changing the API (STYLE.md)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class Record(BaseModel):
    """Stored items carry key attributes too; records ignore what they do not name."""

    model_config = ConfigDict(extra="ignore")


class PatientRecord(Record):
    patient_id: str
    first_name: str
    last_name: str
    date_of_birth: str
    email: str = ""
    zip: str = ""
    phone: str = ""
    portal_access_enabled: bool = False
    username: str = ""
    first_login_at: str = ""
    last_login_at: str = ""
    email_undeliverable: bool = False
    sessions_valid_after: int = 0
    unread_messages: int = 0
    created_at: str = ""
    version: int = 1

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class RequestRecord(Record):
    request_id: str
    patient_id: str
    patient_name: str
    patient_date_of_birth: str
    type: Literal["refill", "appointment", "records", "demographics", "message"]
    state: Literal["open", "completed", "not_completed"] = "open"
    summary: str
    details: dict[str, Any]
    created_at: str
    version: int = 1


class MessageRecord(Record):
    message_id: str
    patient_id: str
    author: Literal["patient", "practice"]
    author_id: str
    body: str
    created_at: str
    request_id: str | None = None
    read_at: str | None = None


class OutboxEntry(Record):
    """An email to send. It holds the address and template, never message content."""

    outbox_id: str
    template: str
    to: str
    patient_id: str
    created_at: str
