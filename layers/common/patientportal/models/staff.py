"""API shapes of the staff accounts an administrator manages (docs/api.md "Staff: staff members")."""

from typing import Annotated, Literal

from pydantic import StringConstraints

from patientportal.models.accounts import Email
from patientportal.models.common import ApiModel, Model

# Front desk: the Cognito group "staff" alone; administrator: "staff" and "admin".
StaffRole = Literal["front_desk", "administrator"]

# A staff username as the pool takes it (the same rule as the paths' StaffUsername).
NewStaffUsername = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._@+-]*$"),
]


class StaffMember(Model):
    """One staff account as an administrator sees it. The pool keeps no name: the username
    is how the practice knows its members. ``second_factor`` says whether their
    authenticator app is set up (they have signed in since it was last reset: the pool lets
    nobody in without it); ``last_signed_in_at`` is null until their first sign-in."""

    username: str
    email: str
    role: StaffRole
    enabled: bool
    second_factor: bool
    last_signed_in_at: str | None
    # Invited and not signed in yet: the temporary password of the invitation still stands.
    invited: bool


class NewStaffMember(ApiModel):
    """An invitation: Cognito emails the username and a temporary password for 3 days."""

    username: NewStaffUsername
    email: Email
    role: StaffRole = "front_desk"


class StaffMemberChanges(ApiModel):
    """A role, an account turned off or on, or both; what is not named (or is null) is left
    as it is, so an empty change changes nothing and answers the member as they are."""

    role: StaffRole | None = None
    enabled: bool | None = None
