"""API shape of audit entries."""

from __future__ import annotations

from patientportal.models.common import Model


class AuditEntry(Model):
    """Who did what to which patient's data, when, and in which API request."""

    entry_id: str
    actor: str
    action: str
    patient_id: str
    at: str
    request_id: str
