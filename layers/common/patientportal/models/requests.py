"""API shapes of patient requests (docs/api.md "Request types and their helper actions")."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, field_validator

from patientportal.models.common import (
    ApiModel,
    LongText,
    Model,
    OptionalLongText,
    OptionalShortText,
    PositiveWholeNumber,
    ShortText,
)
from patientportal.models.messages import SecureMessage
from patientportal.models.patients import PatientDetail

RequestType = Literal["refill", "appointment", "records", "demographics", "message"]
RequestState = Literal["open", "completed", "not_completed"]


class RefillRequest(ApiModel):
    type: Literal["refill"]
    medication: ShortText
    dosage: ShortText
    quantity: OptionalShortText = ""
    pharmacy: OptionalShortText = ""
    note: OptionalLongText = ""


class AppointmentRequest(ApiModel):
    type: Literal["appointment"]
    reason: ShortText
    preferred_times: list[ShortText] = Field(min_length=1, max_length=5)
    provider: OptionalShortText = ""


class RecordsRequest(ApiModel):
    type: Literal["records"]
    what: ShortText
    period: OptionalShortText = ""
    delivery: Literal["portal", "email", "mail", "pickup"] = "portal"


class DemographicsChanges(ApiModel):
    first_name: OptionalShortText | None = None
    last_name: OptionalShortText | None = None
    address: OptionalShortText | None = None
    zip: Annotated[str, Field(pattern=r"^\d{5}(-\d{4})?$")] | None = None
    phone: OptionalShortText | None = None
    email: OptionalShortText | None = None


class DemographicsRequest(ApiModel):
    type: Literal["demographics"]
    changes: DemographicsChanges
    note: OptionalLongText = ""

    @field_validator("changes")
    @classmethod
    def _something_changes(cls, changes: DemographicsChanges) -> DemographicsChanges:
        if not any(changes.model_dump(exclude_none=True).values()):
            raise ValueError("Say what should change: at least one detail.")
        return changes


class MessageRequest(ApiModel):
    type: Literal["message"]
    body: LongText


NewRequest = Annotated[
    RefillRequest | AppointmentRequest | RecordsRequest | DemographicsRequest | MessageRequest,
    Field(discriminator="type"),
]


class PatientRequestView(Model):
    """A request as its patient sees it."""

    request_id: str
    type: RequestType
    state: RequestState
    summary: str
    created_at: str
    details: dict[str, Any]


class RequestRow(Model):
    """What a row of the queue and of the archive both show of a request."""

    request_id: str
    patient_id: str
    patient_name: str
    patient_date_of_birth: str
    type: RequestType
    summary: str
    created_at: str


class QueueItem(RequestRow):
    """One row of the Patient Portal Queue: what staff need without opening the item."""

    state: RequestState
    version: int
    helper_summary: str = ""
    dismissed_at: str = ""
    dismissed_by: str = ""


class HistoryEntry(Model):
    """One transition of a request: who, when, what, and the state it left the item in."""

    at: str
    by: str
    action: Literal["replied", "dismissed", "restored", "changes_applied"]
    state: RequestState


class HelperResult(Model):
    """What the helper button did for a request (docs/api.md "Request types and their helper actions")."""

    action: str
    label: str
    result: dict[str, Any]
    created_at: str
    created_by: str


class QueueItemDetail(QueueItem):
    details: dict[str, Any]
    thread: list[SecureMessage]
    history: list[HistoryEntry]
    helper: HelperResult | None = None


Disposition = Literal["leave_open", "completed", "not_completed"]
Outcome = Literal["completed", "not_completed"]
Version = PositiveWholeNumber


class StaffReply(ApiModel):
    """A secure message in answer to a queue item, and what becomes of the item."""

    body: LongText
    notify_patient: bool = True
    link_to_request: bool = True
    disposition: Disposition = "leave_open"
    expected_version: Version


class Dismissal(ApiModel):
    outcome: Outcome
    expected_version: Version


class Restoration(ApiModel):
    expected_version: Version


class ReplyResult(Model):
    message: SecureMessage
    item: QueueItem


ChangeSetField = Literal["first_name", "last_name", "address", "zip", "phone", "email"]


class ChangeSetApproval(ApiModel):
    """The requested changes staff apply to the patient's record, chosen by field; the values
    are the patient's, read from the request. An email change of a patient with portal access
    needs ``confirm_email_change`` and a ``reason``, as when staff edit the patient."""

    fields: list[ChangeSetField] = Field(min_length=1, max_length=6)
    mark_completed: bool = True
    confirm_email_change: bool = False
    reason: OptionalShortText = ""
    patient_version: PositiveWholeNumber | None = None
    expected_version: Version


class ChangeSetApplied(Model):
    applied: list[ChangeSetField]
    patient: PatientDetail
    item: QueueItem


class ArchivedItem(RequestRow):
    """A row of the Patient Portal Archive."""

    state: Outcome
    dismissed_at: str
    dismissed_by: str
    version: int
