"""Audit entries: every staff read or change of a patient's data leaves one (SECURITY.md 10)."""

from __future__ import annotations

from typing import Any

from patientportal import clock, ids
from patientportal.auth.principal import Principal
from patientportal.dal import audit as stored_audit
from patientportal.dal import keys, patients
from patientportal.errors import NotFoundError
from patientportal.models.audit import AuditEntry
from patientportal.models.common import Page

# Kept six years (HIPAA 164.316), then the table's TTL removes them.
AUDIT_LIFETIME_SECONDS = 6 * 366 * 24 * 3600


def audit_item(actor: Principal, action: str, patient_id: str, request_id: str) -> dict[str, Any]:
    at = clock.timestamp()
    entry_id = ids.new_id()
    return {
        **keys.audit(patient_id, at, entry_id),
        "kind": "audit",
        "entry_id": entry_id,
        "actor": actor.username,
        "action": action,
        "patient_id": patient_id,
        "at": at,
        "request_id": request_id,
        "expires_at": clock.epoch_seconds() + AUDIT_LIFETIME_SECONDS,
    }


def record(actor: Principal, action: str, patient_id: str, request_id: str) -> None:
    stored_audit.add_entry(audit_item(actor, action, patient_id, request_id))


def audit_trail(
    staff: Principal, patient_id: str, *, limit: int, cursor: str | None, api_request_id: str
) -> Page[AuditEntry]:
    """A patient's audit entries, newest first. Reading them is itself audited."""
    if patients.get_patient(patient_id) is None:
        raise NotFoundError("There is no such patient.")
    items, next_cursor = stored_audit.entries_page(patient_id, limit=limit, cursor=cursor)
    record(staff, "view_audit", patient_id, api_request_id)
    return Page[AuditEntry](items=[AuditEntry.model_validate(item) for item in items], next_cursor=next_cursor)
