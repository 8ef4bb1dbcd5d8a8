"""Invitations to many patients at once, as a background job: each patient picked (or
matched by the list's filter) once, each invitation sent as a single one is
(``access.invite``), paced to SES's sending rate, and each failure given in plain words."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from patientportal import normalise
from patientportal.auth.principal import Principal
from patientportal.dal import batches, keys, patients
from patientportal.email.pacing import SendPacer
from patientportal.errors import DomainError, ValidationFailedError
from patientportal.logic.accounts import access
from patientportal.logic.onboarding import jobs
from patientportal.models.onboarding import MAX_PATIENTS_PER_JOB, BulkInvitations, JobStarted
from patientportal.models.records import PatientRecord

SENT_STATES = ("sent", "opened", "used")

# One per process: a warm worker keeps its place in the rate between chunks.
pacer = SendPacer()


def start(staff: Principal, selection: BulkInvitations) -> JobStarted:
    """A patient picked twice, or matched twice, gets one email."""
    if selection.patient_ids is not None:
        chosen = list(dict.fromkeys(selection.patient_ids))
    else:
        wanted = selection.filter
        assert wanted is not None  # noqa: S101 - the model requires one of the two
        if wanted.q and not normalise.can_match_a_name(wanted.q):
            raise ValidationFailedError("Type the start of a last name (letters or digits).", field="filter.q")
        chosen = list(dict.fromkeys(patients.roster_patient_ids(status=wanted.status, prefix=wanted.q)))
        if len(chosen) > MAX_PATIENTS_PER_JOB:
            raise ValidationFailedError(
                f"The filter matches more than {MAX_PATIENTS_PER_JOB} patients; narrow it.", field="filter"
            )
    if not chosen:
        raise ValidationFailedError("No patient matches this filter.", field="filter")
    if not selection.confirm_resend:
        access.refuse_unconfirmed_resend(sent_recently(chosen))
    job_id = jobs.start_job(staff, "invitations", [{"patient_id": patient_id} for patient_id in chosen])
    return JobStarted(job_id=job_id, total=len(chosen))


def sent_recently(patient_ids: Sequence[str]) -> int:
    """How many of these patients were sent an invitation or reset minutes ago: their send
    times, read 100 patients a call (none when the job is confirmed)."""
    cutoff = access.resend_cutoff()
    found = batches.get_all(
        [keys.patient(patient_id) for patient_id in patient_ids],
        attributes=("patient_id", "invitation_sent_at", "reset_sent_at"),
    )
    return sum(
        max(str(item.get("invitation_sent_at", "")), str(item.get("reset_sent_at", ""))) > cutoff for item in found
    )


def _failure(patient_id: str, name: str, reason: str) -> dict[str, Any]:
    return {"patient_id": patient_id, "name": name, "reason": reason}


def sent_since(patient: PatientRecord, started_at: str) -> bool:
    """An invitation went to this patient after the job started: by this job, on a try the
    stream hands over again after a timeout, or by staff one by one meanwhile."""
    invited = patient.invitation_state in SENT_STATES and patient.invitation_sent_at >= started_at
    return invited or patient.reset_sent_at >= started_at


def send_chunk(
    staff: Principal, job: Mapping[str, Any], units: Sequence[Mapping[str, Any]]
) -> tuple[int, list[dict[str, Any]]]:
    """Sends this chunk's invitations: how many went, and the failures with their reasons.
    A chunk tried again sends nothing twice."""
    wanted = [str(unit["patient_id"]) for unit in units]
    found = {
        record.patient_id: record
        for record in (
            PatientRecord.model_validate(item) for item in batches.get_all([keys.patient(pid) for pid in wanted])
        )
    }
    done = 0
    failures: list[dict[str, Any]] = []
    for patient_id in wanted:
        patient = found.get(patient_id)
        if patient is None:
            failures.append(_failure(patient_id, "", "no such patient"))
            continue
        if sent_since(patient, str(job["created_at"])):
            done += 1
            continue
        blocker = access.invitation_blocker(patient)
        if blocker:
            failures.append(_failure(patient_id, patient.display_name, access.INVITATION_BLOCKERS[blocker][0]))
            continue
        pacer.wait_turn()
        try:
            access.invite(staff, patient, api_request_id=f"job-{job['job_id']}")
        except DomainError as error:
            failures.append(_failure(patient_id, patient.display_name, error.message))
            continue
        done += 1
    return done, failures
