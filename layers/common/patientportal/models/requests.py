"""API shapes of patient requests (docs/api.md "Request types and their helper actions")."""

from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, field_validator

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


class SubmittedRequest(PatientRequestView):
    """The answer to a new request: also when the practice will next read it, when its office
    is closed now (``null`` while it is open; docs/api.md "Patient")."""

    next_read_at: str | None = None


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
    # The member of staff who has the item ("" while nobody has it)
    assigned_to: str = ""
    # Waited longer than the practice allows (its settings, in business time)
    overdue: bool = False


# The overdue count stops here: a queue page reads no more to count them ("100 or more").
OVERDUE_COUNT_LIMIT = 100


class QueuePage(Model):
    items: list[QueueItem]
    next_cursor: str | None
    # On the first page only (``null`` on later ones): open items overdue, up to OVERDUE_COUNT_LIMIT
    overdue_count: int | None = None


class HistoryEntry(Model):
    """One transition of a request: who, when, what, and the state it left the item in."""

    at: str
    by: str
    action: Literal["replied", "dismissed", "restored", "changes_applied", "assigned", "unassigned"]
    state: RequestState
    to: str = ""  # whom an assignment gave the item to


class HelperResult(Model):
    """What the helper button did for a request (docs/api.md "Request types and their helper actions")."""

    action: str
    label: str
    result: dict[str, Any]
    created_at: str
    created_by: str


class InternalNote(Model):
    """A note staff keep on an item for each other: never shown to the patient, never in an
    email, never in any answer of the patient's API."""

    note_id: str
    request_id: str
    author: str
    body: str
    created_at: str
    internal: Literal[True] = True


class NewNote(ApiModel):
    body: LongText


class QueueItemDetail(QueueItem):
    details: dict[str, Any]
    thread: list[SecureMessage]
    history: list[HistoryEntry]
    helper: HelperResult | None = None
    # Staff only, oldest first
    notes: list[InternalNote] = Field(default_factory=list)


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


QueueView = Literal["all", "unassigned", "mine"]
StaffMember = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._@+-]*$")]


class Assignment(ApiModel):
    """Who has an open item: a member of staff (oneself or a colleague), or nobody (``null``)."""

    assignee: StaffMember | None
    expected_version: Version


class Colleague(Model):
    username: str


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
