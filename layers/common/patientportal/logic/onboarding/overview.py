"""The onboarding tool's list and counts: every patient with their portal status and latest
invitation, one Query a page; the counts from keys-only indexes (docs/data-model.md)."""

from __future__ import annotations

from typing import get_args

from patientportal import clock, normalise
from patientportal.auth.principal import Principal
from patientportal.dal import patients
from patientportal.errors import ValidationFailedError
from patientportal.logic.patients import audit
from patientportal.models.common import Page
from patientportal.models.onboarding import (
    Invitation,
    InvitationCounts,
    OnboardingCounts,
    OnboardingPatient,
    StatusCounts,
)
from patientportal.models.patients import PortalStatus
from patientportal.models.records import PatientRecord
from patientportal.portal_status import portal_status

# Still waiting for the patient: these become "expired" once past their expiry.
OUTSTANDING = ("sent", "opened")


def invitation_of(patient: PatientRecord, now: int) -> Invitation | None:
    state = patient.invitation_state
    if not state:
        return None
    if state in OUTSTANDING and patient.invitation_expires_at <= now:
        state = "expired"
    return Invitation.model_validate(
        {"state": state, "sent_at": patient.invitation_sent_at, "expires_at": clock.iso(patient.invitation_expires_at)}
    )


def onboarding_page(
    staff: Principal,
    status: PortalStatus | None,
    prefix: str,
    *,
    limit: int,
    cursor: str | None,
    api_request_id: str,
) -> Page[OnboardingPatient]:
    """One Query of at most ``limit + 1`` patients, and one write recording whom it showed."""
    if prefix and not normalise.can_match_a_name(prefix):
        raise ValidationFailedError("Type the start of a last name (letters or digits).", field="q")
    found, next_cursor = patients.roster_page(status=status, prefix=prefix, limit=limit, cursor=cursor)
    now = clock.epoch_seconds()
    items = [
        OnboardingPatient.from_record(
            patient, portal_status=portal_status(patient), invitation=invitation_of(patient, now)
        )
        for patient in found
    ]
    audit.record_list_view(staff, "onboarding", (item.patient_id for item in items), api_request_id)
    return Page[OnboardingPatient](items=items, next_cursor=next_cursor)


def onboarding_counts() -> OnboardingCounts:
    """Nine Select=COUNT Queries on keys-only indexes; no patient record is read."""
    now = clock.epoch_seconds()
    statuses = {status: patients.count_with_status(status) for status in get_args(PortalStatus)}
    live = {state: patients.count_invitations(state, expired=False, now=now) for state in OUTSTANDING}
    expired = sum(patients.count_invitations(state, expired=True, now=now) for state in OUTSTANDING)
    return OnboardingCounts(
        statuses=StatusCounts.model_validate(statuses),
        invitations=InvitationCounts(
            sent=live["sent"],
            opened=live["opened"],
            used=patients.count_invitations("used", now=now),
            expired=expired,
            bounced=patients.count_invitations("bounced", now=now),
        ),
    )
