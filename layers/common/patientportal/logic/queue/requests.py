"""Patients' requests: submitting one and listing their own."""

from __future__ import annotations

from patientportal import clock, ids
from patientportal.dal import requests as stored_requests
from patientportal.logic.practice import settings as practice_settings
from patientportal.logic.queue import threads
from patientportal.models.common import Page
from patientportal.models.records import MessageRecord, PatientRecord, RequestRecord
from patientportal.models.requests import (
    AppointmentRequest,
    DemographicsRequest,
    MessageRequest,
    NewRequest,
    PatientRequestView,
    RecordsRequest,
    RefillRequest,
    SubmittedRequest,
)

SUMMARY_LENGTH = 120


def summarise(request: NewRequest) -> str:
    """The one line the queue shows for a request."""
    match request:
        case RefillRequest():
            line = f"Refill: {request.medication} {request.dosage}"
        case AppointmentRequest():
            line = f"Appointment: {request.reason}"
        case RecordsRequest():
            line = f"Records: {request.what}"
        case DemographicsRequest():
            changed = sorted(request.changes.model_dump(exclude_none=True))
            line = "Update details: " + ", ".join(name.replace("_", " ") for name in changed)
        case MessageRequest():
            line = request.body.splitlines()[0] if request.body else ""
    return line if len(line) <= SUMMARY_LENGTH else line[: SUMMARY_LENGTH - 1] + "…"


def submit_request(patient: PatientRecord, request: NewRequest) -> SubmittedRequest:
    """The new request, and when the practice will next read it (its office hours)."""
    office = practice_settings.current()  # read before the write: a failed read stores nothing
    record, _ = submit(patient, request)
    return SubmittedRequest.from_record(record, next_read_at=practice_settings.next_read_at(office, clock.now()))


def submit(
    patient: PatientRecord, request: NewRequest, *, in_reply_to: str | None = None
) -> tuple[RequestRecord, MessageRecord | None]:
    """A new queue item; a message starts its thread with the patient's message."""
    moment = clock.now()
    created_at = clock.timestamp(moment)
    details = request.model_dump(exclude={"type"}, exclude_none=True)
    if in_reply_to:
        details["in_reply_to"] = in_reply_to
    record = RequestRecord(
        request_id=ids.new_id(),
        patient_id=patient.patient_id,
        patient_name=patient.display_name,
        patient_date_of_birth=patient.date_of_birth,
        type=request.type,
        summary=summarise(request),
        details=details,
        created_at=created_at,
    )
    first_message = None
    if isinstance(request, MessageRequest):
        first_message = threads.new_message(
            patient_id=patient.patient_id,
            author="patient",
            author_id=patient.patient_id,
            body=request.body,
            moment=moment,
            request_id=record.request_id,
            in_reply_to=in_reply_to,
        )
    stored_requests.add_request(record, first_message)
    return record, first_message


def patient_view(record: RequestRecord) -> PatientRequestView:
    return PatientRequestView.from_record(record)


def list_patient_requests(patient: PatientRecord, *, limit: int, cursor: str | None) -> Page[PatientRequestView]:
    records, next_cursor = stored_requests.patient_requests_page(patient.patient_id, limit=limit, cursor=cursor)
    return Page[PatientRequestView](items=[patient_view(record) for record in records], next_cursor=next_cursor)
