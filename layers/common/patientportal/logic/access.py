"""Turning a patient's portal access on and off, and sending the invitation/reset email."""

from __future__ import annotations

from patientportal import clock
from patientportal.auth import patient_users
from patientportal.auth.principal import Principal
from patientportal.dal import patients
from patientportal.dal.table import Table
from patientportal.errors import NotFoundError, ValidationFailedError
from patientportal.logic import audit, links
from patientportal.logic.patients import PatientDetail, detail_of
from patientportal.models.accounts import InvitationSent, PortalAccess
from patientportal.models.records import PatientRecord

MISSING = {
    "email": "an email address",
    "zip": "a home zip code",
    "identity_confirmed": "confirmation that only the patient uses the email address",
}


def _patient(patient_id: str) -> PatientRecord:
    patient = patients.get_patient(patient_id)
    if patient is None:
        raise NotFoundError("There is no such patient.")
    return patient


def set_portal_access(staff: Principal, patient_id: str, access: PortalAccess, *, api_request_id: str) -> PatientDetail:
    """Enabling needs an email and a zip on file and staff's confirmation that only the
    patient uses that address (the privacy note); a 422 names every missing piece.
    Disabling signs the patient out everywhere and revokes their links."""
    patient = _patient(patient_id)
    table = Table()
    if access.enabled:
        missing = [
            name
            for name, present in (
                ("email", bool(patient.email)),
                ("zip", bool(patient.zip)),
                ("identity_confirmed", access.identity_confirmed),
            )
            if not present
        ]
        if missing:
            needed = ", ".join(MISSING[name] for name in missing)
            raise ValidationFailedError(f"Portal access needs {needed}.", field=missing[0])
        fields: dict[str, object] = {
            "portal_access_enabled": True,
            "email_confirmed_by": staff.username,
            "email_confirmed_at": clock.timestamp(),
        }
        remove: list[str] = []
        action = "enable_portal_access"
    else:
        fields = {"portal_access_enabled": False, "sessions_valid_after": clock.revocation_point()}
        remove = ["link_password", "link_verify_email"]
        action = "disable_portal_access"
    table.transact(
        [
            patients.update_entry(patient_id, fields, remove=remove, table=table),
            table.put_entry(audit.audit_item(staff, action, patient_id, api_request_id)),
        ],
        conflict="There is no such patient.",
    )
    patient_users.set_enabled(patient_id, enabled=access.enabled)
    if not access.enabled:
        patient_users.sign_out_everywhere(patient_id)
    return detail_of(_patient(patient_id))


def send_invitation(staff: Principal, patient_id: str, *, api_request_id: str) -> InvitationSent:
    """The invitation/reset email: a one-time link (72 hours) to the address on file that
    sets a username when there is none, then a password. A newer link revokes the older."""
    patient = _patient(patient_id)
    if not patient.email:
        raise ValidationFailedError("Add the patient's email address first.", field="email")
    if patient.email_undeliverable:
        raise ValidationFailedError("Email to this address bounced; correct it first.", field="email")
    if not patient.portal_access_enabled:
        raise ValidationFailedError("Turn on portal access first.", field="portal_access_enabled")
    table = Table()
    link = links.issue(patient, "invitation", table=table)
    audit_entry = table.put_entry(audit.audit_item(staff, "send_invitation", patient_id, api_request_id))
    table.transact([*link.entries, audit_entry], conflict="There is no such patient.")
    return InvitationSent(sent_to=patient.email, expires_at=links.iso(link.expires_at))
