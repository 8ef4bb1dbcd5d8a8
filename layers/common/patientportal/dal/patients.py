"""Patient records."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from patientportal.dal import cursors, keys
from patientportal.dal.attributes import Item
from patientportal.dal.table import Table, key_condition
from patientportal.errors import BadRequestError, ConflictError, NotFoundError
from patientportal.models.records import PatientRecord
from patientportal.portal_status import status_of

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef


def as_updated(patient: PatientRecord, fields: Mapping[str, Any], remove: Sequence[str] = ()) -> PatientRecord:
    """The record as a write will leave it: ``fields`` set, ``remove`` back to their defaults
    (what the stored status must be worked out from)."""
    cleared = {name: PatientRecord.model_fields[name].default for name in remove if name in PatientRecord.model_fields}
    return patient.model_copy(update={**fields, **cleared})


def status_fields(patient: PatientRecord) -> dict[str, Any]:
    """The stored portal status and the onboarding list's index attributes, from the record
    as it will be after a write: every write that can change the status sets these."""
    status = status_of(patient)
    return {
        "portal_status": status,
        **keys.roster_entry(patient.last_name, patient.first_name, patient.patient_id, status),
    }


def invitation_fields(state: str, *, patient_id: str, expires_at: int) -> dict[str, Any]:
    """The invitation's state and its counting index attributes."""
    return {"invitation_state": state, **keys.invitation_entry(state, expires_at, patient_id)}


def mark_invitation_opened(patient_id: str, token_sha256: str, *, table: Table | None = None) -> None:
    """Only a "sent" invitation whose link is still this one becomes "opened"."""
    try:
        (table or Table()).update(
            keys.patient(patient_id),
            expression="SET invitation_state = :opened, invite_pk = :pk",
            values={
                ":opened": "opened",
                ":pk": keys.invitation_partition("opened"),
                ":sent": "sent",
                ":h": token_sha256,
            },
            condition="invitation_state = :sent AND invitation_link = :h",
        )
    except ConflictError:
        return  # already opened, used or replaced: nothing to record


def search_fields(patient: PatientRecord) -> dict[str, Any]:
    """The patient search's index attributes (by last name, first name, date of birth), from
    the record as it will be after a write: adding, importing and every demographics change
    set them."""
    return dict(keys.search_entries(patient.last_name, patient.first_name, patient.date_of_birth, patient.patient_id))


def patient_item(patient: PatientRecord, normalised_email: str) -> dict[str, Any]:
    """The stored item: the record plus its key and index attributes."""
    # Only an unconfirmed self-registration has an expiry: no other record may meet the TTL.
    stored = patient.model_dump(exclude=set() if patient.unconfirmed else {"expires_at"})
    item: dict[str, Any] = {**stored, **keys.patient(patient.patient_id), "kind": "patient"}
    item.update(search_fields(patient))
    item.update(status_fields(patient))
    if patient.invitation_state:
        item.update(
            invitation_fields(
                patient.invitation_state, patient_id=patient.patient_id, expires_at=patient.invitation_expires_at
            )
        )
    if normalised_email and not patient.unconfirmed:
        item.update(keys.email_entry(normalised_email, patient.patient_id))
    return item


def access_on_fields(
    patient: PatientRecord, normalised_email: str, *, confirmed_by: str, at: str
) -> tuple[dict[str, Any], list[str]]:
    """Portal access on, with who confirmed the address (staff, or the patient through the
    emailed link) and when: what to set, and what to remove. An unconfirmed self-registration
    becomes a patient like any other: found by email from now on, and kept."""
    fields: dict[str, Any] = {
        "portal_access_enabled": True,
        "email_confirmed_by": confirmed_by,
        "email_confirmed_at": at,
    }
    if not patient.unconfirmed:
        return fields, []
    fields.update(keys.email_entry(normalised_email, patient.patient_id))
    return fields, ["expires_at"]


def get_patient(patient_id: str, *, table: Table | None = None) -> PatientRecord | None:
    found = (table or Table()).get(keys.patient(patient_id))
    return PatientRecord.model_validate(found) if found else None


def existing_patient(patient_id: str, *, table: Table | None = None) -> PatientRecord:
    """The patient, or the one 404 every staff route answers for a patient not on file."""
    patient = get_patient(patient_id, table=table)
    if patient is None:
        raise NotFoundError("There is no such patient.")
    return patient


