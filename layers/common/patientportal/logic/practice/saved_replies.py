"""The saved replies staff answer with: any member of staff reads the list, administrators
keep it (add, change, delete; each audited, changes at the version read). Their text may hold
only ``{first_name}`` and ``{practice_name}``, which the reply dialog fills in
(``models.practice.SavedReplyChange``)."""

from __future__ import annotations

from patientportal import clock, ids
from patientportal.auth.principal import Principal
from patientportal.dal import practice as stored
from patientportal.logic.patients import audit
from patientportal.models.practice import (
    SavedReplies,
    SavedReply,
    SavedReplyChange,
    SavedReplyDeleted,
    SavedReplyUpdate,
)


def list_replies(_staff: Principal) -> SavedReplies:
    """Every saved reply, oldest first: one Query (the list is bounded, so there is no paging)."""
    return SavedReplies(items=[SavedReply.from_record(item) for item in stored.saved_replies()])


def add_reply(admin: Principal, reply: SavedReplyChange, *, api_request_id: str) -> SavedReply:
    reply_id = ids.time_ordered_id(clock.now())
    entry = audit.practice_item(admin, "add_saved_reply", api_request_id, reply_id=reply_id)
    added = SavedReply(
        reply_id=reply_id,
        title=reply.title,
        text=reply.text,
        version=1,
        changed_by=admin.username,
        changed_at=str(entry["at"]),
    )
    stored.add_reply(added, entry)
    return added


def change_reply(admin: Principal, reply_id: str, update: SavedReplyUpdate, *, api_request_id: str) -> SavedReply:
    """No read first: the write's condition is the version read (a 409 with the reply as it
    now stands; a 404 when it is gone)."""
    entry = audit.practice_item(admin, "change_saved_reply", api_request_id, reply_id=reply_id)
    changed = SavedReply(
        reply_id=reply_id,
        title=update.title,
        text=update.text,
        version=update.expected_version + 1,
        changed_by=admin.username,
        changed_at=str(entry["at"]),
    )
    stored.change_reply(changed, update.expected_version, entry)
    return changed


def delete_reply(admin: Principal, reply_id: str, expected_version: int, *, api_request_id: str) -> SavedReplyDeleted:
    entry = audit.practice_item(admin, "delete_saved_reply", api_request_id, reply_id=reply_id)
    stored.delete_reply(reply_id, expected_version, entry)
    return SavedReplyDeleted(reply_id=reply_id, deleted=True)
