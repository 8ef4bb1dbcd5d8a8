"""API shapes of the patient's own portal pages."""

from __future__ import annotations

from pydantic import BaseModel


class Me(BaseModel):
    """What the portal's home page greets the patient with."""

    patient_id: str
    first_name: str
    last_name: str
    practice_name: str
    unread_messages: int
