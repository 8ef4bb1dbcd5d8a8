"""Background jobs: the job item (``JOB#<id>``/``JOB``) with its counters, and its chunks
(``CHUNK#<n>``), each a slice of the work that the table's stream hands to the jobs worker."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from patientportal import clock
from patientportal.dal import batches, keys
from patientportal.dal.attributes import Item
from patientportal.dal.table import Table
from patientportal.errors import ConflictError


def create(job: Mapping[str, Any], chunks: Sequence[Sequence[Mapping[str, Any]]], *, expires_at: int) -> None:
    """The job first, so the worker always finds it; then its chunks, 25 a call."""
    table = Table()
    job_id = str(job["job_id"])
    table.put(
        {**job, **keys.job(job_id), "kind": "job", "done": 0, "failed": 0, "expires_at": expires_at},
        condition="attribute_not_exists(pk)",
        conflict="That job already exists.",
    )
    batches.put_all(
        [
            {
                **keys.job_chunk(job_id, number),
                "kind": "job_chunk",
                "job_id": job_id,
                "number": number,
                "units": list(units),
                "expires_at": expires_at,
            }
            for number, units in enumerate(chunks)
        ],
        table=table,
    )


def get_job(job_id: str) -> Item | None:
    return Table().get(keys.job(job_id), consistent=True)


def get_chunk(job_id: str, number: int) -> Item | None:
    return Table().get(keys.job_chunk(job_id, number), consistent=True)


def job_items(job_id: str) -> list[Item]:
    """The job and its chunks: one Query a page (a chunk keeps only its failures once done)."""
    table = Table()
    found: list[Item] = []
    cursor: str | None = None
    while True:
        items, cursor = table.query_page(partition=("pk", keys.job(job_id)["pk"]), limit=500, cursor=cursor)
        found.extend(items)
        if cursor is None:
            return found


def record_chunk(job_id: str, number: int, *, done: int, failures: Sequence[Mapping[str, Any]]) -> bool:
    """Marks the chunk done (dropping its work list, keeping its failures) and adds to the
    job's counters in one transaction; False when the chunk was already recorded (a retry)."""
    table = Table()
    try:
        table.transact(
            [
                table.update_entry(
                    keys.job_chunk(job_id, number),
                    expression="SET finished = :yes, failures = :failures REMOVE units",
                    values={":yes": True, ":failures": list(failures)},
                    condition="attribute_exists(pk) AND attribute_not_exists(finished)",
                ),
                table.update_entry(
                    keys.job(job_id),
                    expression="ADD done :done, failed :failed SET updated_at = :now",
                    values={":done": done, ":failed": len(failures), ":now": clock.timestamp()},
                    condition="attribute_exists(pk)",
                ),
            ],
            conflict="This part of the job was already done.",
        )
    except ConflictError:
        return False
    return True
