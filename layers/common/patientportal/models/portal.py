"""API shapes of the patient's own portal pages."""

from __future__ import annotations

from patientportal.models.common import Model


class Me(Model):
    """What the portal's home page greets the patient with."""

    patient_id: str
    first_name: str
    last_name: str
    practice_name: str
    unread_messages: int
