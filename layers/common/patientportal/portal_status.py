"""The portal-status rule (docs/api.md "Portal status"), decided here and nowhere else."""

from __future__ import annotations

from patientportal.models.patients import PortalStatus, PortalStatusView, StatusReason
from patientportal.models.records import PatientRecord

FIXES = {
    "unverified": "The patient registered online and has not used the confirmation link yet; the registration "
    "is removed when the link expires. After checking who the patient is, turn on portal access to keep it.",
    "access_off": "Turn on portal access, after confirming that only the patient uses the email address on file.",
    "no_email": "Add the patient's email address.",
    "no_zip": "Add the patient's home zip code.",
    "unactivated": 'Ask the patient to use "Create my portal account" on the portal sign-in page, '
    "or send an invitation email.",
    "active": 'Ask the patient to use "I forgot my password" on the portal sign-in page, or send a reset email.',
}


def _blockers(patient: PatientRecord) -> list[str]:
    return [
        reason
        for reason, present in (
            ("unverified", not patient.unconfirmed),
            ("access_off", patient.portal_access_enabled),
            ("no_email", bool(patient.email)),
            ("no_zip", bool(patient.zip)),
        )
        if not present
    ]


def status_of(patient: PatientRecord) -> PortalStatus:
    """The status alone: stored on the record (and indexed) by every write that can change it."""
    if _blockers(patient):
        return "inactive"
    return "active" if patient.first_login_at else "unactivated"


def portal_status(patient: PatientRecord) -> PortalStatusView:
    blockers = _blockers(patient)
    if blockers:
        status: PortalStatus = "inactive"
        reasons = blockers
    elif patient.first_login_at:
        status, reasons = "active", ["active"]
    else:
        status, reasons = "unactivated", ["unactivated"]
    return PortalStatusView(
        status=status,
        reasons=[StatusReason(reason=reason, fix=FIXES[reason]) for reason in reasons],
        email_undeliverable=patient.email_undeliverable,
    )
