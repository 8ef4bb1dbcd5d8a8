"""Secure messages between the practice and its patients."""

from __future__ import annotations

from patientportal import clock, ids
from patientportal.auth.principal import Principal
from patientportal.dal import messages as stored_messages
from patientportal.dal import patients
from patientportal.email import outbox
from patientportal.errors import NotFoundError
from patientportal.logic import audit
from patientportal.models.common import Page
from patientportal.models.messages import SecureMessage, StaffMessage
from patientportal.models.records import MessageRecord, PatientRecord


def message_view(record: MessageRecord) -> SecureMessage:
    return SecureMessage(
        message_id=record.message_id,
        author=record.author,
        body=record.body,
        created_at=record.created_at,
        request_id=record.request_id,
        read=record.read_at is not None or record.author == "patient",
    )


def send_message_to_patient(
    staff: Principal, patient_id: str, message: StaffMessage, *, api_request_id: str
) -> SecureMessage:
    """The message, its audit entry and, when asked for, its email notification: one transaction."""
    patient = patients.get_patient(patient_id)
    if patient is None:
        raise NotFoundError("There is no such patient.")
    record = MessageRecord(
        message_id=ids.new_id(),
        patient_id=patient_id,
        author="practice",
        author_id=staff.username,
        body=message.body,
        created_at=clock.timestamp(),
    )
    notification = outbox.notification_for(patient, "secure_message_waiting") if message.notify_patient else None
    audit_entry = audit.audit_item(staff, "send_message", patient_id, api_request_id)
    stored_messages.add_message(record, notification, outbox.expiry(), audit_entry=audit_entry)
    return message_view(record)


def correspondence(
    staff: Principal, patient_id: str, *, limit: int, cursor: str | None, api_request_id: str
) -> Page[SecureMessage]:
    """Every secure message with this patient, either way, newest first (for the reply view)."""
    if patients.get_patient(patient_id) is None:
        raise NotFoundError("There is no such patient.")
    records, next_cursor = stored_messages.patient_messages_page(patient_id, limit=limit, cursor=cursor)
    audit.record(staff, "view_correspondence", patient_id, api_request_id)
    return Page[SecureMessage](items=[message_view(record) for record in records], next_cursor=next_cursor)


def list_patient_messages(patient: PatientRecord, *, limit: int, cursor: str | None) -> Page[SecureMessage]:
    records, next_cursor = stored_messages.patient_messages_page(patient.patient_id, limit=limit, cursor=cursor)
    return Page[SecureMessage](items=[message_view(record) for record in records], next_cursor=next_cursor)
