"""API shape of audit entries."""

from __future__ import annotations

from pydantic import BaseModel


class AuditEntry(BaseModel):
    """Who did what to which patient's data, when, and in which API request."""

    entry_id: str
    actor: str
    action: str
    patient_id: str
    at: str
    request_id: str
