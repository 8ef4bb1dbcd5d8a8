"""Many invented patients in the emulator, and DynamoDB's paging there: shared by
``integration/test_scale.py`` (counts) and ``benchmarks/scale.py`` (timings). Everything
here works on moto in this process (the integration tests' emulator, the benchmark's)."""

from __future__ import annotations

import contextvars
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from moto.backends import get_backend
from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import table as moto_table
from moto.dynamodb.models.dynamo_type import Item as MotoItem
from moto.dynamodb.models.dynamo_type import LimitedSizeDict
from moto.dynamodb.responses import DynamoHandler

from local import emulator
from patientportal import normalise
from patientportal.dal import keys, patients
from patientportal.dal.attributes import to_attributes
from patientportal.dal.table import Table
from patientportal.logic.onboarding import imports
from patientportal.logic.onboarding.import_file import identity_of
from patientportal.models.records import PatientRecord

# DynamoDB reads at most 1 MB a Query call (1,048,576 bytes), counted on the index's entries
# when the Query is on an index; moto counts 1,000,000 bytes of the table's whole items.
DYNAMODB_PAGE_BYTES = 1024 * 1024
REGION = "us-east-1"

# -- many invented patients --------------------------------------------------------------------

LASTS = [stem + end for stem in ("Abb", "Brae", "Cald", "Dunm", "Eld", "Farr", "Gwyn", "Holm") for end in "aeiou"]
HEADER = "first_name,last_name,date_of_birth,email,zip,phone\n"


def invented(number: int, **fields: Any) -> PatientRecord:
    """Patient ``number`` of many, all invented; the id is the one an import gives them."""
    first, last = f"Given{number % 89:02d}", f"{LASTS[number % len(LASTS)]}{number:05d}"
    born = f"{1940 + number % 60}-{number % 12 + 1:02d}-{number % 28 + 1:02d}"
    return PatientRecord.model_validate(
        {
            "patient_id": imports.imported_patient_id(identity_of(last, first, born)),
            "first_name": first,
            "last_name": last,
            "date_of_birth": born,
            "zip": "02139",
            "created_at": "2026-01-05T09:00:00Z",
            **fields,
        }
    )


def practice(count: int, now: int) -> list[PatientRecord]:
    """A practice of ``count`` invented patients a while after its import: 60 % never given
    access (inactive); 30 % given access and invited, not signed in yet (unactivated), their
    invitations sent, opened, expired or bounced; 10 % signed in (active, the invitation used)."""
    records = []
    for number in range(count):
        kind = number % 10
        fields: dict[str, Any] = {}
        if kind >= 6:
            fields = {"email": f"scale.{number}@example.com", "portal_access_enabled": True}
            state = ("sent", "opened", "sent")[kind - 6] if kind < 9 else "used"
            expires = now + 3600 if number % 20 < 15 else now - 3600
            if kind == 8 and number % 40 == 8:
                state = "bounced"
            fields |= {
                "invitation_state": state,
                "invitation_sent_at": "2026-01-06T09:00:00Z",
                "invitation_expires_at": expires,
            }
            if kind == 9:
                fields |= {"username": f"scale{number}", "first_login_at": "2026-01-07T09:00:00Z"}
        records.append(invented(number, **fields))
    return records


def patient_file(count: int, tag: str, *, start: int = 0) -> bytes:
    """A patient list file of ``count`` good rows of invented patients (every third without
    an email), about 80 bytes a row."""
    rows = [
        f"Given{number % 50},{tag}{number:05d},{1940 + number % 60}-{number % 12 + 1:02d}-{number % 28 + 1:02d},"
        f"{'' if number % 3 == 0 else f'{tag.lower()}.{number}@example.com'},02139,617-555-{number % 10_000:04d}\n"
        for number in range(start, start + count)
    ]
    return (HEADER + "".join(rows)).encode()


def emulated_table() -> Any:
    return get_backend("dynamodb")[DEFAULT_ACCOUNT_ID][REGION].get_table(Table().name)


