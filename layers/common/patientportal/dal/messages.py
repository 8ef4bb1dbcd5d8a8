"""Secure messages and the outbox entries that announce them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from patientportal.dal import keys, patient_items
from patientportal.dal.attributes import Item
from patientportal.dal.table import Table
from patientportal.models.records import MessageRecord, OutboxEntry

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef


def thread_message_item(message: MessageRecord) -> dict[str, Any]:
    if message.request_id is None:
        raise ValueError("a thread message belongs to a request")
    item: dict[str, Any] = {
        **message.model_dump(),
        **keys.thread_message(message.request_id, message.message_id),
        "kind": "message",
    }
    item.update(keys.patient_message_entry(message.patient_id, message.message_id))
    return item


def patient_message_item(message: MessageRecord) -> dict[str, Any]:
    """A message not tied to a request, stored with its patient."""
    item: dict[str, Any] = {
        **message.model_dump(),
        **keys.patient_message(message.patient_id, message.message_id),
        "kind": "message",
    }
    item.update(keys.patient_message_entry(message.patient_id, message.message_id))
    return item


def message_item(message: MessageRecord) -> dict[str, Any]:
    return thread_message_item(message) if message.request_id else patient_message_item(message)


def outbox_item(entry: OutboxEntry, expires_at: int) -> dict[str, Any]:
    return {**entry.model_dump(), **keys.outbox(entry.outbox_id), "kind": "outbox", "expires_at": expires_at}


def add_message(
    message: MessageRecord,
    notification: OutboxEntry | None,
    expires_at: int,
    *,
    audit_entry: dict[str, Any] | None = None,
    request_change: TransactWriteItemTypeDef | None = None,
    table: Table | None = None,
) -> None:
    """The message, its email notification, its audit entry and the change it makes to its
    request (a reply's disposition): all written or none."""
    table = table or Table()
    new_only = "attribute_not_exists(pk)"
    entries = [table.put_entry(message_item(message), condition=new_only)]
    if request_change is not None:
        entries.append(request_change)
    if notification is not None:
        entries.append(table.put_entry(outbox_item(notification, expires_at), condition=new_only))
    if message.author == "practice":
        entries.append(
            table.update_entry(
                keys.patient(message.patient_id),
                expression="ADD unread_messages :one",
                values={":one": 1},
                condition="attribute_exists(pk)",
            )
        )
    if audit_entry is not None:
        entries.append(table.put_entry(audit_entry))
    if len(entries) == 1:
        table.put(message_item(message), condition=new_only)
        return
    table.transact(entries, conflict="That message already exists.")


def patient_messages_page(
    patient_id: str, *, limit: int, cursor: str | None, table: Table | None = None
) -> tuple[list[MessageRecord], str | None]:
    return patient_items.page(patient_id, "MSG#", MessageRecord, limit=limit, cursor=cursor, table=table)


def claim_outbox_entry(outbox_id: str, *, now: int, until: int, table: Table | None = None) -> tuple[bool, Item]:
    """Takes the entry for sending until ``until`` (epoch seconds), in one conditional write:
    never once it is sent, and by one sender at a time (a taker that died frees it when its
    time is up). Returns whether it was taken, and the entry as it is (empty: withdrawn)."""
    return (table or Table()).update_when(
        keys.outbox(outbox_id),
        expression="SET sending_until = :until",
        values={":until": until, ":now": now},
        condition="attribute_exists(pk) AND attribute_not_exists(sent_at)"
        " AND (attribute_not_exists(sending_until) OR sending_until < :now)",
    )


def release_outbox_entry(outbox_id: str, *, table: Table | None = None) -> None:
    """Nothing was sent: the next delivery may take the entry at once."""
    (table or Table()).update_when(
        keys.outbox(outbox_id), expression="REMOVE sending_until", condition="attribute_exists(pk)"
    )


def record_sent(outbox_id: str, ses_message_id: str, sent_at: str, *, table: Table | None = None) -> None:
    """Sent: SES's id and the time, for good; the raw link token is no longer needed. (An
    entry withdrawn while its email went out stays withdrawn.)"""
    (table or Table()).update_when(
        keys.outbox(outbox_id),
        expression="SET ses_message_id = :m, sent_at = :t REMOVE sending_until, link_fragment",
        values={":m": ses_message_id, ":t": sent_at},
        condition="attribute_exists(pk)",
    )


def find_patient_message(patient_id: str, message_id: str, *, table: Table | None = None) -> MessageRecord | None:
    """Found through the patient's own index partition, so another patient's id finds nothing."""
    entry = keys.patient_message_entry(patient_id, message_id)["patient_sk"]
    found, _ = patient_items.page(patient_id, entry, MessageRecord, limit=1, newest_first=False, table=table)
    return found[0] if found else None


def mark_read(message: MessageRecord, at: str, *, table: Table | None = None) -> None:
    """Read once: the message's read time and the patient's unread count change together."""
    table = table or Table()
    table.transact(
        [
            table.update_entry(
                _message_key(message),
                expression="SET read_at = :at",
                values={":at": at},
                condition="attribute_not_exists(read_at)",
            ),
            table.update_entry(
                keys.patient(message.patient_id),
                expression="ADD unread_messages :minus_one",
                values={":minus_one": -1, ":zero": 0},
                condition="unread_messages > :zero",
            ),
        ],
        conflict="That message was already read.",
    )


def _message_key(message: MessageRecord) -> dict[str, str]:
    if message.request_id:
        return keys.thread_message(message.request_id, message.message_id)
    return keys.patient_message(message.patient_id, message.message_id)
