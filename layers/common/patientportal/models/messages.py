"""API shapes of secure messages."""

from typing import Annotated, Literal

from pydantic import StringConstraints

from patientportal.models.common import ApiModel, LongText, Model, Page


class StaffMessage(ApiModel):
    """A secure message from the practice to a patient, not tied to a request."""

    body: LongText
    notify_patient: bool = True


class PatientMessage(ApiModel):
    """A secure message from a patient, optionally answering one of the practice's."""

    body: LongText
    in_reply_to: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None


class SecureMessage(Model):
    message_id: str
    author: Literal["patient", "practice"]
    body: str
    created_at: str
    request_id: str | None = None
    in_reply_to: str | None = None
    read: bool = False


class SentMessage(SecureMessage):
    """The answer to a patient's new message: also when the practice will next read it, when
    its office is closed now (``null`` while it is open)."""

    next_read_at: str | None = None


class Inbox(Page[SecureMessage]):
    """The patient's messages, newest first, and how many of the practice's are unread."""

    unread_count: int


class MessageRead(Model):
    message_id: str
    read: bool
    unread_count: int
