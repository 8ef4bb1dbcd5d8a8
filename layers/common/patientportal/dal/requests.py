"""Patient requests and the queue's index entries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from patientportal import normalise
from patientportal.dal import keys, patient_items
from patientportal.dal.attributes import Item
from patientportal.dal.messages import thread_message_item
from patientportal.dal.table import Table
from patientportal.models.records import MessageRecord, RequestRecord
from patientportal.models.requests import InternalNote

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef


def request_item(request: RequestRecord) -> dict[str, Any]:
    item: dict[str, Any] = {**request.model_dump(), **keys.request(request.request_id), "kind": "request"}
    item.update(keys.patient_request_entry(request.patient_id, request.created_at, request.request_id))
    item.update(keys.queue_moves(request.created_at, request.type))
    item["search_text"] = normalise.search_text(f"{request.patient_name} {request.summary}")
    if request.state == "open":
        item.update(keys.open_queue_entry(request.created_at, request.request_id, request.type))
    else:
        item.update(keys.archive_entry(request.created_at, request.request_id))
    return item


def add_request(
    request: RequestRecord, first_message: MessageRecord | None = None, *, table: Table | None = None
) -> None:
    """A new request (and, for a patient message, its first message) in one write."""
    table = table or Table()
    new_only = "attribute_not_exists(pk)"
    if first_message is None:
        table.put(request_item(request), condition=new_only)
        return
    table.transact(
        [
            table.put_entry(request_item(request), condition=new_only),
            table.put_entry(thread_message_item(first_message), condition=new_only),
        ],
        conflict="That request already exists.",
    )


# What a queue row shows: read only these (the details stay in the table until opened).
QUEUE_ROW = (
    "request_id",
    "patient_id",
    "patient_name",
    "patient_date_of_birth",
    "type",
    "summary",
    "created_at",
    "state",
    "version",
    "helper_summary",
    "assigned_to",
)


def open_queue_page(
    *,
    request_type: str | None,
    order: Literal["oldest", "newest"],
    limit: int,
    cursor: str | None,
    assignee: str | None = None,
    unassigned: bool = False,
    table: Table | None = None,
) -> tuple[list[Item], str | None]:
    """Queue rows as stored (``QUEUE_ROW`` attributes): a page is listed, never changed.
    One index per view, each sparse: all open items, one type, nobody's, or one person's."""
    table = table or Table()
    if unassigned:
        index, partition = "QueueByAssignee", ("assignee_pk", keys.UNASSIGNED)
    elif assignee:
        index, partition = "QueueByAssignee", ("assignee_pk", keys.assigned_to(assignee))
    elif request_type:
        index, partition = "QueueByType", ("queue_type_pk", keys.open_queue_of_type(request_type))
    else:
        index, partition = "Queue", ("queue_pk", keys.OPEN_QUEUE)
    return table.query_page(
        index=index,
        partition=partition,
        newest_first=order == "newest",
        limit=limit,
        cursor=cursor,
        attributes=QUEUE_ROW,
    )


def note_item(note: InternalNote, patient_id: str) -> dict[str, Any]:
    """In the request's own partition, beside its thread; no patient index attribute, so no
    query of the patient's items can find it."""
    return {
        **note.model_dump(exclude={"internal"}),
        "pk": keys.request_partition(note.request_id),
        "sk": f"NOTE#{note.note_id}",
        "kind": "note",
        "patient_id": patient_id,
    }


def add_note(note: InternalNote, patient_id: str, audit_entry: Mapping[str, Any], *, table: Table) -> None:
    """The note and its audit entry: both written or neither."""
    table.transact(
        [
            table.put_entry(note_item(note, patient_id), condition="attribute_not_exists(pk)"),
            table.put_entry(audit_entry),
        ],
        conflict="That note already exists.",
    )


def count_waiting_since(received_by: str, *, at_most: int, table: Table | None = None) -> int:
    """How many open items were received at or before ``received_by`` (a timestamp), up to
    ``at_most``: the oldest of the Queue index, one call."""
    return (table or Table()).count(
        index="Queue",
        partition=("queue_pk", keys.OPEN_QUEUE),
        sort_bound=("queue_sk", "<", f"{received_by}#~"),  # every id sorts before "~"
        at_most=at_most,
    )


def request_with_thread(request_id: str, *, table: Table | None = None) -> tuple[RequestRecord, list[Item]] | None:
    """The request and everything in its partition (messages, history), in one Query."""
    table = table or Table()
    items, _ = table.query_page(partition=("pk", keys.request_partition(request_id)), limit=500)
    request = next((item for item in items if item.get("kind") == "request"), None)
    if request is None:
        return None
    return RequestRecord.model_validate(request), [item for item in items if item.get("kind") != "request"]


def patient_requests_page(
    patient_id: str, *, limit: int, cursor: str | None, table: Table | None = None
) -> tuple[list[RequestRecord], str | None]:
    return patient_items.page(patient_id, "REQUEST#", RequestRecord, limit=limit, cursor=cursor, table=table)


def get_request(request_id: str, *, table: Table | None = None) -> RequestRecord | None:
    found = (table or Table()).get(keys.request(request_id))
    return RequestRecord.model_validate(found) if found else None


