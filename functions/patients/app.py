"""Staff routes about patients (API.md "Staff": patients, messages, onboarding, import), and an
admin's reset of a staff member's second factor."""

from __future__ import annotations

import base64
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.utilities.typing import LambdaContext

from patientportal.http import api_request_id, build_resolver, caller
from patientportal.logic.accounts import access, credentials, second_factor
from patientportal.logic.onboarding import bulk_invitations, imports, jobs, overview
from patientportal.logic.patients import audit, detail, records
from patientportal.logic.queue import messages
from patientportal.models.accounts import (
    Credentials,
    InvitationSent,
    NewPatient,
    PatientChanges,
    PortalAccess,
    UsernameCheck,
)
from patientportal.models.audit import AuditEntry
from patientportal.models.auth import StaffMfaReset
from patientportal.models.common import Page
from patientportal.models.imports import ImportReport, ImportStarted
from patientportal.models.messages import SecureMessage, StaffMessage
from patientportal.models.onboarding import (
    BulkInvitations,
    JobProgress,
    JobStarted,
    OnboardingCounts,
    OnboardingPatient,
)
from patientportal.models.patients import PatientDetail, PatientSummary, PortalStatus
from patientportal.observability import logger, metrics

app = build_resolver()

PatientId = Annotated[str, Path(min_length=1, max_length=64)]
Limit = Annotated[int, Query(ge=1, le=200)]
Cursor = Annotated[str | None, Query(max_length=2048)]
NamePrefix = Annotated[str, Query(min_length=1, max_length=100)]
UsernameText = Annotated[str, Path(min_length=1, max_length=128)]
JobId = Annotated[str, Path(min_length=1, max_length=64)]
OptionalNamePrefix = Annotated[str, Query(max_length=100)]


@app.get("/api/staff/patients")
def find_patients(q: NamePrefix, limit: Limit = 50, cursor: Cursor = None) -> Page[PatientSummary]:
    staff = caller(app).require_staff()
    return records.find_patients(staff, q.strip(), limit=limit, cursor=cursor, api_request_id=api_request_id(app))


@app.post("/api/staff/patients")
def add_patient(new: Annotated[NewPatient, Body()]) -> tuple[PatientDetail, int]:
    staff = caller(app).require_staff()
    return records.add_patient(staff, new, api_request_id=api_request_id(app)), 201


@app.patch("/api/staff/patients/<patient_id>")
def update_patient(patient_id: PatientId, changes: Annotated[PatientChanges, Body()]) -> PatientDetail:
    staff = caller(app).require_staff()
    return records.update_patient(staff, patient_id, changes, api_request_id=api_request_id(app))


@app.put("/api/staff/patients/<patient_id>/portal-access")
def set_portal_access(patient_id: PatientId, wanted: Annotated[PortalAccess, Body()]) -> PatientDetail:
    staff = caller(app).require_staff()
    return access.set_portal_access(staff, patient_id, wanted, api_request_id=api_request_id(app))


@app.post("/api/staff/patients/<patient_id>/invitation")
def send_invitation(patient_id: PatientId) -> tuple[InvitationSent, int]:
    staff = caller(app).require_staff()
    return access.send_invitation(staff, patient_id, api_request_id=api_request_id(app)), 202


@app.put("/api/staff/patients/<patient_id>/credentials")
def set_credentials(patient_id: PatientId, wanted: Annotated[Credentials, Body()]) -> PatientDetail:
    staff = caller(app).require_staff()
    updated = credentials.set_credentials(staff, patient_id, wanted, api_request_id=api_request_id(app))
    return detail.detail_of(updated)


@app.get("/api/staff/usernames/<username>")
def check_username(username: UsernameText) -> UsernameCheck:
    caller(app).require_staff()
    return credentials.username_check(username)


@app.get("/api/staff/patients/<patient_id>")
def get_patient(patient_id: PatientId) -> PatientDetail:
    staff = caller(app).require_staff()
    return detail.patient_detail(staff, patient_id, api_request_id=api_request_id(app))


@app.post("/api/staff/patients/<patient_id>/messages")
def send_patient_message(patient_id: PatientId, message: Annotated[StaffMessage, Body()]) -> tuple[SecureMessage, int]:
    staff = caller(app).require_staff()
    sent = messages.send_message_to_patient(staff, patient_id, message, api_request_id=api_request_id(app))
    metrics.add_metric(name="SecureMessagesSent", unit="Count", value=1)
    return sent, 201


@app.get("/api/staff/patients/<patient_id>/correspondence")
def get_correspondence(patient_id: PatientId, limit: Limit = 50, cursor: Cursor = None) -> Page[SecureMessage]:
    staff = caller(app).require_staff()
    return messages.correspondence(staff, patient_id, limit=limit, cursor=cursor, api_request_id=api_request_id(app))


@app.get("/api/staff/patients/<patient_id>/audit")
def get_audit_trail(patient_id: PatientId, limit: Limit = 50, cursor: Cursor = None) -> Page[AuditEntry]:
    staff = caller(app).require_staff()
    return audit.audit_trail(staff, patient_id, limit=limit, cursor=cursor, api_request_id=api_request_id(app))


@app.get("/api/staff/onboarding")
def list_onboarding(
    status: Annotated[PortalStatus | None, Query()] = None,
    q: OptionalNamePrefix = "",
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[OnboardingPatient]:
    staff = caller(app).require_staff()
    return overview.onboarding_page(
        staff, status, q.strip(), limit=limit, cursor=cursor, api_request_id=api_request_id(app)
    )


@app.get("/api/staff/onboarding/counts")
def count_onboarding() -> OnboardingCounts:
    caller(app).require_staff()
    return overview.onboarding_counts()


@app.post("/api/staff/onboarding/invitations")
def send_bulk_invitations(selection: Annotated[BulkInvitations, Body()]) -> tuple[JobStarted, int]:
    staff = caller(app).require_staff()
    return bulk_invitations.start(staff, selection), 202


@app.get("/api/staff/jobs/<job_id>")
def get_job(job_id: JobId) -> JobProgress:
    caller(app).require_staff()
    return jobs.job_progress(job_id)


def _uploaded_file() -> bytes:
    """The request body as sent: API Gateway base64-encodes what is not plain text."""
    event = app.current_event
    body = event.body or ""
    return base64.b64decode(body) if event.is_base64_encoded else body.encode("utf-8")


@app.post("/api/staff/patients/import")
def import_patients(
    dry_run: Annotated[bool, Query()] = True,
    enable_access: Annotated[bool, Query()] = False,
) -> tuple[ImportReport | ImportStarted, int]:
    """The body is the CSV file itself (``text/csv``, docs/import.md): a dry run answers the
    row-by-row report; the real import answers 202 with the job that writes the rows."""
    admin = caller(app).require_admin()
    if dry_run:
        return imports.dry_run(_uploaded_file(), enable_access=enable_access), 200
    return imports.start_import(admin, _uploaded_file(), enable_access=enable_access), 202


@app.post("/api/staff/staff-members/<username>/mfa-reset")
def reset_staff_mfa(username: UsernameText) -> StaffMfaReset:
    """Admins only: the member sets up their authenticator app again at the next sign-in
    (a lost or new phone) and is signed out everywhere now. Audited."""
    admin = caller(app).require_admin()
    return second_factor.reset(admin, username.strip(), api_request_id=api_request_id(app))


@logger.inject_lambda_context(clear_state=True)
@metrics.log_metrics
def handler(event: dict[str, object], context: LambdaContext) -> dict[str, object]:
    return app.resolve(event, context)
