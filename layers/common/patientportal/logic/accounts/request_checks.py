"""Per-request checks: for patients, access still on and session not revoked
(docs/security.md "Sessions"); for staff, no sign-out since the token was issued.

API Gateway accepts any unexpired token our pool signed; this is what makes disabling
access, changing a password or signing out take effect on the very next request.
"""

from __future__ import annotations

from patientportal.auth.principal import Principal
from patientportal.dal import patients
from patientportal.dal import sessions as stored_sessions
from patientportal.dal.table import Table
from patientportal.errors import UnauthorizedError
from patientportal.models.records import PatientRecord
from patientportal.portal_status import can_sign_in


def active_patient(principal: Principal) -> PatientRecord:
    patient = patients.get_patient(principal.require_patient().patient_id)
    if patient is None or not can_sign_in(patient):
        raise UnauthorizedError("Sign in again.")
    if principal.issued_at < patient.sessions_valid_after:
        raise UnauthorizedError("Sign in again.")
    return patient


def signed_in_staff(principal: Principal) -> Principal:
    """A staff token issued before that staff member's latest sign-out is refused: one read."""
    if principal.kind == "staff" and principal.issued_at < stored_sessions.staff_signed_out_at(
        principal.username, table=Table()
    ):
        raise UnauthorizedError("Sign in again.")
    return principal
