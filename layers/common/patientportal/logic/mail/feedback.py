"""SES bounces and complaints mark the patient's email undeliverable, which the portal status
shows beside any status (docs/architecture.md "Email"). They arrive through the configuration set's
event destination (an SNS topic) at ``notify``."""

from __future__ import annotations

from typing import Any

from patientportal import normalise
from patientportal.dal import patients


def undeliverable_addresses(notification: dict[str, Any]) -> list[str]:
    """Permanent bounces and complaints; a transient bounce (a full mailbox) changes nothing.
    Event publishing says ``eventType``, identity notifications ``notificationType``."""
    kind = notification.get("eventType") or notification.get("notificationType")
    if kind == "Bounce":
        bounce = notification.get("bounce", {})
        if bounce.get("bounceType") != "Permanent":
            return []
        recipients = bounce.get("bouncedRecipients", [])
    elif kind == "Complaint":
        recipients = notification.get("complaint", {}).get("complainedRecipients", [])
    else:
        return []
    return [str(recipient["emailAddress"]) for recipient in recipients if recipient.get("emailAddress")]


# An invitation not yet used is "bounced" when its address bounces (the onboarding counts).
OUTSTANDING = frozenset({"sent", "opened"})


def record_feedback(notification: dict[str, Any]) -> int:
    """Marks every patient on file with a bounced or complaining address, and their invitation
    if one is outstanding; returns how many patients."""
    marked = 0
    for address in undeliverable_addresses(notification):
        for patient in patients.patients_with_email(normalise.email(address)):
            if not patient.email_undeliverable:
                fields: dict[str, Any] = {"email_undeliverable": True}
                if patient.invitation_state in OUTSTANDING:
                    fields.update(
                        patients.invitation_fields(
                            "bounced", patient_id=patient.patient_id, expires_at=patient.invitation_expires_at
                        )
                    )
                patients.update_patient(patient.patient_id, fields)
                marked += 1
    return marked
