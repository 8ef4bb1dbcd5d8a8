"""API shapes of patient requests (API.md, "Request types and their helper actions")."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from patientportal.models.common import (
    ApiModel,
    LongText,
    OptionalLongText,
    OptionalShortText,
    ShortText,
)

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


class MessageRequest(ApiModel):
    type: Literal["message"]
    body: LongText


NewRequest = Annotated[
    RefillRequest | AppointmentRequest | RecordsRequest | DemographicsRequest | MessageRequest,
    Field(discriminator="type"),
]


class PatientRequestView(BaseModel):
    """A request as its patient sees it."""

    request_id: str
    type: RequestType
    state: RequestState
    summary: str
    created_at: str
    details: dict[str, Any]


class QueueItem(BaseModel):
    """One row of the Patient Portal Queue: what staff need without opening the item."""

    request_id: str
    patient_id: str
    patient_name: str
    patient_date_of_birth: str
    type: RequestType
    summary: str
    created_at: str
    state: RequestState
    version: int


class QueueItemDetail(QueueItem):
    details: dict[str, Any]
    thread: list[dict[str, Any]]
