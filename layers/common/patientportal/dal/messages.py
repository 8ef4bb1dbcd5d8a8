"""Secure messages and the outbox entries that announce them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from patientportal.dal import keys, patient_items
from patientportal.dal.requests import thread_message_item
from patientportal.dal.table import Table
from patientportal.models.records import MessageRecord, OutboxEntry

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef


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


def record_sent(outbox_id: str, ses_message_id: str, sent_at: str, *, table: Table | None = None) -> None:
    (table or Table()).update(
        keys.outbox(outbox_id),
        expression="SET ses_message_id = :m, sent_at = :t",
        values={":m": ses_message_id, ":t": sent_at},
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


def outbox_entry_exists(outbox_id: str, *, table: Table | None = None) -> bool:
    return (table or Table()).get(keys.outbox(outbox_id), consistent=True) is not None
