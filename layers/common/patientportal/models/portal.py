"""API shapes of the patient's own portal pages."""

from patientportal.models.auth import Password
from patientportal.models.common import ApiModel, Model


class Me(Model):
    """What the portal's home page greets the patient with."""

    patient_id: str
    first_name: str
    last_name: str
    practice_name: str
    # The number the safety notice on every form gives for anything urgent (PracticePhone).
    practice_phone: str
    unread_messages: int


class PasswordChange(ApiModel):
    current_password: Password
    new_password: Password


class PasswordChanged(Model):
    """Every session ends with the change, this one too: the page signs in again."""

    changed: bool
    signed_out: bool
