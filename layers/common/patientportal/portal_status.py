"""The portal-status rule (docs/api.md "Portal status"), decided here and nowhere else."""

from __future__ import annotations

from patientportal.models.patients import PortalStatus, PortalStatusView, StatusReason
from patientportal.models.records import PatientRecord

FIXES = {
    "unverified": "The patient registered online and has not used the confirmation link yet; the registration "
    "is removed when the link expires. After checking who the patient is, turn on portal access to keep it.",
    "access_off": "Turn on portal access, after confirming that only the patient uses the email address on file.",
    "no_email": "Add the patient's email address. Until then no invitation or reset email reaches the patient: "
    "if their access is on, set a username and password on the Patient Portal tab and tell them in person.",
    "no_zip": 'Add the patient\'s home zip code. "Create my portal account" and "I forgot my password" '
    "need it to check who the patient is.",
    "unactivated": 'Ask the patient to use "Create my portal account" on the portal sign-in page, '
    "or send an invitation email.",
    "active": 'Ask the patient to use "I forgot my password" on the portal sign-in page, or send a reset email.',
}
# The same reasons when no email reaches the patient (none on file, or it bounced).
FIXES_WITHOUT_EMAIL = {
    "unactivated": "No email reaches the patient: set a username and password on the Patient Portal tab "
    "(if not done yet) and tell them in person or by phone.",
    "active": "If they cannot sign in, set a new password on the Patient Portal tab and tell it to them in person "
    "or by phone: no email reaches them.",
}


def can_sign_in(patient: PatientRecord) -> bool:
    """What lets a patient sign in, besides the right password: access on, and not a
    self-registration still waiting for its link. An email and a zip are not needed: they
    are how the patient gets a link (invitation, "Create my portal account", "I forgot my
    password"), and staff can set a username and password by hand instead."""
    return patient.portal_access_enabled and not patient.unconfirmed


def _missing(patient: PatientRecord) -> list[str]:
    return [
        reason for reason, present in (("no_email", bool(patient.email)), ("no_zip", bool(patient.zip))) if not present
    ]


def _blockers(patient: PatientRecord) -> list[str]:
    """Why the patient cannot sign in and cannot get there without staff: access off or an
    unconfirmed registration (with what turning access on also needs), or access on but no
    username and no email, so that no link can reach them."""
    if can_sign_in(patient):
        return [] if patient.username or patient.email else _missing(patient)
    stopped = [
        reason
        for reason, applies in (("unverified", patient.unconfirmed), ("access_off", not patient.portal_access_enabled))
        if applies
    ]
    return stopped + _missing(patient)


def status_of(patient: PatientRecord) -> PortalStatus:
    """The status alone: stored on the record (and indexed) by every write that can change it."""
    if _blockers(patient):
        return "inactive"
    return "active" if patient.first_login_at else "unactivated"


def _fix(reason: str, patient: PatientRecord) -> str:
    reachable = bool(patient.email) and not patient.email_undeliverable
    return FIXES[reason] if reachable else FIXES_WITHOUT_EMAIL.get(reason, FIXES[reason])


def portal_status(patient: PatientRecord) -> PortalStatusView:
    """The status with its reasons: an ``inactive`` patient's blockers, or the status's own
    reason followed by what is missing for self-service (``no_email``, ``no_zip``)."""
    status = status_of(patient)
    reasons = _blockers(patient) if status == "inactive" else [status, *_missing(patient)]
    return PortalStatusView(
        status=status,
        reasons=[StatusReason(reason=reason, fix=_fix(reason, patient)) for reason in reasons],
        email_undeliverable=patient.email_undeliverable,
    )