def record_login(patient: PatientRecord, at: str, *, table: Table | None = None) -> None:
    """First and last login, which the portal status needs. Records store "never" as an empty
    string, so ``if_not_exists`` cannot tell; the caller, who has just read the record, can.
    A first login makes the patient active, so the stored status changes with it."""
    if patient.first_login_at:
        fields: dict[str, Any] = {"last_login_at": at}
    else:
        fields = {"last_login_at": at, "first_login_at": at}
        fields.update(status_fields(patient.model_copy(update={"first_login_at": at})))
    names = {f"#f{number}": name for number, name in enumerate(fields)}
    values = {f":f{number}": value for number, value in enumerate(fields.values())}
    (table or Table()).update(
        keys.patient(patient.patient_id),
        expression="SET " + ", ".join(f"#f{number} = :f{number}" for number in range(len(fields))),
        names=names,
        values=values,
        condition="attribute_exists(pk)",
        conflict="No such patient.",
    )


def new_patient_entry(patient: PatientRecord, normalised_email: str, *, table: Table) -> TransactWriteItemTypeDef:
    return table.put_entry(patient_item(patient, normalised_email), condition="attribute_not_exists(pk)")


def index_fields(patient: PatientRecord, normalised_email: str) -> tuple[dict[str, Any], list[str]]:
    """The index attributes of a changed record: what to set, and what to remove."""
    fields: dict[str, Any] = search_fields(patient)
    fields.update(status_fields(patient))
    if normalised_email and not patient.unconfirmed:
        fields.update(keys.email_entry(normalised_email, patient.patient_id))
        return fields, []
    return fields, ["email_pk", "email_sk"]


def _update_arguments(fields: Mapping[str, Any], remove: Sequence[str], expected_version: int | None) -> dict[str, Any]:
    names = {f"#f{number}": name for number, name in enumerate(fields)}
    values: dict[str, Any] = {f":f{number}": value for number, value in enumerate(fields.values())}
    sets = [f"#f{number} = :f{number}" for number in range(len(fields))]
    removed = {f"#r{number}": name for number, name in enumerate(remove)}
    names.update(removed)
    values[":one"] = 1
    expression = "SET " + ", ".join([*sets, "version = version + :one"])
    if removed:
        expression += " REMOVE " + ", ".join(removed)
    condition = "attribute_exists(pk)"
    if expected_version is not None:
        condition += " AND version = :v"
        values[":v"] = expected_version
    return {"expression": expression, "values": values, "names": names, "condition": condition}


def update_entry(
    patient_id: str,
    fields: Mapping[str, Any],
    *,
    remove: Sequence[str] = (),
    expected_version: int | None = None,
    table: Table,
) -> TransactWriteItemTypeDef:
    """A transaction entry that sets ``fields``, removes ``remove`` and bumps the version."""
    return table.update_entry(keys.patient(patient_id), **_update_arguments(fields, remove, expected_version))


def update_patient(
    patient_id: str,
    fields: Mapping[str, Any],
    *,
    remove: Sequence[str] = (),
    expected_version: int | None = None,
    table: Table | None = None,
) -> PatientRecord:
    """One conditional update; a stale ``expected_version`` is a ``ConflictError``."""
    found = (table or Table()).update(
        keys.patient(patient_id),
        conflict="The patient's record changed; reload it.",
        **_update_arguments(fields, remove, expected_version),
    )
    return PatientRecord.model_validate(found)


def patients_with_email(normalised_email: str, *, table: Table | None = None) -> list[PatientRecord]:
    """Every patient on file with this address: one Query (shared emails are a handful)."""
    items, _ = (table or Table()).query_page(
        index="PatientsByEmail", partition=("email_pk", keys.email_partition(normalised_email)), limit=20
    )
    return [PatientRecord.model_validate(item) for item in items]


@dataclass(frozen=True)
class NameSearch:
    """One Query of a patient search: an index, its partition, the start of its sort key (none:
    the whole partition), and which patients it finds, by folded last and first name, so that
    a later Query of the same search skips a patient an earlier one already answered."""

    index: str
    partition: tuple[str, str]
    sort: tuple[str, str] | None
    finds: Callable[[str, str], bool]


def by_last_name(prefix: str) -> NameSearch:
    """Last names starting with ``prefix``: "thom" finds Thompson."""
    start = keys.name_prefix(prefix)
    return NameSearch(
        "PatientsByName",
        ("name_pk", keys.name_partition(prefix)),
        ("name_sk", start),
        lambda last, _: last.startswith(start),
    )


def by_last_then_first(last_name: str, first_prefix: str) -> NameSearch:
    """This whole last name, first names starting with ``first_prefix`` ("Thompson, Av")."""
    whole, start = keys.name_prefix(last_name), keys.name_prefix(first_prefix)
    return NameSearch(
        "PatientsByName",
        ("name_pk", keys.name_partition(last_name)),
        ("name_sk", keys.names_prefix(last_name, first_prefix)),
        lambda last, first: last == whole and first.startswith(start),
    )


def by_first_name(prefix: str) -> NameSearch:
    """First names starting with ``prefix``: "ava" finds Ava and Avalyn."""
    start = keys.name_prefix(prefix)
    return NameSearch(
        "PatientsByFirstName",
        ("first_pk", keys.first_name_partition(prefix)),
        ("first_sk", start),
        lambda _, first: first.startswith(start),
    )


