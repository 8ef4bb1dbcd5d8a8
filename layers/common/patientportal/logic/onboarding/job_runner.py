"""The jobs worker's one task: do one chunk of a job, once.

The stream may hand a chunk over again (a retry after a timeout); a chunk already recorded
is skipped, and recording it is one transaction with the job's counters, so progress never
counts a chunk twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from patientportal.auth.principal import ADMIN, STAFF, Principal
from patientportal.dal import jobs as stored_jobs
from patientportal.logic.onboarding import bulk_invitations, imports
from patientportal.observability import logger

ChunkWork = Callable[[Principal, Mapping[str, Any], Sequence[Mapping[str, Any]]], tuple[int, list[dict[str, Any]]]]

WORK: dict[str, ChunkWork] = {
    "invitations": bulk_invitations.send_chunk,
    "import": imports.import_chunk,
}


def acting_for(job: Mapping[str, Any]) -> Principal:
    """The staff member who started the job: audit entries name them. Only admins start
    imports, so an import job acts with the admin group."""
    groups = frozenset({STAFF, ADMIN}) if job["job_kind"] == "import" else frozenset({STAFF})
    return Principal(kind="staff", subject="", username=str(job["created_by"]), groups=groups, issued_at=0)


def run_chunk(job_id: str, number: int) -> bool:
    """Does the chunk and records it; False when there was nothing to do."""
    chunk = stored_jobs.get_chunk(job_id, number)
    job = stored_jobs.get_job(job_id)
    if chunk is None or job is None or chunk.get("finished"):
        logger.info("chunk already done or gone", extra={"job_id": job_id, "chunk": number})
        return False
    done, failures = WORK[str(job["job_kind"])](acting_for(job), job, chunk.get("units", []))
    recorded = stored_jobs.record_chunk(job_id, number, done=done, failures=failures)
    logger.info("chunk done", extra={"job_id": job_id, "chunk": number, "done": done, "failed": len(failures)})
    return recorded
