"""Audit entries, kept with their patient (``PATIENT#<id>`` / ``AUDIT#<at>#<id>``), and the
pages of staff lists, kept by hour (``SEEN#<hour>``) until the jobs worker has given each
patient shown its own entry."""

from __future__ import annotations

from typing import Any

from patientportal.dal import keys
from patientportal.dal.attributes import Item
from patientportal.dal.table import Table
from patientportal.errors import ConflictError


def add_entry(entry: dict[str, Any], *, table: Table | None = None) -> None:
    (table or Table()).put(entry)


def add_list_view(item: dict[str, Any], *, table: Table | None = None) -> bool:
    """One conditional put; False when this page (same staff member, list, hour and patients)
    is recorded already. A put that changes nothing leaves no stream record either."""
    try:
        (table or Table()).put(item, condition="attribute_not_exists(pk)")
    except ConflictError:
        return False
    return True


def entries_page(
    patient_id: str, *, limit: int, cursor: str | None, table: Table | None = None
) -> tuple[list[Item], str | None]:
    """Newest first, one Query."""
    return (table or Table()).query_page(
        partition=("pk", keys.patient_items_partition(patient_id)),
        sort_prefix=("sk", "AUDIT#"),
        newest_first=True,
        limit=limit,
        cursor=cursor,
    )
