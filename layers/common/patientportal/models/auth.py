"""API shapes of sign-in."""

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from patientportal.models.common import ApiModel, Model

Username = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]
Password = Annotated[str, StringConstraints(min_length=1, max_length=256)]


class Login(ApiModel):
    username: Username
    password: Password


class NewPasswordChallenge(ApiModel):
    username: Username
    # Cognito's challenge sessions are 20 to 2,048 characters (Session below).
    session: Annotated[str, StringConstraints(min_length=20, max_length=2048)]
    new_password: Password


class Tokens(Model):
    access_token: str
    expires_in: int
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - a token type, not a secret


class Challenge(Model):
    """The next step of a staff sign-in: a new password (first sign-in), enrolling an
    authenticator app (``MFA_SETUP``) or its current code (``SOFTWARE_TOKEN_MFA``)."""

    challenge: Literal["NEW_PASSWORD_REQUIRED", "MFA_SETUP", "SOFTWARE_TOKEN_MFA"]
    session: str


# Cognito's challenge sessions are 20 to 2,048 characters.
Session = Annotated[str, StringConstraints(min_length=20, max_length=2048)]


class MfaStart(ApiModel):
    """The MFA_SETUP challenge's session: enrolment begins."""

    username: Username
    session: Session


class MfaCode(ApiModel):
    """A code from the authenticator app, for enrolment's first code or a later sign-in."""

    username: Username
    session: Session
    # Six digits: the document says so, and second_factor checks it with its own message.
    code: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=16),
        Field(json_schema_extra={"pattern": r"^\s*[0-9]{6}\s*$"}),
    ]


class MfaEnrolment(Model):
    """What the authenticator app needs, and the session to confirm its first code with."""

    session: str
    secret: str
    otpauth_uri: str
    qr_svg: str


class StaffMfaReset(Model):
    username: str
    reset_at: str


class AccountKind(ApiModel):
    """Which refresh cookie a refresh or sign-out is about: staff and patient pages share one origin."""

    account: Literal["patient", "staff"] = "patient"


class SignedOut(Model):
    signed_out: bool


class Practice(Model):
    name: str
    phone: str
    portal_path: str
    password_rules: str
