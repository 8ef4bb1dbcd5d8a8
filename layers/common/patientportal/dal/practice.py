"""The practice's own items (``PRACTICE`` partition): its settings (``SETTINGS``), its saved
replies (``REPLY#<id>``) with their count (``REPLY_COUNT``), and the audit entries of their
changes (``AUDIT#<at>#<id>``). Every change is one transaction with its audit entry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from patientportal.dal import keys
from patientportal.dal.attributes import Item
from patientportal.dal.table import Table
from patientportal.errors import ConflictError, NotFoundError
from patientportal.models.practice import SAVED_REPLIES_LIMIT, WEEKDAYS, PracticeSettings, SavedReply

STALE_SETTINGS = "Another administrator changed the practice settings meanwhile; reload them."
STALE_REPLY = "Someone changed or deleted this saved reply meanwhile; reload the list."
LIST_FULL = f"The practice keeps at most {SAVED_REPLIES_LIMIT} saved replies; delete one first."


def settings_from(item: Mapping[str, Any] | None) -> PracticeSettings:
    """The stored settings, or the defaults while none are saved. DynamoDB keeps no empty map
    values, so a closed day (``None``) comes back missing and is put back as closed."""
    if item is None:
        return PracticeSettings()
    fields = {name: item[name] for name in PracticeSettings.model_fields if name in item}
    hours = fields.get("office_hours")
    if isinstance(hours, dict):
        fields["office_hours"] = {day: hours.get(day) for day in WEEKDAYS}
    return PracticeSettings.model_validate(fields)


def read_settings(*, table: Table | None = None) -> PracticeSettings:
    """One GetItem."""
    return settings_from((table or Table()).get(keys.practice_settings()))


def save_settings(
    settings: PracticeSettings, expected_version: int, audit_entry: Mapping[str, Any], *, table: Table | None = None
) -> None:
    """The settings at ``settings.version`` (``expected_version`` + 1) and their audit entry, in
    one transaction, on condition nobody saved since ``expected_version`` was read: else a 409
    with the settings as they now stand."""
    table = table or Table()
    item = {**settings.model_dump(), **keys.practice_settings(), "kind": "practice_settings"}
    if expected_version == 0:
        condition, values = "attribute_not_exists(pk)", None
    else:
        condition, values = "version = :seen", {":seen": expected_version}
    put = table.put_entry(item, condition=condition, values=values)
    try:
        table.transact([put, table.put_entry(dict(audit_entry))], conflict=STALE_SETTINGS)
    except ConflictError:  # read once more, on the failure path only, to say how they stand
        raise ConflictError(STALE_SETTINGS, current=read_settings(table=table).model_dump()) from None


def saved_replies(*, table: Table | None = None) -> list[Item]:
    """Every saved reply, oldest first: one Query reading at most the limit + 1 items."""
    items, _ = (table or Table()).query_page(
        partition=("pk", keys.PRACTICE),
        sort_prefix=("sk", keys.SAVED_REPLY_PREFIX),
        limit=SAVED_REPLIES_LIMIT,
    )
    return items


def reply_item(reply: SavedReply) -> dict[str, Any]:
    return {**reply.model_dump(), **keys.saved_reply(reply.reply_id), "kind": "saved_reply"}


def add_reply(reply: SavedReply, audit_entry: Mapping[str, Any], *, table: Table | None = None) -> None:
    """The reply, one more on the count (on condition the list is not full) and the audit
    entry, in one transaction; a full list is a 409."""
    table = table or Table()
    count = table.update_entry(
        keys.saved_reply_count(),
        expression="ADD replies :one",
        condition="attribute_not_exists(replies) OR replies < :limit",
        values={":one": 1, ":limit": SAVED_REPLIES_LIMIT},
    )
    put = table.put_entry(reply_item(reply), condition="attribute_not_exists(pk)")
    table.transact([count, put, table.put_entry(dict(audit_entry))], conflict=LIST_FULL)


def read_reply(reply_id: str, *, table: Table | None = None) -> SavedReply | None:
    item = (table or Table()).get(keys.saved_reply(reply_id))
    return SavedReply.from_record(item) if item else None


def _stale_or_gone(reply_id: str, table: Table) -> ConflictError | NotFoundError:
    """Why a conditional change failed (read once more, on the failure path only)."""
    current = read_reply(reply_id, table=table)
    if current is None:
        return NotFoundError("There is no such saved reply.")
    return ConflictError(STALE_REPLY, current=current.model_dump())


def change_reply(
    reply: SavedReply, expected_version: int, audit_entry: Mapping[str, Any], *, table: Table | None = None
) -> None:
    """The reply at its new version and the audit entry, on condition it is still at
    ``expected_version``: a 409 with the reply as it now stands, or a 404 when it is gone."""
    table = table or Table()
    put = table.put_entry(reply_item(reply), condition="version = :seen", values={":seen": expected_version})
    try:
        table.transact([put, table.put_entry(dict(audit_entry))], conflict=STALE_REPLY)
    except ConflictError:
        raise _stale_or_gone(reply.reply_id, table) from None


def delete_reply(
    reply_id: str, expected_version: int, audit_entry: Mapping[str, Any], *, table: Table | None = None
) -> None:
    """The reply gone, one less on the count and the audit entry, on condition it is still at
    ``expected_version``: a 409 with the reply as it now stands, or a 404 when it is gone."""
    table = table or Table()
    delete = table.delete_entry(
        keys.saved_reply(reply_id), condition="version = :seen", values={":seen": expected_version}
    )
    count = table.update_entry(keys.saved_reply_count(), expression="ADD replies :less", values={":less": -1})
    try:
        table.transact([delete, count, table.put_entry(dict(audit_entry))], conflict=STALE_REPLY)
    except ConflictError:
        raise _stale_or_gone(reply_id, table) from None
