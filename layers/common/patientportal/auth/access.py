"""Per-request checks for patients: access still on, session not revoked (SECURITY.md 6).

API Gateway accepts any unexpired token our pool signed; this is what makes disabling
access or changing a password take effect on the very next request.
"""

from __future__ import annotations

from patientportal.auth.principal import Principal
from patientportal.dal import patients
from patientportal.errors import UnauthorizedError
from patientportal.models.records import PatientRecord


def active_patient(principal: Principal) -> PatientRecord:
    patient = patients.get_patient(principal.require_patient().patient_id)
    if patient is None or not patient.portal_access_enabled:
        raise UnauthorizedError("Sign in again.")
    if principal.issued_at < patient.sessions_valid_after:
        raise UnauthorizedError("Sign in again.")
    return patient
