"""Secure messages between the practice and its patients."""

from __future__ import annotations

from patientportal import clock
from patientportal.auth.principal import Principal
from patientportal.dal import messages as stored_messages
from patientportal.dal import patients
from patientportal.email import outbox
from patientportal.errors import ConflictError, NotFoundError
from patientportal.logic.patients import audit
from patientportal.logic.practice import settings as practice_settings
from patientportal.logic.queue import requests, threads
from patientportal.models.common import Page
from patientportal.models.messages import Inbox, MessageRead, PatientMessage, SecureMessage, SentMessage, StaffMessage
from patientportal.models.records import MessageRecord, PatientRecord
from patientportal.models.requests import MessageRequest


def message_view(record: MessageRecord) -> SecureMessage:
    return SecureMessage.from_record(record, read=record.read_at is not None or record.author == "patient")


def send_message_to_patient(
    staff: Principal, patient_id: str, message: StaffMessage, *, api_request_id: str
) -> SecureMessage:
    """The message, its audit entry and, when asked for, its email notification: one transaction."""
    patient = patients.existing_patient(patient_id)
    moment = clock.now()
    record = threads.new_message(
        patient_id=patient_id, author="practice", author_id=staff.username, body=message.body, moment=moment
    )
    notification = outbox.notification_for(patient, "secure_message_waiting") if message.notify_patient else None
    audit_entry = audit.audit_item(staff, "send_message", patient_id, api_request_id)
    stored_messages.add_message(record, notification, outbox.expiry(), audit_entry=audit_entry)
    return message_view(record)


def correspondence(
    staff: Principal, patient_id: str, *, limit: int, cursor: str | None, api_request_id: str
) -> Page[SecureMessage]:
    """Every secure message with this patient, either way, newest first (for the reply view)."""
    patients.existing_patient(patient_id)
    records, next_cursor = stored_messages.patient_messages_page(patient_id, limit=limit, cursor=cursor)
    audit.record(staff, "view_correspondence", patient_id, api_request_id)
    return Page[SecureMessage](items=[message_view(record) for record in records], next_cursor=next_cursor)


def inbox(patient: PatientRecord, *, limit: int, cursor: str | None) -> Inbox:
    """The patient's messages, newest first, with the unread count kept on their record."""
    records, next_cursor = stored_messages.patient_messages_page(patient.patient_id, limit=limit, cursor=cursor)
    return Inbox(
        items=[message_view(record) for record in records],
        next_cursor=next_cursor,
        unread_count=max(patient.unread_messages, 0),
    )


def mark_read(patient: PatientRecord, message_id: str) -> MessageRead:
    message = stored_messages.find_patient_message(patient.patient_id, message_id)
    if message is None:
        raise NotFoundError("There is no such message.")
    unread = max(patient.unread_messages, 0)
    if message.author == "practice" and message.read_at is None:
        try:
            stored_messages.mark_read(message, clock.timestamp())
            unread = max(unread - 1, 0)
        except ConflictError:
            pass  # read a moment ago, in another tab: nothing more to do
    return MessageRead(message_id=message_id, read=True, unread_count=unread)


def send_patient_message(patient: PatientRecord, message: PatientMessage) -> SentMessage:
    """A patient's message lands in the queue as an item of type message, its thread begun.
    Answering one of ours links it to that message (and shows it in the thread's context)."""
    if message.in_reply_to is not None:
        answered = stored_messages.find_patient_message(patient.patient_id, message.in_reply_to)
        if answered is None:
            raise NotFoundError("There is no such message to reply to.")
    office = practice_settings.current()  # read before the write: a failed read stores nothing
    request = MessageRequest(type="message", body=message.body)
    _, first = requests.submit(patient, request, in_reply_to=message.in_reply_to)
    if first is None:
        raise RuntimeError("a message request always starts a thread")
    return SentMessage.from_record(
        message_view(first), next_read_at=practice_settings.next_read_at(office, clock.now())
    )