def by_first_then_last(first_name: str, last_prefix: str) -> NameSearch:
    """This whole first name, last names starting with ``last_prefix`` ("Ava Thom")."""
    whole, start = keys.name_prefix(first_name), keys.name_prefix(last_prefix)
    return NameSearch(
        "PatientsByFirstName",
        ("first_pk", keys.first_name_partition(first_name)),
        ("first_sk", keys.names_prefix(first_name, last_prefix)),
        lambda last, first: first == whole and last.startswith(start),
    )


def by_birth_date(date_of_birth: str) -> NameSearch:
    """Patients born on ``date_of_birth`` (ISO), by last then first name."""
    return NameSearch(
        "PatientsByBirthDate",
        ("born_pk", keys.birth_date_partition(date_of_birth)),
        None,
        lambda _last, _first: False,  # never asked: a date of birth is a search of its own
    )


def _folded_names(item: Item) -> tuple[str, str]:
    return keys.name_prefix(str(item.get("last_name", ""))), keys.name_prefix(str(item.get("first_name", "")))


def _search_cursor(number: int, key: Mapping[str, Any] | None) -> str:
    return cursors.encode({"s": number, "k": dict(key) if key else None})


def _search_start(cursor: str, searches: Sequence[NameSearch]) -> tuple[int, dict[str, Any] | None]:
    """Which Query of the search a cursor goes on with, and from which key (None: its start);
    a cursor of another search, list or a tampered one is a 400."""
    refused = BadRequestError("The cursor is not one this API gave out.", field="cursor")
    try:
        decoded = json.loads(base64.urlsafe_b64decode((cursor + "=" * (-len(cursor) % 4)).encode()))
        number, key = decoded["s"], decoded["k"]
    except (binascii.Error, ValueError, KeyError, TypeError, UnicodeDecodeError) as error:
        raise refused from error
    if not isinstance(number, int) or isinstance(number, bool) or not 0 <= number < len(searches):
        raise refused
    if key is None:
        return number, None
    wanted = searches[number]
    valid = (
        isinstance(key, dict)
        and set(key) == set(keys.CURSOR_ATTRIBUTES[wanted.index])
        and all(isinstance(value, str) for value in key.values())
        and key[wanted.partition[0]] == wanted.partition[1]
        and (wanted.sort is None or key[wanted.sort[0]].startswith(wanted.sort[1]))
    )
    if not valid:
        raise refused
    return number, key


def search_patients(
    searches: Sequence[NameSearch], *, limit: int, cursor: str | None, table: Table | None = None
) -> tuple[list[PatientRecord], str | None]:
    """The patients each search finds, one search after the other (each in its index's order),
    a patient found by an earlier one not again. At most one Query per search in a request,
    each reading at most ``limit + 1`` items less those already found; if they run out before
    the page is full, the page holds what they found and the cursor goes on from there."""
    number, start = _search_start(cursor, searches) if cursor else (0, None)
    table = table or Table()
    found: list[tuple[int, Item]] = []
    queries = 0
    while number < len(searches) and len(found) <= limit and queries < len(searches):
        wanted = searches[number]
        condition, names, values = key_condition(wanted.partition, wanted.sort)
        items, last = table.query(
            index=wanted.index,
            condition=condition,
            names=names,
            values=values,
            limit=limit + 1 - len(found),
            start=start,
        )
        queries += 1
        earlier = searches[:number]
        found += [(number, item) for item in items if not any(search.finds(*_folded_names(item)) for search in earlier)]
        if last:
            start = last
        else:
            number, start = number + 1, None
    page = found[:limit]
    next_cursor = None
    if len(found) > limit:
        shown_by, last_shown = page[-1]
        attributes = keys.CURSOR_ATTRIBUTES[searches[shown_by].index]
        next_cursor = _search_cursor(shown_by, {name: last_shown[name] for name in attributes})
    elif number < len(searches):  # the Queries ran out before the searches did
        next_cursor = _search_cursor(number, start)
    return [PatientRecord.model_validate(item) for _, item in page], next_cursor


# What the search keys and the stored status are worked out from: the backfill's write holds
# only while each is still what it read (absent attributes included).
BACKFILL_INPUTS = (
    "last_name",
    "first_name",
    "date_of_birth",
    "portal_access_enabled",
    "expires_at",
    "email",
    "zip",
    "username",
    "first_login_at",
)