@contextmanager
def quick_item_writes() -> Iterator[None]:
    """moto checks an item's 400 KB limit by summing every attribute again as each one is
    added: quadratic in the attributes (40 for a patient), most of the time of writing many
    patients. The items here are about 1 KB, so the check is skipped meanwhile."""
    check = LimitedSizeDict.__setitem__
    LimitedSizeDict.__setitem__ = dict.__setitem__  # type: ignore[assignment]
    try:
        yield
    finally:
        LimitedSizeDict.__setitem__ = check  # type: ignore[method-assign]


WRITES = ("put_item", "update_item", "delete_item", "batch_write_item", "transact_write_items")


@contextmanager
def direct_write_answers() -> Iterator[None]:
    """The emulator answers DynamoDB's reads as JSON directly, not through moto's generic
    serializer (``local.emulator``, fix 2); meanwhile its writes are answered so too. An
    ``UpdateItem`` returning a whole patient (40 attributes) costs moto's serializer about
    10 ms, most of notify's time for each of 5,000 emails."""
    own = {name: getattr(DynamoHandler, name) for name in WRITES}
    for name, action in own.items():
        setattr(DynamoHandler, name, emulator._answered_directly(action))  # the emulator's own fix
    try:
        yield
    finally:
        for name, action in own.items():
            setattr(DynamoHandler, name, action)


def seed(records: list[PatientRecord]) -> float:
    """The records as the DAL stores them (``patients.patient_item``), put into the emulator's
    table in this process the way its BatchWriteItem puts each item (``put_item`` of its
    backend, stream records included), without the HTTP round trips; the seconds it took."""
    began = time.monotonic()
    backend = get_backend("dynamodb")[DEFAULT_ACCOUNT_ID][REGION]
    name = Table().name
    with quick_item_writes():
        for record in records:
            backend.put_item(name, to_attributes(patients.patient_item(record, normalise.email(record.email))))
    return time.monotonic() - began


# -- what a Query reads --------------------------------------------------------------------------

_QUERIED_INDEX: contextvars.ContextVar[Any] = contextvars.ContextVar("queried_index", default=None)


@contextmanager
def dynamodb_pages() -> Iterator[None]:
    """moto ends a Query's page at 1,000,000 bytes of the table's whole items, whatever the
    index projects; DynamoDB at 1 MB (1,048,576 bytes) of what it read, which on an index is
    the index's entries ("the calculation is based on the size of the index entries, rather
    than the size of the item in the base table"): a keys-only entry is its table key and its
    index key, about 135 bytes here against about 900 for the whole patient. Meanwhile moto
    sizes each item an index Query reads as that index's entry, and pages at DynamoDB's 1 MB,
    so the calls counted are DynamoDB's. (Without the 100 bytes a GSI entry counts for
    storage, which DynamoDB does not document as part of what a Query reads; with them a page
    would hold fewer entries still.)"""
    own_query, own_size, own_limit = moto_table.Table.query, MotoItem.size, moto_table.RESULT_SIZE_LIMIT

    def query(table: Any, *args: Any, **kwargs: Any) -> Any:
        name = args[7] if len(args) > 7 else kwargs.get("index_name")
        token = _QUERIED_INDEX.set(table.get_index(name) if name else None)
        try:
            return own_query(table, *args, **kwargs)
        finally:
            _QUERIED_INDEX.reset(token)

    def size(item: MotoItem) -> int:
        index = _QUERIED_INDEX.get()
        return int(own_size(index.project(item) if index is not None else item))

    moto_table.RESULT_SIZE_LIMIT = DYNAMODB_PAGE_BYTES
    setattr(moto_table.Table, "query", query)  # noqa: B010 - replacing a method
    setattr(MotoItem, "size", size)  # noqa: B010
    try:
        yield
    finally:
        moto_table.RESULT_SIZE_LIMIT = own_limit
        setattr(moto_table.Table, "query", own_query)  # noqa: B010
        setattr(MotoItem, "size", own_size)  # noqa: B010


def _sort_value(value: Any) -> Any:
    return value.value if value.type == "S" else value


