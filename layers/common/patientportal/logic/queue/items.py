"""The Patient Portal Queue as staff work it: list, open, reply, dismiss, restore.

Every change is one transaction checked against the version the staff member saw, so two
people acting on one item get one success and one 409 with the item as it now is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from patientportal import clock, ids
from patientportal.auth.principal import Principal
from patientportal.dal import messages as stored_messages
from patientportal.dal import practice as stored_practice
from patientportal.dal import requests as stored_requests
from patientportal.dal.table import Table
from patientportal.email import outbox
from patientportal.errors import BadRequestError, ConflictError, NotFoundError
from patientportal.logic.patients import audit
from patientportal.logic.practice import hours
from patientportal.logic.queue import threads
from patientportal.logic.queue.messages import message_view
from patientportal.models.records import MessageRecord, RequestRecord
from patientportal.models.requests import (
    OVERDUE_COUNT_LIMIT,
    Dismissal,
    HelperResult,
    InternalNote,
    NewNote,
    QueueItem,
    QueueItemDetail,
    QueuePage,
    QueueView,
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
    view: QueueView = "all",
) -> QueuePage:
    """One page of open items; the patient's name and birth date are on each stored item,
    so a page is one Query, and one write recording whom it showed. The practice's settings
    (one read) mark the overdue rows, and the first page counts them (one more Query)."""
    if view != "all" and request_type is not None:
        raise BadRequestError("The type filter narrows the All view only.", field="type")
    table = Table()
    now = clock.now()
    # Overdue: received at or before this moment (the practice's wait, counted in business time)
    overdue_by = clock.timestamp(hours.overdue_cutoff(stored_practice.read_settings(table=table), now))
    rows, next_cursor = stored_requests.open_queue_page(
        request_type=request_type,
        order=order,
        limit=limit,
        cursor=cursor,
        unassigned=view == "unassigned",
        assignee=staff.username if view == "mine" else None,
    )
    items = [QueueItem.from_record(row, overdue=str(row.get("created_at", "")) <= overdue_by) for row in rows]
    audit.record_list_view(staff, "queue", (item.patient_id for item in items), api_request_id)
    overdue = None
    if cursor is None:  # the count heads the first page; later pages only list
        overdue = stored_requests.count_waiting_since(overdue_by, at_most=OVERDUE_COUNT_LIMIT, table=table)
    return QueuePage(items=items, next_cursor=next_cursor, overdue_count=overdue)


def get_queue_item(staff: Principal, request_id: str, *, api_request_id: str) -> QueueItemDetail:
    """The item with its whole thread, its history and its helper result: one Query."""
    found = stored_requests.request_with_thread(request_id)
    if found is None:
        raise NotFoundError("There is no such request.")
    record, related = found
    audit.record(staff, "view_request", record.patient_id, api_request_id)
    thread = [message_view(MessageRecord.model_validate(item)) for item in related if item.get("kind") == "message"]
    helper = next((HelperResult.from_record(item) for item in related if item.get("kind") == "helper"), None)
    notes = [InternalNote.from_record(item) for item in related if item.get("kind") == "note"]
    return QueueItemDetail.from_record(record, thread=thread, helper=helper, notes=notes)


def add_note(staff: Principal, request_id: str, new: NewNote, *, api_request_id: str) -> InternalNote:
    """An internal note on any item, open or archived: staff only, audited in the same write."""
    table = Table()
    request = stored_requests.get_request(request_id, table=table)
    if request is None:
        raise NotFoundError("There is no such request.")
    moment = clock.now()
    note = InternalNote(
        note_id=ids.time_ordered_id(moment),
        request_id=request_id,
        author=staff.username,
        body=new.body,
        created_at=clock.timestamp(moment),
    )
    entry = audit.audit_item(staff, "add_internal_note", request.patient_id, api_request_id)
    stored_requests.add_note(note, request.patient_id, entry, table=table)
    return note


def current_state(request_id: str) -> dict[str, Any]:
    """After a lost race: the item as it is now, for the 409 answer."""
    record = stored_requests.get_request(request_id)
    if record is None:
        raise NotFoundError("There is no such request.")
    return QueueItem.from_record(record).model_dump()


def stale(request_id: str, *, now: RequestRecord | None = None) -> ConflictError:
    """The 409 of a lost race, with the item as it now stands (``now`` when just read); when
    someone has it, the answer says who."""
    current = QueueItem.from_record(now).model_dump() if now is not None else current_state(request_id)
    holder = (
        f" {current['assigned_to']} has it now." if current.get("assigned_to") and current["state"] == "open" else ""
    )
    return ConflictError(f"Someone else handled this item first; here it is as it now stands.{holder}", current=current)


def dismiss_request(staff: Principal, request_id: str, dismissal: Dismissal, *, api_request_id: str) -> QueueItem:
    """Completed or will not be completed: into the archive."""
    change = stored_requests.dismissal(request_id, outcome=dismissal.outcome, at=clock.timestamp(), by=staff.username)
    return apply_transition(staff, change, dismissal.expected_version, "dismiss_request", api_request_id)


def restore_request(staff: Principal, request_id: str, restoration: Restoration, *, api_request_id: str) -> QueueItem:
    """Mark as un-reviewed: back in the active queue, in its place by date."""
    change = stored_requests.restoration(request_id, at=clock.timestamp(), by=staff.username)
    return apply_transition(staff, change, restoration.expected_version, "restore_request", api_request_id)


def apply_transition(
    staff: Principal,
    change: stored_requests.Transition,
    expected_version: int,
    action: str,
    api_request_id: str,
    *,
    check: Callable[[RequestRecord], None] | None = None,
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
    if check is not None:  # what this change itself requires of the item as it is
        check(request)
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
