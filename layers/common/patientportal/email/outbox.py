"""The outbox writer: an email to send is an item written in the same transaction as the
change it announces; the table's stream hands it to the notify function."""

from __future__ import annotations

from patientportal import clock, ids
from patientportal.email.templates import TEMPLATES
from patientportal.models.records import OutboxEntry, PatientRecord

# Outbox entries expire a week after they are written; by then they are sent or dead-lettered.
OUTBOX_LIFETIME_SECONDS = 7 * 24 * 3600


def notification_for(patient: PatientRecord, template: str) -> OutboxEntry | None:
    """The email for this patient, or none when there is no address that can take it."""
    if template not in TEMPLATES:
        raise KeyError(template)
    if not patient.email or patient.email_undeliverable:
        return None
    return OutboxEntry(
        outbox_id=ids.new_id(),
        template=template,
        to=patient.email,
        patient_id=patient.patient_id,
        created_at=clock.timestamp(),
    )


def notification_to_current_address(patient_id: str, template: str) -> OutboxEntry:
    """An email to whatever address the patient has when it is sent (notify looks it up)."""
    if template not in TEMPLATES:
        raise KeyError(template)
    return OutboxEntry(outbox_id=ids.new_id(), template=template, patient_id=patient_id, created_at=clock.timestamp())


def expiry() -> int:
    return clock.epoch_seconds() + OUTBOX_LIFETIME_SECONDS


def email_to(address: str, patient_id: str, template: str, *, link_fragment: str = "") -> OutboxEntry:
    """An account email to a fixed address (the one on file when it was asked for, or, for
    the email-change notice, the old one). ``link_fragment`` is a one-time link's token."""
    if template not in TEMPLATES:
        raise KeyError(template)
    return OutboxEntry(
        outbox_id=ids.new_id(),
        template=template,
        to=address,
        patient_id=patient_id,
        created_at=clock.timestamp(),
        link_fragment=link_fragment,
    )