def backfill_after_upgrade(*, table: Table | None = None) -> int:
    """Once, after an upgrade that changes what is derived from a patient's details: gives each
    patient written before it the search keys it lacks (the first-name and birth-date indexes)
    and the stored portal status (with its index attributes) that the current rule gives,
    read page by page from the roster (1,000 a Query). One conditional UpdateItem a patient
    that needs it, bumping no version (no detail changes) and holding only while every input
    is what was read: a write since then stored its own. A second run writes nothing. Returns
    how many patients it updated."""
    table = table or Table()
    updated = 0
    cursor: str | None = None
    while True:
        items, cursor = table.query_page(
            index="Roster", partition=("roster_pk", keys.ROSTER), limit=1000, cursor=cursor
        )
        for item in items:
            record = PatientRecord.model_validate(item)
            wanted = {
                **keys.search_entries(record.last_name, record.first_name, record.date_of_birth, record.patient_id),
                **status_fields(record),
            }
            if all(item.get(name) == value for name, value in wanted.items()):
                continue
            names = {f"#k{number}": name for number, name in enumerate(wanted)}
            values: dict[str, Any] = {f":k{number}": value for number, value in enumerate(wanted.values())}
            held = ["attribute_exists(pk)"]
            for number, name in enumerate(BACKFILL_INPUTS):
                names[f"#r{number}"] = name
                if name in item:
                    values[f":r{number}"] = item[name]
                    held.append(f"#r{number} = :r{number}")
                else:
                    held.append(f"attribute_not_exists(#r{number})")
            try:
                table.update(
                    keys.patient(record.patient_id),
                    expression="SET " + ", ".join(f"#k{number} = :k{number}" for number in range(len(wanted))),
                    names=names,
                    values=values,
                    condition=" AND ".join(held),
                )
            except ConflictError:
                continue  # changed since it was read: that write stored its own
            updated += 1
        if cursor is None:
            return updated


def _roster(status: str | None) -> tuple[str, tuple[str, str]]:
    """The index and partition of every patient, or of those of one portal status."""
    if status:
        return "RosterByStatus", ("status_pk", keys.status_partition(status))
    return "Roster", ("roster_pk", keys.ROSTER)


def roster_page(
    *, status: str | None, prefix: str, limit: int, cursor: str | None, table: Table | None = None
) -> tuple[list[PatientRecord], str | None]:
    """The onboarding list: every patient (or those of one portal status), by last then first
    name, optionally by last-name prefix. One Query reading at most ``limit + 1`` items."""
    index, partition = _roster(status)
    items, next_cursor = (table or Table()).query_page(
        index=index,
        partition=partition,
        sort_prefix=("roster_sk", keys.name_prefix(prefix)) if prefix else None,
        limit=limit,
        cursor=cursor,
    )
    return [PatientRecord.model_validate(item) for item in items], next_cursor


def roster_patient_ids(*, status: str | None, prefix: str, table: Table | None = None) -> list[str]:
    """Every patient id matching the onboarding list's filter, page by page (bulk actions)."""
    table = table or Table()
    index, partition = _roster(status)
    found: list[str] = []
    cursor: str | None = None
    while True:
        items, cursor = table.query_page(
            index=index,
            partition=partition,
            sort_prefix=("roster_sk", keys.name_prefix(prefix)) if prefix else None,
            limit=1000,
            cursor=cursor,
            attributes=("patient_id",),
        )
        found.extend(str(item["patient_id"]) for item in items)
        if cursor is None:
            return found


def roster_identities(
    identity: Callable[[str, str, str], tuple[str, str, str]], *, table: Table | None = None
) -> dict[tuple[str, str, str], str]:
    """Every patient's identity (as ``identity`` makes it from last name, first name and date
    of birth) -> patient id, read page by page from the roster (an import's duplicate check)."""
    table = table or Table()
    found: dict[tuple[str, str, str], str] = {}
    cursor: str | None = None
    while True:
        items, cursor = table.query_page(
            index="Roster",
            partition=("roster_pk", keys.ROSTER),
            limit=1000,
            cursor=cursor,
            attributes=("patient_id", "first_name", "last_name", "date_of_birth", "expires_at"),
        )
        for item in items:
            if item.get("expires_at"):
                continue  # an unconfirmed self-registration is nobody's duplicate
            key = identity(str(item["last_name"]), str(item["first_name"]), str(item["date_of_birth"]))
            found.setdefault(key, str(item["patient_id"]))
        if cursor is None:
            return found


def count_with_status(status: str, *, table: Table | None = None) -> int:
    """Patients of one portal status, counted on the keys-only index."""
    return (table or Table()).count(index="StatusCounts", partition=("status_pk", keys.status_partition(status)))


def count_invitations(state: str, *, expired: bool | None = None, now: int, table: Table | None = None) -> int:
    """Invitations in a state; ``expired`` splits them at ``now`` on the expiry sort key."""
    bound = None
    if expired is not None:
        bound = ("invite_sk", "<" if expired else ">=", keys.invitation_sort(now))
    return (table or Table()).count(
        index="InvitationStates", partition=("invite_pk", keys.invitation_partition(state)), sort_bound=bound
    )
