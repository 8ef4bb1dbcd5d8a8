"""A patient's own requests and messages, read through the ``PatientItems`` index (keys.py):
one Query within the patient's partition, so another patient's id finds nothing."""

from __future__ import annotations

from typing import TypeVar

from patientportal.dal import keys
from patientportal.dal.table import Table
from patientportal.models.records import Record

RecordT = TypeVar("RecordT", bound=Record)


def page(
    patient_id: str,
    sort_prefix: str,
    record: type[RecordT],
    *,
    limit: int,
    cursor: str | None = None,
    newest_first: bool = True,
    table: Table | None = None,
) -> tuple[list[RecordT], str | None]:
    """The patient's items whose ``patient_sk`` begins with ``sort_prefix`` (``REQUEST#``,
    ``MSG#``), as ``record``s, newest first unless told otherwise."""
    items, next_cursor = (table or Table()).query_page(
        index="PatientItems",
        partition=("patient_pk", keys.patient_items_partition(patient_id)),
        sort_prefix=("patient_sk", sort_prefix),
        newest_first=newest_first,
        limit=limit,
        cursor=cursor,
    )
    return [record.model_validate(item) for item in items], next_cursor
