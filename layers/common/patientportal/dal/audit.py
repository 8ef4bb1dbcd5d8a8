"""Audit entries, kept with their patient (``PATIENT#<id>`` / ``AUDIT#<at>#<id>``)."""

from __future__ import annotations

from typing import Any

from patientportal.dal import keys
from patientportal.dal.attributes import Item
from patientportal.dal.table import Table


def add_entry(entry: dict[str, Any], *, table: Table | None = None) -> None:
    (table or Table()).put(entry)


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