@contextmanager
def quick_index_sort() -> Iterator[None]:
    """moto sorts every item of the table twice on each Query of an index (by the table's
    key, then the index's; a Query of the table, once) comparing typed values through their
    generic casts: most of the time of a Query with 20,000 patients. The keys here are
    strings, which it orders as Python orders them (code points, which is UTF-8's byte order
    and DynamoDB's), so meanwhile they are compared as plain strings."""
    own_all, own_sorted = moto_table.Table.all_items, moto_table.Table.sorted_items

    def all_items(table: Any) -> list[Any]:
        items = [item for found in table.items.values() for item in found.values()]
        return sorted(items, key=lambda item: (_sort_value(item.hash_key), _sort_value(item.range_key)))

    def sorted_items(table: Any, hash_key_attrs: list[str], range_key_attrs: list[Any], items: list[Any]) -> Any:
        names = table._generate_attr_to_sort_by(hash_key_attrs, range_key_attrs)
        items.sort(key=lambda item: tuple(_sort_value(item.attrs[name]) for name in names))
        return items

    setattr(moto_table.Table, "all_items", all_items)  # noqa: B010 - replacing a method
    setattr(moto_table.Table, "sorted_items", sorted_items)  # noqa: B010
    try:
        yield
    finally:
        setattr(moto_table.Table, "all_items", own_all)  # noqa: B010
        setattr(moto_table.Table, "sorted_items", own_sorted)  # noqa: B010


# -- the counts' entries, on paper -------------------------------------------------------------

COUNT_ENTRIES = {  # each count Query's keys-only index: what one of its entries holds
    "StatusCounts": ("pk", "sk", "status_pk", "roster_sk"),
    "InvitationStates": ("pk", "sk", "invite_pk", "invite_sk"),
}
STATUSES = ("inactive", "unactivated", "active")
COUNTED_STATES = ("sent live", "opened live", "sent expired", "opened expired", "used", "bounced")


def entry_bytes(item: dict[str, Any], attributes: tuple[str, ...]) -> int:
    """An index entry's size as DynamoDB counts it: each attribute's name and value in UTF-8
    (these are all strings)."""
    return sum(len(name.encode()) + len(str(item[name]).encode()) for name in attributes)


def pages(sizes: list[int]) -> int:
    """Query calls to read entries of these sizes, in order, a page ending before the entry
    that would take it past 1 MB (moto's rule, kept by ``dynamodb_pages``)."""
    calls, used = 1, 0
    for size in sizes:
        if used + size > DYNAMODB_PAGE_BYTES:
            calls, used = calls + 1, 0
        used += size
    return calls


def count_partitions(now: int) -> dict[str, list[tuple[str, int]]]:
    """Each of the nine counts' entries (sort key, bytes), from every item of the emulator's
    table: the three statuses, and the invitation states, sent and opened split at ``now``."""
    found: dict[str, list[tuple[str, int]]] = {name: [] for name in (*STATUSES, *COUNTED_STATES)}
    for stored in emulated_table().all_items():
        item = {name: value.value for name, value in stored.attrs.items()}
        if "status_pk" in item:
            status = str(item["status_pk"]).removeprefix(keys.status_partition(""))
            found[status].append((item["roster_sk"], entry_bytes(item, COUNT_ENTRIES["StatusCounts"])))
        if "invite_pk" in item:
            state = str(item["invite_pk"]).removeprefix(keys.invitation_partition(""))
            if state in {"sent", "opened"}:
                state += " live" if item["invite_sk"] >= keys.invitation_sort(now) else " expired"
            found[state].append((item["invite_sk"], entry_bytes(item, COUNT_ENTRIES["InvitationStates"])))
    return found


def count_queries_dynamodb_needs(now: int) -> tuple[int, dict[str, int]]:
    """The Query calls the nine counts need when DynamoDB pages at 1 MB of entries, and each
    count's bytes."""
    found = count_partitions(now)
    calls = sum(pages([size for _, size in sorted(entries)]) for entries in found.values())
    return calls, {name: sum(size for _, size in entries) for name, entries in found.items()}