def history_entry(at: str, by: str, action: str, state: str, *, to: str = "") -> dict[str, str]:
    entry = {"at": at, "by": by, "action": action, "state": state}
    return {**entry, "to": to} if to else entry


@dataclass(frozen=True)
class Transition:
    """A change of a request's state, as one update: checked against the version the staff
    member saw, bumping it, and appending to the item's history. Usable alone (one
    conditional write) or inside a transaction."""

    request_id: str
    expression: str
    values: dict[str, Any]
    condition: str
    # What the request's own fields are after it, for an answer built without reading it again
    after: dict[str, Any] = field(default_factory=dict)

    def arguments(self, expected_version: int) -> dict[str, Any]:
        sets, _, removes = self.expression.partition(" REMOVE ")
        sets += ", version = version + :one, history = list_append(if_not_exists(history, :none), :entry)"
        return {
            "key": keys.request(self.request_id),
            "expression": f"{sets} REMOVE {removes}" if removes else sets,
            "names": {"#state": "state"},
            "values": {**self.values, ":seen": expected_version, ":one": 1, ":none": [], ":open_state": "open"},
            "condition": f"attribute_exists(pk) AND version = :seen AND {self.condition}",
        }


def dismissal(request_id: str, *, outcome: str, at: str, by: str) -> Transition:
    """Open -> archived: off the open queue's indexes, onto the month's archive partition,
    and nobody's any more."""
    return Transition(
        request_id,
        "SET #state = :outcome, queue_pk = archive_pk, dismissed_at = :at, dismissed_by = :by "
        "REMOVE queue_type_pk, assignee_pk, assigned_to",
        {":outcome": outcome, ":at": at, ":by": by, ":entry": [history_entry(at, by, "dismissed", outcome)]},
        "#state = :open_state",
        {"state": outcome, "dismissed_at": at, "dismissed_by": by, "assigned_to": ""},
    )


def restoration(request_id: str, *, at: str, by: str) -> Transition:
    """Archived -> open ("mark as un-reviewed"): back on the open queue's indexes, unassigned."""
    return Transition(
        request_id,
        "SET #state = :open_state, queue_pk = :open_queue, queue_type_pk = open_type_pk, assignee_pk = :unassigned "
        "REMOVE dismissed_at, dismissed_by",
        {
            ":open_queue": keys.OPEN_QUEUE,
            ":unassigned": keys.UNASSIGNED,
            ":entry": [history_entry(at, by, "restored", "open")],
        },
        "#state <> :open_state",
        {"state": "open", "dismissed_at": "", "dismissed_by": "", "assigned_to": ""},
    )


def assignment(request_id: str, *, to: str | None, at: str, by: str) -> Transition:
    """An open item taken, given to a colleague, or given back (``to`` None): it moves to
    that person's view, or to Unassigned."""
    if to is None:
        return Transition(
            request_id,
            "SET assignee_pk = :unassigned REMOVE assigned_to",
            {":unassigned": keys.UNASSIGNED, ":entry": [history_entry(at, by, "unassigned", "open")]},
            "#state = :open_state",
            {"assigned_to": ""},
        )
    return Transition(
        request_id,
        "SET assignee_pk = :assignee, assigned_to = :to",
        {":assignee": keys.assigned_to(to), ":to": to, ":entry": [history_entry(at, by, "assigned", "open", to=to)]},
        "#state = :open_state",
        {"assigned_to": to},
    )


def reply_left_open(request_id: str, *, at: str, by: str) -> Transition:
    """A reply that leaves the item open still changes it: the version moves on."""
    return Transition(
        request_id,
        "SET #state = :open_state",
        {":entry": [history_entry(at, by, "replied", "open")]},
        "#state = :open_state",
        {"state": "open"},
    )


def change_set_applied(request_id: str, *, summary: str, complete: bool, at: str, by: str) -> Transition:
    """A demographics change set applied to the patient's record: the row says so (its helper
    summary), and the request is dismissed as completed unless staff chose to leave it open."""
    applied = history_entry(at, by, "changes_applied", "open")
    if not complete:
        return Transition(
            request_id,
            "SET helper_summary = :summary",
            {":summary": summary, ":entry": [applied]},
            "#state = :open_state",
            {"helper_summary": summary},
        )
    done = dismissal(request_id, outcome="completed", at=at, by=by)
    sets, _, removes = done.expression.partition(" REMOVE ")
    return Transition(
        request_id,
        f"{sets}, helper_summary = :summary REMOVE {removes}",
        {**done.values, ":summary": summary, ":entry": [applied, *done.values[":entry"]]},
        done.condition,
        {**done.after, "helper_summary": summary},
    )


def apply(transition: Transition, expected_version: int, audit_entry: Mapping[str, Any], *, table: Table) -> None:
    """The change and its audit entry, in one transaction: both written or neither."""
    table.transact(
        [transition_entry(transition, expected_version, table), table.put_entry(audit_entry)],
        conflict="Someone else handled this item first.",
    )


def transition_entry(transition: Transition, expected_version: int, table: Table) -> TransactWriteItemTypeDef:
    return table.update_entry(**transition.arguments(expected_version))
