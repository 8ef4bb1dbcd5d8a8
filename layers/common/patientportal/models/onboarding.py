"""API shapes of the onboarding tool: the list, its counts, bulk invitations and job progress."""

from typing import Annotated, Literal, Self

from pydantic import ConfigDict, Field, StringConstraints, model_validator

from patientportal.models.common import ApiModel, Model
from patientportal.models.patients import PortalStatus, PortalStatusView

InvitationState = Literal["sent", "opened", "used", "expired", "bounced"]
PatientIdText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
NamePrefixText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]

# A bulk job names at most this many patients (a practice's whole list, with room to spare).
MAX_PATIENTS_PER_JOB = 10_000


class Invitation(Model):
    state: InvitationState
    sent_at: str
    expires_at: str


class OnboardingPatient(Model):
    patient_id: str
    first_name: str
    last_name: str
    date_of_birth: str
    email: str
    portal_status: PortalStatusView
    invitation: Invitation | None


class StatusCounts(Model):
    inactive: int
    unactivated: int
    active: int


class InvitationCounts(Model):
    sent: int
    opened: int
    used: int
    expired: int
    bounced: int


class OnboardingCounts(Model):
    statuses: StatusCounts
    invitations: InvitationCounts


class OnboardingFilter(ApiModel):
    """ "Every match of a filter": the list's own status filter and last-name prefix."""

    status: PortalStatus | None = None
    q: NamePrefixText = ""


class BulkInvitations(ApiModel):
    """Either patients picked one by one, or every patient the filter matches."""

    model_config = ConfigDict(
        extra="forbid",
        defer_build=True,
        strict=True,
        json_schema_extra={
            "oneOf": [
                {
                    "required": ["patient_ids"],
                    "properties": {"patient_ids": {"type": "array"}, "filter": {"type": "null"}},
                },
                {
                    "required": ["filter"],
                    "properties": {"filter": {"type": "object"}, "patient_ids": {"type": "null"}},
                },
            ]
        },
    )

    patient_ids: list[PatientIdText] | None = Field(default=None, min_length=1, max_length=MAX_PATIENTS_PER_JOB)
    filter: OnboardingFilter | None = None
    # Needed when any of them was sent an invitation or reset in the last few minutes.
    confirm_resend: bool = False

    @model_validator(mode="after")
    def one_selection(self) -> Self:
        if (self.patient_ids is None) == (self.filter is None):
            raise ValueError("give either patient_ids or filter")
        return self


class JobStarted(Model):
    job_id: str
    total: int


class JobFailure(Model):
    """One patient (invitations) or one CSV row (import) that was not done, and why."""

    patient_id: str | None = None
    row: int | None = None
    name: str
    reason: str


# "stalled": no progress for 30 minutes; the rest of the job went to the dead-letter queue.
JobState = Literal["queued", "running", "finished", "stalled"]


class JobProgress(Model):
    job_id: str
    kind: Literal["invitations", "import"]
    state: JobState
    total: int
    done: int
    failed: int
    remaining: int
    failures: list[JobFailure]
    created_at: str
