"""Audit entries: every staff read or change of a patient's data leaves one (SECURITY.md 10)."""

from __future__ import annotations

from typing import Any

from patientportal import clock, ids
from patientportal.auth.principal import Principal
from patientportal.dal import keys
from patientportal.dal.table import Table

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


def record(actor: Principal, action: str, patient_id: str, request_id: str, *, table: Table | None = None) -> None:
    (table or Table()).put(audit_item(actor, action, patient_id, request_id))
