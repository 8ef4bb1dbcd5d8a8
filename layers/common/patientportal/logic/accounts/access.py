"""Turning a patient's portal access on and off, and sending the invitation/reset email."""

from __future__ import annotations

from datetime import timedelta

from patientportal import clock, normalise
from patientportal.auth import cognito
from patientportal.auth.principal import Principal
from patientportal.dal import patients
from patientportal.dal.table import Table
from patientportal.errors import ConflictError, ValidationFailedError
from patientportal.logic.accounts import links
from patientportal.logic.patients import audit
from patientportal.logic.patients.detail import detail_of
from patientportal.models.accounts import InvitationSent, PortalAccess
from patientportal.models.patients import PatientDetail
from patientportal.models.records import PatientRecord

MISSING = {
    "email": "an email address",
    "zip": "a home zip code",
    "identity_confirmed": "confirmation that only the patient uses the email address",
}


def set_portal_access(staff: Principal, patient_id: str, access: PortalAccess, *, api_request_id: str) -> PatientDetail:
    """Enabling needs an email and a zip on file and staff's confirmation that only the
    patient uses that address (the privacy note); a 422 names every missing piece.
    Disabling signs the patient out everywhere and revokes their links."""
    patient = patients.existing_patient(patient_id)
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
        fields, remove = patients.access_on_fields(
            patient, normalise.email(patient.email), confirmed_by=staff.username, at=clock.timestamp()
        )
        action = "enable_portal_access"
    else:
        fields = {"portal_access_enabled": False, "sessions_valid_after": clock.revocation_point()}
        remove = ["link_password", "link_verify_email"]
        action = "disable_portal_access"
    fields.update(patients.status_fields(patients.as_updated(patient, fields, remove)))
    table.transact(
        [
            # The version check keeps the stored status true to the record it was worked out from.
            patients.update_entry(patient_id, fields, remove=remove, expected_version=patient.version, table=table),
            table.put_entry(audit.audit_item(staff, action, patient_id, api_request_id)),
        ],
        conflict="The patient's record changed; reload it.",
    )
    cognito.set_patient_enabled(patient_id, enabled=access.enabled)
    if not access.enabled:
        cognito.sign_out_patient_everywhere(patient_id)
    return detail_of(patients.existing_patient(patient_id))


# Why an invitation cannot go out: (reason in plain words, what staff should do, field).
INVITATION_BLOCKERS = {
    "no_email": ("no email", "Add the patient's email address first.", "email"),
    "bounced": ("bounced address", "Email to this address bounced; correct it first.", "email"),
    "access_off": ("access off", "Turn on portal access first.", "portal_access_enabled"),
}


def invitation_blocker(patient: PatientRecord) -> str | None:
    """The first reason this patient cannot be sent an invitation, or None."""
    if not patient.email:
        return "no_email"
    if patient.email_undeliverable:
        return "bounced"
    if not patient.portal_access_enabled:
        return "access_off"
    return None


# A second email minutes after the last one is more often a double click or a colleague
# doing the same than a need: it is sent only when confirmed.
RESEND_MINUTES = 10
RESEND_FIELD = "confirm_resend"


def last_sent_at(patient: PatientRecord) -> str:
    """When staff last sent this patient an invitation or a reset email ("" for never)."""
    return max(patient.invitation_sent_at, patient.reset_sent_at)


def resend_cutoff() -> str:
    """Sends after this moment are recent: another one needs ``confirm_resend``."""
    return clock.timestamp(clock.now() - timedelta(minutes=RESEND_MINUTES))


def refuse_unconfirmed_resend(recent: int) -> None:
    if recent:
        who = "this patient" if recent == 1 else f"{recent} of these patients"
        raise ConflictError(
            f"An email with a portal link went to {who} less than {RESEND_MINUTES} minutes ago. "
            "Send again only if it did not arrive.",
            field=RESEND_FIELD,
        )


def send_invitation(
    staff: Principal, patient_id: str, *, api_request_id: str, confirm_resend: bool = False
) -> InvitationSent:
    """The invitation/reset email: a one-time link to the address on file that sets a username
    when there is none, then a password. A newer link revokes the older. Minutes after the last
    one, it goes only with ``confirm_resend`` (409 naming it otherwise)."""
    patient = patients.existing_patient(patient_id)
    if not confirm_resend and invitation_blocker(patient) is None:
        refuse_unconfirmed_resend(int(last_sent_at(patient) > resend_cutoff()))
    return invite(staff, patient, api_request_id=api_request_id)


def invite(staff: Principal, patient: PatientRecord, *, api_request_id: str) -> InvitationSent:
    """``send_invitation`` for a record already read (the bulk job reads it to give reasons).
    A patient who already has a username (the invitation used, or credentials set by staff)
    gets a password-reset email instead, and the invitation's state (and the counts that
    read it) stays as it was: a used invitation stays used."""
    blocker = invitation_blocker(patient)
    if blocker:
        _, message, field = INVITATION_BLOCKERS[blocker]
        raise ValidationFailedError(message, field=field)
    patient_id = patient.patient_id
    table = Table()
    if patient.username:
        link = links.issue(patient, "reset", table=table, also={"reset_sent_at": clock.timestamp()})
        action, email = "send_reset", "reset"
    else:
        link = links.issue(patient, "invitation", table=table)
        action, email = "send_invitation", "invitation"
    audit_entry = table.put_entry(audit.audit_item(staff, action, patient_id, api_request_id))
    table.transact([*link.entries, audit_entry], conflict="There is no such patient.")
    return InvitationSent(sent_to=patient.email, expires_at=clock.iso(link.expires_at), email=email)
