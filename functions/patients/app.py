"""Staff routes about patients, their messages, onboarding and the import (docs/api.md "Staff:
patients", "Staff: onboarding and jobs"), and the staff accounts an admin manages: the list,
invitations, roles, accounts off and on, and the reset of a member's second factor
(docs/api.md "Staff: staff members")."""

import base64
from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query

from patientportal import priming
from patientportal.http import Admin, Cursor, ItemId, Limit, RequestId, Staff, answers, build_resolver, lambda_handler
from patientportal.logic.accounts import access, credentials, second_factor, staff_members
from patientportal.logic.onboarding import bulk_invitations, imports, jobs, overview
from patientportal.logic.patients import audit, demographics, detail
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
from patientportal.models.staff import NewStaffMember, StaffMember, StaffMemberChanges
from patientportal.observability import metrics

app = build_resolver()

PatientId = ItemId
PatientSearch = Annotated[
    str,
    Query(
        min_length=1,
        max_length=100,
        description='A last-name prefix, a first name, "Last, First", "First Last" or a date of birth '
        '(MM/DD/YYYY or YYYY-MM-DD); docs/api.md "Finding a patient".',
    ),
]
UsernameText = Annotated[str, Path(min_length=1, max_length=128)]
# A staff member's username, as an admin created it in the staff pool.
StaffUsername = Annotated[str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._@+-]*$")]
# A page of the staff list is one page of Cognito's ListUsers, whose largest is 60.
StaffLimit = Annotated[int, Query(ge=1, le=60)]
JobId = ItemId
OptionalNamePrefix = Annotated[str, Query(max_length=100)]


@app.get("/api/staff/patients", responses=answers(400))
def find_patients(
    staff: Staff, api_request_id: RequestId, q: PatientSearch, limit: Limit = 50, cursor: Cursor = None
) -> Page[PatientSummary]:
    return demographics.find_patients(staff, q.strip(), limit=limit, cursor=cursor, api_request_id=api_request_id)


@app.post("/api/staff/patients", responses=answers(409, success=201))
def add_patient(
    staff: Staff, api_request_id: RequestId, new: Annotated[NewPatient, Body()]
) -> tuple[PatientDetail, int]:
    return demographics.add_patient(staff, new, api_request_id=api_request_id), 201


@app.patch("/api/staff/patients/<patient_id>", responses=answers(404, 409))
def update_patient(
    staff: Staff, api_request_id: RequestId, patient_id: PatientId, changes: Annotated[PatientChanges, Body()]
) -> PatientDetail:
    return demographics.update_patient(staff, patient_id, changes, api_request_id=api_request_id)


@app.put("/api/staff/patients/<patient_id>/portal-access", responses=answers(404, 409))
def set_portal_access(
    staff: Staff, api_request_id: RequestId, patient_id: PatientId, wanted: Annotated[PortalAccess, Body()]
) -> PatientDetail:
    return access.set_portal_access(staff, patient_id, wanted, api_request_id=api_request_id)


@app.post("/api/staff/patients/<patient_id>/invitation", responses=answers(404, 409, success=202))
def send_invitation(
    staff: Staff, api_request_id: RequestId, patient_id: PatientId, confirm_resend: Annotated[bool, Query()] = False
) -> tuple[InvitationSent, int]:
    return access.send_invitation(staff, patient_id, api_request_id=api_request_id, confirm_resend=confirm_resend), 202


@app.put("/api/staff/patients/<patient_id>/credentials", responses=answers(404, 409))
def set_credentials(
    staff: Staff, api_request_id: RequestId, patient_id: PatientId, wanted: Annotated[Credentials, Body()]
) -> PatientDetail:
    updated = credentials.set_credentials(staff, patient_id, wanted, api_request_id=api_request_id)
    return detail.detail_of(updated)


@app.get("/api/staff/usernames/<username>")
def check_username(_staff: Staff, username: UsernameText) -> UsernameCheck:
    return credentials.username_check(username)


@app.get("/api/staff/patients/<patient_id>", responses=answers(404))
def get_patient(staff: Staff, api_request_id: RequestId, patient_id: PatientId) -> PatientDetail:
    return detail.patient_detail(staff, patient_id, api_request_id=api_request_id)


@app.post("/api/staff/patients/<patient_id>/messages", responses=answers(404, success=201))
def send_patient_message(
    staff: Staff, api_request_id: RequestId, patient_id: PatientId, message: Annotated[StaffMessage, Body()]
) -> tuple[SecureMessage, int]:
    sent = messages.send_message_to_patient(staff, patient_id, message, api_request_id=api_request_id)
    metrics.add_metric(name="SecureMessagesSent", unit="Count", value=1)
    return sent, 201


