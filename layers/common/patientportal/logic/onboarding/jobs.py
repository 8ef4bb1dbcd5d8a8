"""Background jobs with progress (bulk invitations, imports).

Starting a job writes the job item and its chunks (at most ``CHUNK_SIZE`` units each); the
table's stream hands each new chunk to the jobs worker (``logic.job_runner``), which does
the chunk and adds to the job's counters in one transaction. Progress is read back from
the job's own partition, so it needs no index and no Scan.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any, Literal

from patientportal import clock, ids
from patientportal.auth.principal import Principal
from patientportal.dal import jobs as stored_jobs
from patientportal.errors import NotFoundError
from patientportal.models.onboarding import JobFailure, JobProgress, JobState

JobKind = Literal["invitations", "import"]

CHUNK_SIZE = 100
# Jobs and their reports are kept a month, then the table's TTL removes them.
JOB_LIFETIME_SECONDS = 30 * 24 * 3600
# A chunk's worker runs at most 300 s and is tried 4 times, then goes to the jobs
# dead-letter queue: a job with no progress for this long will make none.
STALLED_AFTER_SECONDS = 30 * 60


def chunked(units: Sequence[Mapping[str, Any]], size: int | None = None) -> list[list[Mapping[str, Any]]]:
    size = size or CHUNK_SIZE
    return [list(units[start : start + size]) for start in range(0, len(units), size)]


def start_job(
    staff: Principal, kind: JobKind, units: Sequence[Mapping[str, Any]], *, options: Mapping[str, Any] | None = None
) -> str:
    """Writes the job and its chunks; the worker takes it from there. Returns the job id."""
    job_id = ids.new_id()
    job = {
        "job_id": job_id,
        "job_kind": kind,
        "total": len(units),
        "created_by": staff.username,
        "created_at": clock.timestamp(),
        "options": dict(options or {}),
    }
    stored_jobs.create(job, chunked(units), expires_at=clock.epoch_seconds() + JOB_LIFETIME_SECONDS)
    return job_id


def _quiet_for(last_change: str) -> float:
    """Seconds since the job last moved (its start, or its latest chunk)."""
    return (clock.now() - datetime.datetime.fromisoformat(last_change.replace("Z", "+00:00"))).total_seconds()


def progress_of(items: Sequence[Mapping[str, Any]]) -> JobProgress:
    job = next(item for item in items if item.get("kind") == "job")
    failures = [
        JobFailure.model_validate(failure)
        for item in sorted(items, key=lambda item: str(item["sk"]))
        if item.get("kind") == "job_chunk"
        for failure in item.get("failures", [])
    ]
    total, done, failed = int(job["total"]), int(job.get("done", 0)), int(job.get("failed", 0))
    state: JobState = "queued"
    if done + failed >= total:
        state = "finished"
    elif _quiet_for(str(job.get("updated_at") or job["created_at"])) > STALLED_AFTER_SECONDS:
        state = "stalled"
    elif done + failed:
        state = "running"
    return JobProgress(
        job_id=str(job["job_id"]),
        kind=job["job_kind"],
        state=state,
        total=total,
        done=done,
        failed=failed,
        remaining=max(total - done - failed, 0),
        failures=failures,
        created_at=str(job["created_at"]),
    )


def job_progress(job_id: str) -> JobProgress:
    items = stored_jobs.job_items(job_id)
    if not any(item.get("kind") == "job" for item in items):
        raise NotFoundError("There is no such job.")
    return progress_of(items)
