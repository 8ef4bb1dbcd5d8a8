"""The Patient Portal Queue as staff work it: list, open, reply, dismiss, restore.

Every change is one transaction checked against the version the staff member saw, so two
people acting on one item get one success and one 409 with the item as it now is.
"""

from __future__ import annotations

from typing import Any, Literal

from patientportal import clock
from patientportal.auth.principal import Principal
from patientportal.dal import messages as stored_messages
from patientportal.dal import requests as stored_requests
from patientportal.dal.table import Table
from patientportal.email import outbox
from patientportal.errors import ConflictError, NotFoundError
from patientportal.logic.patients import audit
from patientportal.logic.queue import threads
from patientportal.logic.queue.messages import message_view
from patientportal.models.common import Page
from patientportal.models.records import MessageRecord, RequestRecord
from patientportal.models.requests import (
    Dismissal,
    HelperResult,
    QueueItem,
    QueueItemDetail,
    ReplyResult,
    RequestType,
    Restoration,
    StaffReply,
)

NOTIFICATION = "secure_message_waiting"


def list_queue(
    staff: Principal,
    *,
    request_type: RequestType | None,
    order: Literal["oldest", "newest"],
    limit: int,
    cursor: str | None,
    api_request_id: str,
) -> Page[QueueItem]:
    """One page of open items; the patient's name and birth date are on each stored item,
    so a page is one Query, and one write recording whom it showed."""
    rows, next_cursor = stored_requests.open_queue_page(
        request_type=request_type, order=order, limit=limit, cursor=cursor
    )
    items = [QueueItem.from_record(row) for row in rows]
    audit.record_list_view(staff, "queue", (item.patient_id for item in items), api_request_id)
    return Page[QueueItem](items=items, next_cursor=next_cursor)


def get_queue_item(staff: Principal, request_id: str, *, api_request_id: str) -> QueueItemDetail:
    """The item with its whole thread, its history and its helper result: one Query."""
    found = stored_requests.request_with_thread(request_id)
    if found is None:
        raise NotFoundError("There is no such request.")
    record, related = found
    audit.record(staff, "view_request", record.patient_id, api_request_id)
    thread = [message_view(MessageRecord.model_validate(item)) for item in related if item.get("kind") == "message"]
    helper = next((HelperResult.from_record(item) for item in related if item.get("kind") == "helper"), None)
    return QueueItemDetail.from_record(record, thread=thread, helper=helper)


def current_state(request_id: str) -> dict[str, Any]:
    """After a lost race: the item as it is now, for the 409 answer."""
    record = stored_requests.get_request(request_id)
    if record is None:
        raise NotFoundError("There is no such request.")
    return QueueItem.from_record(record).model_dump()


def stale(request_id: str, *, now: RequestRecord | None = None) -> ConflictError:
    """The 409 of a lost race, with the item as it now stands (``now`` when just read)."""
    current = QueueItem.from_record(now).model_dump() if now is not None else current_state(request_id)
    return ConflictError("Someone else handled this item first; here it is as it now stands.", current=current)


def dismiss_request(staff: Principal, request_id: str, dismissal: Dismissal, *, api_request_id: str) -> QueueItem:
    """Completed or will not be completed: into the archive."""
    change = stored_requests.dismissal(request_id, outcome=dismissal.outcome, at=clock.timestamp(), by=staff.username)
    return _apply(staff, change, dismissal.expected_version, "dismiss_request", api_request_id)


def restore_request(staff: Principal, request_id: str, restoration: Restoration, *, api_request_id: str) -> QueueItem:
    """Mark as un-reviewed: back in the active queue, in its place by date."""
    change = stored_requests.restoration(request_id, at=clock.timestamp(), by=staff.username)
    return _apply(staff, change, restoration.expected_version, "restore_request", api_request_id)


def _apply(
    staff: Principal, change: stored_requests.Transition, expected_version: int, action: str, api_request_id: str
) -> QueueItem:
    """One read (whose patient, at which version), then the change and its audit entry in one
    transaction checked against the version the staff member saw: both or neither, so a
    failure never leaves a change without its audit entry, nor an answer that contradicts
    what was stored. A version already past the one seen is a 409 without a write."""
    table = Table()
    request = stored_requests.get_request(change.request_id, table=table)
    if request is None:
        raise NotFoundError("There is no such request.")
    if request.version != expected_version:
        raise stale(change.request_id, now=request)
    entry = audit.audit_item(staff, action, request.patient_id, api_request_id)
    try:
        stored_requests.apply(change, expected_version, entry, table=table)
    except ConflictError as error:
        raise stale(change.request_id) from error
    return QueueItem.from_record(request, **change.after, version=request.version + 1)


def reply_to_request(staff: Principal, request_id: str, reply: StaffReply, *, api_request_id: str) -> ReplyResult:
    """A secure message to the patient and the item's disposition, in one transaction after
    one read: the message, the request's change, the patient's unread count, the email
    notification (unless turned off) and the audit entry."""
    request = stored_requests.get_request(request_id)
    if request is None:
        raise NotFoundError("There is no such request.")
    moment = clock.now()
    at = clock.timestamp(moment)
    message = threads.new_message(
        patient_id=request.patient_id,
        author="practice",
        author_id=staff.username,
        body=reply.body,
        moment=moment,
        request_id=request_id if reply.link_to_request else None,
    )
    table = Table()
    if reply.disposition == "leave_open":
        transition = stored_requests.reply_left_open(request_id, at=at, by=staff.username)
    else:
        transition = stored_requests.dismissal(request_id, outcome=reply.disposition, at=at, by=staff.username)
    change = stored_requests.transition_entry(transition, reply.expected_version, table)
    notification = (
        outbox.notification_to_current_address(request.patient_id, NOTIFICATION) if reply.notify_patient else None
    )
    try:
        stored_messages.add_message(
            message,
            notification,
            outbox.expiry(),
            audit_entry=audit.audit_item(staff, f"reply_{reply.disposition}", request.patient_id, api_request_id),
            request_change=change,
            table=table,
        )
    except ConflictError as error:
        raise stale(request_id) from error
    item = QueueItem.from_record(request, **transition.after, version=request.version + 1)
    return ReplyResult(message=message_view(message), item=item)