@app.get("/api/staff/patients/<patient_id>/correspondence", responses=answers(400, 404))
def get_correspondence(
    staff: Staff, api_request_id: RequestId, patient_id: PatientId, limit: Limit = 50, cursor: Cursor = None
) -> Page[SecureMessage]:
    return messages.correspondence(staff, patient_id, limit=limit, cursor=cursor, api_request_id=api_request_id)


@app.get("/api/staff/patients/<patient_id>/audit", responses=answers(400, 404))
def get_audit_trail(
    staff: Staff, api_request_id: RequestId, patient_id: PatientId, limit: Limit = 50, cursor: Cursor = None
) -> Page[AuditEntry]:
    return audit.audit_trail(staff, patient_id, limit=limit, cursor=cursor, api_request_id=api_request_id)


@app.get("/api/staff/onboarding", responses=answers(400))
def list_onboarding(  # noqa: PLR0917 - each query parameter of the route is an argument
    staff: Staff,
    api_request_id: RequestId,
    status: Annotated[PortalStatus | None, Query()] = None,
    q: OptionalNamePrefix = "",
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[OnboardingPatient]:
    return overview.onboarding_page(staff, status, q.strip(), limit=limit, cursor=cursor, api_request_id=api_request_id)


@app.get("/api/staff/onboarding/counts")
def count_onboarding(_staff: Staff) -> OnboardingCounts:
    return overview.onboarding_counts()


@app.post("/api/staff/onboarding/invitations", responses=answers(409, success=202))
def send_bulk_invitations(staff: Staff, selection: Annotated[BulkInvitations, Body()]) -> tuple[JobStarted, int]:
    return bulk_invitations.start(staff, selection), 202


@app.get("/api/staff/jobs/<job_id>", responses=answers(404))
def get_job(_staff: Staff, job_id: JobId) -> JobProgress:
    return jobs.job_progress(job_id)


def _uploaded_file() -> bytes:
    """The request body as sent: API Gateway base64-encodes what is not plain text."""
    event = app.current_event
    body = event.body or ""
    return base64.b64decode(body) if event.is_base64_encoded else body.encode("utf-8")


@app.post("/api/staff/patients/import", responses=answers(400, 413, bodies={200: ImportReport, 202: ImportStarted}))
def import_patients(
    admin: Admin,
    dry_run: Annotated[bool, Query()] = True,
    enable_access: Annotated[bool, Query()] = False,
) -> tuple[ImportReport | ImportStarted, int]:
    """The body is the CSV file itself (``text/csv``, docs/import.md): a dry run answers the
    row-by-row report; the real import answers 202 with the job that writes the rows."""
    if dry_run:
        return imports.dry_run(_uploaded_file(), enable_access=enable_access), 200
    return imports.start_import(admin, _uploaded_file(), enable_access=enable_access), 202


@app.post("/api/staff/staff-members/<username>/mfa-reset", responses=answers(404, 409))
def reset_staff_mfa(admin: Admin, api_request_id: RequestId, username: StaffUsername) -> StaffMfaReset:
    """Admins only: the member sets up their authenticator app again at the next sign-in
    (a lost or new phone) and is signed out everywhere now. Audited."""
    return second_factor.reset(admin, username, api_request_id=api_request_id)


@app.get("/api/staff/staff-members", responses=answers(400))
def list_staff_members(_admin: Admin, limit: StaffLimit = 60, cursor: Cursor = None) -> Page[StaffMember]:
    """Admins only: every staff account, by username, with role, authenticator app, last
    sign-in and whether it is on (paged by Cognito's pages of at most 60)."""
    return staff_members.staff_page(limit=limit, cursor=cursor)


@app.post("/api/staff/staff-members", responses=answers(409, success=201))
def invite_staff_member(
    admin: Admin, api_request_id: RequestId, new: Annotated[NewStaffMember, Body()]
) -> tuple[StaffMember, int]:
    """Admins only: a new staff account; Cognito emails the invitation with a temporary password. Audited."""
    return staff_members.invite(admin, new, api_request_id=api_request_id), 201


@app.patch("/api/staff/staff-members/<username>", responses=answers(404, 409))
def change_staff_member(
    admin: Admin, api_request_id: RequestId, username: StaffUsername, changes: Annotated[StaffMemberChanges, Body()]
) -> StaffMember:
    """Admins only: a member's role, or their account off or on; signed out at once, audited.
    The last administrator whose account is on can be neither demoted nor turned off (409)."""
    return staff_members.change(admin, username, changes, api_request_id=api_request_id)


priming.before_snapshot(services=("dynamodb", "cognito-idp"), resolver=app)
handler = lambda_handler(app)
